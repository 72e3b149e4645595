/**
 * Random base62 text exactly as go-secure-stdlib `base62.RandomWithReader` makes it (Vault's OTPs
 * and token bodies), so an OTP from here is indistinguishable from one the server generates.
 */
import { bytesToLatin1, wipe } from './bytes';

/** Vault's alphabet, in Vault's order: byte b maps to ALPHABET[b % 62]. */
export const BASE62_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A CSPRNG: returns `length` fresh random bytes (node:crypto `randomBytes`, `crypto.getRandomValues`). */
export type RandomBytes = (length: number) => Uint8Array;

/** 248 = 4 × 62: bytes at or above it are dropped so every character is equally likely. */
const UNBIASED_LIMIT = BASE62_ALPHABET.length * 4;

export function randomBase62(length: number, randomBytes: RandomBytes): string {
  if (!Number.isSafeInteger(length) || length < 0)
    throw new RangeError(`base62 length must be a non-negative integer, got ${length}`);
  const out = new Uint8Array(length);
  let n = 0;
  // Same batch size as Go (a quarter extra), so the same random stream gives the same text.
  const batchSize = length + Math.floor(length / 4);
  while (n < length) {
    const batch = randomBytes(batchSize);
    if (batch.length !== batchSize)
      throw new RangeError(`the random source returned ${batch.length} bytes, not ${batchSize}`);
    for (const b of batch) {
      if (b >= UNBIASED_LIMIT) continue;
      out[n++] = BASE62_ALPHABET.charCodeAt(b % BASE62_ALPHABET.length);
      if (n === length) break;
    }
    wipe(batch);
  }
  const text = bytesToLatin1(out);
  wipe(out);
  return text;
}
