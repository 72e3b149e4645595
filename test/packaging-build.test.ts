// @tier integration
/**
 * The real electron-builder packages the app from the real configurations, here and without
 * downloading anything: a stand-in Electron binary (carrying Electron's fuse wire) is given with
 * `-c.electronDist`, and the `dir` target needs no external packaging tools. What it produces is
 * then checked like a release: fuses burned into the binary, app.asar holding only the bundles.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBuiltApp } from '../scripts/packaging/lib/built-app';
import { RELEASE_CONFIG, TEST_CONFIG } from '../scripts/packaging/lib/packaging-check';
import { verifyBuild } from '../scripts/packaging/lib/verify-build';
import { writeStandInDistribution } from './support/stand-in-electron';

const root = join(import.meta.dirname, '..');
let project: string;
let standIn: string;

beforeAll(() => {
  const base = mkdtempSync(join(tmpdir(), 'packaging-build-'));
  project = join(base, 'project');
  standIn = join(base, 'electron-dist');
  writeStandInDistribution(standIn);
  mkdirSync(join(project, 'build'), { recursive: true });
  for (const file of ['package.json', RELEASE_CONFIG, TEST_CONFIG, 'build/bundled-dependencies.cjs'])
    cpSync(join(root, file), join(project, file));
  symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'));
  // What scripts/build.mjs leaves in dist/, plus a source map that must stay out.
  for (const [path, content] of Object.entries({
    'dist/electron/main.cjs': '"use strict";',
    'dist/electron/main.cjs.map': '{}',
    'dist/electron/preload.cjs': '"use strict";',
    'dist/renderer/index.html': '<!doctype html><title>vault-ceremony</title>',
    'dist/renderer/assets/index.js': 'export {};',
    'electron/app/main.ts': 'source that must not ship',
  })) {
    mkdirSync(join(project, path, '..'), { recursive: true });
    writeFileSync(join(project, path), content);
  }
});
afterAll(() => rmSync(join(project, '..'), { recursive: true, force: true }));

function electronBuilder(config: string): { status: number | null; output: string } {
  const r = spawnSync(
    join(root, 'node_modules', '.bin', 'electron-builder'),
    ['--config', config, '--linux', 'dir', '--publish', 'never', `-c.electronDist=${standIn}`],
    { cwd: project, encoding: 'utf8', env: { ...process.env, ELECTRON_BUILDER_CACHE: join(project, '..', 'cache') } },
  );
  return { status: r.status, output: r.stdout + r.stderr };
}

describe('electron-builder with the project’s configurations', () => {
  it('the release configuration burns the release fuses and packs only the bundles', async () => {
    const built = electronBuilder(RELEASE_CONFIG);
    expect(built.status, built.output).toBe(0);
    const verification = await verifyBuild(project, 'release');
    expect(verification.apps.map((a) => a.executable.slice(project.length + 1))).toEqual([
      'out/release/linux-unpacked/vault-ceremony',
    ]);
    expect(verification.problems).toEqual([]);
    // The same binary is not fit to be a test build: the inspector fuse is burned off.
    expect((await checkBuiltApp(verification.apps[0]!, 'test')).map((p) => p.kind)).toEqual(['fuse-wire']);
  });

  it('the test configuration builds a separately named app with only the inspector fuse left on', async () => {
    const built = electronBuilder(TEST_CONFIG);
    expect(built.status, built.output).toBe(0);
    const verification = await verifyBuild(project, 'test');
    expect(verification.apps.map((a) => a.executable.slice(project.length + 1))).toEqual([
      'out/test/linux-unpacked/vault-ceremony-test',
    ]);
    expect(verification.problems).toEqual([]);
    expect((await checkBuiltApp(verification.apps[0]!, 'release')).map((p) => p.message)).toEqual([
      expect.stringMatching(/^the EnableNodeCliInspectArguments fuse is on but a release build needs it off/),
    ]);
  });
});
