import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,electron,rehearsal-vault,cli,renderer,scripts,test}/**/*.test.{ts,tsx}'],
    environment: 'node',
    // Tests spawn the built `vault-ceremony`: build it from the sources of this run.
    globalSetup: ['test/support/build-cli-once.ts'],
    // gpg key generation and real TLS handshakes are slow on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
