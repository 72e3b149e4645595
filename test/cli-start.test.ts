/**
 * bin/vault-ceremony.mjs runs the CLI from modules esbuild compiled into node_modules/.cache, and
 * compiles them again when any source changes. Tested on a throwaway copy of the project (sources copied,
 * each package linked), so editing a source here touches neither the work tree nor its cache.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
let copy: string;

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'cli-start-'));
  for (const dir of ['bin', 'cli', 'shared', 'electron']) cpSync(join(ROOT, dir), join(copy, dir), { recursive: true });
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.base.json'])
    cpSync(join(ROOT, file), join(copy, file));
  mkdirSync(join(copy, 'node_modules'));
  for (const name of readdirSync(join(ROOT, 'node_modules')))
    if (name !== '.cache') symlinkSync(join(ROOT, 'node_modules', name), join(copy, 'node_modules', name));
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

const cache = () => join(copy, 'node_modules', '.cache', 'vault-ceremony-cli');
const manifest = () =>
  JSON.parse(readFileSync(join(cache(), 'manifest.json'), 'utf8')) as { hash: string; inputs: string[] };

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [join(copy, 'bin', 'vault-ceremony.mjs'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('vault-ceremony start-up', () => {
  it('compiles once and records every source it compiled', () => {
    const first = run('--help');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('usage: vault-ceremony <command>');
    const { hash, inputs } = manifest();
    expect(inputs).toEqual(
      expect.arrayContaining([
        'cli/main.ts',
        'cli/commands/verify.ts',
        'shared/record/journal-event.ts',
        'bin/vault-ceremony.mjs',
        'package.json',
      ]),
    );
    expect(run('--help').stdout).toBe(first.stdout);
    expect(manifest().hash).toBe(hash);
  });

  it('runs an edited source at once, never what was compiled before the edit', () => {
    const before = manifest().hash;
    const main = join(copy, 'cli', 'main.ts');
    writeFileSync(
      main,
      readFileSync(main, 'utf8').replace('check a transcript bundle:', 'CHECK A TRANSCRIPT BUNDLE (edited):'),
    );
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('CHECK A TRANSCRIPT BUNDLE (edited):');
    expect(manifest().hash).not.toBe(before);
  });

  it('runs the sources through tsx when they cannot be compiled, with the same behaviour', () => {
    writeFileSync(join(copy, 'cli', 'broken.ts'), 'export const x: number = ;\n');
    const main = join(copy, 'cli', 'main.ts');
    const original = readFileSync(main, 'utf8');
    // A syntax error in a module only one command loads: tsx still runs the rest, as before.
    writeFileSync(
      main,
      original.replace(
        "load: async () => (await import('./commands/otp')).otpCommand",
        "load: async () => ((await import('./broken')) as never)",
      ),
    );
    const compiled = manifest().hash;
    try {
      const help = run('--help');
      expect(help.status).toBe(0);
      expect(help.stdout).toContain('usage: vault-ceremony <command>');
      const decode = run('decode', '--encoded', 'x');
      expect(decode.status).toBe(2);
      expect(manifest().hash).toBe(compiled); // nothing was compiled from the broken sources
    } finally {
      writeFileSync(main, original);
    }
  });
});
