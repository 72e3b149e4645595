/**
 * `--otp-length 28|26|0`, the generate-root `otp_length` a rehearsal Vault reports: 28 for
 * current servers (`hvs.` tokens), 26 for `disable_ssc_tokens` (`s.` tokens), 0 for a server
 * before Vault 0.11 (no `otp_length`, 24-character base64 OTPs, UUID tokens).
 */
import { OTP_LENGTHS, type OtpLength } from '../rehearsal-vault/token-store';

/** The chosen length; undefined when not given, the problem as a string when it is not one Vault uses. */
export function otpLengthOption(text: string | undefined): OtpLength | undefined | string {
  if (text === undefined) return undefined;
  const length = OTP_LENGTHS.find((l) => String(l) === text);
  return length ?? `--otp-length must be 28, 26 or 0 (a server before Vault 0.11), not '${text}'`;
}
