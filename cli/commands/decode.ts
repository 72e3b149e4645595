/**
 * `vault-ceremony decode --encoded ENC --otp OTP`: prints the decoded token exactly as
 * `vault operator generate-root -decode=ENC -otp=OTP` does, but offline: legacy (UUID) or modern
 * decoding is chosen from the OTP's form, or from `--otp-length` when the server's value is known.
 */
import { decodeToken } from '../../shared/codecs/token-decode';
import { parseCommandLine, usageError, type CommandUsage } from '../command-line';
import { EXIT_OK, EXIT_USAGE, readAll, type Command } from '../io';

const USAGE = `usage: vault-ceremony decode --encoded ENC|- --otp OTP|- [--otp-length N]

Decodes the encoded_token of a completed generate-root or DR operation-token attempt with the
attempt's OTP and prints the token.
  --encoded ENC   the encoded token; - reads it from standard input (keeps it out of the process list)
  --otp OTP       the OTP the attempt was started with; - reads it from standard input
                  (with both -, standard input holds two lines: the encoded token, then the OTP)
  --otp-length N  the otp_length the attempt status reported (0 = legacy), when known
`;

const COMMAND: CommandUsage = { name: 'decode', usage: USAGE };

/** Far longer than an encoded token and an OTP together. */
const MAX_STDIN_BYTES = 64 * 1024;

export const decodeCommand: Command = async (argv, io) => {
  const parsed = parseCommandLine(
    argv,
    io,
    COMMAND,
    { encoded: { type: 'string' }, otp: { type: 'string' }, 'otp-length': { type: 'string' } },
    { describeError: safeParseMessage },
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (values.encoded === undefined)
    return usageError(io, COMMAND, 'missing --encoded: give the encoded token, or - to read it from standard input');
  if (values.otp === undefined)
    return usageError(
      io,
      COMMAND,
      'missing --otp: give the OTP the attempt was started with, or - to read it from standard input',
    );
  let otpLength: number | undefined;
  const lengthText = values['otp-length'];
  if (lengthText !== undefined) {
    if (!/^\d{1,4}$/.test(lengthText))
      return usageError(
        io,
        COMMAND,
        '--otp-length must be a whole number, as the attempt status reports it in otp_length',
      );
    otpLength = Number(lengthText);
  }
  let encoded = values.encoded;
  let otp = values.otp;
  if (encoded === '-' || otp === '-') {
    const input = await readAll(io.stdin, MAX_STDIN_BYTES);
    if (typeof input !== 'string')
      return usageError(
        io,
        COMMAND,
        `standard input is longer than ${input.tooLong} bytes: it should hold a token or OTP`,
      );
    if (encoded === '-' && otp === '-') {
      // As `vault operator generate-root -decode=- -otp=-` would need: one line each, in this order.
      const lines = input.split(/\r?\n/).filter((line) => line.trim() !== '');
      if (lines.length !== 2)
        return usageError(
          io,
          COMMAND,
          `--encoded - and --otp - read two lines on standard input: the encoded token, then the OTP (got ${lines.length})`,
        );
      [encoded, otp] = lines as [string, string];
    } else if (encoded === '-') encoded = input;
    else otp = input;
  }
  const decoded = decodeToken(encoded, otp, otpLength);
  if (!decoded.ok) {
    io.stderr(`vault-ceremony decode: ${decoded.error.message}\n`);
    return EXIT_USAGE;
  }
  io.stdout(`${decoded.value.token}\n`);
  return EXIT_OK;
};

/** parseArgs quotes stray arguments and unknown options verbatim; either may be a secret typed in the wrong place. */
function safeParseMessage(e: unknown): string {
  const code = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    return 'decode takes no bare arguments: give the token with --encoded and the OTP with --otp';
  }
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return 'unknown option: decode accepts --encoded, --otp, --otp-length and --help';
  return e instanceof Error ? e.message : 'the options could not be read';
}
