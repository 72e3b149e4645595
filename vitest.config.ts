import { defineConfig } from 'vitest/config';

const ALL_TESTS = ['{shared,electron,rehearsal-vault,cli,renderer,scripts,test}/**/*.test.{ts,tsx}'];

/**
 * The test files that need gpg, a TLS or HTTP server, a child process (the CLI, esbuild, Vite) or
 * a browser build: the `integration` tier, run by `npm test`. Every other test file is in the `unit`
 * tier (`npm run test:fast` too), where test/support/unit-tier-guard.ts makes starting a process or
 * a server fail the test, so a test that needs one cannot stay there unnoticed.
 */
export const INTEGRATION_TESTS: readonly string[] = [
  'cli/commands/decode.test.ts',
  'cli/commands/otp.test.ts',
  'cli/commands/sign-checksums.test.ts',
  'cli/commands/verify.test.ts',
  'electron/app/ipc/ceremony-handlers.test.ts',
  'electron/app/ipc/channel-handlers.test.ts',
  'electron/app/ipc/operation-handlers.test.ts',
  'electron/services/ceremony/ceremony-service.test.ts',
  'electron/services/journal/journal.test.ts',
  'electron/services/rehearsal/headless-driver.test.ts',
  'electron/services/rehearsal/headless-rehearsal.test.ts',
  'electron/services/rehearsal/rehearsal-host.test.ts',
  'electron/services/transcript/signing.test.ts',
  'electron/services/transcript/verify.test.ts',
  'electron/services/vault/client.test.ts',
  'electron/services/vault/tls-diagnosis.test.ts',
  'electron/services/vault/tls-material.test.ts',
  'electron/services/vault/transport.test.ts',
  'rehearsal-vault/pki.test.ts',
  'rehearsal-vault/rehearsal-cluster-set.test.ts',
  'rehearsal-vault/vault-share-encryption.test.ts',
  'scripts/packaging/lib/package-lock.test.ts',
  'scripts/packaging/lib/sha256sums.test.ts',
  'test/cli-start.test.ts',
  'test/drills/journal-full.test.ts',
  'test/drills/kill-and-resume.test.ts',
  'test/drills/vault-faults.test.ts',
  'test/fuzz/ceremony-plan.fuzz.test.ts',
  'test/fuzz/vault-response.fuzz.test.ts',
  'test/gpg-share-decryption.test.ts',
  'test/packaging-build.test.ts',
  'test/packaging-scripts.test.ts',
  'test/rehearsal-crash-resume.test.ts',
  'test/rehearsal-secret-leak.test.ts',
  'test/rehearsal-vault-cli.test.ts',
  'test/rehearsal-vault-client.test.ts',
  'test/rehearse-cli.test.ts',
  'test/security/electron-checklist.test.ts',
  'test/security/secret-wipe.test.ts',
  'test/security/signed-authorisation.test.ts',
  'test/security/tls-verification.test.ts',
];

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
          // These tests spawn the built `vault-ceremony`: build it from the sources of this run.
          globalSetup: ['test/support/build-cli-once.ts'],
        },
      },
    ],
  },
});
