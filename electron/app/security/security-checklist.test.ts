/**
 * Electron's security checklist (docs/tutorial/security.md), item by item, held against the
 * settings and handlers the app actually installs. Electron itself cannot run here, so the
 * handlers are installed on small recording stand-ins and then exercised.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, APP_SCHEME_PRIVILEGES } from './app-protocol';
import { CONTENT_SECURITY_POLICY, META_CONTENT_SECURITY_POLICY } from './csp';
import { hardenSession, type HardenableSession } from './harden-session';
import { hardenWebContents, type HardenableWebContents } from './harden-web-contents';
import { hardenWindow } from './harden-window';
import { APP_PARTITION, mainWindowOptions } from './window-options';

const production = mainWindowOptions({ preloadPath: '/opt/app/dist/electron/preload.cjs', development: false });
const prefs = production.webPreferences ?? {};

type Listener = (...args: never[]) => unknown;

/** Records what the hardening code registers, so the test can fire events at it. */
function recorder() {
  const listeners = new Map<string, Listener[]>();
  const calls = new Map<string, unknown[]>();
  const on = (name: string, listener: Listener) => {
    listeners.set(name, [...(listeners.get(name) ?? []), listener]);
  };
  const set = (name: string) => (value: unknown) => calls.set(name, [...(calls.get(name) ?? []), value]);
  return { listeners, calls, on, set };
}

function fakeEvent(url = '') {
  const event = { url, prevented: false, preventDefault: () => void (event.prevented = true) };
  return event;
}

function installedSession(development = false) {
  const r = recorder();
  const session = {
    setPermissionRequestHandler: r.set('permissionRequest'),
    setPermissionCheckHandler: r.set('permissionCheck'),
    setDevicePermissionHandler: r.set('devicePermission'),
    setSpellCheckerEnabled: r.set('spellChecker'),
    on: (name: string, listener: Listener) => (r.on(name, listener), session),
    webRequest: { onBeforeRequest: r.set('beforeRequest') },
  };
  hardenSession(session as unknown as HardenableSession, { development });
  return r;
}

function installedContents() {
  const r = recorder();
  const contents = {
    setWindowOpenHandler: r.set('windowOpen'),
    on: (name: string, listener: Listener) => (r.on(name, listener), contents),
  };
  hardenWebContents(contents as unknown as HardenableWebContents);
  return r;
}

function only<T>(values: unknown[] | undefined): T {
  expect(values).toHaveLength(1);
  return values![0] as T;
}

