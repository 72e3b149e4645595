import { describe, expect, it } from 'vitest';
import { encodeToken } from './token-encode';

describe('encodeToken (Vault roottoken.EncodeToken)', () => {
  it('gives raw base64 of OTP XOR token, as a Node reference computes it', () => {
    const token = 'hvs.7yq2x6NPo3mb1fDk4ZjUeRtL';
    const otp = 'Jx3Kp9Qm2Wv8Ls5Tn7Yb4Hc6Rd1F';
    const x = Buffer.from(Buffer.from(otp).map((b, i) => b ^ token.charCodeAt(i)));
    expect(encodeToken(token, otp)).toEqual({ ok: true, value: x.toString('base64').replace(/=+$/, '') });
    // Computed independently (Python: b64encode(xor).rstrip('=')).
    expect(encodeToken(token, otp)).toEqual({ ok: true, value: 'Ig5AZUdAIF9KYThoI0BYNl9RHQkAEgljNzZFCg' });
  });

  it('fails with Vault’s texts (encode_test.go)', () => {
    expect(encodeToken('', '')).toEqual({ ok: false, error: { kind: 'no-token', message: 'no token provided' } });
    expect(encodeToken('someToken', '')).toEqual({ ok: false, error: { kind: 'no-otp', message: 'no otp provided' } });
    expect(encodeToken('someToken', 'vZpZZf5UI1nvB3A5/7Xq9A==')).toEqual({
      ok: false,
      error: {
        kind: 'length-mismatch',
        message: 'xor of root token failed: length of byte slices is not equivalent: 24 != 9',
      },
    });
    expect(encodeToken('someToken', 'ABCDEFGHIJ')).toMatchObject({ ok: false, error: { message: /10 != 9$/ } });
  });
});
