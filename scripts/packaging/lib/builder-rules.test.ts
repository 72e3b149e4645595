import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadBuilderConfig } from './builder-config';
import { checkBuilderConfig, checkTestDerivation, type BuilderRule } from './builder-rules';
import { FUSE_RULES } from './fuse-policy';
import { RELEASE_CONFIG, TEST_CONFIG } from './packaging-check';

// Every case is a copy of the real configuration with one rule broken, written to a temporary
// project and loaded by electron-builder's own loader, exactly as a build would read it.
const root = join(import.meta.dirname, '..', '..', '..');
type Yaml = Record<string, unknown>;
const releaseYaml = () => parse(readFileSync(join(root, RELEASE_CONFIG), 'utf8')) as Yaml;
const testYaml = () => parse(readFileSync(join(root, TEST_CONFIG), 'utf8')) as Yaml;

let project: string;
beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'builder-rules-'));
  mkdirSync(join(project, 'build'));
  copyFileSync(join(root, 'package.json'), join(project, 'package.json'));
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

async function load(release: Yaml | string, test: Yaml | string = testYaml()) {
  writeFileSync(join(project, RELEASE_CONFIG), typeof release === 'string' ? release : stringify(release));
  writeFileSync(join(project, TEST_CONFIG), typeof test === 'string' ? test : stringify(test));
  return {
    release: await loadBuilderConfig(project, RELEASE_CONFIG),
    test: await loadBuilderConfig(project, TEST_CONFIG),
  };
}

async function releaseViolations(edit: (config: Yaml) => void) {
  const config = releaseYaml();
  edit(config);
  const loaded = await load(config);
  if (!loaded.release.ok) throw new Error(loaded.release.error.message);
  return checkBuilderConfig(loaded.release.value, 'release');
}

function section(config: Yaml, name: string): Yaml {
  return (config[name] ??= {}) as Yaml;
}

describe('the project’s builder configurations', () => {
  it('the release configuration follows every rule', async () => {
    const release = await loadBuilderConfig(root, RELEASE_CONFIG);
    expect(release.ok && checkBuilderConfig(release.value, 'release')).toEqual([]);
  });

  it('the test configuration follows every rule and differs from the release only where allowed', async () => {
    const [release, test] = await Promise.all([
      loadBuilderConfig(root, RELEASE_CONFIG),
      loadBuilderConfig(root, TEST_CONFIG),
    ]);
    if (!release.ok || !test.ok) throw new Error('a configuration did not load');
    expect(checkBuilderConfig(test.value, 'test')).toEqual([]);
    expect(checkTestDerivation(release.value, test.value)).toEqual([]);
    expect(test.value.electronFuses?.enableNodeCliInspectArguments).toBe(true);
    expect(release.value.electronFuses?.enableNodeCliInspectArguments).toBe(false);
  });

  it('the release configuration is not a test configuration, and the other way round: the inspector fuse decides', async () => {
    const [release, test] = await Promise.all([
      loadBuilderConfig(root, RELEASE_CONFIG),
      loadBuilderConfig(root, TEST_CONFIG),
    ]);
    if (!release.ok || !test.ok) throw new Error('a configuration did not load');
    expect(checkBuilderConfig(release.value, 'test').map((v) => v.message)).toEqual([
      expect.stringContaining('electronFuses.enableNodeCliInspectArguments must be true in a test build'),
    ]);
    expect(checkBuilderConfig(test.value, 'release').map((v) => v.message)).toEqual([
      expect.stringContaining('electronFuses.enableNodeCliInspectArguments must be false in a release build'),
    ]);
  });
});

