/**
 * Reads what an officer pastes as their unseal or recovery key share, the way Vault's
 * `handleSysGenerateRootUpdate` reads the `key` field: hex first, kept only when it decodes to
 * 16..33 bytes (`BarrierKeyLength`), otherwise padded standard base64. Beyond the server, it
 * recognises the PGP-encrypted forms Vault hands officers (`vault operator init -pgp-keys`:
 * `keys_base64`, `keys` hex, or an armored block), so they can be decrypted locally first, and
 * it refuses locally a decoded length the server would refuse.
 */
import { decodeStdBase64 } from './base64';
import { hexToBytes, wipe } from './bytes';
import { armorIsComplete, armorType, firstPacketTag, isPgpEncryptedMessage, packetName } from './pgp-envelope';
import { err, ok, type Result } from '../result';

export type ShareInputErrorKind = 'empty' | 'not-a-share' | 'wrong-length' | 'incomplete-message';

/** Vault's `BarrierKeyLength()`: a 16..32-byte key, plus one byte of Shamir x coordinate. */
export const MIN_SHARE_BYTES = 16;
export const MAX_SHARE_BYTES = 33;

export type ShareInput =
  /** A plaintext share, ready to send. The caller owns `share` and wipes it after use. */
  | { readonly form: 'hex' | 'base64'; readonly share: Uint8Array }
  /** A binary OpenPGP message (ciphertext, not secret) still to be decrypted. */
  | { readonly form: 'pgp-message'; readonly encoding: 'base64' | 'hex'; readonly message: Uint8Array }
  /** An ASCII-armored OpenPGP message still to be decrypted. */
  | { readonly form: 'pgp-message'; readonly encoding: 'armored'; readonly armored: string };

const ACCEPTED =
  'paste your share as Vault printed it: hex (66 characters, or 64 for a single-key seal), base64 (44 characters), ' +
  'or the PGP-encrypted share (base64 or an armored PGP MESSAGE block)';

/**
 * Never throws and never quotes the input. Hex: like the server, text of only hex digits that
 * decodes to 16..33 bytes is hex even if it would also be valid base64. Unlike the server,
 * other all-hex-digit text is refused rather than retried as base64: it is a hex share with
 * characters missing or extra, and the server would take its base64 reading, fail to combine
 * it, and reset every officer's progress.
 */
export function parseShareInput(input: string): Result<ShareInput, ShareInputErrorKind> {
  const text = input.trim();
  if (text === '') return err('empty', `nothing was entered: ${ACCEPTED}`);

  const armor = armorType(text);
  if (armor !== undefined) return parseArmored(text, armor);

  if (/^[0-9a-fA-F]+$/.test(text)) {
    const hex = hexToBytes(text);
    if (hex && inShareRange(hex)) return ok({ form: 'hex', share: hex });
    if (hex && isPgpEncryptedMessage(hex)) return ok({ form: 'pgp-message', encoding: 'hex', message: hex });
    wipe(hex);
    return err(
      'wrong-length',
      `this is ${text.length} hex characters, but a share is 66 (or 64 for a single-key seal; Vault accepts ` +
        `${2 * MIN_SHARE_BYTES}–${2 * MAX_SHARE_BYTES}): check that nothing is missing or extra`,
    );
  }

  const decoded = decodeStdBase64(text);
  if (!decoded.ok) return err('not-a-share', `this is neither hex nor base64 (${decoded.error.message}): ${ACCEPTED}`);
  const bytes = decoded.value;
  if (inShareRange(bytes)) return ok({ form: 'base64', share: bytes });
  if (isPgpEncryptedMessage(bytes)) return ok({ form: 'pgp-message', encoding: 'base64', message: bytes });
  const length = bytes.length;
  const tag = length > MAX_SHARE_BYTES ? firstPacketTag(bytes) : undefined;
  wipe(bytes);
  if (tag === 1)
    return err(
      'incomplete-message',
      'this starts like a PGP-encrypted share but is cut off: copy all of it, with nothing missing',
    );
  if (tag === 2 || tag === 5 || tag === 6) {
    return err('not-a-share', `this is base64 of an OpenPGP ${packetName(tag)}, not an encrypted share: ${ACCEPTED}`);
  }
  return err(
    'wrong-length',
    `this base64 decodes to ${length} bytes, but a share is 33 (or 32 for a single-key seal; Vault accepts ` +
      `${MIN_SHARE_BYTES}–${MAX_SHARE_BYTES}): check that nothing is missing or extra`,
  );
}

function parseArmored(text: string, armor: string): Result<ShareInput, ShareInputErrorKind> {
  if (armor !== 'PGP MESSAGE')
    return err('not-a-share', `this is an armored ${armor}, not an encrypted share: ${ACCEPTED}`);
  if (!armorIsComplete(text, armor)) {
    return err(
      'incomplete-message',
      'the armored PGP message is cut off: copy the whole block, through the -----END PGP MESSAGE----- line',
    );
  }
  return ok({ form: 'pgp-message', encoding: 'armored', armored: text });
}

function inShareRange(bytes: Uint8Array): boolean {
  return bytes.length >= MIN_SHARE_BYTES && bytes.length <= MAX_SHARE_BYTES;
}
