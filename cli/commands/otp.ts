/** `vault-ceremony otp [--length N | --legacy]`: one OTP, as `vault operator generate-root -generate-otp` prints it. */
import { randomBytes } from 'node:crypto';
import { DEFAULT_OTP_LENGTH, generateOtp, LEGACY_OTP_LENGTH } from '../../shared/codecs/otp';
import { parseCommandLine, safeParseMessage, usageError, type CommandUsage } from '../command-line';
import { EXIT_OK, EXIT_USAGE, type Command } from '../io';

const USAGE = `usage: vault-ceremony otp [--length N | --legacy]

Prints one one-time password for starting a generate-root or DR operation-token attempt.
  --length N   base62 characters; use the otp_length the attempt status reports: 28 (the default),
               26 on servers with disable_ssc_tokens, 24 on older ones. 0 means the same as --legacy.
  --legacy     base64 of 16 random bytes, for servers that report otp_length 0 (before Vault 0.11)
`;

const COMMAND: CommandUsage = { name: 'otp', usage: USAGE };

/**
 * The otp_length values Vault reports: 28 (24 base62 characters for an `hvs.` token), 26 (`s.`,
 * with disable_ssc_tokens), 24 (before token prefixes) and 0 (legacy). Any other length makes an
 * OTP no attempt accepts, so it is refused rather than printed.
 */
const VAULT_OTP_LENGTHS: readonly number[] = [DEFAULT_OTP_LENGTH, 26, 24, LEGACY_OTP_LENGTH];

const lengthProblem = (given: string | undefined) =>
  `--length must be 28, 26, 24 or 0 (legacy), as the attempt status reports otp_length; not '${given ?? ''}'`;

export const otpCommand: Command = async (argv, io) => {
  const parsed = parseCommandLine(
    argv,
    io,
    COMMAND,
    { length: { type: 'string' }, legacy: { type: 'boolean' } },
    {
      // `--length -1` reads to the parser as a missing value; say what --length takes instead.
      describeError: (e) =>
        (e as { code?: unknown }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && argv.includes('--length')
          ? lengthProblem(argv[argv.indexOf('--length') + 1])
          : safeParseMessage(e),
    },
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (values.legacy && values.length !== undefined)
    return usageError(io, COMMAND, 'give either --length or --legacy, not both');
  let length = DEFAULT_OTP_LENGTH;
  if (values.legacy) length = LEGACY_OTP_LENGTH;
  else if (values.length !== undefined) {
    if (!/^\d{1,4}$/.test(values.length) || !VAULT_OTP_LENGTHS.includes(Number(values.length)))
      return usageError(io, COMMAND, lengthProblem(values.length));
    length = Number(values.length);
  }
  const otp = generateOtp(length, (n) => randomBytes(n));
  if (!otp.ok) {
    io.stderr(`vault-ceremony otp: ${otp.error.message}\n`);
    return EXIT_USAGE;
  }
  io.stdout(`${otp.value}\n`);
  return EXIT_OK;
};
