import { describe, expect, it } from 'vitest';
import { decodeToken } from './token-decode';
import { encodeLegacyToken, encodeToken } from './token-encode';

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

describe('encodeLegacyToken (generate_root.go before Vault 0.11)', () => {
  const uuid = '4e9a1c2b-7f3d-4a8e-9b6c-2d5f8e1a3c7b';
  const otp = 'vZpZZf5UI1nvB3A5/7Xq9A==';

  it('gives padded base64 of the UUID’s 16 bytes XOR the OTP’s, which the client decodes back', () => {
    const x = Buffer.from(
      Buffer.from(uuid.replaceAll('-', ''), 'hex').map((b, i) => b ^ Buffer.from(otp, 'base64')[i]!),
    );
    expect(encodeLegacyToken(uuid, otp)).toEqual({ ok: true, value: x.toString('base64') });
    const encoded = encodeLegacyToken(uuid, otp);
    expect(encoded.ok && decodeToken(encoded.value, otp, 0)).toEqual({
      ok: true,
      value: { token: uuid, scheme: 'legacy' },
    });
  });

  it('refuses a token that is not a UUID and an OTP that is not 16 bytes', () => {
    expect(encodeLegacyToken('hvs.abc', otp)).toMatchObject({ ok: false, error: { kind: 'not-a-uuid' } });
    expect(encodeLegacyToken(uuid, 'QUJD')).toMatchObject({ ok: false, error: { message: /3 != 16$/ } });
  });
});
