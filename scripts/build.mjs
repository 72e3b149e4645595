// `npm run build`: the renderer with Vite into dist/renderer, then the main process and the
// preload with esbuild into dist/electron, each one self-contained CommonJS file (a sandboxed
// preload cannot load modules), with `electron` left to the runtime, and beside them the worker
// that verifies bundles (scripts/build-bundle-verifier.mjs); and the `vault-ceremony` command
// into dist/cli (scripts/build-cli.mjs, which `npm ci` also runs through `prepare`).
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { BUNDLE, NODE_BUNDLE } from './bundle-options.mjs';

// The config imports electron/app/security/csp.ts extensionless, as the whole project does, so Vite
// bundles the config; its notice about a future native loader is noise here.
process.env.VITE_CONFIG_NATIVE_IGNORE_WARNING ??= 'true';
await viteBuild({ configFile: 'vite.config.ts', configLoader: 'bundle', logLevel: 'warn' });

// Electron 45 runs Node 22 in the main process and Chromium 140 in the preload.
await esbuild({
  ...NODE_BUNDLE,
  entryPoints: ['electron/app/main.ts'],
  outfile: 'dist/electron/main.cjs',
  external: ['electron'],
  target: 'node22',
});
// Browser platform: a Node built-in pulled into the preload fails the build instead of the sandbox.
await esbuild({
  ...BUNDLE,
  external: ['electron'],
  entryPoints: ['electron/app/preload.ts'],
  outfile: 'dist/electron/preload.cjs',
  platform: 'browser',
  target: 'chrome140',
});

await import('./build-bundle-verifier.mjs');
await import('./build-cli.mjs');
