import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// The house's rules, read from the imports of every source file (tests may cross them: an
// integration test drives the ceremony against the simulator on purpose).
// - One direction: renderer → shared ← electron ← cli.
// - Only electron/app/ (the Electron-bound part of the main process) imports `electron`.
// - The rehearsal Vault (rehearsal-vault/) is a Vault stand-in: it knows nothing of the app.
// - The ceremony never reaches into the simulator; only the rehearsal harness
//   (electron/services/rehearsal/) joins the two.
const root = join(import.meta.dirname, '..');
const ROOTS = ['shared', 'renderer', 'electron', 'rehearsal-vault', 'cli', 'scripts', 'bench', 'test', 'e2e'];

interface Rule {
  /** Folder (relative to the repository) whose source files the rule covers. */
  readonly scope: string;
  /** What they must not import: a package name pattern or a repository folder prefix. */
  readonly forbidden: readonly (RegExp | string)[];
}

const RULES: readonly Rule[] = [
  {
    scope: 'shared',
    forbidden: [/^node:/, /^electron$/, /^react/, 'electron/', 'renderer/', 'cli/', 'rehearsal-vault/'],
  },
  {
    scope: 'renderer',
    forbidden: [/^node:/, /^electron$/, /^openpgp/, /^@peculiar/, 'electron/', 'cli/', 'rehearsal-vault/'],
  },
  { scope: 'electron', forbidden: [/^react/, 'renderer/', 'cli/'] },
  { scope: 'electron/services', forbidden: [/^electron$/, 'electron/app/'] },
  { scope: 'rehearsal-vault', forbidden: [/^electron$/, /^react/, 'electron/', 'renderer/', 'cli/'] },
  { scope: 'electron/services/ceremony', forbidden: ['rehearsal-vault/', 'electron/services/rehearsal/'] },
  { scope: 'shared/ceremony', forbidden: ['rehearsal-vault/'] },
  { scope: 'cli', forbidden: [/^electron$/, 'renderer/'] },
  { scope: 'scripts', forbidden: [/^electron$/, 'renderer/'] },
];

function sourceFiles(dir: string, withTests = false): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path, withTests);
    if (!/\.(ts|tsx|mts)$/.test(name)) return [];
    return withTests || !/\.(test|spec)\.tsx?$/.test(name) ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] ?? m[2] ?? '');
}

/** A relative import as a repository path (`electron/services/vault/client`); a package as itself. */
function target(file: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  return relative(root, normalize(join(dirname(file), spec)))
    .split(sep)
    .join('/');
}

function violations(rule: Rule): string[] {
  return sourceFiles(join(root, rule.scope)).flatMap((file) =>
    importsOf(file)
      .filter((spec) => {
        const to = target(file, spec);
        return rule.forbidden.some((f) =>
          typeof f === 'string' ? to.startsWith(f) && spec.startsWith('.') : f.test(spec),
        );
      })
      .map((spec) => `${relative(root, file)} imports ${spec}`),
  );
}

describe('layering', () => {
  for (const rule of RULES) {
    it(`${rule.scope}/ imports nothing it must not (${rule.forbidden.join(', ')})`, () => {
      expect(violations(rule)).toEqual([]);
    });
  }

  it('no file outside electron/app/ imports electron, tests included', () => {
    const offenders = ROOTS.flatMap((dir) => sourceFiles(join(root, dir), true))
      .filter((file) => !relative(root, file).startsWith(join('electron', 'app') + sep))
      .filter((file) => importsOf(file).includes('electron'));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('the retired folders stay gone', () => {
    for (const gone of ['electron/rehearsal', 'electron/packaging', 'electron/ipc', 'bin']) {
      expect(() => statSync(join(root, gone)), gone).toThrow();
    }
  });

  it('a rule catches what it forbids (the check itself can fail)', () => {
    const ceremony = join(root, 'electron/services/ceremony/ceremony-service.ts');
    expect(target(ceremony, '../../../rehearsal-vault/cluster')).toBe('rehearsal-vault/cluster');
    const rule = RULES.find((r) => r.scope === 'electron/services/ceremony')!;
    const forbiddenTarget = target(ceremony, '../../../rehearsal-vault/cluster');
    expect(rule.forbidden.some((f) => typeof f === 'string' && forbiddenTarget.startsWith(f))).toBe(true);
  });
});
