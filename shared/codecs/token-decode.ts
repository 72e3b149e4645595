/**
 * Decodes the `encoded_token` of a completed generate-root / DR operation-token attempt with its
 * OTP, offline, as `vault operator generate-root -decode=ENC -otp=OTP` does
 * (`roottoken.DecodeToken`):
 * - modern (`otp_length` > 0): base64 of (token XOR OTP), byte by byte over the ASCII text;
 * - legacy (`otp_length` 0, pre-0.11): padded base64 of (16 token bytes XOR 16 OTP bytes), the
 *   token printed as a lowercase 8-4-4-4-12 UUID.
 * The Vault CLI learns `otp_length` from the server; offline the OTP's form decides (a 24-character
 * `==`-padded base64 OTP is legacy, base62 is modern), and a caller that has the server's
 * `otp_length` passes it and it wins.
 *
 * The token is returned as a string because it must be sent in a JSON body and JS strings cannot
 * be wiped; keep it no longer than needed. Every intermediate buffer is wiped here.
 */
import { decodeRawStdBase64, decodeStdBase64 } from './base64';
import { bytesToHex, bytesToLatin1, utf8ToBytes, wipe } from './bytes';
import { checkOtpLength, isLegacyOtp, LEGACY_OTP_BYTES, LEGACY_OTP_LENGTH } from './otp';
import { armorType, isPgpEncryptedMessage } from './pgp-envelope';
import { err, ok, type Result } from '../result';

export type TokenDecodeErrorKind =
  'missing-input' | 'invalid-otp-length' | 'pgp-encrypted' | 'invalid-encoding' | 'length-mismatch' | 'wrong-otp';

export type TokenScheme = 'modern' | 'legacy';

export interface DecodedToken {
  readonly token: string;
  readonly scheme: TokenScheme;
}

type Decoded = Result<DecodedToken, TokenDecodeErrorKind>;

const DIFFERENT_ATTEMPT = 'this OTP belongs to a different attempt or server';
/** Vault's PGP-encrypted tokens are ~100 bytes and more; OTP-encoded ones at most 28, so no token is mistaken for one. */
const MIN_PGP_MESSAGE_BYTES = 64;

/**
 * `otpLength` is the `otp_length` the same family's attempt status reported (0 = legacy), when
 * known. Never throws; messages state lengths and forms, never the OTP, the encoded or the decoded token.
 */
export function decodeToken(encoded: string, otp: string, otpLength?: number): Decoded {
  // Surrounding whitespace is an artefact of copying; Go's decoder would also skip line breaks.
  const enc = encoded.trim();
  const pad = otp.trim();
  if (enc === '')
    return err('missing-input', 'the encoded token is empty: paste the encoded_token the completed attempt returned');
  if (pad === '')
    return err('missing-input', 'the OTP is empty: enter the one-time password this attempt was started with');
  if (isPgpMessage(enc)) {
    return err(
      'pgp-encrypted',
      'this encoded token is a PGP-encrypted message: the attempt was started with a PGP key instead of an OTP, ' +
        'so decrypt it with that key (base64 -d | gpg -dq); no OTP is involved',
    );
  }
  let scheme: TokenScheme;
  if (otpLength === undefined) {
    scheme = isLegacyOtp(pad) ? 'legacy' : 'modern';
  } else {
    const checked = checkOtpLength(otpLength);
    if (!checked.ok) return err('invalid-otp-length', checked.error.message);
    scheme = otpLength === LEGACY_OTP_LENGTH ? 'legacy' : 'modern';
  }
  return scheme === 'legacy' ? decodeLegacy(enc, pad) : decodeModern(enc, pad, otpLength);
}

