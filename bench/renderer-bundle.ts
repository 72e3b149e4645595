/**
 * The renderer as shipped: built with the project's vite.config.ts into a temp folder (so the
 * app's own dist/ is untouched), every emitted file gzipped, and a check that no crypto library
 * was bundled: by the module ids the bundler reports (openpgp, @noble, node-forge, …), and by
 * signatures that survive minification (openpgp.js's name, SHA-2 round constants).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { round, type Benchmark } from './metric';

/** Packages that implement cryptography; none belongs in the renderer, which holds no secret. */
const CRYPTO_PACKAGES =
  /[\\/]node_modules[\\/](?:openpgp|@openpgp|@noble|@peculiar|@scure|node-forge|pkijs|asn1js|tweetnacl|libsodium[^\\/]*|elliptic|bn\.js|crypto-js|jsrsasign|sjcl|@stablelib|hash\.js|sha\.js|js-sha256|jssha)[\\/]/;

/** Code-level fingerprints: openpgp.js's name, and the SHA-256 / SHA-512 constants (hex or decimal). */
const CRYPTO_SIGNATURES: ReadonlyArray<[string, RegExp]> = [
  ['openpgp.js', /OpenPGP\.js|openpgpjs/],
  ['a SHA-256 round constant', /0x428a2f98|1116352408|0x71374491|1899447441/i],
  ['the SHA-512 initial value', /0x6a09e667f3bcc908|0xf3bcc908|4089235720/i],
];

export interface RendererBundleFindings {
  readonly gzipBytes: number;
  /** What gave a crypto library away, empty when none is in the bundle. */
  readonly crypto: readonly string[];
}

export const rendererBundleBenchmark: Benchmark = {
  name: 'renderer bundle',
  async run() {
    const findings = await inspectRendererBuild();
    return [
      {
        name: 'renderer_bundle_gzip_kb',
        value: round(findings.gzipBytes / 1024),
        unit: 'KB',
        note: 'every emitted file gzipped (zlib default level), summed; target <= 250',
      },
      {
        name: 'renderer_bundle_has_crypto',
        value: findings.crypto.length > 0,
        unit: 'bool',
        note:
          findings.crypto.length > 0
            ? findings.crypto.join('; ')
            : 'no crypto package in the module graph, no crypto signature in the output',
      },
    ];
  },
};

export async function inspectRendererBuild(): Promise<RendererBundleFindings> {
  const outDir = mkdtempSync(join(tmpdir(), 'bench-renderer-'));
  try {
    process.env.VITE_CONFIG_NATIVE_IGNORE_WARNING ??= 'true';
    const result = await build({
      configFile: 'vite.config.ts',
      configLoader: 'bundle',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, write: false },
    });
    const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => ('output' in r ? r.output : []));
    let gzipBytes = 0;
    const crypto = new Set<string>();
    for (const file of outputs) {
      const content = file.type === 'chunk' ? file.code : file.source;
      gzipBytes += gzipSync(content).length;
      if (file.type === 'chunk') {
        for (const id of file.moduleIds)
          if (CRYPTO_PACKAGES.test(id))
            crypto.add(`module ${id.slice(id.lastIndexOf('node_modules'))} in ${file.fileName}`);
        for (const [what, pattern] of CRYPTO_SIGNATURES)
          if (pattern.test(file.code)) crypto.add(`${what} in ${file.fileName}`);
      }
    }
    return { gzipBytes, crypto: [...crypto] };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
