/**
 * The wizard's channels as the main process wires them, for tests that drive a ceremony through
 * the real registry: a ceremony session on the rehearsal host, a profile store in `dir`, and typed
 * `call` (the answer as the renderer gets it) and `must` (the value, or a thrown error).
 */
import { join } from 'node:path';
import type { ArgIn, ChannelName, IpcResult, Value } from '../../shared/ipc/ipc-contract';
import { createChannelHandlers } from '../../electron/app/ipc/channel-handlers';
import { createHandlerRegistry } from '../../electron/app/ipc/handler-registry';
import { openProfileStore } from '../../electron/services/profiles/profile-store';
import type { RehearsalHost } from '../../electron/services/rehearsal/rehearsal-host';
import { AppSession } from '../../electron/services/session/app-session';
import { CeremonySession } from '../../electron/services/session/ceremony-session';
import { connectProfile } from '../../electron/services/vault/connect';
import { builtBundleVerifier } from './built-programs';

const APP = { url: 'app://vault-ceremony/index.html', isMainFrame: true };

export interface WizardChannels {
  readonly ceremony: CeremonySession;
  call<C extends ChannelName>(channel: C, arg: ArgIn<C>): Promise<IpcResult<Value<C>>>;
  must<C extends ChannelName>(channel: C, arg: ArgIn<C>): Promise<Value<C>>;
}

export function wizardChannels(
  dir: string,
  rehearsal: RehearsalHost,
  options: { readonly gnupgHome?: string } = {},
): WizardChannels {
  const profiles = openProfileStore(join(dir, 'data'));
  const connect = (p: Parameters<typeof connectProfile>[0], o?: { token?: string }) =>
    connectProfile(p, { ...o, timeoutMs: 5_000 });
  const ceremony = new CeremonySession({
    dataDir: join(dir, 'data'),
    profiles,
    connect,
    rehearsal,
    now: () => new Date(),
    ...options,
  });
  const registry = createHandlerRegistry(
    createChannelHandlers({
      version: 'test',
      profiles,
      env: {},
      cwd: dir,
      openFile: async () => null,
      openDirectory: async () => null,
      saveFile: async () => null,
      writeClipboard: async () => undefined,
      connect,
      rehearsal,
      session: new AppSession(profiles),
      ceremony,
      bundleVerifier: builtBundleVerifier(),
    }),
    { allowedOrigins: ['app://vault-ceremony'] },
  );
  const call = async <C extends ChannelName>(channel: C, arg: ArgIn<C>) =>
    (await registry.invoke(channel, arg, APP)) as IpcResult<Value<C>>;
  return {
    ceremony,
    call,
    async must(channel, arg) {
      const r = await call(channel, arg);
      if (!r.ok) throw new Error(`${channel}: ${r.error.kind}: ${r.error.message}`);
      return r.value;
    },
  };
}
