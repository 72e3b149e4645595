// `npm run build:cli` (and `prepare`, so `npm ci` runs it): the `vault-ceremony` command bundled
// once into dist/cli/, so a start loads JavaScript instead of compiling TypeScript.
// Packages stay external and load from node_modules as any dependency does. Each command is its
// own chunk (splitting), so `--help` loads no command and a command loads only its packages.
import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const CLI_DIR = 'dist/cli';

rmSync(CLI_DIR, { recursive: true, force: true }); // no chunk of an older build survives
await build({
  entryPoints: { 'vault-ceremony': 'cli/vault-ceremony.ts' },
  outdir: CLI_DIR,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync(`${CLI_DIR}/vault-ceremony.mjs`, 0o755);
