/**
 * Vitest global setup: bundles the CLI and the app's bundle-verifying worker once per run (≈0.5 s),
 * so tests that spawn `vault-ceremony` or open bundles through the app's handlers run the sources as
 * they are now, never a bundle left from before an edit or a checkout.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export default function buildOnce(): void {
  const root = join(import.meta.dirname, '..', '..');
  for (const script of ['scripts/build-cli.mjs', 'scripts/build-bundle-verifier.mjs']) {
    const built = spawnSync(process.execPath, [script], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) throw new Error(`node ${script} failed; see its output above`);
  }
}
