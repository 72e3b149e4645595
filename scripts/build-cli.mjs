// `npm run build:cli` (and `prepare`, so `npm ci` runs it): the `vault-ceremony` command bundled
// once into dist/cli/, so a start loads JavaScript instead of compiling TypeScript.
// Packages stay external and load from node_modules as any dependency does. Each command is its
// own chunk (splitting), so `--help` loads no command and a command loads only its packages.
import { chmodSync, existsSync, lstatSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
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

// npm links every dependency's bin into node_modules/.bin but not the project's own, so `npx
// vault-ceremony` would install the project into npm's cache and resolve it there (≈0.7 s of npm
// before the command starts, and a stale link after a rename). A link of our own makes npx find
// the command locally, as it finds any dependency's.
const LINK = 'node_modules/.bin/vault-ceremony';
if (existsSync('node_modules')) {
  mkdirSync('node_modules/.bin', { recursive: true });
  if (lstatSync(LINK, { throwIfNoEntry: false })) rmSync(LINK);
  symlinkSync('../../dist/cli/vault-ceremony.mjs', LINK);
}
