/**
 * `decodeToken` against whatever an officer might paste or a server might report: arbitrary
 * text, damaged copies of real encoded tokens and OTPs, PGP-looking input and nonsense
 * `otp_length` values. It must never throw, must answer with one of its declared error kinds,
 * and must never quote the OTP or the encoded token back (both are secrets).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BASE62_ALPHABET } from '../../shared/codecs/base62';
import { encodeStdBase64 } from '../../shared/codecs/base64';
import { decodeToken, type TokenDecodeErrorKind } from '../../shared/codecs/token-decode';
import { encodeToken } from '../../shared/codecs/token-encode';
import { anyText, FUZZ_RUNS, mutationsOf, textOver } from './fuzz-support';

// A Record, so a kind added to the union without being listed here fails to compile.
const KINDS: Record<TokenDecodeErrorKind, true> = {
  'missing-input': true,
  'invalid-otp-length': true,
  'pgp-encrypted': true,
  'invalid-encoding': true,
  'length-mismatch': true,
  'wrong-otp': true,
};

const base62 = (length: number) =>
  fc.string({ unit: fc.constantFrom(...BASE62_ALPHABET.split('')), minLength: length, maxLength: length });
const anyBase62 = fc.integer({ min: 0, max: 40 }).chain(base62);
const legacyOtp = fc.uint8Array({ minLength: 16, maxLength: 16 }).map(encodeStdBase64);

/** A real modern encoded token with its OTP (28 or 26 characters, as Vault's root and DR tokens are). */
const modernPair = fc
  .constantFrom(['hvs.', 28], ['s.', 26], ['hvb.', 28])
  .chain(([prefix, length]) =>
    fc.tuple(
      base62(24).map((s) => prefix + s),
      base62(length),
    ),
  )
  .map(([token, otp]) => {
    const encoded = encodeToken(token, otp);
    if (!encoded.ok) throw new Error(encoded.error.message);
    return { encoded: encoded.value, otp };
  });

const encodedInput = fc.oneof(
  anyText(),
  textOver('ABCDEFabcdef0123456789+/=\n -_'),
  modernPair.chain(({ encoded }) => mutationsOf(encoded)),
  fc.uint8Array({ maxLength: 200 }).map(encodeStdBase64),
  // Bytes that start like a PKESK packet, so the PGP recognition runs on near misses too.
  fc
    .tuple(fc.constantFrom(0x84, 0x85, 0xc1, 0x8c), fc.uint8Array({ maxLength: 160 }))
    .map(([tag, rest]) => encodeStdBase64(Uint8Array.of(tag, ...rest))),
  fc.constantFrom(
    '-----BEGIN PGP MESSAGE-----\n\nwcBMA\n',
    '-----BEGIN PGP MESSAGE-----',
    '-----BEGIN PGP PUBLIC KEY BLOCK-----\n',
  ),
);
const otpInput = fc.oneof(
  anyText(40),
  anyBase62,
  legacyOtp,
  legacyOtp.chain(mutationsOf),
  modernPair.map((p) => p.otp).chain(mutationsOf),
);
const otpLength = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: -5, max: 300 }),
  fc.constantFrom(0, 26, 28, Number.NaN, Number.POSITIVE_INFINITY, -0, 2 ** 53, 1.5),
  fc.double(),
);

/** Long enough that finding it in a message means it was quoted, not that it happens to be a word. */
const quotable = (s: string) => s.trim().length >= 12;

describe('decodeToken under hostile input', () => {
  it(`never throws, answers with a declared kind, and never quotes the OTP or the token (${FUZZ_RUNS} cases)`, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          { arbitrary: fc.tuple(encodedInput, otpInput, otpLength), weight: 4 },
          { arbitrary: modernPair.map((p) => [p.encoded, p.otp, undefined] as const), weight: 1 },
        ),
        ([encoded, otp, length]) => {
          const result = decodeToken(encoded, otp, length);
          if (result.ok) {
            expect(['modern', 'legacy']).toContain(result.value.scheme);
            if (result.value.scheme === 'modern') expect(result.value.token).toMatch(/^[\x21-\x7e]+$/);
            else expect(result.value.token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
            return;
          }
          expect(Object.hasOwn(KINDS, result.error.kind), result.error.kind).toBe(true);
          expect(result.error.message.length).toBeGreaterThan(20);
          if (quotable(otp)) expect(result.error.message).not.toContain(otp.trim());
          if (quotable(encoded)) expect(result.error.message).not.toContain(encoded.trim());
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});