function filterDecision(r: ReturnType<typeof installedSession>, url: string, resourceType = 'xhr'): boolean {
  const listener = only<(details: unknown, callback: (response: { cancel: boolean }) => void) => void>(
    r.calls.get('beforeRequest'),
  );
  let cancel: boolean | undefined;
  listener({ url, resourceType }, (response) => (cancel = response.cancel));
  expect(cancel).toBeTypeOf('boolean');
  return !cancel;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('Electron security checklist', () => {
  it('1, 18: loads only its own content, over a custom secure scheme rather than file://', () => {
    expect(APP_ENTRY_URL).toBe('app://vault-ceremony/index.html');
    expect(APP_SCHEME_PRIVILEGES.privileges).toMatchObject({
      standard: true,
      secure: true,
      bypassCSP: false,
      corsEnabled: false,
    });
    const session = installedSession();
    expect(filterDecision(session, 'app://vault-ceremony/assets/index.js', 'script')).toBe(true);
    for (const url of [
      'http://example.com/',
      'https://vault.example:8200/v1/sys/health',
      'ws://127.0.0.1:9222/',
      'wss://127.0.0.1/',
      'file:///etc/passwd',
      'app://vault-ceremony.evil/x.js',
      'app://other/x.js',
      'ftp://example.com/',
      'devtools://devtools/bundled/inspector.html',
      'data:text/html,<script>alert(1)</script>',
      'blob:app://vault-ceremony/1234',
      'chrome://gpu',
    ]) {
      expect(filterDecision(session, url, url.startsWith('data:') ? 'subFrame' : 'xhr'), url).toBe(false);
    }
    expect(filterDecision(session, 'data:image/png;base64,iVBORw0KGgo=', 'image')).toBe(true);
  });

  it('2: no Node integration anywhere', () => {
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
  });

  it('3, 4: context isolation and the process sandbox', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.preload).toBe('/opt/app/dist/electron/preload.cjs');
  });

  it('5: every permission request and check is refused', () => {
    const session = installedSession();
    const request = only<(wc: unknown, permission: string, callback: (granted: boolean) => void) => void>(
      session.calls.get('permissionRequest'),
    );
    const check = only<(wc: unknown, permission: string) => boolean>(session.calls.get('permissionCheck'));
    const device = only<(details: unknown) => boolean>(session.calls.get('devicePermission'));
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'hid',
      'usb',
      'serial',
      'fullscreen',
      'unknown',
    ]) {
      const answers: boolean[] = [];
      request(null, permission, (granted) => answers.push(granted));
      expect(answers, permission).toEqual([false]);
      expect(check(null, permission), permission).toBe(false);
    }
    expect(device({ deviceType: 'usb' })).toBe(false);
  });

  it('5 (continued): downloads never start and spellchecking (which downloads dictionaries) is off', () => {
    const session = installedSession();
    const download = fakeEvent();
    for (const listener of session.listeners.get('will-download') ?? [])
      (listener as (e: typeof download) => void)(download);
    expect(download.prevented).toBe(true);
    expect(session.calls.get('spellChecker')).toEqual([false]);
    expect(prefs.spellcheck).toBe(false);
  });

  it('6, 8, 9, 10: web security kept, no insecure content, no experimental or extra Blink features', () => {
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs.plugins).toBe(false);
  });

  it('7: a strict Content Security Policy', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values.join(' ')] as const;
      }),
    );
    expect(Object.fromEntries(directives)).toMatchObject({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self' data:",
      'connect-src': "'none'",
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
    });
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|\*|http:|https:|blob:|'strict-dynamic'/);
    // The meta copy differs only in leaving out frame-ancestors, which meta tags cannot carry.
    expect(META_CONTENT_SECURITY_POLICY).toBe(CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", ''));
  });

  it('11, 12: no webview tag, and any webview attachment is stopped', () => {
    expect(prefs.webviewTag).toBe(false);
    const contents = installedContents();
    const event = fakeEvent();
    for (const listener of contents.listeners.get('will-attach-webview') ?? [])
      (listener as (e: typeof event) => void)(event);
    expect(event.prevented).toBe(true);
  });

  it('13: navigation is limited to the app origin, decided by a URL parser', () => {
    const contents = installedContents();
    const events = ['will-frame-navigate', 'will-navigate', 'will-redirect'];
    for (const name of events) expect(contents.listeners.get(name), name).toHaveLength(1);
    const navigate = (url: string) =>
      events.map((name) => {
        const event = fakeEvent(url);
        (contents.listeners.get(name)![0] as (e: typeof event) => void)(event);
        return event.prevented;
      });
    expect(navigate('app://vault-ceremony/index.html')).toEqual([false, false, false]);
    for (const url of [
      'https://evil.example/',
      'app://vault-ceremony.evil.example/',
      'app://vault-ceremony@evil.example/',
      'app://evil.example/app://vault-ceremony/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'about:blank',
      'http://127.0.0.1:8200/',
    ]) {
      expect(navigate(url), url).toEqual([true, true, true]);
    }
  });

  it('14: new windows are denied', () => {
    const contents = installedContents();
    const handler = only<(details: { url: string }) => unknown>(contents.calls.get('windowOpen'));
    for (const url of ['https://evil.example/', 'app://vault-ceremony/index.html', 'about:blank']) {
      expect(handler({ url })).toEqual({ action: 'deny' });
    }
  });

  it('15, 20: nothing calls shell.openExternal, and the preload exposes no Electron API', () => {
    const electronDir = join(import.meta.dirname, '..', '..');
    const offenders = sourceFiles(electronDir).filter((file) => /openExternal/.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
    const preload = readFileSync(join(electronDir, 'app', 'preload.ts'), 'utf8');
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*[,)]/);
  });

  it('devtools only in development; the session is in memory only; the window is protected from capture', () => {
    expect(prefs.devTools).toBe(false);
    expect(mainWindowOptions({ preloadPath: '/p', development: true }).webPreferences?.devTools).toBe(true);
    expect(prefs.partition).toBe(APP_PARTITION);
    expect(APP_PARTITION.startsWith('persist:')).toBe(false);
    const protections: boolean[] = [];
    hardenWindow({ setContentProtection: (on: boolean) => void protections.push(on) });
    expect(protections).toEqual([true]);
    expect(filterDecision(installedSession(true), 'devtools://devtools/bundled/inspector.html')).toBe(true);
  });
});
