/**
 * Electron cannot run here, so `electron` is replaced by a stand-in that records what the
 * preload exposes and what it sends; the preload itself runs unchanged.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';

const exposed = new Map<string, unknown>();
const sent: Array<[string, unknown]> = [];

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    invoke: async (channel: string, arg: unknown) => {
      sent.push([channel, arg]);
      if (channel === 'dialog.openFile') throw new Error("No handler registered for 'dialog.openFile'");
      return { ok: true, value: { version: '0.1.0', mode: 'rehearsal', profile: null } };
    },
  },
}));

type Api = { invoke(channel: string, arg: unknown): Promise<unknown> };
let api: Api;

beforeAll(async () => {
  await import('./preload');
  api = exposed.get('vaultCeremony') as Api;
});

describe('preload', () => {
  it('exposes exactly one frozen object with one function, and nothing of Electron', () => {
    expect([...exposed.keys()]).toEqual(['vaultCeremony']);
    expect(Object.keys(api)).toEqual(['invoke']);
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('forwards contract channels and refuses others without sending anything', async () => {
    expect(await api.invoke('app.info', {})).toMatchObject({ ok: true });
    expect(await api.invoke('ipcRenderer.send', {})).toMatchObject({ ok: false, error: { kind: 'unknown-channel' } });
    expect(await api.invoke('__proto__', {})).toMatchObject({ ok: false, error: { kind: 'unknown-channel' } });
    expect(sent).toEqual([['app.info', {}]]);
  });

  it('turns a missing main-process handler into data instead of a rejection', async () => {
    expect(await api.invoke('dialog.openFile', { purpose: 'ca-bundle' })).toEqual({
      ok: false,
      error: { kind: 'internal', message: 'The main process did not answer; restart the app.' },
    });
  });
});
