import { createPackage, createPackageWithOptions } from '@electron/asar';
import { FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire } from '@electron/fuses';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeStandInBinary } from '../../../test/support/stand-in-electron';
import { checkAppArchive, checkBuiltApp, findBuiltApps } from './built-app';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'built-app-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The release fuses, spelled with @electron/fuses' own option numbers (not the policy's names). */
const RELEASE_WIRE = {
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
} as const;

let archives = 0;
async function archive(files: Record<string, string>, options?: { unpack: string }): Promise<string> {
  const source = join(dir, `src-${++archives}`);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(source, path, '..'), { recursive: true });
    writeFileSync(join(source, path), content);
  }
  const out = join(dir, `app-${archives}.asar`);
  if (options) await createPackageWithOptions(source, out, options);
  else await createPackage(source, out);
  return out;
}

const APP = {
  'package.json': '{"main":"dist/electron/main.cjs"}',
  'dist/electron/main.cjs': '1',
  'dist/electron/preload.cjs': '2',
  'dist/renderer/index.html': '<!doctype html>',
};

async function builtApp(wire: Parameters<typeof flipFuses>[1] | undefined, files: Record<string, string> = APP) {
  const app = { executable: join(dir, 'vault-ceremony'), resources: join(dir, 'resources') };
  mkdirSync(app.resources, { recursive: true });
  writeStandInBinary(app.executable);
  if (wire) await flipFuses(app.executable, wire);
  renameSync(await archive(files), join(app.resources, 'app.asar'));
  return app;
}

describe('a packaged app', () => {
  it('passes with the release fuses burned and only the bundles in app.asar', async () => {
    const app = await builtApp(RELEASE_WIRE);
    expect(await checkBuiltApp(app, 'release')).toEqual([]);
  });

  it('fails, naming each fuse, when the binary keeps Electron’s defaults', async () => {
    const problems = await checkBuiltApp(await builtApp(undefined), 'release');
    expect(problems.map((p) => p.message.split(' but ')[0])).toEqual([
      'the RunAsNode fuse is on',
      'the EnableNodeOptionsEnvironmentVariable fuse is on',
      'the EnableNodeCliInspectArguments fuse is on',
      'the EnableCookieEncryption fuse is off',
      'the EnableEmbeddedAsarIntegrityValidation fuse is off',
      'the OnlyLoadAppFromAsar fuse is off',
      'the GrantFileProtocolExtraPrivileges fuse is on',
    ]);
    expect(problems.every((p) => p.kind === 'fuse-wire')).toBe(true);
  });

  it('a release binary is not a test build, and a test binary is not a release', async () => {
    const release = await builtApp(RELEASE_WIRE);
    expect((await checkBuiltApp(release, 'test')).map((p) => p.message)).toEqual([
      expect.stringMatching(/^the EnableNodeCliInspectArguments fuse is off but a test build needs it on: /),
    ]);
    await flipFuses(release.executable, {
      version: FuseVersion.V1,
      [FuseV1Options.EnableNodeCliInspectArguments]: true,
    });
    expect(await checkBuiltApp(release, 'test')).toEqual([]);
    expect((await checkBuiltApp(release, 'release')).map((p) => p.message)).toEqual([
      expect.stringMatching(/^the EnableNodeCliInspectArguments fuse is on but a release build needs it off: /),
    ]);
  });

  it('reports a fuse the binary marks removed or lacks', async () => {
    const app = { executable: join(dir, 'old-electron'), resources: join(dir, 'resources') };
    writeStandInBinary(app.executable, '0r0');
    const problems = await checkBuiltApp(app, 'release');
    expect(problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^the EnableCookieEncryption fuse is marked removed/),
        expect.stringMatching(/^the OnlyLoadAppFromAsar fuse is missing from the fuse wire/),
      ]),
    );
    expect((await getCurrentFuseWire(app.executable))[FuseV1Options.RunAsNode]).toBe(48);
  });

  it('reports a file that is not Electron', async () => {
    const app = await builtApp(RELEASE_WIRE);
    writeFileSync(app.executable, 'not electron');
    expect((await checkBuiltApp(app, 'release')).map((p) => p.kind)).toEqual(['no-fuse-wire']);
  });

  it('reports app code beside app.asar', async () => {
    const app = await builtApp(RELEASE_WIRE);
    mkdirSync(join(app.resources, 'app'));
    expect((await checkBuiltApp(app, 'release')).map((p) => p.kind)).toEqual(['outside-asar']);
  });
});

describe('app.asar', () => {
  it('may hold only package.json and dist/, without source maps', async () => {
    expect(checkAppArchive(await archive(APP))).toEqual([]);
    const extra = checkAppArchive(
      await archive({
        ...APP,
        'node_modules/openpgp/index.js': 'x',
        'electron/app/main.ts': 'x',
        'dist/electron/main.cjs.map': '{}',
      }),
    );
    expect(extra.map((p) => p.message.replace(/^.*?: /, ''))).toEqual([
      '/dist/electron/main.cjs.map is a source map: maps are left out of releases',
      '/electron/app/main.ts should not be packaged: app.asar holds only package.json and dist/',
      '/node_modules/openpgp/index.js should not be packaged: app.asar holds only package.json and dist/',
    ]);
  });

  it('must not leave files unpacked, and must have package.json', async () => {
    const unpacked = checkAppArchive(await archive({ ...APP, 'dist/native.node': 'x' }, { unpack: '*.node' }));
    expect(unpacked.map((p) => p.message)).toEqual([
      expect.stringMatching(/\/dist\/native\.node is stored outside the archive \(unpacked\)/),
    ]);
    const noPackage = checkAppArchive(await archive({ 'dist/electron/main.cjs': '1' }));
    expect(noPackage.map((p) => p.message)).toEqual([expect.stringMatching(/package\.json is missing/)]);
    expect(checkAppArchive(join(dir, 'missing.asar')).map((p) => p.message)).toEqual([
      expect.stringMatching(/cannot read .*missing\.asar/),
    ]);
  });
});

describe('finding the packaged apps in an output folder', () => {
  it('finds the unpacked Linux, Windows and macOS apps electron-builder leaves', () => {
    for (const folder of [
      'linux-unpacked',
      'linux-arm64-unpacked',
      'win-unpacked',
      'mac-arm64/vault-ceremony.app',
      'media',
      'mac',
    ])
      mkdirSync(join(dir, folder), { recursive: true });
    const apps = findBuiltApps(dir, { productName: 'vault-ceremony', executableName: 'vault-ceremony' });
    expect(apps.map((a) => a.executable.slice(dir.length + 1))).toEqual([
      'linux-arm64-unpacked/vault-ceremony',
      'linux-unpacked/vault-ceremony',
      'mac-arm64/vault-ceremony.app',
      'win-unpacked/vault-ceremony.exe',
    ]);
    expect(apps[2]!.resources.slice(dir.length + 1)).toBe('mac-arm64/vault-ceremony.app/Contents/Resources');
    expect(findBuiltApps(join(dir, 'nothing-here'), { productName: 'x', executableName: 'x' })).toEqual([]);
  });
});
