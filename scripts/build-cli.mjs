// `npm run build:cli` (and `prepare`, so `npm ci` runs it): the `vault-ceremony` command bundled
// once into dist/cli/, so a start loads JavaScript instead of compiling TypeScript.
// Each command is its own chunk (splitting), so `--help` loads no command and a command loads only
// its packages. Packages load from node_modules as any dependency does, except the few `verify`
// needs (see BUNDLED). The package versions are the lock file's either way. `verify` is the
// exception to splitting: see VERIFY_BUNDLE.
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { build } from 'esbuild';
import { NODE_BUNDLE } from './bundle-options.mjs';

const CLI_DIR = 'dist/cli';
/**
 * Packages bundled into the chunks that use them. An auditor's `verify` is timed against `gpg
 * --verify` as a whole process, and loading these from node_modules (zod alone is dozens of files,
 * each resolved, read and compiled as its own module) cost about as much CPU as the checks.
 */
const BUNDLED = ['openpgp', 'zod', 'yaml', '@noble/hashes'];
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const external = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((name) => !BUNDLED.includes(name));

/**
 * `verify` runs from a CommonJS bundle of its own (minified, as the app's verifier worker is)
 * through a V8 code cache this build writes (cli/built-verify.ts, cli/code-cache.ts): Node 20
 * compiles an ES module from source at every start. Measured against the split ES build, whole
 * process, in turn (CPU medians): a 65-event bundle ~180 -> ~125 ms (21 runs each), a
 * 10,000-event one ~740 -> ~680 ms (11 runs each).
 */
const VERIFY_BUNDLE = `${CLI_DIR}/chunks/verify.cjs`;
/**
 * A bundle a rehearsal wrote (test/fixtures/bundles/README.md), which the build verifies once so
 * the code cache holds what verify compiles as it runs, not only what loading it compiles. Any
 * bundle does (one an older format refuses still takes verify through its checks); a copy of the
 * project without it builds a cache of the loading alone.
 */
const TRAINING_BUNDLE = 'test/fixtures/bundles/promotion-6';
/** In the command, main's `./commands/verify` is the one that loads VERIFY_BUNDLE. */
const verifyFromItsBundle = {
  name: 'verify-from-its-bundle',
  setup(build) {
    build.onResolve({ filter: /^\.\/commands\/verify$/ }, ({ importer }) =>
      importer === resolve('cli/main.ts') ? { path: resolve('cli/built-verify.ts') } : undefined,
    );
  },
};

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
  plugins: [verifyFromItsBundle],
});
await build({
  ...NODE_BUNDLE,
  entryPoints: ['cli/commands/verify.ts'],
  outfile: VERIFY_BUNDLE,
  target: 'node20',
  external: [...external, ...external.map((name) => `${name}/*`)],
});
await writeVerifyCache();
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

/**
 * Writes VERIFY_BUNDLE's code cache with this Node, the one the command will run on (`npm ci`
 * builds it on the machine that runs it; another Node refuses the cache and compiles). The writer
 * is cli/code-cache.ts itself, bundled for this process only, so the cache's format has one author.
 */
async function writeVerifyCache() {
  const { outputFiles } = await build({
    entryPoints: ['cli/code-cache.ts'],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    logLevel: 'warning',
  });
  const codeCache = await import(
    `data:text/javascript;base64,${Buffer.from(outputFiles[0].contents).toString('base64')}`
  );
  const quiet = { stdout: () => {}, stderr: () => {}, stdin: Readable.from([]) };
  await codeCache.writeCodeCache(resolve(VERIFY_BUNDLE), async ({ verifyCommand }) => {
    if (existsSync(TRAINING_BUNDLE)) await verifyCommand([TRAINING_BUNDLE], quiet);
  });
}
