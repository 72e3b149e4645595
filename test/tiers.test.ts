/**
 * The test tiers (vitest.config.ts): a file marked `// @tier integration` on its first line is an
 * integration test, and the unit tier, where this file runs, refuses a process or a server, so a
 * test needing one fails there loudly.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTEGRATION_MARK, integrationTests } from '../vitest.config';

const ROOT = join(import.meta.dirname, '..');

describe('test tiers', () => {
  it('puts exactly the test files whose first line is the mark in the integration tier', () => {
    const root = mkdtempSync(join(tmpdir(), 'vc-tiers-'));
    try {
      const write = (path: string, text: string) => {
        mkdirSync(join(root, path, '..'), { recursive: true });
        writeFileSync(join(root, path), text);
      };
      write('cli/a.test.ts', `${INTEGRATION_MARK}\nimport 'x';\n`);
      write('test/deep/b.test.tsx', `${INTEGRATION_MARK}\n`);
      write('shared/c.test.ts', `import 'x';\n${INTEGRATION_MARK}\n`); // not the first line: unit
      write('shared/d.ts', `${INTEGRATION_MARK}\n`); // not a test file
      write('test/fixtures/e.test.ts', `${INTEGRATION_MARK}\n`); // fixtures are data
      expect(integrationTests(root)).toEqual(['cli/a.test.ts', 'test/deep/b.test.tsx']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('finds the real integration tests, and this file is not one', () => {
    const found = integrationTests(ROOT);
    expect(found.length).toBeGreaterThan(40);
    expect(found).toContain('test/rehearse-cli.test.ts');
    expect(found).not.toContain('test/tiers.test.ts');
  });

  it('a unit test cannot start a process, gpg or any other', () => {
    expect(() => execFileSync('gpg', ['--version'])).toThrow(/@tier integration/);
    expect(() => spawn('true')).toThrow(/child_process\.spawn: a unit test may not start a process/);
  });

  it('a unit test cannot listen on a socket (a TLS, HTTP or plain server)', () => {
    const server = createServer();
    expect(() => server.listen(0, '127.0.0.1')).toThrow(/net\.Server\.listen: a unit test may not start/);
  });
});
