/**
 * Vitest global setup: bundles the CLI once per run (≈0.2 s), so tests that spawn `vault-ceremony`
 * run the sources as they are now, never a bundle left from before an edit or a checkout.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export default function buildCliOnce(): void {
  const root = join(import.meta.dirname, '..', '..');
  const built = spawnSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build:cli failed; see its output above');
}
