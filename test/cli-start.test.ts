// @tier integration
/**
 * The `vault-ceremony` command starts from one bundle that `npm run build:cli` emits into dist/cli
 * (`npm ci` runs it through `prepare`), never compiling TypeScript at start. Built here on a throwaway
 * copy of the project (sources copied, each package linked), so editing a source touches neither the
 * work tree nor its dist/.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
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

const ROOT = join(import.meta.dirname, '..');
let copy: string;

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'cli-start-'));
  for (const dir of ['cli', 'shared', 'electron', 'rehearsal-vault', 'scripts'])
    cpSync(join(ROOT, dir), join(copy, dir), { recursive: true });
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.base.json'])
    cpSync(join(ROOT, file), join(copy, file));
  mkdirSync(join(copy, 'node_modules'));
  for (const name of readdirSync(join(ROOT, 'node_modules')))
    if (name !== '.cache') symlinkSync(join(ROOT, 'node_modules', name), join(copy, 'node_modules', name));
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

const pkg = () =>
  JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
/** The file the package's `bin` names, as `npx vault-ceremony` runs it. */
const bin = () => join(copy, pkg().bin!['vault-ceremony']!);

function npmRun(script: string) {
  // The script's command line as `npm run` would run it, without npm's own start-up.
  const r = spawnSync('sh', ['-c', pkg().scripts![script]!], { cwd: copy, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

function run(...args: string[]) {
  const r = spawnSync(bin(), args, { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('vault-ceremony start-up', () => {
  it('is built by the install (prepare) into the file bin names, an executable JavaScript bundle', () => {
    expect(pkg().scripts!.prepare).toBe(pkg().scripts!['build:cli']);
    expect(existsSync(bin())).toBe(false);
    expect(npmRun('prepare')).toMatchObject({ status: 0, stderr: '' });
    expect(statSync(bin()).mode & 0o111).toBe(0o111);
    const source = readFileSync(bin(), 'utf8');
    expect(source.startsWith('#!/usr/bin/env node\n')).toBe(true);
    // Nothing compiles at start: no TypeScript loader, no .ts module.
    expect(source).not.toMatch(/tsx|esbuild|\.ts['"]/);
  });

  it('prints its usage for --help (exit 0), and exits 2 for no command or an unknown one', () => {
    const help = run('--help');
    expect(help).toMatchObject({ status: 0, stderr: '' });
    expect(help.stdout).toContain('usage: vault-ceremony <command>');
    expect(help.stdout).toContain('verify ');
    expect(run()).toMatchObject({ status: 2, stdout: help.stdout });
    const unknown = run('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("vault-ceremony: unknown command 'frobnicate'");
  });

  it('loads a command on demand from the bundle and runs it', () => {
    const otp = run('otp');
    expect(otp).toMatchObject({ status: 0, stderr: '' });
    expect(otp.stdout).toMatch(/^[A-Za-z0-9]{28}\n$/);
  });

  it('builds from the sources as they are, leaving nothing of an earlier build', () => {
    const main = join(copy, 'cli', 'main.ts');
    const original = readFileSync(main, 'utf8');
    writeFileSync(main, original.replace('check a transcript bundle:', 'CHECK A TRANSCRIPT BUNDLE (edited):'));
    const leftover = join(copy, 'dist', 'cli', 'chunks', 'otp-OLDBUILD.mjs');
    writeFileSync(leftover, 'export const otpCommand = undefined;\n');
    try {
      expect(npmRun('build:cli').status).toBe(0);
      expect(run('--help').stdout).toContain('CHECK A TRANSCRIPT BUNDLE (edited):');
      expect(existsSync(leftover)).toBe(false);
    } finally {
      writeFileSync(main, original);
    }
  });

  it('fails the build on a broken source and leaves no command to run stale code from', () => {
    const main = join(copy, 'cli', 'main.ts');
    const original = readFileSync(main, 'utf8');
    writeFileSync(main, `${original}\nexport const broken: number = ;\n`);
    try {
      const build = npmRun('build:cli');
      expect(build.status).not.toBe(0);
      expect(build.stderr).toContain('main.ts');
      expect(existsSync(bin())).toBe(false);
    } finally {
      writeFileSync(main, original);
    }
  });
});
