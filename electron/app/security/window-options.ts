/**
 * The main window's options as data, so a test can hold them against Electron's security
 * checklist. Every renderer is sandboxed and context-isolated with no Node; the session is an
 * in-memory partition, so nothing the renderer touched (cache, storage) outlives the process.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

/** No `persist:` prefix: Electron keeps this session in memory only. */
export const APP_PARTITION = 'vault-ceremony';

export interface WindowOptionsInput {
  /** Absolute path of the bundled preload (dist/electron/preload.cjs). */
  readonly preloadPath: string;
  /** Developer tools are available only in an unpackaged build started for development. */
  readonly development: boolean;
}

export function mainWindowOptions({ preloadPath, development }: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    width: 1180,
    height: 820,
    minWidth: 720,
    minHeight: 560,
    // Shown on 'ready-to-show', so the window never flashes an unstyled page.
    show: false,
    title: 'vault-ceremony',
    backgroundColor: '#ffffff',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      partition: APP_PARTITION,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      plugins: false,
      enableWebSQL: false,
      navigateOnDragDrop: false,
      // Linux spellchecking downloads dictionaries, and would see what officers type.
      spellcheck: false,
      safeDialogs: true,
      devTools: development,
    },
  };
}
