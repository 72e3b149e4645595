import { describe, expect, it } from 'vitest';
import { captureIo } from '../test/support/capture-io';
import { parseCommandLine, usageError, wholeNumber, type CommandUsage } from './command-line';
import { EXIT_OK, EXIT_USAGE } from './io';

const COMMAND: CommandUsage = { name: 'demo', usage: 'usage: vault-ceremony demo [--name N] [--on] [FILE]\n' };
const OPTIONS = { name: { type: 'string' }, on: { type: 'boolean' } } as const;

describe('parseCommandLine', () => {
  it('returns the options and positionals', () => {
    const { io, stdout, stderr } = captureIo();
    const parsed = parseCommandLine(['--name', 'x', '--on', 'a.txt'], io, COMMAND, OPTIONS, { allowPositionals: true });
    expect(parsed).toMatchObject({ values: { name: 'x', on: true }, positionals: ['a.txt'] });
    expect(stdout() + stderr()).toBe('');
  });

  it('prints the usage on --help and -h and exits 0', () => {
    for (const flag of ['--help', '-h']) {
      const { io, stdout, stderr } = captureIo();
      expect(parseCommandLine([flag], io, COMMAND, OPTIONS)).toBe(EXIT_OK);
      expect(stdout()).toBe(COMMAND.usage);
      expect(stderr()).toBe('');
    }
  });

  it('refuses unknown options and stray arguments with the problem and the usage, exit 2', () => {
    for (const argv of [['--nope'], ['stray'], ['--name']]) {
      const { io, stdout, stderr } = captureIo();
      expect(parseCommandLine(argv, io, COMMAND, OPTIONS)).toBe(EXIT_USAGE);
      expect(stderr()).toMatch(/^vault-ceremony demo: .+\n\nusage: vault-ceremony demo/);
      expect(stdout()).toBe('');
    }
  });

  it('words the error its own way when the command asks, so a misplaced secret is not echoed', () => {
    const { io, stderr } = captureIo();
    expect(parseCommandLine(['s3cret-token'], io, COMMAND, OPTIONS, { describeError: () => 'no bare arguments' })).toBe(
      EXIT_USAGE,
    );
    expect(stderr()).toBe(`vault-ceremony demo: no bare arguments\n\n${COMMAND.usage}`);
  });
});

describe('usageError', () => {
  it('names the command, says the problem, then the usage', () => {
    const { io, stderr } = captureIo();
    expect(usageError(io, COMMAND, 'give FILE')).toBe(EXIT_USAGE);
    expect(stderr()).toBe(`vault-ceremony demo: give FILE\n\n${COMMAND.usage}`);
  });
});

describe('wholeNumber', () => {
  it('reads numbers in range and leaves an absent one undefined', () => {
    expect(wholeNumber(undefined, '--n', 1, 255)).toBeUndefined();
    expect(wholeNumber('1', '--n', 1, 255)).toBe(1);
    expect(wholeNumber('255', '--n', 1, 255)).toBe(255);
    expect(wholeNumber('0', '--pace', 0, 60_000)).toBe(0);
  });

  it('says what is allowed for anything else', () => {
    for (const text of ['0', '256', '-1', '1.5', 'five', '', '1234567'])
      expect(wholeNumber(text, '--n', 1, 255)).toBe(`--n must be a whole number from 1 to 255, not '${text}'`);
  });
});