describe('each broken rule fails with its own message', () => {
  const cases: Array<[string, BuilderRule, RegExp, (c: Yaml) => void]> = [
    ['asar off', 'asar', /^asar must be true/, (c) => (c['asar'] = false)],
    ['asar set per platform', 'asar', /^linux\.asar must not be set/, (c) => (section(c, 'linux')['asar'] = false)],
    [
      'asar sanity check off',
      'asar',
      /^disableSanityCheckAsar must not be set/,
      (c) => (c['disableSanityCheckAsar'] = true),
    ],
    ['asar integrity off', 'asar', /^disableAsarIntegrity must not be set/, (c) => (c['disableAsarIntegrity'] = true)],
    [
      'files unpacked from the archive',
      'outside-asar',
      /^asarUnpack must not be set/,
      (c) => (c['asarUnpack'] = ['dist/electron/**']),
    ],
    [
      'extra resources beside the archive',
      'outside-asar',
      /^extraResources must not be set/,
      (c) => (c['extraResources'] = ['keys/**']),
    ],
    [
      'extra files on one platform',
      'outside-asar',
      /^linux\.extraFiles must not be set/,
      (c) => (section(c, 'linux')['extraFiles'] = ['tools/**']),
    ],
    [
      'another folder packaged',
      'files',
      /^files must include only dist\/\*\* and package\.json .*not 'electron\/\*\*'/,
      (c) => (c['files'] as string[]).push('electron/**'),
    ],
    ['the bundles left out', 'files', /^files must list 'dist\/\*\*'/, (c) => (c['files'] = ['package.json'])],
    [
      'files copied from elsewhere',
      'files',
      /^files must not copy from or to other folders/,
      (c) => (c['files'] = [{ from: '../secrets', to: 'dist', filter: ['**/*'] }, 'dist/**', 'package.json']),
    ],
    ['files per platform', 'files', /^win\.files must not be set/, (c) => (section(c, 'win')['files'] = ['dist/**'])],
    [
      'node_modules shipped',
      'node-modules',
      /^beforeBuild must be '\.\/build\/bundled-dependencies\.cjs'/,
      (c) => delete c['beforeBuild'],
    ],
    ['the hook skipped', 'node-modules', /^npmRebuild must not be false/, (c) => (c['npmRebuild'] = false)],
    ['a build hook', 'hooks', /^afterPack must not be set/, (c) => (c['afterPack'] = './build/after-pack.cjs')],
    [
      'a local Electron',
      'electron-source',
      /^electronDist must not be set/,
      (c) => (c['electronDist'] = '/opt/electron'),
    ],
    [
      'an Electron mirror',
      'electron-source',
      /^electronDownload must not be set here/,
      (c) => (c['electronDownload'] = { mirror: 'https://mirror.example/electron/' }),
    ],
    [
      'an Electron version',
      'electron-source',
      /^electronVersion must not be set/,
      (c) => (c['electronVersion'] = '44.0.0'),
    ],
    ['publish left unset', 'auto-update', /^publish must be null/, (c) => delete c['publish']],
    ['a publish provider', 'auto-update', /^publish must be null/, (c) => (c['publish'] = { provider: 'github' })],
    [
      'a publish provider per platform',
      'auto-update',
      /^linux\.publish must not be set/,
      (c) => (section(c, 'linux')['publish'] = { provider: 'generic', url: 'https://updates.example/' }),
    ],
    [
      'update channels',
      'auto-update',
      /^detectUpdateChannel must not be set/,
      (c) => (c['detectUpdateChannel'] = true),
    ],
    [
      'a fuse left unset',
      'fuses',
      /^electronFuses\.runAsNode must be false in a release build \(it is unset/,
      (c) => delete (c['electronFuses'] as Yaml)['runAsNode'],
    ],
    ['no fuses at all', 'fuses', /^electronFuses\.onlyLoadAppFromAsar must be true/, (c) => delete c['electronFuses']],
    [
      'one Linux target missing',
      'targets',
      /^linux\.target must be exactly \[AppImage, deb\] \(it is \[AppImage\]\)/,
      (c) => (section(c, 'linux')['target'] = ['AppImage']),
    ],
    [
      'an extra Linux target',
      'targets',
      /^linux\.target must be exactly \[AppImage, deb\]/,
      (c) => (section(c, 'linux')['target'] = ['AppImage', 'deb', 'snap']),
    ],
    [
      'macOS targets undeclared',
      'targets',
      /^mac\.target must be exactly \[dmg\] \(it is \[\]\)/,
      (c) => delete section(c, 'mac')['target'],
    ],
    ['Windows targets undeclared', 'targets', /^win\.target must be exactly \[nsis\]/, (c) => delete c['win']],
    [
      'a launch flag',
      'launch',
      /^linux\.executableArgs must not be set: .*--no-sandbox/,
      (c) => (section(c, 'linux')['executableArgs'] = ['--no-sandbox']),
    ],
    [
      'a launch flag in the .deb',
      'launch',
      /^deb\.executableArgs must not be set/,
      (c) => (section(c, 'deb')['executableArgs'] = ['--inspect=9229']),
    ],
    [
      'a rewritten desktop entry',
      'launch',
      /^linux\.desktop\.entry\.Exec must not be set/,
      (c) => (section(c, 'linux')['desktop'] = { entry: { Exec: 'vault-ceremony --remote-debugging-port=9222' } }),
    ],
    [
      'a URL handler',
      'launch',
      /^protocols must not be set/,
      (c) => (c['protocols'] = [{ name: 'vault-ceremony', schemes: ['vault-ceremony'] }]),
    ],
    [
      'a rewritten package.json',
      'metadata',
      /^extraMetadata must not be set/,
      (c) => (c['extraMetadata'] = { main: 'electron/app/main.ts' }),
    ],
    [
      'no hardened runtime',
      'hardened-runtime',
      /^mac\.hardenedRuntime must not be false/,
      (c) => (section(c, 'mac')['hardenedRuntime'] = false),
    ],
  ];
  for (const [name, kind, message, edit] of cases) {
    it(`${kind}: ${name}`, async () => {
      const violations = await releaseViolations(edit);
      expect(violations.length, JSON.stringify(violations)).toBeGreaterThan(0);
      expect(
        violations.every((v) => v.kind === kind),
        JSON.stringify(violations),
      ).toBe(true);
      expect(
        violations.some((v) => message.test(v.message)),
        JSON.stringify(violations),
      ).toBe(true);
    });
  }

  for (const rule of FUSE_RULES) {
    it(`fuses: ${rule.name} flipped`, async () => {
      const violations = await releaseViolations((c) => ((c['electronFuses'] as Yaml)[rule.name] = !rule.release));
      expect(violations).toEqual([
        {
          kind: 'fuses',
          message: `electronFuses.${rule.name} must be ${rule.release} in a release build (it is ${!rule.release}): ${rule.why}`,
        },
      ]);
    });
  }

  it('an option electron-builder does not know (such as nodeIntegration) fails its schema', async () => {
    const config = releaseYaml();
    config['nodeIntegration'] = true;
    const { release } = await load(config);
    expect(!release.ok && release.error.kind).toBe('config-invalid');
    expect(!release.ok && release.error.message).toMatch(
      /^electron-builder\.yml does not match electron-builder's schema: .*nodeIntegration/,
    );
  });

  it('a file that is not YAML cannot be read', async () => {
    const { release } = await load('asar: [true\n');
    expect(!release.ok && release.error.kind).toBe('config-unreadable');
    expect(!release.ok && release.error.message).toMatch(
      /^electron-builder\.yml cannot be read as an electron-builder configuration: /,
    );
  });
});

describe('the test build may differ from the release only in its inspector fuse, name and output folder', () => {
  async function testViolations(edit: (config: Yaml) => void) {
    const config = testYaml();
    edit(config);
    const loaded = await load(releaseYaml(), config);
    if (!loaded.release.ok || !loaded.test.ok) throw new Error('a configuration did not load');
    return [
      ...checkBuilderConfig(loaded.test.value, 'test'),
      ...checkTestDerivation(loaded.release.value, loaded.test.value),
    ];
  }

  it('refuses a test build without the inspector Playwright needs', async () => {
    const violations = await testViolations((c) => delete c['electronFuses']);
    expect(violations.map((v) => v.kind)).toEqual(['fuses']);
    expect(violations[0]!.message).toMatch(
      /^electronFuses\.enableNodeCliInspectArguments must be true in a test build/,
    );
  });

  it('refuses any other difference, naming where it is', async () => {
    const violations = await testViolations((c) => ((c['electronFuses'] as Yaml)['runAsNode'] = true));
    expect(violations.map((v) => v.kind).sort()).toEqual(['fuses', 'test-build']);
    expect(violations.find((v) => v.kind === 'test-build')!.message).toMatch(
      /^the test build differs from the release build at electronFuses\.runAsNode: /,
    );

    const unpacked = await testViolations((c) => (c['asarUnpack'] = ['dist/**']));
    expect(unpacked.map((v) => v.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^asarUnpack must not be set/),
        expect.stringMatching(/^the test build differs from the release build at asarUnpack: /),
      ]),
    );
  });

  it('arrays merge as unions under extends, so a test build cannot drop a release target either', async () => {
    const violations = await testViolations((c) => (section(c, 'linux')['target'] = ['dir']));
    expect(violations).toEqual([
      expect.objectContaining({ kind: 'test-build', message: expect.stringMatching(/at linux\.target: /) }),
    ]);
  });

  it('refuses a test build that writes into the release folder or is named like a release', async () => {
    const sameFolder = await testViolations((c) => ((c['directories'] as Yaml)['output'] = 'out/release'));
    expect(sameFolder.map((v) => v.message)).toEqual([
      expect.stringMatching(/^directories\.output of the test build must be a folder of its own/),
    ]);
    const sameName = await testViolations((c) => (c['productName'] = 'vault-ceremony'));
    expect(sameName.map((v) => v.message)).toEqual([
      expect.stringMatching(/^productName of the test build must say 'test'/),
    ]);
  });
});
