/**
 * The server side of the OTP scheme, Vault's `roottoken.EncodeToken`: raw (unpadded) standard
 * base64 of (OTP XOR token), byte by byte over their text. The rehearsal Vault encodes with it;
 * errors carry Vault's own texts, which is what a client sees from a real server.
 */
import { encodeRawStdBase64 } from './base64';
import { utf8ToBytes, wipe } from './bytes';
import { err, ok, type Result } from '../result';

export type TokenEncodeErrorKind = 'no-token' | 'no-otp' | 'length-mismatch';

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
