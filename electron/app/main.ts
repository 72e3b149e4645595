/**
 * The Electron main process: wires the hardening in electron/app/security, the app:// protocol and
 * the IPC handler registry to Electron. Every behaviour lives in those plain-Node modules; this
 * file only connects them, so it stays small enough to read in one sitting.
 */
import { join } from 'node:path';
import { app, BrowserWindow, clipboard, dialog, ipcMain, protocol, session, type OpenDialogOptions } from 'electron';
import type { ConnectionProfile } from '../../shared/profiles/connection-profile';
import { channelNames, type ScreenRestart } from '../../shared/ipc/ipc-contract';
import { AppSession } from '../services/session/app-session';
import { CeremonySession } from '../services/session/ceremony-session';
import { createChannelHandlers } from './ipc/channel-handlers';
import { createHandlerRegistry } from './ipc/handler-registry';
import { senderFrameOf } from './ipc/sender-frame';
import { OPEN_FILE_DIALOGS } from './dialogs/open-file-dialog';
import { lockFolder, type FolderLock } from '../services/files/folder-lock';
import { openProfileStore } from '../services/profiles/profile-store';
import { createRehearsalHost } from '../services/rehearsal/rehearsal-host';
import { OPEN_DIRECTORY_DIALOGS } from './dialogs/open-directory-dialog';
import { recoverRenderer } from './renderer-recovery';
import { SAVE_FILE_DIALOGS, type SaveFilePurpose } from './dialogs/save-file-dialog';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  handleAppRequest,
} from './security/app-protocol';
import { hardenSession } from './security/harden-session';
import { hardenWebContents } from './security/harden-web-contents';
import { hardenWindow } from './security/harden-window';
import { APP_PARTITION, mainWindowOptions } from './security/window-options';
import { connectProfile, type ConnectOptions } from '../services/vault/connect';

// Developer tools need both an unpackaged build and an explicit request.
const development = !app.isPackaged && process.env['VAULT_CEREMONY_DEVTOOLS'] === '1';
const dist = join(app.getAppPath(), 'dist');
const rendererDir = join(dist, 'renderer');
const preloadPath = join(dist, 'electron', 'preload.cjs');
const bundleVerifier = join(dist, 'electron', 'verify-worker.cjs');

// Before 'ready': the scheme must be standard and secure to have an origin, and every renderer sandboxed.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();
app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

let mainWindow: BrowserWindow | undefined;
const screenRestart: { current?: ScreenRestart } = {};

function createMainWindow(): void {
  const window = new BrowserWindow(mainWindowOptions({ preloadPath, development }));
  hardenWindow(window);
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => (mainWindow = undefined));
  recoverRenderer(window.webContents, {
    entryUrl: APP_ENTRY_URL,
    now: Date.now,
    log: (line) => console.error(line),
    showError: (title, message) => dialog.showErrorBox(title, message),
    onReload: (restart) => (screenRestart.current = restart),
  });
  void window.loadURL(APP_ENTRY_URL);
  mainWindow = window;
}

async function openFile(purpose: keyof typeof OPEN_FILE_DIALOGS): Promise<string | null> {
  const { title, filters } = OPEN_FILE_DIALOGS[purpose];
  const options = {
    title,
    properties: ['openFile' as const],
    filters: filters.map((f) => ({ name: f.name, extensions: [...f.extensions] })),
  };
  const choice = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  return choice.canceled ? null : (choice.filePaths[0] ?? null);
}

async function openDirectory(purpose: keyof typeof OPEN_DIRECTORY_DIALOGS): Promise<string | null> {
  const { title, mayCreate } = OPEN_DIRECTORY_DIALOGS[purpose];
  const options: OpenDialogOptions = {
    title,
    properties: mayCreate ? ['openDirectory', 'createDirectory'] : ['openDirectory'],
  };
  const choice = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  return choice.canceled ? null : (choice.filePaths[0] ?? null);
}

async function saveFile(purpose: SaveFilePurpose): Promise<string | null> {
  const { title, defaultName } = SAVE_FILE_DIALOGS[purpose];
  const options = { title, defaultPath: join(app.getPath('documents'), defaultName) };
  const choice = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
  return choice.canceled || choice.filePath === '' ? null : choice.filePath;
}

const rehearsal = createRehearsalHost();
let ceremony: CeremonySession | undefined;
let dataLock: FolderLock | undefined;

function start(): void {
  const dataDir = app.getPath('userData');
  // Electron's single-instance lock is per build; another build or a --user-data-dir pointing here
  // would still write the same journals and profiles, so the folder itself is locked too.
  const locked = lockFolder(dataDir, `the app's data folder ${dataDir}`);
  if (!locked.ok) {
    dialog.showErrorBox('Vault Ceremony cannot start', locked.error.message);
    app.quit();
    return;
  }
  dataLock = locked.value;
  const rendererSession = session.fromPartition(APP_PARTITION);
  hardenSession(rendererSession, { development });
  rendererSession.protocol.handle(APP_SCHEME, (request) => handleAppRequest(rendererDir, request));

  const profiles = openProfileStore(dataDir);
  const connect = (profile: ConnectionProfile, options?: ConnectOptions) => connectProfile(profile, options);
  ceremony = new CeremonySession({ dataDir, profiles, connect, rehearsal, now: () => new Date() });
  const registry = createHandlerRegistry(
    createChannelHandlers({
      version: app.getVersion(),
      profiles,
      env: process.env,
      cwd: process.cwd(),
      openFile,
      openDirectory,
      saveFile,
      writeClipboard: (text) => clipboard.writeText(text),
      connect,
      rehearsal,
      session: new AppSession(profiles),
      ceremony,
      bundleVerifier,
      screenRestart,
    }),
    {
      allowedOrigins: [APP_ORIGIN],
      // Only the channel, the class and code locations: never a message, which may quote input.
      onFault: (fault) => console.error(`vault-ceremony: handler fault ${JSON.stringify(fault)}`),
    },
  );
  for (const channel of channelNames) {
    ipcMain.handle(channel, (event, arg: unknown) => registry.invoke(channel, arg, senderFrameOf(event)));
  }
  createMainWindow();
}

// One instance at a time: two would race on the profile file and, later, the ceremony journal.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  app.on('window-all-closed', () => app.quit());
  // The ceremony first: its secrets are wiped and its journal closed before its Vault goes away.
  app.on('will-quit', () => {
    void (async () => {
      await ceremony?.shutdown();
      await rehearsal.close();
      dataLock?.release();
    })();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow();
  });
  void app.whenReady().then(start);
}
