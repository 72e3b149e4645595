/**
 * The server side of the OTP scheme, Vault's `roottoken.EncodeToken`: raw (unpadded) standard
 * base64 of (OTP XOR token), byte by byte over their text; and the scheme before Vault 0.11,
 * padded base64 of (the token UUID's 16 bytes XOR the OTP's 16). The rehearsal Vault encodes
 * with them; errors carry Vault's own texts, which is what a client sees from a real server.
 */
import { decodeStdBase64, encodeRawStdBase64, encodeStdBase64 } from './base64';
import { hexToBytes, utf8ToBytes, wipe } from './bytes';
import { err, ok, type Result } from '../result';

export type TokenEncodeErrorKind = 'no-token' | 'no-otp' | 'length-mismatch' | 'not-a-uuid';

export function encodeToken(token: string, otp: string): Result<string, TokenEncodeErrorKind> {
  if (token.length === 0) return err('no-token', 'no token provided');
  if (otp.length === 0) return err('no-otp', 'no otp provided');
  const o = utf8ToBytes(otp);
  const t = utf8ToBytes(token);
  try {
    if (o.length !== t.length) {
      return err(
        'length-mismatch',
        `xor of root token failed: length of byte slices is not equivalent: ${o.length} != ${t.length}`,
      );
    }
    const x = o.map((b, i) => b ^ t[i]!);
    const encoded = encodeRawStdBase64(x);
    wipe(x);
    return ok(encoded);
  } finally {
    wipe(o, t);
  }
}

/**
 * vault/generate_root.go before 0.11: `xor.XORBase64(otp, base64(uuid.ParseUUID(token)))`, sent
 * as `base64.StdEncoding`. The OTP was checked (16 bytes of padded base64) when the attempt began.
 */
export function encodeLegacyToken(uuid: string, otp: string): Result<string, TokenEncodeErrorKind> {
  const t = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(uuid)
    ? hexToBytes(uuid.replaceAll('-', ''))
    : undefined;
  if (!t) return err('not-a-uuid', `uuid string is wrong length`);
  const o = decodeStdBase64(otp);
  try {
    if (!o.ok || o.value.length !== t.length) {
      return err(
        'length-mismatch',
        `length of byte slices is not equivalent: ${o.ok ? o.value.length : 0} != ${t.length}`,
      );
    }
    const x = o.value.map((b, i) => b ^ t[i]!);
    const encoded = encodeStdBase64(x);
    wipe(x);
    return ok(encoded);
  } finally {
    wipe(t, o.ok ? o.value : undefined);
  }
}
