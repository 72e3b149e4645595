/**
 * The rules an electron-builder configuration must follow to package this app for hardened,
 * air-gapped laptops. Each rule is checked on the configuration as electron-builder loads it
 * (builder-config.ts), and each violation says what to change and why.
 */
import type { Configuration } from 'electron-builder';
import type { AppError } from '../../../shared/result';
import { FUSE_RULES, type BuildFlavour } from './fuse-policy';

export type BuilderRule =
  | 'asar'
  | 'files'
  | 'outside-asar'
  | 'node-modules'
  | 'hooks'
  | 'electron-source'
  | 'auto-update'
  | 'fuses'
  | 'targets'
  | 'launch'
  | 'metadata'
  | 'hardened-runtime'
  | 'test-build';

export type BuilderViolation = AppError<BuilderRule>;

/** The beforeBuild hook that keeps node_modules out of app.asar (see build/bundled-dependencies.cjs). */
export const BUNDLED_DEPENDENCIES_HOOK = './build/bundled-dependencies.cjs';

/** What app.asar may hold: the bundles and package.json. */
export const ALLOWED_FILE_PATTERNS: readonly string[] = ['dist/**', 'package.json'];

/** What each release target set must be: Linux is what officers install; the others are declared. */
const RELEASE_TARGETS = { linux: ['AppImage', 'deb'], mac: ['dmg'], win: ['nsis'] } as const;

/** Hooks run code during the build and can change what ships; only the reviewed beforeBuild is allowed. */
const HOOKS = [
  'beforePack',
  'afterExtract',
  'afterPack',
  'afterSign',
  'artifactBuildStarted',
  'artifactBuildCompleted',
  'afterAllArtifactBuild',
  'msiProjectCreated',
  'appxManifestCreated',
  'onNodeModuleFile',
] as const;

/** Platform and target sections, which may repeat several of the root's keys. */
const SECTIONS = [
  'linux',
  'mac',
  'mas',
  'masDev',
  'win',
  'appImage',
  'deb',
  'rpm',
  'snap',
  'flatpak',
  'pacman',
  'freebsd',
  'p5p',
  'apk',
  'dmg',
  'pkg',
  'nsis',
  'nsisWeb',
  'portable',
  'appx',
  'msi',
  'msiWrapped',
  'squirrelWindows',
] as const;

type Section = Readonly<Record<string, unknown>>;

