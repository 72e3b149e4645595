import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readPgpMessages } from '../../test/support/pgp-messages';
import { BASE62_ALPHABET } from './base62';
import { generateOtp } from './otp';
import { decodeToken } from './token-decode';
import { encodeToken } from './token-encode';

/** Independent reference of Vault's EncodeToken with Node's Buffer: raw std base64 of OTP XOR token. */
function referenceEncode(token: string, otp: string): string {
  const t = Buffer.from(token, 'utf8');
  const o = Buffer.from(otp, 'utf8');
  return Buffer.from(o.map((b, i) => b ^ t[i]!))
    .toString('base64')
    .replace(/=+$/, '');
}

/** Pre-0.11 server encoding: padded std base64 of (16 UUID bytes XOR 16 OTP bytes). */
function referenceLegacyEncode(uuid: string, otp: string): string {
  const t = Buffer.from(uuid.replace(/-/g, ''), 'hex');
  const o = Buffer.from(otp, 'base64');
  return Buffer.from(o.map((b, i) => b ^ t[i]!)).toString('base64');
}

const base62 = fc.constantFrom(...BASE62_ALPHABET.split(''));
const tokenOf = (prefix: string) => fc.string({ unit: base62, minLength: 24, maxLength: 24 }).map((s) => prefix + s);
const otpOf = (n: number) => fc.string({ unit: base62, minLength: n, maxLength: n });

const pgp = readPgpMessages();

