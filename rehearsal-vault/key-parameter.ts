/**
 * How Vault reads a `key` parameter (sys/unseal, generate-root and DR operation-token
 * updates): hex first, but only if it decodes to a plausible key length (16..33 bytes);
 * otherwise padded standard base64. So a 44-character base64 key made only of hex digits is
 * read as 22 bytes of hex, exactly as Vault would.
 */
import { decodeStdBase64 } from '../shared/codecs/base64';
import { hexToBytes, wipe } from '../shared/codecs/bytes';
import { err, ok, type Result } from '../shared/result';

/** aes.BlockSize … 2*aes.BlockSize + shamir.ShareOverhead (Vault's BarrierKeyLength). */
export const MIN_KEY_BYTES = 16;
export const MAX_KEY_BYTES = 33;

export type KeyParameterErrorKind = 'invalid-key-encoding';

export function decodeKeyParameter(text: string): Result<Uint8Array, KeyParameterErrorKind> {
  const hex = hexToBytes(text);
  if (hex && hex.length >= MIN_KEY_BYTES && hex.length <= MAX_KEY_BYTES) return ok(hex);
  wipe(hex);
  const b64 = decodeStdBase64(text);
  if (!b64.ok) return err('invalid-key-encoding', "'key' must be a valid hex or base64 string");
  return ok(b64.value);
}

/** The length check both unseal and generation updates make first, with Vault's texts. */
export function checkKeyLength(key: Uint8Array): string | undefined {
  if (key.length < MIN_KEY_BYTES) return `invalid key: key is shorter than minimum ${MIN_KEY_BYTES} bytes`;
  if (key.length > MAX_KEY_BYTES) return `invalid key: key is longer than maximum ${MAX_KEY_BYTES} bytes`;
  return undefined;
}
