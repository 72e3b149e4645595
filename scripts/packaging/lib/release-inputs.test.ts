import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePackageLock, type PackageLock } from './package-lock';
import { checkReleaseInputs, type PackageJson } from './release-inputs';

const root = join(import.meta.dirname, '..', '..', '..');
const realPackage = () =>
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson & Record<string, unknown>;
const realLock = (): PackageLock => {
  const lock = parsePackageLock(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  if (!lock.ok) throw new Error(lock.error.message);
  return structuredClone(lock.value);
};

describe('release inputs: package.json and package-lock.json', () => {
  it('the project’s own pass', () => {
    expect(checkReleaseInputs(realPackage(), realLock())).toEqual([]);
  });

  it('a "build" field in package.json fails', () => {
    const problems = checkReleaseInputs({ ...realPackage(), build: { asar: false } }, realLock());
    expect(problems).toEqual([
      { kind: 'package-json', message: expect.stringMatching(/^package\.json must have no "build" field/) },
    ]);
  });

  it('a main outside dist/ fails', () => {
    const problems = checkReleaseInputs({ ...realPackage(), main: 'electron/app/main.ts' }, realLock());
    expect(problems).toEqual([
      { kind: 'package-json', message: expect.stringMatching(/^package\.json "main" must point into dist\//) },
    ]);
  });

  it('a version range fails, naming the dependency', () => {
    const pkg = realPackage();
    const problems = checkReleaseInputs(
      { ...pkg, dependencies: { ...pkg.dependencies, openpgp: '^6.3.2' } },
      realLock(),
    );
    expect(problems.map((p) => p.kind)).toContain('unpinned');
    expect(problems.find((p) => p.kind === 'unpinned')!.message).toMatch(
      /^dependencies\.openpgp is '\^6\.3\.2': pin an exact version/,
    );
  });

  it('a lockfile that disagrees with package.json fails', () => {
    const lock = realLock();
    lock.packages['node_modules/zod']!.version = '4.0.0';
    expect(checkReleaseInputs(realPackage(), lock)).toEqual([
      {
        kind: 'lockfile',
        message: expect.stringMatching(/^package-lock\.json has zod 4\.0\.0 but package\.json pins 4\.6\.7/),
      },
    ]);
  });

  it('a locked package without an integrity hash fails', () => {
    const lock = realLock();
    delete lock.packages['node_modules/react']!.integrity;
    expect(checkReleaseInputs(realPackage(), lock)).toEqual([
      {
        kind: 'lockfile',
        message: expect.stringMatching(/^package-lock\.json has no integrity hash for node_modules\/react: /),
      },
    ]);
  });

  it('an auto-updater or telemetry SDK anywhere in the production closure fails', () => {
    const lock = realLock();
    lock.packages['node_modules/openpgp']!.dependencies = { '@sentry/electron': '5.0.0' };
    lock.packages['node_modules/@sentry/electron'] = { version: '5.0.0', integrity: 'sha512-AAAA', license: 'MIT' };
    const problems = checkReleaseInputs(realPackage(), lock);
    expect(problems).toEqual([
      {
        kind: 'phones-home',
        message: expect.stringMatching(
          /^@sentry\/electron \(node_modules\/@sentry\/electron\) is an auto-updater or telemetry package/,
        ),
      },
    ]);

    // The same package as a devDependency only (a test tool, say) is not loadable by the app.
    const devOnly = realLock();
    devOnly.packages['node_modules/electron-updater'] = { version: '6.0.0', integrity: 'sha512-AAAA', dev: true };
    expect(checkReleaseInputs(realPackage(), devOnly)).toEqual([]);
  });
});
