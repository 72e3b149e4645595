// @tier integration
/**
 * A sweep of every CLI command with hostile arguments and hostile paths, in-process through
 * cli/main.ts's main(argv, io). Every run must end within a time limit with exit 1 or 2 and a
 * first line on stderr naming the command and the reason, never a stack trace, never a secret
 * given to it, and must leave the sandbox's fixtures as they were (no write outside the named
 * folder). Paths that need no process boundary are run in-process; none here needs one.
 */
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { captureIo } from '../support/capture-io';

const SECRET = 'Jx3Kp9Qm2Wv8Ls5Tn7Yb4Hc6Rd1F';
const LIMIT_MS = 15_000;
let box: string;

/** Hostile things in the place of a file or folder. */
const PATHS: Record<string, () => string> = {
  missing: () => join(box, 'missing'),
  'missing parent': () => join(box, 'no', 'such', 'thing'),
  'file for folder': () => join(box, 'plain-file'),
  'folder for file': () => join(box, 'folder'),
  fifo: () => join(box, 'fifo'),
  'symlink to elsewhere': () => join(box, 'link'),
  '/proc': () => '/proc/x',
  'read-only folder': () => join(box, 'read-only', 'x'),
  truncated: () => join(box, 'truncated.json'),
  'invalid UTF-8': () => join(box, 'not-utf8'),
  'deep JSON': () => join(box, 'deep.json'),
  'NUL bytes': () => join(box, 'nul'),
  empty: () => '',
  dash: () => '-',
};

/** Each command with the ways it takes a path, and arguments that make it otherwise valid. */
const PATH_USES: Record<string, (p: string) => string[]> = {
  'rehearse --out': (p) => ['rehearse', '--out', p, '--cluster', join(box, 'truncated.json')],
  'rehearse --cluster': (p) => ['rehearse', '--out', join(box, 'fresh-out'), '--cluster', p],
  'rehearse --officer-passphrase-file': (p) => [
    'rehearse',
    '--out',
    join(box, 'fresh-out'),
    '--cluster',
    join(box, 'truncated.json'),
    '--officer-passphrase-file',
    p,
  ],
  // --threshold 9 of 2 is refused once the file is read: a readable passphrase file would otherwise start it.
  'rehearsal-vault --passphrase-file': (p) => [
    'rehearsal-vault',
    '--dir',
    join(box, 'fresh-dir'),
    '--officers',
    '2',
    '--threshold',
    '9',
    '--passphrase-file',
    p,
  ],
  'rehearsal-vault --officer-keys': (p) => ['rehearsal-vault', '--dir', join(box, 'fresh-dir'), '--officer-keys', p],
  'verify DIR': (p) => ['verify', p],
  'verify --keyring': (p) => ['verify', join(box, 'folder'), '--keyring', p],
  'sign-checksums DIR': (p) => ['sign-checksums', p, '--key', join(box, 'missing')],
  'sign-checksums --key': (p) => ['sign-checksums', join(box, 'folder'), '--key', p],
};

const COMMANDS = ['decode', 'otp', 'rehearse', 'rehearsal-vault', 'sign-checksums', 'verify'];
/** Hostile arguments, each given after the command name. */
const ARGUMENTS: Record<string, string[]> = {
  nonsense: ['--frobnicate', 'x'],
  empty: [''],
  huge: ['x'.repeat(200_000)],
  'huge option': [`--${'y'.repeat(100_000)}`],
  __proto__: ['__proto__'],
  '--__proto__': ['--__proto__', 'x'],
  '--constructor': ['--constructor'],
  dash: ['-'],
  'double dash': ['--', '-'],
  'secret as stray argument': [SECRET],
  'secret as option name': [`--${SECRET}`],
  'negative number': ['--length', '-1', '--officers', '-1'],
};

function snapshot(): string {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = join(dir, e.name);
      if (e.isDirectory() && !e.isSymbolicLink()) return [p + '/', ...walk(p)];
      if (e.isFile()) return [`${p} ${statSync(p).size} ${readFileSync(p).toString('base64').slice(0, 64)}`];
      return [p];
    });
  return walk(box)
    .filter((p) => !p.includes('fresh-'))
    .sort()
    .join('\n');
}

