// The worker thread in which the app reads and verifies transcript bundles for its viewer
// (electron/services/transcript/bundle-verifier.ts), bundled into one self-contained file beside
// the main process's. `npm run build` builds it with the app; the Vitest run builds it again from
// the sources of the moment for the tests that open bundles through the app's handlers.
import { build } from 'esbuild';
import { NODE_BUNDLE } from './bundle-options.mjs';

await build({
  ...NODE_BUNDLE,
  entryPoints: ['electron/services/transcript/verify-worker.ts'],
  outfile: 'dist/electron/verify-worker.cjs',
  // Electron 45's main process runs Node 22; the tests run it on the Node they run on.
  target: 'node20',
});