/** `xor.XORBase64` (both padded StdEncoding) then `uuid.FormatUUID`. */
function decodeLegacy(encoded: string, otp: string): Decoded {
  const otpBytes = decodeStdBase64(otp);
  if (!otpBytes.ok)
    return err(
      'invalid-encoding',
      `a legacy OTP is padded base64 (24 characters ending ==), but this OTP is not: ${otpBytes.error.message}`,
    );
  const encBytes = decodeStdBase64(encoded);
  if (!encBytes.ok) {
    wipe(otpBytes.value);
    const raw = decodeRawStdBase64(encoded);
    if (raw.ok) {
      const length = raw.value.length;
      wipe(raw.value);
      return err(
        'length-mismatch',
        `the OTP is a legacy ${LEGACY_OTP_BYTES}-byte OTP but the encoded token is a modern one of ${length} bytes: ${DIFFERENT_ATTEMPT}`,
      );
    }
    return err('invalid-encoding', `the encoded token is not base64: ${encBytes.error.message}`);
  }
  const a = encBytes.value;
  const b = otpBytes.value;
  try {
    if (a.length !== b.length) {
      return err(
        'length-mismatch',
        `the OTP is ${b.length} bytes but the encoded token decodes to ${a.length} bytes: ${DIFFERENT_ATTEMPT}`,
      );
    }
    if (a.length !== LEGACY_OTP_BYTES) {
      return err(
        'invalid-encoding',
        `a legacy token is a ${LEGACY_OTP_BYTES}-byte UUID, but the encoded token and OTP decode to ${a.length} bytes`,
      );
    }
    const t = xor(a, b);
    const h = bytesToHex(t);
    wipe(t);
    const token = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    return ok({ token, scheme: 'legacy' });
  } finally {
    wipe(a, b);
  }
}

/**
 * `base64.RawStdEncoding` then `xor.XORBytes` with the OTP's bytes. Vault's CLI accepts only the
 * unpadded form it receives from the server and rejects `=`; padded input is accepted here too,
 * because padding added by some other tool does not change the bytes.
 */
function decodeModern(encoded: string, otp: string, otpLength: number | undefined): Decoded {
  const b = utf8ToBytes(otp);
  if (otpLength !== undefined && b.length !== otpLength) {
    wipe(b);
    return err(
      'length-mismatch',
      `the OTP is ${b.length} characters but the server's otp_length is ${otpLength}: ${DIFFERENT_ATTEMPT}`,
    );
  }
  const decoded = encoded.includes('=') ? decodeStdBase64(encoded) : decodeRawStdBase64(encoded);
  if (!decoded.ok) {
    wipe(b);
    return err('invalid-encoding', `the encoded token is not base64: ${decoded.error.message}`);
  }
  const a = decoded.value;
  try {
    if (a.length !== b.length) {
      return err(
        'length-mismatch',
        `the OTP is ${b.length} characters but the encoded token decodes to ${a.length} bytes: ${DIFFERENT_ATTEMPT}`,
      );
    }
    const t = xor(a, b);
    // Vault prints whatever bytes come out; a wrong OTP of the right length gives control
    // characters or non-ASCII, which must not be sent to the server as a token.
    const printable = t.every((c) => c > 0x20 && c < 0x7f);
    const token = printable ? bytesToLatin1(t) : '';
    wipe(t);
    if (!printable)
      return err(
        'wrong-otp',
        `decoding with this OTP does not give a Vault token (the result is not printable text): ${DIFFERENT_ATTEMPT}`,
      );
    return ok({ token, scheme: 'modern' });
  } finally {
    wipe(a, b);
  }
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.map((x, i) => x ^ b[i]!);
}

/** A token encrypted to a PGP key: padded base64 of a binary message (Vault's form) or, pasted from elsewhere, armor. */
function isPgpMessage(encoded: string): boolean {
  if (armorType(encoded) !== undefined) return true;
  const bytes = decodeStdBase64(encoded);
  if (!bytes.ok) return false;
  const pgp = bytes.value.length >= MIN_PGP_MESSAGE_BYTES && isPgpEncryptedMessage(bytes.value);
  wipe(bytes.value);
  return pgp;
}
