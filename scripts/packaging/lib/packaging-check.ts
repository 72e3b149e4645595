/**
 * `npm run package:check`: every packaging rule, on this machine, without building or downloading
 * anything. The release and test builder configurations (as electron-builder loads them),
 * package.json and package-lock.json.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadBuilderConfig } from './builder-config';
import { checkBuilderConfig, checkTestDerivation } from './builder-rules';
import { parsePackageLock } from './package-lock';
import { checkReleaseInputs, type PackageJson } from './release-inputs';

export const RELEASE_CONFIG = 'electron-builder.yml';
export const TEST_CONFIG = 'build/electron-builder.test.yml';

export interface PackagingViolation {
  /** The file to change, relative to the project. */
  readonly file: string;
  readonly kind: string;
  readonly message: string;
}

export interface PackagingReport {
  readonly checked: readonly string[];
  readonly violations: readonly PackagingViolation[];
}

export async function checkPackaging(projectDir: string): Promise<PackagingReport> {
  const violations: PackagingViolation[] = [];
  const add = (file: string, found: ReadonlyArray<{ kind: string; message: string }>) =>
    violations.push(...found.map((v) => ({ file, ...v })));

  const release = await loadBuilderConfig(projectDir, RELEASE_CONFIG);
  if (release.ok) add(RELEASE_CONFIG, checkBuilderConfig(release.value, 'release'));
  else add(RELEASE_CONFIG, [release.error]);

  const test = await loadBuilderConfig(projectDir, TEST_CONFIG);
  if (test.ok) {
    add(TEST_CONFIG, checkBuilderConfig(test.value, 'test'));
    if (release.ok) add(TEST_CONFIG, checkTestDerivation(release.value, test.value));
  } else add(TEST_CONFIG, [test.error]);

  const pkg = await readJson(join(projectDir, 'package.json'));
  const lockText = await readFile(join(projectDir, 'package-lock.json'), 'utf8').catch(() => undefined);
  const lock = lockText === undefined ? undefined : parsePackageLock(lockText);
  if (pkg === undefined)
    add('package.json', [{ kind: 'package-json', message: 'package.json is missing or not JSON' }]);
  if (lock === undefined)
    add('package-lock.json', [
      {
        kind: 'lockfile',
        message:
          'package-lock.json is missing: run `npm install` and commit it, so `npm ci` can reproduce the release’s dependencies',
      },
    ]);
  else if (!lock.ok) add('package-lock.json', [lock.error]);
  if (pkg !== undefined && lock?.ok) add('package.json', checkReleaseInputs(pkg, lock.value));

  return { checked: [RELEASE_CONFIG, TEST_CONFIG, 'package.json', 'package-lock.json'], violations };
}

async function readJson(path: string): Promise<PackageJson | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(path, 'utf8'));
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
