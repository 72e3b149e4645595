/**
 * The plaintext inside a Vault PGP share is the share's lowercase hex text (`vault operator init
 * -pgp-keys`, docs/vault-protocol.md §4): 66 characters for a 33-byte Shamir share, 64 for the raw
 * 32-byte key of a 1-of-1 seal. Decoded here from bytes, not via a string, because a string
 * cannot be wiped and the buffer it came from can.
 */
import { err, ok, type Result } from '../../../shared/result';
import { wipe } from '../../../shared/codecs/bytes';

export type SharePlaintextErrorKind = 'not-a-share';

const SHARE_LENGTHS = new Set([32, 33]);

/**
 * Share bytes from decrypted plaintext. Surrounding ASCII whitespace is tolerated (an officer may
 * have re-encrypted `echo` output); anything else gives an error that never quotes the plaintext.
 * The caller still owns and wipes `plaintext`; the returned buffer is new and also the caller's to wipe.
 */
export function shareFromPlaintext(plaintext: Uint8Array): Result<Uint8Array, SharePlaintextErrorKind> {
  let start = 0;
  let end = plaintext.length;
  while (start < end && isSpace(plaintext[start]!)) start++;
  while (end > start && isSpace(plaintext[end - 1]!)) end--;
  const hexLength = end - start;
  if (hexLength % 2 !== 0 || !SHARE_LENGTHS.has(hexLength / 2)) {
    return err(
      'not-a-share',
      'the message decrypted, but its content is not a Vault unseal or recovery share (expected 64 or 66 hex characters); check that you pasted an unseal/recovery key from `vault operator init -pgp-keys`, not an encoded token',
    );
  }
  const share = new Uint8Array(hexLength / 2);
  for (let i = 0; i < share.length; i++) {
    const hi = nibble(plaintext[start + 2 * i]!);
    const lo = nibble(plaintext[start + 2 * i + 1]!);
    if (hi < 0 || lo < 0) {
      wipe(share);
      return err(
        'not-a-share',
        'the message decrypted, but its content is not hex text, so it is not a Vault unseal or recovery share',
      );
    }
    share[i] = (hi << 4) | lo;
  }
  return ok(share);
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/** Value of one ASCII hex digit (either case), or -1. */
function nibble(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}
