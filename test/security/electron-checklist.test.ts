// @tier integration
/**
 * The parts of Electron's security checklist (docs/tutorial/security.md) that
 * electron/app/security/security-checklist.test.ts and electron/app/main.test.ts cannot see from the
 * hardening modules alone:
 * - 7: the renderer as built (not just the policy constant) carries a CSP that forbids eval and
 *   inline script, and the built HTML has no inline script or event handler to need them;
 * - 2, 3, 4, 6, 8, 9, 10, 11: no shipped module builds a window or web preferences other than the
 *   hardened ones, or weakens any of them, or loads file:// content;
 * - 15: no shipped layer (not only electron/) calls shell.openExternal or shell.openPath;
 * - 16: Electron is pinned to one exact, current-line version that the build targets match.
 * Fuses (19) are checked on the packaged binary by scripts/packaging/lib/built-app.test.ts and
 * scripts/packaging/lib/builder-rules.test.ts; sender frames (17) by electron/app/ipc/handler-registry.test.ts,
 * electron/app/ipc/sender-frame.test.ts and electron/app/main.test.ts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { META_CONTENT_SECURITY_POLICY } from '../../electron/app/security/csp';

const ROOT = join(import.meta.dirname, '../..');
const SHIPPED = ['electron', 'cli', 'shared', 'renderer', 'rehearsal-vault'];

function shippedFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return shippedFiles(path);
    return /\.(ts|tsx|mjs|cjs|js|html)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

function offenders(
  patterns: ReadonlyArray<readonly [RegExp, string]>,
  allowed: ReadonlyMap<string, RegExp> = new Map(),
): string[] {
  return SHIPPED.flatMap((dir) => shippedFiles(join(ROOT, dir))).flatMap((file) => {
    const path = relative(ROOT, file);
    return readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) =>
        patterns
          .filter(([p]) => p.test(line) && !allowed.get(path)?.test(line))
          .map(([, what]) => `${path}:${i + 1}: ${what}`),
      );
  });
}

/** `directive -> sources` of a CSP string. */
function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('7: the built renderer', () => {
  let out: string;
  let html: string;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'vc-renderer-'));
    process.env['VITE_CONFIG_NATIVE_IGNORE_WARNING'] ??= 'true';
    await build({
      configFile: join(ROOT, 'vite.config.ts'),
      configLoader: 'bundle',
      root: join(ROOT, 'renderer'),
      logLevel: 'silent',
      build: { outDir: out, emptyOutDir: true },
    });
    html = readFileSync(join(out, 'index.html'), 'utf8');
  }, 180_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('carries the app’s CSP in a meta tag, with no eval and no inline script', () => {
    const metas = [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/gi)].map(
      (m) => m[1]!,
    );
    expect(metas).toEqual([META_CONTENT_SECURITY_POLICY]);
    const csp = directives(metas[0]!);
    const script = csp.get('script-src') ?? csp.get('default-src') ?? [];
    expect(script.length).toBeGreaterThan(0);
    for (const source of script) expect(["'self'"]).toContain(source);
    for (const [name, sources] of csp) {
      expect(sources, name).not.toContain("'unsafe-eval'");
      expect(sources, name).not.toContain("'wasm-unsafe-eval'");
      if (/^(script|default)-src/.test(name)) expect(sources, name).not.toContain("'unsafe-inline'");
    }
  });

  it('has no inline script body, no inline event handler, and loads scripts only from its own files', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(body!.trim(), 'inline script').toBe('');
      const src = /\bsrc="([^"]+)"/.exec(attributes!)?.[1];
      expect(src, 'a script without src').toBeDefined();
      expect(src).toMatch(/^\.\/assets\/[\w.-]+\.js$/);
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/javascript:/i);
    expect(html).not.toMatch(/<style\b[^>]*>[^<]+<\/style>/i);
  });

  it('builds every asset as a file the app:// protocol serves (nothing inlined as data:)', () => {
    const assets = readdirSync(join(out, 'assets'));
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    for (const asset of assets) expect(asset).toMatch(/\.(js|css|svg|png|ico|woff2)$/);
    expect(html).not.toMatch(/\b(src|href)="data:/i);
  });
});

describe('2–11, 18: no window, preference or load weaker than the hardened ones', () => {
  it('no shipped module weakens a web preference, enables webviews or popups, or loads file://', () => {
    expect(
      offenders([
        [/nodeIntegration\w*\s*:\s*true/, 'Node integration on'],
        [/contextIsolation\s*:\s*false/, 'context isolation off'],
        [/sandbox\s*:\s*false/, 'sandbox off'],
        [/webSecurity\s*:\s*false/, 'web security off'],
        [/allowRunningInsecureContent\s*:\s*true/, 'insecure content allowed'],
        [/experimentalFeatures\s*:\s*true/, 'experimental features on'],
        [/enableBlinkFeatures/, 'extra Blink features'],
        [/webviewTag\s*:\s*true|<webview|allowpopups/i, 'webview or popups'],
        [/bypassCSP\s*:\s*true/, 'a scheme that bypasses the CSP'],
        [/\.loadFile\(|loadURL\(\s*['"`]file:|registerFileProtocol|interceptFileProtocol/, 'file:// content'],
        [/\.setPermissionRequestHandler\(\s*null|callback\(\s*true\s*\)/, 'a permission granted'],
        [/action\s*:\s*['"]allow['"]/, 'a window.open allowed'],
      ]),
    ).toEqual([]);
  });

  it('only electron/app/main.ts creates a window, and only from the hardened options', () => {
    const creators = offenders([[/new\s+BrowserWindow\s*\(/, 'creates a window']]);
    expect(creators).toHaveLength(1);
    expect(creators[0]).toMatch(/^electron\/app\/main\.ts:\d+:/);
    expect(readFileSync(join(ROOT, 'electron/app/main.ts'), 'utf8')).toMatch(/new BrowserWindow\(mainWindowOptions\(/);
  });
});

describe('15: no shell calls with untrusted input', () => {
  it('no shipped layer calls shell.openExternal or shell.openPath', () => {
    expect(offenders([[/openExternal|openPath|shell\.open/, 'opens something outside the app']])).toEqual([]);
  });
});

describe('16: a current Electron, pinned', () => {
  it('pins one exact Electron version, installed as pinned, whose Chromium and Node the build targets', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const pinned = pkg.devDependencies['electron']!;
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    const installed = JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as {
      version: string;
    };
    expect(installed.version).toBe(pinned);
    // Electron supports its three newest majors; 45 was current when this was written, so an
    // older pin means the app has fallen behind security fixes.
    expect(Number(pinned.split('.')[0])).toBeGreaterThanOrEqual(45);
    // Electron 45 ships Chromium 140 and Node 22: the bundles must target exactly those.
    const buildScript = readFileSync(join(ROOT, 'scripts/build.mjs'), 'utf8');
    expect(buildScript).toMatch(/target: 'node22'/);
    expect(buildScript).toMatch(/target: 'chrome140'/);
    expect(readFileSync(join(ROOT, 'vite.config.ts'), 'utf8')).toMatch(/target: 'chrome140'/);
  });
});
