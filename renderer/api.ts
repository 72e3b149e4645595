/**
 * The renderer's one way to the main process: `window.vaultCeremony.invoke`, exposed by the
 * preload (or, in the e2e tests, by the Playwright bridge to the same handlers).
 */
import type { ArgIn, ChannelName, IpcResult, Value, VaultCeremonyApi } from '../shared/ipc/ipc-contract';

declare global {
  interface Window {
    readonly vaultCeremony?: VaultCeremonyApi;
  }
}

export function invoke<C extends ChannelName>(channel: C, arg: ArgIn<C>): Promise<IpcResult<Value<C>>> {
  const bridge = window.vaultCeremony;
  if (bridge === undefined) {
    return Promise.resolve({
      ok: false,
      error: {
        kind: 'no-bridge',
        message: "This page is not running inside vault-ceremony: the main process's bridge is missing.",
      },
    });
  }
  return bridge.invoke(channel, arg);
}
