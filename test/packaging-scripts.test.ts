// @tier integration
/** The npm scripts as people run them: `npm run package:check` and `npm run sbom`. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
let scratch: string;
beforeAll(() => (scratch = mkdtempSync(join(tmpdir(), 'packaging-scripts-'))));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const script = (name: string, cwd: string, args: string[] = [], env: Record<string, string> = {}) =>
  spawnSync(tsx, [join(root, 'scripts', 'packaging', name), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });

describe('npm run package:check', () => {
  it('passes on this project', () => {
    const r = script('check.ts', root);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      'package:check: every packaging rule holds for electron-builder.yml, build/electron-builder.test.yml, package.json, package-lock.json\n',
    );
  });

  it('fails with one line per violation, naming the file, the rule and the reason', () => {
    const project = join(scratch, 'broken');
    mkdirSync(join(project, 'build'), { recursive: true });
    for (const file of ['package.json', 'package-lock.json', 'build/electron-builder.test.yml'])
      cpSync(join(root, file), join(project, file));
    writeFileSync(
      join(project, 'electron-builder.yml'),
      readFileSync(join(root, 'electron-builder.yml'), 'utf8')
        .replace('asar: true', 'asar: false')
        .replace('runAsNode: false', 'runAsNode: true'),
    );
    const r = script('check.ts', project);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toContain(
      '✗ electron-builder.yml [asar] asar must be true: the app ships as one app.asar, the only place the OnlyLoadAppFromAsar and asar-integrity fuses let Electron load code from',
    );
    expect(
      lines.some((l) =>
        l.startsWith(
          '✗ electron-builder.yml [fuses] electronFuses.runAsNode must be false in a release build (it is true)',
        ),
      ),
    ).toBe(true);
    // The test build extends the release one, so it inherits both faults and reports them too.
    expect(lines.some((l) => l.startsWith('✗ build/electron-builder.test.yml [asar]'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^package:check: \d+ violation\(s\); nothing was built$/);
    expect(r.stdout).toBe('');
  });
});

describe('npm run sbom', () => {
  it('writes the same SBOM twice for the same SOURCE_DATE_EPOCH', () => {
    const [a, b] = ['a.json', 'b.json'].map((name) => {
      const r = script('sbom.ts', root, ['--out', join(scratch, name)], { SOURCE_DATE_EPOCH: '1700000000' });
      expect(r.status, r.stderr).toBe(0);
      return readFileSync(join(scratch, name), 'utf8');
    });
    expect(a).toBe(b);
    expect(JSON.parse(a!).metadata.timestamp).toBe('2023-11-14T22:13:20Z');
    expect(script('sbom.ts', root, [], { SOURCE_DATE_EPOCH: 'soon' }).stderr).toMatch(
      /^sbom: SOURCE_DATE_EPOCH must be whole seconds/,
    );
    expect(script('sbom.ts', root, ['--outfile', 'x']).status).toBe(2);
  });
});
