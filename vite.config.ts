/**
 * Builds the renderer into dist/renderer for the app:// protocol: relative URLs, no inline
 * script (the module preload polyfill is one), no inlined assets, and index.html's CSP meta tag
 * filled from the one policy in electron/app/security/csp.ts.
 */
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { META_CONTENT_SECURITY_POLICY } from './electron/app/security/csp';

const CSP_PLACEHOLDER = '%CONTENT_SECURITY_POLICY%';

function contentSecurityPolicy(): Plugin {
  return {
    name: 'vault-ceremony-csp',
    transformIndexHtml: {
      order: 'pre',
      handler(html) {
        if (!html.includes(CSP_PLACEHOLDER))
          throw new Error(`renderer/index.html must carry the CSP meta tag with ${CSP_PLACEHOLDER}`);
        return html.replace(CSP_PLACEHOLDER, META_CONTENT_SECURITY_POLICY);
      },
    },
  };
}

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), contentSecurityPolicy()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // Electron 45 ships Chromium 140.
    target: 'chrome140',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
