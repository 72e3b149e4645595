/**
 * The built programs tests run: the `vault-ceremony` command as the package's `bin` runs it (the
 * bundle `npm run build:cli` emits; `npm ci` builds it through `prepare`), and the app's worker
 * that verifies bundles. The Vitest run builds both again from the sources of the moment, see
 * test/support/build-once.ts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const BUILT_CLI = join(ROOT, 'dist', 'cli', 'vault-ceremony.mjs');

/** The built command's path; throws, saying how to build it, when it has not been built. */
export function builtCli(): string {
  if (!existsSync(BUILT_CLI))
    throw new Error(`${BUILT_CLI} is missing: run \`npm run build:cli\` (\`npm ci\` runs it through \`prepare\`)`);
  return BUILT_CLI;
}

const BUILT_VERIFIER = join(ROOT, 'dist', 'electron', 'verify-worker.cjs');

/** The app's bundle-verifying worker as `npm run build` emits it (the Vitest run builds it too). */
export function builtBundleVerifier(): string {
  if (!existsSync(BUILT_VERIFIER))
    throw new Error(
      `${BUILT_VERIFIER} is missing: run \`node scripts/build-bundle-verifier.mjs\` or \`npm run build\``,
    );
  return BUILT_VERIFIER;
}
