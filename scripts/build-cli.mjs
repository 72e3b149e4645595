// `npm run build:cli` (and `prepare`, so `npm ci` runs it): the `vault-ceremony` command bundled
// once into dist/cli/, so a start loads JavaScript instead of compiling TypeScript.
// Each command is its own chunk (splitting), so `--help` loads no command and a command loads only
// its packages. Packages load from node_modules as any dependency does, except the few `verify`
// needs (see BUNDLED). The package versions are the lock file's either way.
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { build } from 'esbuild';

const CLI_DIR = 'dist/cli';
/**
 * Packages bundled into the chunks that use them. An auditor's `verify` is timed against `gpg
 * --verify` as a whole process, and loading these from node_modules (zod alone is dozens of files,
 * each resolved, read and compiled as its own module) cost about as much CPU as the checks.
 */
const BUNDLED = ['openpgp', 'zod', 'yaml', '@noble/hashes'];
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const external = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((name) => !BUNDLED.includes(name));

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
  external: [...external, ...external.map((name) => `${name}/*`)],
  // yaml's Node build is CommonJS and requires Node's built-ins: give it `require`.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
  },
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
