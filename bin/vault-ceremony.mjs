#!/usr/bin/env node
// The `vault-ceremony` command: runs cli/main.ts with no build step for the user.
//
// Loading the CLI's ~100 TypeScript modules through tsx costs about 0.4 s at every start, more than
// `verify` needs to check a 10,000-event bundle. So the command runs those modules compiled to
// JavaScript by esbuild, one file per source, kept in node_modules/.cache/vault-ceremony-cli/
// (outside dist/, which the app package ships) and compiled again whenever a source changes: every
// input's content is hashed at each start (a few ms) against the exact bytes that were compiled,
// so an edit, checkout or pull never runs stale code. Packages load from node_modules as before.
// Where the modules cannot be compiled or written (esbuild missing, a syntax error, a read-only
// checkout), tsx runs the sources directly, as it always did.
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cacheDir = join(root, 'node_modules', '.cache', 'vault-ceremony-cli');
const manifestPath = join(cacheDir, 'manifest.json');
/** Besides the sources, what decides how they compile. */
const BUILD_INPUTS = ['bin/vault-ceremony.mjs', 'package.json', 'tsconfig.json', 'tsconfig.base.json'];
const ENTRY = join('cli', 'main.mjs');
const LOADERS = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
};
/** Builds no process can still be loading modules from; younger ones may serve one started before a rebuild. */
const STALE_BUILD_MS = 24 * 3600_000;

const { main } = await loadCli();
process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: process.stdin,
});

async function loadCli() {
  const entry = freshBuild() ?? (await compile());
  if (entry) return import(pathToFileURL(entry).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import('../cli/main.ts');
}

/** Hex SHA-256 over each file's path and content, in path order. */
function hashContents(contents) {
  const hash = createHash('sha256');
  for (const [file, bytes] of [...contents].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    hash.update(`${file}\0`).update(bytes).update('\0');
  return hash.digest('hex');
}

function readInputs(files) {
  return new Map(files.map((file) => [file, readFileSync(join(root, file))]));
}

/** The compiled entry module, if the manifest names a build made from the files exactly as they are now. */
function freshBuild() {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (!/^[0-9a-f]{64}$/.test(manifest.hash) || manifest.hash !== hashContents(readInputs(manifest.inputs)))
      return undefined;
    const entry = join(cacheDir, manifest.hash, ENTRY);
    statSync(entry);
    return entry;
  } catch {
    return undefined;
  }
}

/** Compiles the CLI's sources into a new build and records it in the manifest; undefined if it cannot. */
async function compile() {
  let work;
  try {
    const { build } = await import('esbuild');
    const common = {
      absWorkingDir: root,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      logLevel: 'silent',
    };
    // Which sources the CLI can reach, commands loaded on demand included.
    const graph = await build({ ...common, entryPoints: ['cli/main.ts'], write: false, metafile: true });
    const sources = Object.keys(graph.metafile.inputs);
    // Then each source compiled on its own, its relative imports pointed at the compiled files:
    // the same modules, evaluated in the same order as under tsx (a bundle would hoist external
    // packages above the order of side-effect imports, such as pki.ts loading reflect-metadata first).
    // The hash covers the very bytes compiled, read once here, so an edit made during the build
    // changes the hash and the next start builds again.
    const contents = readInputs(BUILD_INPUTS);
    const imported = new Set();
    const modules = {
      name: 'vault-ceremony-modules',
      setup(b) {
        b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
          const bytes = readFileSync(args.path);
          contents.set(relative(root, args.path), bytes);
          return { contents: bytes, loader: LOADERS[extname(args.path)] };
        });
        b.onResolve({ filter: /^\.\.?\// }, (args) => {
          if (args.kind === 'entry-point') return undefined;
          const target = sourceFile(join(args.resolveDir, args.path));
          if (target === undefined) return undefined; // esbuild reports it, and the build fails
          imported.add(relative(root, target));
          const specifier = relative(dirname(args.importer), target).replace(/\.[cm]?[jt]sx?$/, '.mjs');
          return { path: specifier.startsWith('.') ? specifier : `./${specifier}`, external: true };
        });
      },
    };
    mkdirSync(cacheDir, { recursive: true });
    work = mkdtempSync(join(cacheDir, 'building-'));
    await build({
      ...common,
      entryPoints: sources,
      outdir: work,
      outbase: '.',
      outExtension: { '.js': '.mjs' },
      plugins: [modules],
    });
    if ([...imported].some((file) => !contents.has(file))) throw new Error('a source appeared during the build');
    const hash = hashContents(contents);
    const buildDir = join(cacheDir, hash);
    try {
      renameSync(work, buildDir);
    } catch {
      rmSync(work, { recursive: true, force: true }); // another process built the same sources first
    }
    work = undefined;
    const entry = join(buildDir, ENTRY);
    statSync(entry); // ours or the other process's: either way it must be there
    const staged = `${manifestPath}.${process.pid}`;
    writeFileSync(staged, JSON.stringify({ hash, inputs: [...contents.keys()].sort() }));
    renameSync(staged, manifestPath);
    removeOldBuilds(hash);
    return entry;
  } catch {
    if (work) rmSync(work, { recursive: true, force: true });
    return undefined;
  }
}

/** The file an extensionless relative import names, as TypeScript's bundler resolution finds it. */
function sourceFile(path) {
  for (const candidate of [
    path,
    ...['.ts', '.tsx', '.mts', '.js', '.mjs'].map((ext) => path + ext),
    join(path, 'index.ts'),
  ]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

function removeOldBuilds(current) {
  for (const name of readdirSync(cacheDir)) {
    if (name === current || name === 'manifest.json') continue;
    const path = join(cacheDir, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_BUILD_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone already, or not ours to remove: harmless either way.
    }
  }
}
