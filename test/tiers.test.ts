/**
 * The test tiers (vitest.config.ts): the integration list names real test files, and the unit tier,
 * where this file runs, refuses a process or a server, so a test needing one fails there loudly.
 */
import { existsSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTEGRATION_TESTS } from '../vitest.config';

const ROOT = join(import.meta.dirname, '..');

describe('test tiers', () => {
  it('lists only test files that exist, each once', () => {
    for (const file of INTEGRATION_TESTS) {
      expect(file).toMatch(/\.test\.tsx?$/);
      expect(existsSync(join(ROOT, file)), file).toBe(true);
    }
    expect(new Set(INTEGRATION_TESTS).size).toBe(INTEGRATION_TESTS.length);
    expect(INTEGRATION_TESTS).not.toContain('test/tiers.test.ts');
  });

  it('a unit test cannot start a process, gpg or any other', () => {
    expect(() => execFileSync('gpg', ['--version'])).toThrow(/INTEGRATION_TESTS in vitest\.config\.ts/);
    expect(() => spawn('true')).toThrow(/child_process\.spawn: a unit test may not start a process/);
  });

  it('a unit test cannot listen on a socket (a TLS, HTTP or plain server)', () => {
    const server = createServer();
    expect(() => server.listen(0, '127.0.0.1')).toThrow(/net\.Server\.listen: a unit test may not start/);
  });
});
