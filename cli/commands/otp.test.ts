// @tier integration
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureIo } from '../../test/support/capture-io';
import { otpCommand } from './otp';

const root = join(import.meta.dirname, '..', '..');

async function run(...argv: string[]) {
  const c = captureIo();
  const code = await otpCommand(argv, c.io);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

describe('vault-ceremony otp', () => {
  it('prints 28 base62 characters and a newline when run as npx vault-ceremony otp', () => {
    const out = execFileSync('npx', ['vault-ceremony', 'otp'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(out).toMatch(/^[A-Za-z0-9]{28}\n$/);
  });

  it('prints base62 of --length N, and a fresh value every time', async () => {
    const a = await run('--length', '26');
    const b = await run('--length=26');
    expect(a).toMatchObject({ code: 0, stderr: '' });
    expect(a.stdout).toMatch(/^[A-Za-z0-9]{26}\n$/);
    expect(b.stdout).toMatch(/^[A-Za-z0-9]{26}\n$/);
    expect(a.stdout).not.toBe(b.stdout);
  });

  it('prints base64 of 16 random bytes with --legacy (and --length 0, a legacy server’s otp_length)', async () => {
    for (const argv of [['--legacy'], ['--length', '0']]) {
      const r = await run(...argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^[A-Za-z0-9+/]{22}==\n$/);
      expect(Buffer.from(r.stdout.trim(), 'base64')).toHaveLength(16);
    }
  });

  it('refuses bad input with a message on stderr and exit 2, printing no OTP', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--length', '26', '--legacy'], /either --length or --legacy/],
      [['--length', 'abc'], /--length must be 28, 26, 24 or 0 .*not 'abc'/],
      [
        ['--length', '-3'],
        /^vault-ceremony otp: --length must be 28, 26, 24 or 0 \(legacy\), as the attempt status reports otp_length; not '-3'\n/,
      ],
      [['--length=-1'], /--length must be 28, 26, 24 or 0 .*not '-1'/],
      [['--length', '1'], /--length must be 28, 26, 24 or 0 .*not '1'/],
      [['--length', '25'], /--length must be 28, 26, 24 or 0/],
      [['--length', '9999'], /--length must be 28, 26, 24 or 0/],
      [['--length'], /--length must be 28, 26, 24 or 0 .*not ''/],
      [['--bogus'], /unknown option/],
      [['28'], /unexpected bare argument/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    }
  });

  it('prints help on --help', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/usage: vault-ceremony otp \[--length N \| --legacy\]/);
  });
});
