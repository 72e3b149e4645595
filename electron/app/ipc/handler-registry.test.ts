import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelNames, type ChannelName } from '../../../shared/ipc/ipc-contract';
import { err, ok } from '../../../shared/result';
import { createHandlerRegistry, type ChannelHandlers, type HandlerFault, type SenderFrame } from './handler-registry';

const APP = { url: 'app://vault-ceremony/index.html', isMainFrame: true } satisfies SenderFrame;
const SECRET = 'hvs.CAESIJ-secret-share-6ecb46d1';

/** Handlers that fail the test if a request reaches them, except those a test supplies. */
function handlers(overrides: Partial<ChannelHandlers>): { handlers: ChannelHandlers; calls: ChannelName[] } {
  const calls: ChannelName[] = [];
  const all = Object.fromEntries(
    channelNames.map((name) => [
      name,
      async (arg: unknown) => {
        calls.push(name);
        const override = overrides[name] as ((arg: unknown) => Promise<unknown>) | undefined;
        if (!override) throw new Error(`${name} was not expected to run`);
        return override(arg);
      },
    ]),
  ) as unknown as ChannelHandlers;
  return { handlers: all, calls };
}

const info = async () => ok({ version: '1.2.3', mode: 'rehearsal' as const, profile: null });

describe('handler registry', () => {
  it('runs the handler for a known channel with the validated argument', async () => {
    const { handlers: h } = handlers({ 'app.info': info });
    const registry = createHandlerRegistry(h, { allowedOrigins: ['app://vault-ceremony'] });
    expect(await registry.invoke('app.info', {}, APP)).toEqual({
      ok: true,
      value: { version: '1.2.3', mode: 'rehearsal', profile: null },
    });
  });

  it('refuses an unknown channel without running anything, and never echoes odd input', async () => {
    const { handlers: h, calls } = handlers({});
    const registry = createHandlerRegistry(h, { allowedOrigins: ['app://vault-ceremony'] });
    const named = await registry.invoke('fs.readFile', {}, APP);
    expect(named).toMatchObject({ ok: false, error: { kind: 'unknown-channel' } });
    expect(!named.ok && named.error.message).toContain('"fs.readFile"');
    for (const channel of [
      '__proto__',
      'toString',
      'constructor',
      42,
      null,
      { toString: () => 'app.info' },
      SECRET + '\n',
    ]) {
      const result = await registry.invoke(channel, {}, APP);
      expect(result).toMatchObject({ ok: false, error: { kind: 'unknown-channel' } });
      expect(JSON.stringify(result)).not.toContain(SECRET);
    }
    expect(calls).toEqual([]);
  });

  it('refuses an argument outside the schema, says where, and does not quote the value', async () => {
    const { handlers: h, calls } = handlers({});
    const registry = createHandlerRegistry(h, { allowedOrigins: ['app://vault-ceremony'] });
    const cases: unknown[] = [
      undefined,
      null,
      SECRET,
      { purpose: SECRET },
      { purpose: 'ca-bundle', extra: SECRET },
      { purpose: 42 },
      {},
    ];
    for (const arg of cases) {
      const result = await registry.invoke('dialog.openFile', arg, APP);
      expect(result).toMatchObject({ ok: false, error: { kind: 'bad-argument' } });
      if (!result.ok) {
        expect(result.error.message).toContain('"dialog.openFile"');
        expect(result.error.message).not.toContain(SECRET);
      }
    }
    const wrongField = await registry.invoke('dialog.openFile', { purpose: 42 }, APP);
    expect(!wrongField.ok && wrongField.error.message).toMatch(/purpose: /);
    expect(calls).toEqual([]);
  });

  it('accepts only the top-level frame of an allowed origin', async () => {
    const { handlers: h, calls } = handlers({ 'app.info': info });
    const registry = createHandlerRegistry(h, { allowedOrigins: ['app://vault-ceremony', 'http://127.0.0.1:4173'] });
    const refused: Array<SenderFrame | null | undefined> = [
      null,
      undefined,
      { url: 'app://vault-ceremony/index.html', isMainFrame: false },
      { url: 'app://vault-ceremony.evil/index.html', isMainFrame: true },
      { url: 'app://vault-ceremony@evil/index.html', isMainFrame: true },
      { url: 'app://evil/app://vault-ceremony/', isMainFrame: true },
      { url: 'https://vault-ceremony/index.html', isMainFrame: true },
      { url: 'file:///work/main/dist/renderer/index.html', isMainFrame: true },
      { url: 'about:blank', isMainFrame: true },
      { url: 'data:text/html,<script>1</script>', isMainFrame: true },
      { url: 'http://127.0.0.1:4174/', isMainFrame: true },
      { url: 'http://localhost:4173/', isMainFrame: true },
      { url: 'not a url', isMainFrame: true },
    ];
    for (const sender of refused) {
      const result = await registry.invoke('app.info', {}, sender);
      expect(result, JSON.stringify(sender)).toMatchObject({ ok: false, error: { kind: 'forbidden-sender' } });
    }
    expect(calls).toEqual([]);
    expect(
      (await registry.invoke('app.info', {}, { url: 'http://127.0.0.1:4173/index.html', isMainFrame: true })).ok,
    ).toBe(true);
  });

  it('checks the sender before the channel, so a foreign frame learns nothing about channels', async () => {
    const { handlers: h } = handlers({});
    const registry = createHandlerRegistry(h, { allowedOrigins: ['app://vault-ceremony'] });
    const foreign = { url: 'https://attacker.example/', isMainFrame: true };
    expect(await registry.invoke('no.such', {}, foreign)).toMatchObject({
      ok: false,
      error: { kind: 'forbidden-sender' },
    });
  });

  it('turns a thrown exception into an internal error with no message or stack, and logs only its frames', async () => {
    const faults: HandlerFault[] = [];
    for (const thrower of [
      async () => {
        throw new TypeError(`could not parse ${SECRET}`);
      },
      () => {
        throw new Error(`multi-line\n    at ${SECRET} (fake frame in the message)`);
      },
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a non-Error is the case tested
      async () => Promise.reject(SECRET),
    ]) {
      const { handlers: h } = handlers({ 'app.info': thrower });
      const registry = createHandlerRegistry(h, {
        allowedOrigins: ['app://vault-ceremony'],
        onFault: (f) => faults.push(f),
      });
      const result = await registry.invoke('app.info', {}, APP);
      expect(result).toMatchObject({ ok: false, error: { kind: 'internal' } });
      expect(JSON.stringify(result)).not.toContain(SECRET);
      expect(JSON.stringify(result)).not.toMatch(/\bat .*\.ts:\d+/);
    }
    expect(faults.map((f) => [f.channel, f.reason, f.error?.name])).toEqual([
      ['app.info', 'threw', 'TypeError'],
      ['app.info', 'threw', 'Error'],
      ['app.info', 'threw', 'string'],
    ]);
    expect(JSON.stringify(faults)).not.toContain(SECRET);
    expect(faults[0]?.error?.frames.some((frame) => frame.includes('handler-registry.test.ts'))).toBe(true);
  });

  it('passes a handler’s own error through as data', async () => {
    const { handlers: h } = handlers({
      'app.selectMode': async () => err('no-such-profile', "There is no profile named 'dc2'; save it first."),
    });
    const registry = createHandlerRegistry(h, { allowedOrigins: ['app://vault-ceremony'] });
    expect(await registry.invoke('app.selectMode', { mode: 'live', profile: 'dc2' }, APP)).toEqual({
      ok: false,
      error: { kind: 'no-such-profile', message: "There is no profile named 'dc2'; save it first." },
    });
  });

  it('lets only the fields the contract names leave the main process', async () => {
    const faults: HandlerFault[] = [];
    const { handlers: h } = handlers({
      'app.info': async () => ok({ version: '1', mode: 'live' as const, profile: 'dc2', token: SECRET }),
      'dialog.openFile': async () => ok({ path: 42 }) as never,
      'app.selectMode': async () => 'not a result' as never,
    });
    const registry = createHandlerRegistry(h, {
      allowedOrigins: ['app://vault-ceremony'],
      onFault: (f) => faults.push(f),
    });
    expect(await registry.invoke('app.info', {}, APP)).toEqual({
      ok: true,
      value: { version: '1', mode: 'live', profile: 'dc2' },
    });
    expect(await registry.invoke('dialog.openFile', { purpose: 'ca-bundle' }, APP)).toMatchObject({
      ok: false,
      error: { kind: 'internal' },
    });
    expect(await registry.invoke('app.selectMode', { mode: 'rehearsal' }, APP)).toMatchObject({
      ok: false,
      error: { kind: 'internal' },
    });
    expect(faults.map((f) => f.reason)).toEqual(['value-outside-contract', 'value-outside-contract']);
  });

  it('always resolves to a result, whatever it is sent', async () => {
    const { handlers: h } = handlers({ 'app.info': info, 'dialog.openFile': async () => ok({ path: null }) });
    const registry = createHandlerRegistry(h, { allowedOrigins: ['app://vault-ceremony'] });
    const sender = fc.oneof(
      fc.constant(APP),
      fc.constantFrom(null, undefined),
      fc.record({ url: fc.oneof(fc.webUrl(), fc.string()), isMainFrame: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(...channelNames), fc.anything()),
        fc.anything(),
        sender,
        async (channel, arg, from) => {
          const result = await registry.invoke(channel, arg, from);
          expect(typeof result.ok).toBe('boolean');
          if (!result.ok) expect(typeof result.error.message).toBe('string');
        },
      ),
      { numRuns: 300 },
    );
  });
});