beforeAll(() => {
  box = mkdtempSync(join(tmpdir(), 'vc-sweep-'));
  writeFileSync(join(box, 'plain-file'), 'a file\n');
  mkdirSync(join(box, 'folder'));
  execFileSync('mkfifo', [join(box, 'fifo')]);
  writeFileSync(join(box, 'elsewhere'), 'must stay\n');
  symlinkSync(join(box, 'elsewhere'), join(box, 'link'));
  mkdirSync(join(box, 'read-only'), { mode: 0o500 });
  writeFileSync(join(box, 'truncated.json'), '{"primary": {"api_addr": "https://127.');
  writeFileSync(join(box, 'not-utf8'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]));
  writeFileSync(join(box, 'deep.json'), '['.repeat(100_000) + ']'.repeat(100_000));
  writeFileSync(join(box, 'nul'), Buffer.from('{"a":\0"b"}\0\0'));
});
afterAll(() => rmSync(box, { recursive: true, force: true }));

async function sweepRun(argv: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const c = captureIo(`${SECRET}\n`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`did not finish within ${LIMIT_MS} ms: ${argv.join(' ').slice(0, 200)}`)),
      LIMIT_MS,
    );
  });
  try {
    const code = await Promise.race([main(argv, c.io), timeout]);
    return { code, stderr: c.stderr(), stdout: c.stdout() };
  } finally {
    clearTimeout(timer);
  }
}

function expectRefusal(r: { code: number; stderr: string; stdout: string }, command: string, label: string) {
  expect([1, 2], `${label}: exit ${r.code}\n${r.stderr}`).toContain(r.code);
  const first = r.stderr.split('\n')[0]!;
  expect(first, label).toMatch(new RegExp(`^vault-ceremony( ${command})?: \\S`));
  expect(r.stderr + r.stdout, label).not.toMatch(/\n\s+at |TypeError|RangeError|is not a function/);
  expect(r.stderr + r.stdout, label).not.toContain(SECRET);
}

const results: string[] = [];

describe('every command, hostile arguments', () => {
  for (const command of COMMANDS)
    it(`${command} refuses each hostile argument with a one-line reason`, async () => {
      for (const [label, args] of Object.entries(ARGUMENTS)) {
        const before = snapshot();
        const r = await sweepRun([command, ...args]);
        expectRefusal(r, command, `${command} ${label}`);
        expect(snapshot(), `${command} ${label} wrote into the sandbox`).toBe(before);
        results.push(`${command} ${label}`);
      }
    }, 120_000);
});

describe('every path a command takes, hostile paths and files', () => {
  for (const [use, argvFor] of Object.entries(PATH_USES))
    it(`${use} refuses each hostile path with a one-line reason, writing nothing`, async () => {
      const command = use.split(' ')[0]!;
      for (const [label, path] of Object.entries(PATHS)) {
        const before = snapshot();
        const r = await sweepRun(argvFor(path()));
        expectRefusal(r, command, `${use} ${label}`);
        expect(snapshot(), `${use} ${label} wrote into the sandbox`).toBe(before);
        expect(readFileSync(join(box, 'elsewhere'), 'utf8')).toBe('must stay\n');
        results.push(`${use} ${label}`);
      }
    }, 180_000);

  it('covered every command and path case', () => {
    expect(results.length).toBe(
      COMMANDS.length * Object.keys(ARGUMENTS).length + Object.keys(PATH_USES).length * Object.keys(PATHS).length,
    );
  });
});

/** A 64 KiB tmpfs filled to the last byte, where root may mount one; undefined elsewhere. */
function fullDisk(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const mount = mkdtempSync(join(tmpdir(), 'vc-sweep-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mount], { stdio: 'ignore' });
  } catch {
    rmSync(mount, { recursive: true, force: true });
    return undefined;
  }
  try {
    writeFileSync(join(mount, 'fill'), Buffer.alloc(1024 * 1024));
  } catch {
    // ENOSPC once full: the point
  }
  return mount;
}

describe('a full disk', () => {
  const mount = fullDisk();
  afterAll(() => {
    if (!mount) return;
    execFileSync('umount', ['-l', mount]);
    rmSync(mount, { recursive: true, force: true });
  });

  it.skipIf(!mount).each([
    ['rehearse --out', (dir: string) => ['rehearse', '--out', join(dir, 'out'), '--officers', '2', '--threshold', '2']],
    [
      'rehearsal-vault --dir',
      (dir: string) => ['rehearsal-vault', '--dir', join(dir, 'vault'), '--officers', '2', '--threshold', '2'],
    ],
  ])(
    '%s on a full disk stops promptly and says the disk is full',
    async (use, argvFor) => {
      const r = await sweepRun(argvFor(mount!));
      expectRefusal(r, use.split(' ')[0]!, use);
      expect(r.stderr.split('\n')[0]).toMatch(/the disk is full/);
    },
    60_000,
  );
});