/** Every rule for a configuration of the given flavour. */
export function checkBuilderConfig(config: Configuration, flavour: BuildFlavour): BuilderViolation[] {
  const root = config as unknown as Section;
  const sections: Array<[string, Section]> = [['', root]];
  for (const name of SECTIONS) {
    const section = root[name];
    if (isObject(section)) sections.push([`${name}.`, section]);
  }
  const violations: BuilderViolation[] = [];
  const violation = (kind: BuilderRule, message: string) => violations.push({ kind, message });

  // One archive, nothing beside it.
  if (config.asar !== true)
    violation(
      'asar',
      'asar must be true: the app ships as one app.asar, the only place the OnlyLoadAppFromAsar and asar-integrity fuses let Electron load code from',
    );
  if (config.disableAsarIntegrity === true)
    violation(
      'asar',
      'disableAsarIntegrity must not be set: the asar-integrity fuse needs the hash electron-builder records for app.asar',
    );
  if (config.disableSanityCheckAsar === true)
    violation(
      'asar',
      'disableSanityCheckAsar must not be set: the sanity check proves package.json’s main is inside app.asar',
    );
  for (const [path, section] of sections) {
    if (path !== '' && 'asar' in section)
      violation('asar', `${path}asar must not be set: asar is decided once, at the top level`);
    for (const key of ['asarUnpack', 'extraResources', 'extraFiles'] as const) {
      if (present(section[key]))
        violation(
          'outside-asar',
          `${path}${key} must not be set: files outside app.asar escape the asar-integrity check and can be swapped on disk`,
        );
    }
    if (path !== '' && 'files' in section)
      violation('files', `${path}files must not be set: what the app contains is decided once, at the top level`);
  }
  checkFiles(config.files, violation);

  // Runtime dependencies are bundled into dist/; node_modules must neither ship nor be rebuilt.
  if (config.beforeBuild !== BUNDLED_DEPENDENCIES_HOOK)
    violation(
      'node-modules',
      `beforeBuild must be '${BUNDLED_DEPENDENCIES_HOOK}': without it electron-builder copies every production node_module (tsx and esbuild's native binary among them) into app.asar beside the bundles`,
    );
  if (config.npmRebuild === false)
    violation(
      'node-modules',
      'npmRebuild must not be false: electron-builder then skips the beforeBuild hook, and copies node_modules into app.asar',
    );

  for (const hook of HOOKS) {
    if (present(root[hook]))
      violation(
        'hooks',
        `${hook} must not be set: build hooks run code that can change what ships, and only the reviewed beforeBuild hook is allowed`,
      );
  }

  // Electron comes from its official release, checked against the checksums its locked npm package pins.
  if (present(config.electronDist))
    violation(
      'electron-source',
      'electronDist must not be set: it packages a local Electron whose origin nobody checked (the release passes electronDownload checksums from node_modules/electron/checksums.json instead)',
    );
  if (present(config.electronDownload))
    violation(
      'electron-source',
      'electronDownload must not be set here: a mirror or disabled checksums would let another Electron in; the release script supplies the checksums the lockfile pins',
    );
  if (present(config.electronVersion))
    violation(
      'electron-source',
      'electronVersion must not be set: electron-builder then takes the version from node_modules/electron, which package-lock.json pins',
    );

  // No auto-update, no telemetry.
  if (config.publish !== null)
    violation(
      'auto-update',
      'publish must be null: the app has no update server, and with publish unset electron-builder guesses one from package.json and writes an app-update.yml',
    );
  for (const [path, section] of sections) {
    if (path !== '' && present(section['publish']))
      violation('auto-update', `${path}publish must not be set: the app has no update server`);
    for (const key of [
      'detectUpdateChannel',
      'generateUpdatesFilesForAllChannels',
      'electronUpdaterCompatibility',
    ] as const) {
      if (present(section[key]) && section[key] !== false)
        violation('auto-update', `${path}${key} must not be set: the app has no auto-update`);
    }
  }

  for (const rule of FUSE_RULES) {
    const value = config.electronFuses?.[rule.name];
    if (value !== rule[flavour])
      violation(
        'fuses',
        `electronFuses.${rule.name} must be ${rule[flavour]} in a ${flavour} build (it is ${value === undefined ? 'unset, so Electron’s default applies' : value}): ${rule.why}`,
      );
  }

  if (flavour === 'release') checkTargets(root, violation);

  // How the app is started: no extra flags, no URL handlers, no rewritten package.json.
  for (const [path, section] of sections) {
    if (present(section['executableArgs']))
      violation(
        'launch',
        `${path}executableArgs must not be set: each flag is passed at every start (--no-sandbox, --inspect, --disable-web-security …) and the app needs none`,
      );
    const desktop = section['desktop'];
    const entry = isObject(desktop) ? desktop['entry'] : undefined;
    if (isObject(entry) && 'Exec' in entry)
      violation(
        'launch',
        `${path}desktop.entry.Exec must not be set: the desktop entry must start the packaged binary as electron-builder writes it`,
      );
    if (present(section['protocols']))
      violation(
        'launch',
        `${path}protocols must not be set: a URL handler would let any web page or program start the ceremony app with input of its choosing`,
      );
  }
  if (present(config.extraMetadata))
    violation(
      'metadata',
      'extraMetadata must not be set: it rewrites the packaged package.json (main, dependencies …), so what ships differs from what was reviewed',
    );

  if (config.mac?.hardenedRuntime === false)
    violation(
      'hardened-runtime',
      'mac.hardenedRuntime must not be false: the macOS hardened runtime blocks code injection into a signed app',
    );
  return violations;
}