describe('decodeToken', () => {
  it('decodes the legacy vector to a UUID', () => {
    expect(decodeToken('cuplaFGYduDEY6ZVC5IfaA==', 'vZpZZf5UI1nvB3A5/7Xq9A==')).toEqual({
      ok: true,
      value: { token: 'cf703c0d-afcc-55b9-2b64-d66cf427f59c', scheme: 'legacy' },
    });
    expect(decodeToken('cuplaFGYduDEY6ZVC5IfaA==', 'vZpZZf5UI1nvB3A5/7Xq9A==', 0)).toMatchObject({
      ok: true,
      value: { scheme: 'legacy' },
    });
  });

  it('decodes a real 26-character DR operation token (s. prefix) from a Vault Enterprise transcript', () => {
    // `vault operator generate-root -dr-token -decode=... -otp=...` printed s.UOqXJFifGL55FibddbLDzoh4.
    expect(decodeToken('AnQ+CEkZCyEcUit5fnoiEBI8I1MYFSlXBE4', 'qZkG8AAgu4l5KOdypXG1TQS8lz')).toEqual({
      ok: true,
      value: { token: 's.UOqXJFifGL55FibddbLDzoh4', scheme: 'modern' },
    });
    expect(decodeToken('AnQ+CEkZCyEcUit5fnoiEBI8I1MYFSlXBE4', 'qZkG8AAgu4l5KOdypXG1TQS8lz', 26)).toMatchObject({
      ok: true,
    });
  });

  it('decodes a 28-character hvs. token built by following EncodeToken, cross-checked against a Buffer reference', () => {
    const token = 'hvs.7yq2x6NPo3mb1fDk4ZjUeRtL';
    const otp = 'Jx3Kp9Qm2Wv8Ls5Tn7Yb4Hc6Rd1F';
    const encoded = 'Ig5AZUdAIF9KYThoI0BYNl9RHQkAEgljNzZFCg'; // Python: b64encode(otp XOR token).rstrip('=')
    expect(referenceEncode(token, otp)).toBe(encoded);
    expect(decodeToken(encoded, otp)).toEqual({ ok: true, value: { token, scheme: 'modern' } });
    expect(decodeToken(encoded, otp, 28)).toEqual({ ok: true, value: { token, scheme: 'modern' } });
    // Padded input (which Vault's CLI would refuse) decodes to the same token.
    expect(decodeToken(`${encoded}==`, otp)).toEqual({ ok: true, value: { token, scheme: 'modern' } });
    expect(decodeToken(`  ${encoded}\n`, `${otp}\n`)).toEqual({ ok: true, value: { token, scheme: 'modern' } });
  });

  it('round-trips Vault’s own test case: "someToken" with a 9-character OTP', () => {
    const otp = generateOtp(9, (n) => randomBytes(n));
    expect(otp.ok).toBe(true);
    if (!otp.ok) return;
    const encoded = encodeToken('someToken', otp.value);
    expect(encoded.ok && encoded.value).not.toBe(otp.value);
    if (!encoded.ok) return;
    expect(decodeToken(encoded.value, otp.value, otp.value.length)).toEqual({
      ok: true,
      value: { token: 'someToken', scheme: 'modern' },
    });
  });

  it('round-trips random 26- and 28-character tokens and OTPs (and agrees with the Buffer reference)', () => {
    const cases = fc.oneof(
      fc.tuple(tokenOf('hvs.'), otpOf(28)),
      fc.tuple(tokenOf('s.'), otpOf(26)),
      fc.tuple(tokenOf('hvb.'), otpOf(28)),
    );
    fc.assert(
      fc.property(cases, ([token, otp]) => {
        const encoded = encodeToken(token, otp);
        expect(encoded).toEqual({ ok: true, value: referenceEncode(token, otp) });
        if (!encoded.ok) return;
        expect(decodeToken(encoded.value, otp)).toEqual({ ok: true, value: { token, scheme: 'modern' } });
        expect(decodeToken(encoded.value, otp, otp.length)).toEqual({ ok: true, value: { token, scheme: 'modern' } });
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips random legacy UUID tokens', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uint8Array({ minLength: 16, maxLength: 16 }), (uuid, otpBytes) => {
        const otp = Buffer.from(otpBytes).toString('base64');
        expect(decodeToken(referenceLegacyEncode(uuid, otp), otp)).toEqual({
          ok: true,
          value: { token: uuid, scheme: 'legacy' },
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('explains length mismatches in Vault’s terms, without echoing secrets', () => {
    const token28 = 'hvs.7yq2x6NPo3mb1fDk4ZjUeRtL';
    const enc28 = referenceEncode(token28, 'Jx3Kp9Qm2Wv8Ls5Tn7Yb4Hc6Rd1F');
    const otp26 = 'qZkG8AAgu4l5KOdypXG1TQS8lz';
    const r = decodeToken(enc28, otp26);
    expect(r).toEqual({
      ok: false,
      error: {
        kind: 'length-mismatch',
        message:
          'the OTP is 26 characters but the encoded token decodes to 28 bytes: this OTP belongs to a different attempt or server',
      },
    });
    expect(decodeToken(enc28, otp26, 28)).toMatchObject({
      ok: false,
      error: { kind: 'length-mismatch', message: /otp_length is 28/ },
    });
    // A legacy OTP against a modern token, and a modern OTP against a legacy token.
    expect(decodeToken(enc28, 'vZpZZf5UI1nvB3A5/7Xq9A==')).toMatchObject({
      ok: false,
      error: { kind: 'length-mismatch', message: /legacy 16-byte OTP/ },
    });
    expect(decodeToken('cuplaFGYduDEY6ZVC5IfaA==', otp26)).toMatchObject({
      ok: false,
      error: { kind: 'length-mismatch', message: /26 characters but the encoded token decodes to 16 bytes/ },
    });
  });

  it('refuses a wrong OTP of the right length instead of returning garbage', () => {
    const enc = referenceEncode('hvs.7yq2x6NPo3mb1fDk4ZjUeRtL', 'Jx3Kp9Qm2Wv8Ls5Tn7Yb4Hc6Rd1F');
    expect(decodeToken(enc, 'Jx3Kp9Qm2Wv8Ls5Tn7Yb4Hc6Rd1G')).toMatchObject({ ok: true }); // one char off still prints: Vault cannot tell either
    expect(decodeToken(enc, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toMatchObject({ ok: false, error: { kind: 'wrong-otp' } });
  });

  it('recognises a token encrypted to a PGP key and says how to get at it', () => {
    const encoded = Buffer.from(pgp.openpgpjs).toString('base64');
    for (const input of [encoded, pgp.armored]) {
      const r = decodeToken(input, 'qZkG8AAgu4l5KOdypXG1TQS8lz');
      expect(r).toMatchObject({ ok: false, error: { kind: 'pgp-encrypted', message: /PGP key instead of an OTP/ } });
    }
  });

  it('refuses empty input, bad base64 and nonsense otp_length clearly', () => {
    expect(decodeToken('', 'x')).toMatchObject({
      ok: false,
      error: { kind: 'missing-input', message: /encoded token is empty/ },
    });
    expect(decodeToken('abc', ' \n')).toMatchObject({
      ok: false,
      error: { kind: 'missing-input', message: /OTP is empty/ },
    });
    expect(decodeToken('AnQ+CEkZ!yEcUit5fnoiEBI8I1MYFSlXBE4', 'qZkG8AAgu4l5KOdypXG1TQS8lz')).toMatchObject({
      ok: false,
      error: { kind: 'invalid-encoding', message: /not base64: character 8/ },
    });
    expect(decodeToken('cuplaFGYduDEY6ZVC5IfaA==', 'vZpZZf5UI1nvB3A5/7Xq9A=!', 0)).toMatchObject({
      ok: false,
      error: { kind: 'invalid-encoding' },
    });
    expect(decodeToken('QUJD', 'QUJD', 0)).toMatchObject({
      ok: false,
      error: { kind: 'invalid-encoding', message: /16-byte UUID/ },
    });
    for (const n of [-1, 1.5, 10_000])
      expect(decodeToken('QUJD', 'QUJD', n)).toMatchObject({ ok: false, error: { kind: 'invalid-otp-length' } });
  });

  it('never throws on arbitrary input and never echoes it', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ unit: fc.constantFrom(...'ABCQZaz09+/=\n -'.split('')), maxLength: 60 }),
    );
    fc.assert(
      fc.property(text, text, fc.option(fc.integer({ min: -5, max: 300 }), { nil: undefined }), (enc, otp, n) => {
        const r = decodeToken(enc, otp, n);
        if (!r.ok) {
          if (otp.trim().length >= 12) expect(r.error.message).not.toContain(otp.trim());
          if (enc.trim().length >= 12) expect(r.error.message).not.toContain(enc.trim());
        }
      }),
      { numRuns: 1000 },
    );
  });
});
