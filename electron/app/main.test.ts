/**
 * main.ts's wiring, with Electron replaced by a recording stand-in (its binary cannot run here):
 * what is set up before 'ready', that the renderer session is hardened and serves the app scheme,
 * that every contract channel reaches the registry with the sender frame, and that the window is
 * built from the hardened options and protected from capture.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { EventEmitter } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FOLDER_LOCK_FILE } from '../services/files/folder-lock';
import { channelNames } from '../../shared/ipc/ipc-contract';
import { APP_ENTRY_URL, APP_SCHEME_PRIVILEGES } from './security/app-protocol';
import { APP_PARTITION } from './security/window-options';

const stub = await vi.hoisted(async () => {
  // vi.hoisted runs before the imports above are bound.
  const { EventEmitter } = await import('node:events');
  const calls: Array<[string, ...unknown[]]> = [];
  const record =
    (name: string) =>
    (...args: unknown[]) =>
      void calls.push([name, ...args]);
  const appListeners = new Map<string, (...args: unknown[]) => void>();
  const ipcHandlers = new Map<string, (event: unknown, arg: unknown) => Promise<unknown>>();
  const protocolHandlers = new Map<string, (request: Request) => Promise<Response>>();
  const windows: Array<{ options: unknown; loaded: string[]; protection: boolean[]; contents: EventEmitter }> = [];
  let ready!: () => void;
  const whenReady = new Promise<void>((resolve) => (ready = resolve));
  const state = { appPath: '', userData: '' };
  const session = {
    setPermissionRequestHandler: record('setPermissionRequestHandler'),
    setPermissionCheckHandler: record('setPermissionCheckHandler'),
    setDevicePermissionHandler: record('setDevicePermissionHandler'),
    setSpellCheckerEnabled: record('setSpellCheckerEnabled'),
    on: record('session.on'),
    webRequest: { onBeforeRequest: record('onBeforeRequest') },
    protocol: {
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) =>
        void protocolHandlers.set(scheme, handler),
    },
  };
  class BrowserWindow {
    static getAllWindows = () => windows;
    readonly record: (typeof windows)[number];
    readonly webContents: EventEmitter & { loadURL(url: string): Promise<void> };
    constructor(options: unknown) {
      this.record = { options, loaded: [], protection: [], contents: new EventEmitter() };
      this.webContents = Object.assign(this.record.contents, { loadURL: (url: string) => this.loadURL(url) });
      windows.push(this.record);
    }
    setContentProtection(on: boolean) {
      this.record.protection.push(on);
    }
    once() {}
    on() {}
    loadURL(url: string) {
      this.record.loaded.push(url);
      return Promise.resolve();
    }
  }
  const electron = {
    app: {
      isPackaged: false,
      enableSandbox: record('enableSandbox'),
      requestSingleInstanceLock: () => true,
      quit: record('quit'),
      on: (name: string, listener: (...args: unknown[]) => void) => void appListeners.set(name, listener),
      whenReady: () => whenReady,
      getAppPath: () => state.appPath,
      getPath: (name: string) => (name === 'userData' ? state.userData : ''),
      getVersion: () => '9.9.9',
    },
    protocol: { registerSchemesAsPrivileged: record('registerSchemesAsPrivileged') },
    session: { fromPartition: (partition: string) => (calls.push(['fromPartition', partition]), session) },
    ipcMain: {
      handle: (channel: string, handler: (event: unknown, arg: unknown) => Promise<unknown>) =>
        void ipcHandlers.set(channel, handler),
    },
    dialog: {
      showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
      showErrorBox: record('showErrorBox'),
    },
    BrowserWindow,
  };
  return { calls, appListeners, ipcHandlers, protocolHandlers, windows, ready: () => ready(), state, electron };
});

vi.mock('electron', () => stub.electron);

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'main-wiring-'));
  stub.state.appPath = dir;
  stub.state.userData = join(dir, 'user-data');
  mkdirSync(stub.state.userData);
  mkdirSync(join(dir, 'dist', 'renderer'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'renderer', 'index.html'), '<!doctype html><title>built</title>');
  await import('./main');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frame = (url: string, parent: object | null = null) => ({
  senderFrame: { url, parent, isDestroyed: () => false, detached: false },
});

describe('electron/app/main.ts wiring', () => {
  it('before ready: registers the app scheme as privileged, sandboxes every renderer, hardens every web contents', () => {
    expect(stub.calls).toContainEqual(['registerSchemesAsPrivileged', [APP_SCHEME_PRIVILEGES]]);
    expect(stub.calls).toContainEqual(['enableSandbox']);
    expect(stub.appListeners.has('web-contents-created')).toBe(true);
    expect(stub.ipcHandlers.size).toBe(0);
    expect(stub.windows).toHaveLength(0);
  });

  it('hardens every web contents Electron creates: no new window, no navigation away, no webview', () => {
    type Guard = (event: { url: string; preventDefault(): void }) => void;
    const guards = new Map<string, Guard[]>();
    const openHandlers: Array<(details: { url: string }) => unknown> = [];
    const contents = {
      on: (name: string, guard: Guard) => void guards.set(name, [...(guards.get(name) ?? []), guard]),
      setWindowOpenHandler: (handler: (details: { url: string }) => unknown) => void openHandlers.push(handler),
    };
    stub.appListeners.get('web-contents-created')!({}, contents);
    expect(openHandlers.map((open) => open({ url: 'app://vault-ceremony/index.html' }))).toEqual([{ action: 'deny' }]);
    const prevented = (name: string, url: string) => {
      let stopped = false;
      const listeners = guards.get(name) ?? [];
      for (const guard of listeners) guard({ url, preventDefault: () => void (stopped = true) });
      return listeners.length > 0 && stopped;
    };
    for (const name of ['will-frame-navigate', 'will-navigate', 'will-redirect']) {
      expect(prevented(name, 'https://evil.example/'), name).toBe(true);
      expect(prevented(name, APP_ENTRY_URL), name).toBe(false);
    }
    expect(prevented('will-attach-webview', 'app://vault-ceremony/index.html')).toBe(true);
  });

  it('when ready: hardens the in-memory session, serves app:// from dist/renderer and opens one protected window', async () => {
    stub.ready();
    await vi.waitFor(() => expect(stub.windows).toHaveLength(1));
    expect(stub.calls).toContainEqual(['fromPartition', APP_PARTITION]);
    for (const name of [
      'setPermissionRequestHandler',
      'setPermissionCheckHandler',
      'setDevicePermissionHandler',
      'onBeforeRequest',
    ]) {
      expect(
        stub.calls.some(([call]) => call === name),
        name,
      ).toBe(true);
    }
    // The session's request filter is the production one: developer tools stay out.
    const [, filter] = stub.calls.find(([call]) => call === 'onBeforeRequest') as [
      string,
      (details: { url: string; resourceType: string }, callback: (r: { cancel: boolean }) => void) => void,
    ];
    const cancelled = (url: string) => {
      let cancel: boolean | undefined;
      filter({ url, resourceType: 'mainFrame' }, (r) => (cancel = r.cancel));
      return cancel;
    };
    expect(cancelled('devtools://devtools/bundled/inspector.html')).toBe(true);
    expect(cancelled(APP_ENTRY_URL)).toBe(false);
    const served = await stub.protocolHandlers.get('app')!(new Request('app://vault-ceremony/index.html'));
    expect(served.status).toBe(200);
    expect(await served.text()).toContain('<title>built</title>');

    const [window] = stub.windows;
    expect(window!.loaded).toEqual([APP_ENTRY_URL]);
    expect(window!.protection).toEqual([true]);
    expect(window!.options).toMatchObject({
      webPreferences: {
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        devTools: false,
        preload: join(dir, 'dist', 'electron', 'preload.cjs'),
      },
    });
  });

  it('routes every contract channel through the registry, with the sender frame checked', async () => {
    expect([...stub.ipcHandlers.keys()].sort()).toEqual([...channelNames].sort());
    const info = stub.ipcHandlers.get('app.info')!;
    expect(await info(frame('app://vault-ceremony/index.html'), {})).toEqual({
      ok: true,
      value: { version: '9.9.9', mode: 'rehearsal', profile: null },
    });
    expect(await info(frame('app://vault-ceremony/index.html', {}), {})).toMatchObject({
      ok: false,
      error: { kind: 'forbidden-sender' },
    });
    expect(await info(frame('https://evil.example/'), {})).toMatchObject({
      ok: false,
      error: { kind: 'forbidden-sender' },
    });
    expect(await info({ senderFrame: null }, {})).toMatchObject({ ok: false, error: { kind: 'forbidden-sender' } });
    expect(await stub.ipcHandlers.get('profiles.list')!(frame('app://vault-ceremony/index.html'), {})).toEqual({
      ok: true,
      value: { profiles: [] },
    });
  });

  it('reloads the app’s page when the window’s renderer process dies, and not when it exits cleanly', async () => {
    const [window] = stub.windows;
    const loads = window!.loaded.length;
    window!.contents.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 });
    expect(window!.loaded).toHaveLength(loads);
    window!.contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 133 });
    expect(window!.loaded.slice(loads)).toEqual([APP_ENTRY_URL]);
    // The reloaded page asks app.info, which says why the screen started over.
    const page = frame('app://vault-ceremony/index.html');
    const info = stub.ipcHandlers.get('app.info')!;
    const told = (await info(page, {})) as { value: { screenRestarted: { at: string } } };
    expect(told).toMatchObject({
      ok: true,
      value: { screenRestarted: { reason: 'crashed', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) } },
    });
    // Once the page has shown the notice, a later ordinary reload is not told of the crash again.
    const shown = stub.ipcHandlers.get('app.screenRestartShown')!;
    expect(await shown(page, { at: 'yesterday' })).toMatchObject({ ok: false, error: { kind: 'bad-argument' } });
    expect(await shown(page, { at: '2020-01-01T00:00:00.000Z' })).toEqual({ ok: true, value: { cleared: false } });
    expect(await info(page, {})).toMatchObject({ value: { screenRestarted: told.value.screenRestarted } });
    expect(await shown(page, { at: told.value.screenRestarted.at })).toEqual({ ok: true, value: { cleared: true } });
    expect(await info(page, {})).toEqual({ ok: true, value: { version: '9.9.9', mode: 'rehearsal', profile: null } });
  });

  it('locks its data folder: a second app on the same folder is refused, naming the first one’s PID', async () => {
    expect(JSON.parse(readFileSync(join(stub.state.userData, FOLDER_LOCK_FILE), 'utf8'))).toMatchObject({
      pid: process.pid,
    });
    vi.resetModules();
    await import('./main'); // a second start on the same folder, the first still holding it
    await vi.waitFor(() => expect(stub.calls.some(([call]) => call === 'showErrorBox')).toBe(true));
    const [, title, message] = stub.calls.find(([call]) => call === 'showErrorBox')!;
    expect(title).toBe('Vault Ceremony cannot start');
    expect(message).toContain(`the app's data folder ${stub.state.userData} is in use by process ${process.pid}`);
    expect(stub.calls).toContainEqual(['quit']);
    expect(stub.windows).toHaveLength(1);
  });
});
