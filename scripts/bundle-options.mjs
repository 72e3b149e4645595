// esbuild options for the app's self-contained CommonJS files (scripts/build.mjs,
// scripts/build-bundle-verifier.mjs).

/** Every one of them: one minified file, no source map, no licence comments. */
export const BUNDLE = {
  bundle: true,
  minify: true,
  format: 'cjs',
  legalComments: 'none',
  logLevel: 'warning',
  sourcemap: false,
};

/**
 * Those run by Node (the main process, the worker that verifies bundles). openpgp's Node build is
 * an ES module that makes its `require` with createRequire(import.meta.url), which a CommonJS
 * bundle leaves undefined, so the main process threw as it loaded: each file gets its own URL.
 */
export const NODE_BUNDLE = {
  ...BUNDLE,
  platform: 'node',
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
};
