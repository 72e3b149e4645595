import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkOtpLength, DEFAULT_OTP_LENGTH, generateOtp, isLegacyOtp } from './otp';

const csprng = (n: number) => randomBytes(n);

describe('generateOtp (Vault roottoken.GenerateOTP)', () => {
  it('makes base62 of the server’s otp_length', () => {
    for (const n of [DEFAULT_OTP_LENGTH, 26, 20, 1]) {
      const r = generateOtp(n, csprng);
      expect(r.ok && r.value).toMatch(new RegExp(`^[A-Za-z0-9]{${n}}$`));
    }
    expect(DEFAULT_OTP_LENGTH).toBe(28);
  });

  it('makes standard base64 of 16 random bytes for a legacy server (otp_length 0)', () => {
    const r = generateOtp(0, csprng);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(Buffer.from(r.value, 'base64')).toHaveLength(16);
    expect(isLegacyOtp(r.value)).toBe(true);
  });

  it('encodes exactly the random bytes it drew, then wipes them', () => {
    const drawn: Uint8Array[] = [];
    const source = (n: number) => {
      const b = Uint8Array.from({ length: n }, (_, i) => i + 1);
      drawn.push(b);
      return b;
    };
    const r = generateOtp(0, source);
    expect(r).toEqual({
      ok: true,
      value: Buffer.from(Uint8Array.from({ length: 16 }, (_, i) => i + 1)).toString('base64'),
    });
    expect(drawn).toHaveLength(1);
    expect([...drawn[0]!].every((x) => x === 0)).toBe(true);
  });

  it('refuses nonsense lengths with a clear error and draws nothing', () => {
    let draws = 0;
    const source = (n: number) => {
      draws++;
      return new Uint8Array(n);
    };
    for (const bad of [-1, 2.5, NaN, Infinity, 257, 1e9]) {
      const r = generateOtp(bad, source);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.kind).toBe('invalid-otp-length');
        expect(r.error.message).toMatch(/otp_length must be a whole number/);
      }
    }
    expect(draws).toBe(0);
    expect(checkOtpLength(256)).toEqual({ ok: true, value: 256 });
  });

  it('tells legacy OTPs from base62 ones', () => {
    expect(isLegacyOtp('vZpZZf5UI1nvB3A5/7Xq9A==')).toBe(true);
    expect(isLegacyOtp('qZkG8AAgu4l5KOdypXG1TQS8lz')).toBe(false);
    expect(isLegacyOtp('vZpZZf5UI1nvB3A5/7Xq9A=')).toBe(false);
    expect(isLegacyOtp('vZpZZf5UI1nvB3A5/7Xq9Aa=')).toBe(false);
    expect(isLegacyOtp('AAAAAAAAAAAAAAAAAAAAAAAA')).toBe(false);
  });
});
