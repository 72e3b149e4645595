import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// One direction of imports: renderer → shared ← electron ← cli.
const root = join(import.meta.dirname, '..');
const forbidden: Record<string, RegExp[]> = {
  shared: [/^node:/, /^electron$/, /^react/, /\.\.\/(electron|renderer|cli)\//],
  renderer: [/^node:/, /^electron$/, /\.\.\/(electron|cli)\//, /^openpgp/, /^@peculiar/],
  electron: [/\.\.\/(renderer|cli)\//, /^react/],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? '',
  );
}

describe('layering', () => {
  for (const [layer, rules] of Object.entries(forbidden)) {
    it(`${layer}/ imports nothing it must not`, () => {
      const violations = sourceFiles(join(root, layer)).flatMap((file) =>
        importsOf(file)
          .filter((spec) => rules.some((rule) => rule.test(spec)))
          .map((spec) => `${relative(root, file)} imports ${spec}`),
      );
      expect(violations).toEqual([]);
    });
  }
});