/**
 * The test build must be the release build with only the inspector fuse on, under a name and
 * output folder of its own: `test` is as loaded (with `extends`), `release` the release config.
 */
export function checkTestDerivation(release: Configuration, test: Configuration): BuilderViolation[] {
  const allowed = new Set([
    'extends',
    'productName',
    'directories.output',
    'linux.executableName',
    'electronFuses.enableNodeCliInspectArguments',
  ]);
  const differences = differingPaths(release, test).filter((path) => !allowed.has(path));
  const violations: BuilderViolation[] = differences.map((path) => ({
    kind: 'test-build',
    message: `the test build differs from the release build at ${path}: it may change only ${[...allowed].filter((p) => p !== 'extends').join(', ')}, so what Playwright tests is what ships`,
  }));
  const testOutput = test.directories?.output ?? '';
  if (testOutput === release.directories?.output || !/test/i.test(testOutput))
    violations.push({
      kind: 'test-build',
      message: `directories.output of the test build must be a folder of its own named for it (such as out/test), not '${testOutput}': test builds must never mix with release artefacts`,
    });
  if (!/test/i.test(test.productName ?? ''))
    violations.push({
      kind: 'test-build',
      message: `productName of the test build must say 'test' (it is '${test.productName ?? ''}'), so a build with the inspector open is never mistaken for a release`,
    });
  return violations;
}

function checkFiles(files: Configuration['files'], violation: (kind: BuilderRule, message: string) => void): void {
  const patterns: string[] = [];
  for (const item of files === undefined || files === null ? [] : Array.isArray(files) ? files : [files]) {
    if (typeof item === 'string') patterns.push(item);
    else if (item.from !== undefined || item.to !== undefined)
      violation(
        'files',
        `files must not copy from or to other folders (found from: ${item.from ?? '.'}, to: ${item.to ?? '.'}): list only ${ALLOWED_FILE_PATTERNS.join(' and ')}`,
      );
    else
      patterns.push(
        ...(item.filter === undefined ? [] : typeof item.filter === 'string' ? [item.filter] : item.filter),
      );
  }
  const included = patterns.filter((p) => !p.startsWith('!'));
  for (const pattern of included) {
    if (!ALLOWED_FILE_PATTERNS.includes(pattern))
      violation(
        'files',
        `files must include only ${ALLOWED_FILE_PATTERNS.join(' and ')} (exclusions starting with ! are fine), not '${pattern}': everything else in the repository stays out of the app`,
      );
  }
  for (const pattern of ALLOWED_FILE_PATTERNS) {
    if (!included.includes(pattern))
      violation(
        'files',
        `files must list '${pattern}': without it electron-builder falls back to packaging the whole project folder`,
      );
  }
}

function checkTargets(root: Section, violation: (kind: BuilderRule, message: string) => void): void {
  for (const [platform, expected] of Object.entries(RELEASE_TARGETS)) {
    const section = root[platform];
    const declared = targetNames(isObject(section) ? section['target'] : undefined);
    const same = declared.length === expected.length && expected.every((t) => declared.includes(t));
    if (!same)
      violation(
        'targets',
        `${platform}.target must be exactly [${expected.join(', ')}] (it is [${declared.join(', ')}]): those are the artefacts the install procedure and SHA256SUMS cover`,
      );
  }
}

function targetNames(target: unknown): string[] {
  const list = target === undefined || target === null ? [] : Array.isArray(target) ? target : [target];
  return list.map((t) =>
    typeof t === 'string' ? t : isObject(t) && typeof t['target'] === 'string' ? t['target'] : String(t),
  );
}

/** Dotted paths (arrays compared whole) at which two configurations differ. */
function differingPaths(a: unknown, b: unknown, prefix = ''): string[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => differingPaths(a[key], b[key], prefix === '' ? key : `${prefix}.${key}`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}

function present(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
