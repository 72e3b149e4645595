/**
 * One-time passwords for generate-root / DR operation-token attempts, made exactly as Vault's
 * `roottoken.GenerateOTP(otpLength)` makes them: base62 of the server's `otp_length`, or, when a
 * server reports 0 (pre-0.11, UUID tokens), standard base64 of 16 random bytes.
 */
import { randomBase62, type RandomBytes } from './base62';
import { encodeStdBase64 } from './base64';
import { wipe } from './bytes';
import { err, ok, type Result } from '../result';

export type OtpErrorKind = 'invalid-otp-length';

/** `otp_length` 0: the server predates base62 OTPs and returns UUID tokens. */
export const LEGACY_OTP_LENGTH = 0;
/** Random bytes in a legacy OTP (`defaultBase64EncodedOTPLength`); it prints as 24 characters ending `==`. */
export const LEGACY_OTP_BYTES = 16;
/** 24 base62 characters plus the `hvs.` prefix: what current servers report. `s.` servers report 26. */
export const DEFAULT_OTP_LENGTH = 28;
/** Far above any token Vault makes fixed-size; a larger `otp_length` is a broken or hostile server. */
export const MAX_OTP_LENGTH = 256;

/** Validates an `otp_length` as stated by a server (or typed by a person) before it is trusted. */
export function checkOtpLength(otpLength: number): Result<number, OtpErrorKind> {
  if (Number.isInteger(otpLength) && otpLength >= 0 && otpLength <= MAX_OTP_LENGTH) return ok(otpLength);
  return err(
    'invalid-otp-length',
    `otp_length must be a whole number from 1 to ${MAX_OTP_LENGTH} (current Vault servers report 28, or 26 with ` +
      `disable_ssc_tokens), or 0 for a legacy server; got ${String(otpLength)}`,
  );
}

/** An OTP for a server whose attempt status reported `otpLength`; wipes the random bytes it consumed. */
export function generateOtp(otpLength: number, randomBytes: RandomBytes): Result<string, OtpErrorKind> {
  const checked = checkOtpLength(otpLength);
  if (!checked.ok) return checked;
  if (otpLength !== LEGACY_OTP_LENGTH) return ok(randomBase62(otpLength, randomBytes));
  const buf = randomBytes(LEGACY_OTP_BYTES);
  if (buf.length !== LEGACY_OTP_BYTES)
    throw new RangeError(`the random source returned ${buf.length} bytes, not ${LEGACY_OTP_BYTES}`);
  const otp = encodeStdBase64(buf);
  wipe(buf);
  return ok(otp);
}

/**
 * True for the legacy OTP form: 24 characters, `==`-padded standard base64 of 16 bytes. Base62 has
 * no `=`, so this never matches a modern OTP; it is how to choose a decoding when no server is
 * at hand to state its `otp_length`.
 */
export function isLegacyOtp(otp: string): boolean {
  return /^[A-Za-z0-9+/]{22}==$/.test(otp);
}
