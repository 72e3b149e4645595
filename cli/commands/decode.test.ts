// @tier integration
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureIo } from '../../test/support/capture-io';
import { decodeCommand } from './decode';

const root = join(import.meta.dirname, '..', '..');

const LEGACY = {
  encoded: 'cuplaFGYduDEY6ZVC5IfaA==',
  otp: 'vZpZZf5UI1nvB3A5/7Xq9A==',
  token: 'cf703c0d-afcc-55b9-2b64-d66cf427f59c',
};
// From a Vault Enterprise transcript of `vault operator generate-root -dr-token -decode=… -otp=…`.
const MODERN26 = {
  encoded: 'AnQ+CEkZCyEcUit5fnoiEBI8I1MYFSlXBE4',
  otp: 'qZkG8AAgu4l5KOdypXG1TQS8lz',
  token: 's.UOqXJFifGL55FibddbLDzoh4',
};
// Built by following Vault's EncodeToken in Python: b64encode(otp XOR token).rstrip('=').
const MODERN28 = {
  encoded: 'Ig5AZUdAIF9KYThoI0BYNl9RHQkAEgljNzZFCg',
  otp: 'Jx3Kp9Qm2Wv8Ls5Tn7Yb4Hc6Rd1F',
  token: 'hvs.7yq2x6NPo3mb1fDk4ZjUeRtL',
};

async function run(argv: string[], stdin = '') {
  const c = captureIo(stdin);
  const code = await decodeCommand(argv, c.io);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

describe('vault-ceremony decode', () => {
  it('prints the legacy UUID when run as npx vault-ceremony decode, and reads --encoded - from stdin', () => {
    const argv = ['vault-ceremony', 'decode', '--encoded', LEGACY.encoded, '--otp', LEGACY.otp];
    const direct = spawnSync('npx', argv, { cwd: root, encoding: 'utf8' });
    expect(direct.status).toBe(0);
    expect(direct.stdout).toBe(`${LEGACY.token}\n`);
    const piped = spawnSync('npx', ['vault-ceremony', 'decode', '--encoded', '-', '--otp', MODERN28.otp], {
      cwd: root,
      encoding: 'utf8',
      input: `${MODERN28.encoded}\n`,
    });
    expect(piped.status).toBe(0);
    expect(piped.stdout).toBe(`${MODERN28.token}\n`);
  });

  it('decodes 26- and 28-character modern tokens, with or without --otp-length', async () => {
    for (const v of [MODERN26, MODERN28]) {
      expect(await run(['--encoded', v.encoded, '--otp', v.otp])).toEqual({
        code: 0,
        stdout: `${v.token}\n`,
        stderr: '',
      });
      expect(await run(['--encoded', v.encoded, '--otp', v.otp, '--otp-length', String(v.otp.length)])).toMatchObject({
        code: 0,
        stdout: `${v.token}\n`,
      });
    }
    expect(await run(['--encoded', LEGACY.encoded, '--otp', LEGACY.otp, '--otp-length', '0'])).toMatchObject({
      code: 0,
      stdout: `${LEGACY.token}\n`,
    });
  });

  it('reads the encoded token or the OTP from standard input, trimmed', async () => {
    expect(await run(['--encoded', '-', '--otp', MODERN26.otp], `\n  ${MODERN26.encoded}\r\n`)).toMatchObject({
      code: 0,
      stdout: `${MODERN26.token}\n`,
    });
    expect(await run(['--encoded', MODERN26.encoded, '--otp', '-'], `${MODERN26.otp}\n`)).toMatchObject({
      code: 0,
      stdout: `${MODERN26.token}\n`,
    });
  });

  it('reads both from standard input, the encoded token then the OTP on two lines, so neither is on argv', async () => {
    for (const v of [MODERN26, MODERN28, LEGACY])
      expect(await run(['--encoded', '-', '--otp', '-'], `${v.encoded}\n${v.otp}\n`)).toEqual({
        code: 0,
        stdout: `${v.token}\n`,
        stderr: '',
      });
  });

  it('refuses bad input with exit 2 and a message that never contains the OTP or token', async () => {
    const cases: Array<[string[], string, RegExp]> = [
      [
        ['--encoded', MODERN28.encoded, '--otp', MODERN26.otp],
        '',
        /the OTP is 26 characters but the encoded token decodes to 28 bytes: this OTP belongs to a different attempt or server/,
      ],
      [['--encoded', MODERN28.encoded, '--otp', MODERN28.otp, '--otp-length', '26'], '', /otp_length is 26/],
      [
        ['--encoded', MODERN28.encoded, '--otp', MODERN28.otp, '--otp-length', 'x'],
        '',
        /--otp-length must be a whole number/,
      ],
      [['--encoded', '-', '--otp', MODERN28.otp], '', /encoded token is empty/],
      [
        ['--encoded', '-', '--otp', '-'],
        `${MODERN28.encoded}\n`,
        /two lines on standard input: the encoded token, then the OTP/,
      ],
      [['--encoded', '-', '--otp', MODERN28.otp], 'A'.repeat(70_000), /standard input is longer than 65536 bytes/],
      [['--otp', MODERN28.otp], '', /missing --encoded/],
      [['--encoded', MODERN28.encoded], '', /missing --otp/],
      [['--encoded', 'not base64!', '--otp', MODERN28.otp], '', /not base64/],
      [[MODERN28.encoded, MODERN28.otp], '', /no bare arguments/],
      [[`--${MODERN28.otp}`], '', /unknown option/],
      [['--encoded'], '', /argument missing/],
    ];
    for (const [argv, stdin, message] of cases) {
      const r = await run(argv, stdin);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      for (const secret of [MODERN28.otp, MODERN28.encoded, MODERN28.token, MODERN26.otp])
        expect(r.stderr).not.toContain(secret);
    }
  });

  it('prints help on --help', async () => {
    expect(await run(['--help'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/--encoded ENC\|- --otp OTP\|-/),
    });
  });
});
