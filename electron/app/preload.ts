/**
 * The renderer's only door to the main process: `window.vaultCeremony.invoke(channel, arg)` for
 * the channels the contract names. No raw ipcRenderer, no Electron or Node object crosses the
 * bridge. Runs in a sandboxed preload, so it is bundled to one CommonJS file (scripts/build.mjs).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { isChannelName, type IpcResult, type VaultCeremonyApi } from '../../shared/ipc/ipc-contract';

function failure(kind: string, message: string): IpcResult<never> {
  return { ok: false, error: { kind, message } };
}

const api: VaultCeremonyApi = {
  invoke(channel, arg) {
    if (!isChannelName(channel)) {
      return Promise.resolve(
        failure('unknown-channel', 'The renderer asked for a channel the contract does not name.'),
      );
    }
    // The main-process registry answers with data and never throws; a rejection here means no
    // handler answered at all (the main process is shutting down, or the build is inconsistent).
    return ipcRenderer
      .invoke(channel, arg)
      .catch(() => failure('internal', 'The main process did not answer; restart the app.'));
  },
};

contextBridge.exposeInMainWorld('vaultCeremony', Object.freeze(api));
