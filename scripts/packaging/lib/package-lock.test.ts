// @tier integration
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePackageLock, productionClosure, resolveDependency, type PackageLock } from './package-lock';

const root = join(import.meta.dirname, '..', '..', '..');
const realLock = (): PackageLock => {
  const lock = parsePackageLock(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  if (!lock.ok) throw new Error(lock.error.message);
  return lock.value;
};

function lockOf(packages: PackageLock['packages']): PackageLock {
  return { name: 'app', version: '1.0.0', lockfileVersion: 3, packages };
}

describe('package-lock.json', () => {
  it('resolves a dependency to the nearest node_modules folder, as Node does', () => {
    const lock = lockOf({
      '': { dependencies: { a: '1.0.0', '@s/b': '1.0.0' } },
      'node_modules/a': { version: '1.0.0', dependencies: { c: '^2.0.0', '@s/b': '1.0.0' } },
      'node_modules/a/node_modules/c': { version: '2.0.0', dependencies: { '@s/b': '1.0.0', d: '1' } },
      'node_modules/@s/b': { version: '1.0.0' },
      'node_modules/c': { version: '1.0.0' },
      'node_modules/d': { version: '1.0.0' },
    });
    expect(resolveDependency(lock, 'node_modules/a', 'c')).toBe('node_modules/a/node_modules/c');
    expect(resolveDependency(lock, 'node_modules/a/node_modules/c', '@s/b')).toBe('node_modules/@s/b');
    expect(resolveDependency(lock, 'node_modules/a/node_modules/c', 'd')).toBe('node_modules/d');
    expect(resolveDependency(lock, '', 'c')).toBe('node_modules/c');
    expect(resolveDependency(lock, 'node_modules/@s/b', 'missing')).toBeUndefined();
  });

  it('the production closure follows dependencies, optional and required peers, and never devDependencies', () => {
    const lock = lockOf({
      '': { dependencies: { a: '1.0.0' }, optionalDependencies: { o: '1.0.0' }, devDependencies: { t: '1.0.0' } },
      'node_modules/a': {
        version: '1.0.0',
        dependencies: { b: '1' },
        peerDependencies: { p: '1', q: '1' },
        peerDependenciesMeta: { q: { optional: true } },
      },
      'node_modules/b': { version: '1.0.0', optionalDependencies: { 'not-installed': '1' } },
      'node_modules/p': { version: '1.0.0' },
      'node_modules/q': { version: '1.0.0', dev: true },
      'node_modules/o': { version: '1.0.0', optional: true },
      'node_modules/t': { version: '1.0.0', dev: true, dependencies: { b: '1' } },
    });
    const closure = productionClosure(lock);
    expect(closure.map((p) => p.path)).toEqual([
      'node_modules/a',
      'node_modules/b',
      'node_modules/o',
      'node_modules/p',
    ]);
    expect(closure.find((p) => p.name === 'a')!.dependsOn).toEqual(['node_modules/b', 'node_modules/p']);
    expect(closure.find((p) => p.name === 'o')!.optional).toBe(true);
  });

  it('on the real lockfile, the closure is exactly what npm itself marks as not dev-only', () => {
    const lock = realLock();
    const npmProduction = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.dev !== true && entry.devOptional !== true)
      .map(([path]) => path)
      .sort();
    expect(productionClosure(lock).map((p) => p.path)).toEqual(npmProduction);
  });

  it('on the real project, it covers every production package npm ls finds installed', () => {
    const ls = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8' });
    const installed = ls.stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => relative(root, line))
      .filter((path) => path !== '');
    expect(installed.length).toBeGreaterThan(10);
    const closure = new Set(productionClosure(realLock()).map((p) => p.path));
    expect(installed.filter((path) => !closure.has(path))).toEqual([]);
  });

  it('refuses what is not an npm 7+ lockfile, saying how to get one', () => {
    const v1 = parsePackageLock(JSON.stringify({ name: 'a', version: '1.0.0', lockfileVersion: 1, dependencies: {} }));
    expect(!v1.ok && v1.error.message).toMatch(/lockfileVersion must be 2 or 3/);
    const garbage = parsePackageLock('{"name":');
    expect(!garbage.ok && garbage.error.message).toMatch(/not JSON: regenerate it/);
    const noRoot = parsePackageLock(JSON.stringify({ name: 'a', version: '1.0.0', lockfileVersion: 3, packages: {} }));
    expect(!noRoot.ok && noRoot.error.kind).toBe('lockfile-invalid');
  });
});
