/**
 * What every command does with its command line: node:util parseArgs (strict) with --help/-h,
 * which prints the usage and exits 0, and usage errors: the problem, then the usage, on stderr,
 * exit 2. Also the value checks more than one command needs.
 */
import { parseArgs } from 'node:util';
import { EXIT_OK, EXIT_USAGE, type CliIo } from './io';

/** A command as its messages name it. */
export interface CommandUsage {
  /** As typed after `vault-ceremony`: messages start `vault-ceremony NAME: `. */
  readonly name: string;
  readonly usage: string;
}

type OptionsConfig = NonNullable<Parameters<typeof parseArgs>[0]>['options'] & object;
const HELP = { help: { type: 'boolean', short: 'h' } } as const;
type Config<O extends OptionsConfig, P extends boolean> = {
  args: string[];
  options: O & typeof HELP;
  strict: true;
  allowPositionals: P;
};
export type ParsedCommandLine<O extends OptionsConfig, P extends boolean = false> = ReturnType<
  typeof parseArgs<Config<O, P>>
>;

export interface ParseOptions<P extends boolean> {
  readonly allowPositionals?: P;
  /** safeParseMessage by default; a command may word its own. */
  readonly describeError?: (e: unknown) => string;
}

/** Says what is wrong, then the usage; returns the usage exit code. */
export function usageError(io: CliIo, command: CommandUsage, message: string): number {
  io.stderr(`vault-ceremony ${command.name}: ${message}\n\n${command.usage}`);
  return EXIT_USAGE;
}

/** The parsed options (`help` added) and positionals, or the exit code once help or a usage error was printed. */
export function parseCommandLine<const O extends OptionsConfig, const P extends boolean = false>(
  argv: string[],
  io: CliIo,
  command: CommandUsage,
  options: O,
  parse: ParseOptions<P> = {},
): ParsedCommandLine<O, P> | number {
  const config: Config<O, P> = {
    args: argv,
    options: { ...options, ...HELP },
    strict: true,
    allowPositionals: (parse.allowPositionals ?? false) as P,
  };
  let parsed: ParsedCommandLine<O, P>;
  try {
    parsed = parseArgs(config);
  } catch (e) {
    return usageError(io, command, (parse.describeError ?? safeParseMessage)(e));
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout(command.usage);
    return EXIT_OK;
  }
  return parsed;
}

/** A whole number from `min` to `max` for `flag`; undefined when not given, the problem as a string when out of range. */
export function wholeNumber(
  text: string | undefined,
  flag: string,
  min: number,
  max: number,
): number | undefined | string {
  if (text === undefined) return undefined;
  if (!/^\d{1,6}$/.test(text) || Number(text) < min || Number(text) > max)
    return `${flag} must be a whole number from ${min} to ${max}, not '${text}'`;
  return Number(text);
}

/**
 * parseArgs quotes stray arguments and unknown options verbatim: a secret typed in the wrong place
 * would be echoed, and a 200 KB argument printed whole. Those two are worded without the text.
 */
export function safeParseMessage(e: unknown): string {
  const code = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return 'unexpected bare argument: see the usage below';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return 'unknown option: see the usage below for the options it takes';
  return e instanceof Error ? e.message : 'the options could not be read';
}
