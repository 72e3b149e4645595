/**
 * The IPC gate as a compromised renderer meets it: any channel name, any argument (arbitrary
 * values, and near-valid ones built from the contract's own vocabulary so the schemas' accepting
 * paths are reached), any sender frame (other origins, sub-frames, destroyed frames, frames whose
 * properties throw), and handlers that misbehave (throw a secret, return junk or extra fields).
 *
 * Whatever happens: invoke resolves to a plain result, a handler runs only for the app's own
 * top-level page with an argument its schema accepts, and nothing a handler threw leaks back.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelNames, ipcContract, isChannelName, type ChannelName } from '../../shared/ipc/ipc-contract';
import { err } from '../../shared/result';
import {
  createHandlerRegistry,
  type ChannelHandlers,
  type HandlerFault,
} from '../../electron/app/ipc/handler-registry';
import { anyText, FUZZ_RUNS } from './fuzz-support';

const ORIGIN = 'app://vault-ceremony';
const SECRET = 'hvs.SECRETtokenDoNotLeak0123';

type Behaviour =
  { readonly kind: 'error' } | { readonly kind: 'throw' } | { readonly kind: 'junk'; readonly value: unknown };

/** Words the contract uses, so random records often come close to (or hit) a valid argument. */
const WORDS = [
  'rehearsal',
  'live',
  'dc2',
  'primary',
  'dr-secondary',
  'profile',
  'ca-bundle',
  'client-certificate',
  'client-key',
  'transcript-bundle',
  'export-bundle',
  '/tmp/x',
  'https://127.0.0.1:8200',
  'dr',
  'performance',
  'demote',
  'vault-token',
  SECRET,
];
const KEYS = [
  'mode',
  'profile',
  'name',
  'purpose',
  'target',
  'kind',
  'cluster',
  'replace',
  'dir',
  'request',
  'auth',
  'confirmation',
  'address',
  'caCert',
  'clientCert',
  'clientKey',
  '__proto__',
  'constructor',
];
const word = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...WORDS) }, { weight: 1, arbitrary: anyText(12) });
const nearValid: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    word,
    fc.boolean(),
    fc.integer(),
    fc.constant(null),
    fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Argument shapes the contract uses, with values from the vocabulary: these reach the handlers. */
const shaped: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant({}),
  fc.record({ mode: fc.constantFrom('rehearsal', 'live', 'x') }),
  fc.record({ mode: fc.constant('live'), profile: word }),
  fc.record({ name: word }),
  fc.record({ purpose: word }),
  fc.record({ dir: word }),
  fc.record({
    target: fc.oneof(
      fc.record({ kind: fc.constant('rehearsal'), cluster: word }),
      fc.record({ kind: fc.constant('profile'), name: word }),
    ),
  }),
);

const argument = fc.oneof(
  { weight: 3, arbitrary: shaped },
  { weight: 1, arbitrary: nearValid },
  {
    weight: 1,
    arbitrary: fc.anything({
      withNullPrototype: true,
      withBigInt: true,
      withDate: true,
      withMap: true,
      withTypedArray: true,
      withSparseArray: true,
    }),
  },
);

const sender = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ url: `${ORIGIN}/index.html`, isMainFrame: true }) },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined) },
  {
    weight: 2,
    arbitrary: fc.record({
      url: fc.oneof(
        fc.constantFrom(
          `${ORIGIN}/x`,
          `${ORIGIN}.evil/`,
          'app://vault-ceremony@evil/',
          'app://evil/app://vault-ceremony/',
          'file:///index.html',
          'about:blank',
          'data:text/html,x',
          'https://vault-ceremony/',
        ),
        fc.webUrl(),
        anyText(40),
      ),
      isMainFrame: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.constant({
      get url(): string {
        throw new Error(SECRET);
      },
      isMainFrame: true,
    }),
  },
);

const channel = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...channelNames) },
  fc.constantFrom('__proto__', 'toString', 'hasOwnProperty', 'app', 'app.info ', 'APP.INFO'),
  anyText(24),
  fc.anything(),
);

const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  fc.constant({ kind: 'error' as const }),
  fc.constant({ kind: 'throw' as const }),
  fc.anything().map((value) => ({ kind: 'junk' as const, value })),
  fc.constant({ kind: 'junk' as const, value: { ok: true, value: { secret: SECRET } } }),
);

describe('handler registry under a hostile renderer', () => {
  it(`always resolves to a plain result; handlers see only the app's page and valid arguments; nothing thrown leaks (${FUZZ_RUNS} cases)`, async () => {
    let current: Behaviour = { kind: 'error' };
    const reached: Array<{ channel: ChannelName; arg: unknown }> = [];
    const handlers = Object.fromEntries(
      channelNames.map((name) => [
        name,
        async (arg: unknown) => {
          reached.push({ channel: name, arg });
          if (current.kind === 'throw') throw new Error(`handler saw ${SECRET}`);
          if (current.kind === 'junk') return current.value;
          return err('handler-refused', 'refused by the test handler');
        },
      ]),
    ) as unknown as ChannelHandlers;
    const faults: HandlerFault[] = [];
    const registry = createHandlerRegistry(handlers, { allowedOrigins: [ORIGIN], onFault: (f) => faults.push(f) });
    let handled = 0;

    await fc.assert(
      fc.asyncProperty(channel, argument, sender, behaviour, async (name, arg, from, how) => {
        current = how;
        reached.length = 0;
        const result = await registry.invoke(name, arg, from);

        // Plain data, as structured clone would carry it to the renderer.
        expect(structuredClone(result)).toEqual(result);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) {
          expect(Object.keys(result.error).sort()).toEqual(['kind', 'message']);
          expect(typeof result.error.kind).toBe('string');
          expect(typeof result.error.message).toBe('string');
        }
        const text = JSON.stringify(result) ?? '';
        expect(text).not.toContain(SECRET);

        if (reached.length === 0) return;
        handled++;
        expect(reached).toHaveLength(1);
        const call = reached[0]!;
        const frame = from as { url: string; isMainFrame: boolean };
        expect(frame.isMainFrame).toBe(true);
        const url = new URL(frame.url);
        expect(`${url.protocol}//${url.host}`).toBe(ORIGIN);
        expect(isChannelName(name) && call.channel === name).toBe(true);
        expect(ipcContract[call.channel].arg.safeParse(arg).success).toBe(true);
      }),
      { numRuns: FUZZ_RUNS },
    );
    // The accepting path was exercised, and every handler fault was logged without the secret.
    expect(handled).toBeGreaterThan(100);
    expect(JSON.stringify(faults)).not.toContain(SECRET);
  }, 120_000);
});
