import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

const TEST_ROOTS = ['shared', 'electron', 'rehearsal-vault', 'cli', 'renderer', 'scripts', 'test'];
const ALL_TESTS = [`{${TEST_ROOTS.join(',')}}/**/*.test.{ts,tsx}`];
/** The first line of a test file that needs gpg, a server, a child process or a browser build. */
export const INTEGRATION_MARK = '// @tier integration';

/**
 * The test files that need gpg, a TLS or HTTP server, a child process (the CLI, esbuild, Vite) or
 * a browser build: the `integration` tier, run by `npm test`. A file says so itself, on its first
 * line, so the tier travels with the test. Every other test file is in the `unit` tier (`npm run
 * test:fast` too), where test/support/unit-tier-guard.ts makes starting a process or a server fail
 * the test, so a test that needs one cannot stay there unnoticed.
 */
export function integrationTests(root: string = import.meta.dirname): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'fixtures') walk(path);
      } else if (
        /\.test\.tsx?$/.test(entry.name) &&
        readFileSync(join(root, path), 'utf8').startsWith(INTEGRATION_MARK)
      )
        found.push(path);
    }
  };
  for (const dir of TEST_ROOTS) if (existsSync(join(root, dir))) walk(dir);
  return found.sort();
}

const INTEGRATION_TESTS = integrationTests();

export default defineConfig({
  test: {
    environment: 'node',
    // gpg key generation and real TLS handshakes are slow on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Vitest's default is one worker less than the cores: one on this 2-core machine. Most slow
    // files wait on gpg, a server or a child process, so two files at a time keep both cores busy.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ALL_TESTS,
          exclude: [...INTEGRATION_TESTS],
          setupFiles: ['test/support/unit-tier-guard.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [...INTEGRATION_TESTS],
          // These tests spawn the built `vault-ceremony` or the app's verifier worker: build them from this run's sources.
          globalSetup: ['test/support/build-once.ts'],
        },
      },
    ],
  },
});
