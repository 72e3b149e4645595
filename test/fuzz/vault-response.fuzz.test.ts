// @tier integration
/**
 * The Vault client's reading of answers, driven through every endpoint without a socket
 * (`vaultClientOver` with a transport that returns what the case says): malformed and
 * wrong-typed JSON, missing fields, odd statuses, redirects, huge values, error texts that echo
 * the secrets the request carried, and transport failures. The client must always resolve to a
 * typed VaultResult, keep to its error kinds, and never hand back a secret it sent.
 *
 * The same parsing over real sockets, for what only a socket can do (a body past the cap, an
 * answer cut off mid-body, deep nesting through JSON.parse), is in the second block.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultClient, vaultClientOver, type VaultClient } from '../../electron/services/vault/client';
import {
  createTestPki,
  json,
  startTestServer,
  type Handler,
  type TestPki,
  type TestServer,
} from '../support/mtls-test-server';
import type {
  Transport,
  TransportErrorKind,
  TransportRequest,
  TransportResponse,
} from '../../electron/services/vault/transport';
import type { VaultErrorKind, VaultResult } from '../../electron/services/vault/types';
import type { Result } from '../../shared/result';
import { anyText, FUZZ_RUNS } from './fuzz-support';

const TRANSPORT_KINDS: Record<TransportErrorKind, true> = {
  'server-certificate-untrusted': true,
  'server-name-mismatch': true,
  'server-certificate-expired': true,
  'server-certificate-not-yet-valid': true,
  'server-certificate-invalid': true,
  'client-certificate-refused': true,
  'client-certificate-required': true,
  'tls-version-unsupported': true,
  'not-tls': true,
  'tls-failed': true,
  'connection-refused': true,
  'host-not-found': true,
  'host-unreachable': true,
  'connection-reset': true,
  'closed-before-tls': true,
  timeout: true,
  'response-too-large': true,
  'invalid-response': true,
};
const KINDS: Record<VaultErrorKind, true> = {
  ...TRANSPORT_KINDS,
  'vault-error': true,
  'unexpected-response': true,
  'invalid-request': true,
};

// What the ceremony sends: a share, an OTP, the DR operation token, an encoded token, the X-Vault-Token.
const SHARE = '6ecb46d1f0a5e3c2b19d8877665544332211ffeeddccbbaa99887766554433221100';
const OTP = 'Jx3Kp9Qm2Wv8Ls5Tn7Yb4Hc6Rd1F';
const DR_TOKEN = 'hvs.7yq2x6NPo3mb1fDk4ZjUeRtL';
const ENCODED = 'Ig5AZUdAIF9KYThoI0BYNl9RHQkAEgljNzZFCg';
const VAULT_TOKEN = 'hvs.CAESIPrimaryRootTokenValue';
const SECRETS = [SHARE, OTP, DR_TOKEN, ENCODED, VAULT_TOKEN];
const NONCE = '2dbd10f1-8528-6246-09e7-82b25b8aba63';

/** Every endpoint, called as the ceremony and the operations screen call them. */
const CALLS: ReadonlyArray<readonly [string, (c: VaultClient) => Promise<VaultResult<unknown>>]> = [
  ['dr status', (c) => c.drOperationToken.status()],
  ['dr start otp', (c) => c.drOperationToken.start({ otp: OTP })],
  ['dr start generated', (c) => c.drOperationToken.start({})],
  ['dr submit share', (c) => c.drOperationToken.submitShare({ key: SHARE, nonce: NONCE })],
  ['dr cancel', (c) => c.drOperationToken.cancel()],
  ['dr delete token', (c) => c.drOperationToken.delete(DR_TOKEN)],
  ['root submit share', (c) => c.generateRoot.submitShare({ key: SHARE, nonce: NONCE })],
  ['recovery start', (c) => c.generateRecoveryToken.start({ otp: OTP })],
  [
    'promote',
    (c) => c.dr.secondary.promote({ drOperationToken: DR_TOKEN, primaryClusterAddr: 'https://dc2:8201', force: true }),
  ],
  ['update primary', (c) => c.dr.secondary.updatePrimary({ drOperationToken: DR_TOKEN, token: ENCODED })],
  ['dr secondary disable', (c) => c.dr.secondary.disable({ drOperationToken: DR_TOKEN })],
  ['dr secondary enable', (c) => c.dr.secondary.enable({ token: ENCODED })],
  ['secondary token', (c) => c.dr.primary.secondaryToken({ id: 'dc1', ttl: '30m' })],
  ['demote', (c) => c.dr.primary.demote()],
  ['perf promote', (c) => c.performance.secondary.promote()],
  ['replication status', (c) => c.replicationStatus()],
  ['dr mode status', (c) => c.dr.status()],
  ['health', (c) => c.health({ drsecondarycode: 200 })],
  ['seal status', (c) => c.sealStatus()],
  ['decode token', (c) => c.decodeToken({ encodedToken: ENCODED, otp: OTP })],
];

/** Fields Vault's answers carry, so generated bodies are often nearly right and sometimes right. */
const FIELD_NAMES = [
  'nonce',
  'started',
  'progress',
  'required',
  'complete',
  'encoded_token',
  'encoded_root_token',
  'pgp_fingerprint',
  'otp',
  'otp_length',
  'mode',
  'state',
  'dr',
  'performance',
  'initialized',
  'sealed',
  'standby',
  'type',
  't',
  'n',
  'token',
  'wrap_info',
  'data',
  'request_id',
  'warnings',
  'errors',
  '__proto__',
  'constructor',
];
const secretText = fc
  .constantFrom(...SECRETS)
  .chain((s) => fc.constantFrom(s, `invalid key ${s}`, `"${s}"`, `${s} ${s}`, `prefix:${s}:suffix`));
const leaf = fc.oneof(
  fc.constantFrom(true, false, 0, 1, 3, -1, 1.5, 1e308, '', 'primary', 'secondary', 'disabled', NONCE, null),
  secretText,
  anyText(24),
  fc.integer(),
);
const vaultish: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...FIELD_NAMES), tie('value'), { maxKeys: 8 }),
  ),
})).value;

const validStatus = {
  nonce: NONCE,
  started: true,
  progress: 1,
  required: 3,
  complete: false,
  encoded_token: '',
  encoded_root_token: '',
  pgp_fingerprint: '',
  otp: '',
  otp_length: 28,
};
const body = fc.oneof(
  { weight: 4, arbitrary: vaultish },
  { weight: 1, arbitrary: fc.anything({ withNullPrototype: true }) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        errors: fc.array(fc.oneof(secretText, leaf), { maxLength: 3 }),
        request_id: fc.oneof(anyText(8), fc.integer()),
      },
      { requiredKeys: [] },
    ),
  },
  // A valid answer with one field removed or retyped, top level or in the logical envelope.
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...Object.keys(validStatus)), fc.option(leaf, { nil: undefined }), fc.boolean())
      .map(([field, value, envelope]) => {
        const answer: Record<string, unknown> = { ...validStatus, [field]: value };
        if (value === undefined) delete answer[field];
        return envelope ? { request_id: 'r-1', data: answer, warnings: [SHARE, 7] } : answer;
      }),
  },
  {
    weight: 1,
    arbitrary: fc.constant({ data: { token: 'x'.repeat(200_000) }, wrap_info: { token: SECRETS.join('') } }),
  },
);
const status = fc.oneof(
  fc.constantFrom(200, 204, 301, 302, 307, 400, 403, 404, 405, 412, 429, 472, 473, 500, 501, 503),
  fc.integer({ min: 0, max: 999 }),
);
const headers = fc.record(
  { location: fc.oneof(fc.constant(undefined), anyText(20), fc.constant(`https://x/?token=${VAULT_TOKEN}`)) },
  { requiredKeys: [] },
);

type Answer = Result<TransportResponse, TransportErrorKind>;
const answer: fc.Arbitrary<Answer> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ status, headers, body }).map((value): Answer => ({ ok: true, value })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...(Object.keys(TRANSPORT_KINDS) as TransportErrorKind[])),
        fc.oneof(anyText(30), secretText),
      )
      .map(([kind, message]): Answer => ({ ok: false, error: { kind, message } })),
  },
);

/** A transport that answers each request with whatever the current case says, and records what was asked. */
function scriptedTransport(): Transport & { next: Answer; sent: TransportRequest[] } {
  const t = {
    profileName: 'dc2',
    address: 'https://vault-dr.example:8200',
    next: { ok: false, error: { kind: 'timeout', message: 'unset' } } as Answer,
    sent: [] as TransportRequest[],
    async request(r: TransportRequest) {
      t.sent.push(r);
      return t.next;
    },
    close() {},
  };
  return t;
}

/** `sent`: the secrets the request carried (the client cannot know what it never sent). */
function expectNoSecret(value: unknown, sent: readonly string[] = SECRETS): void {
  const text = JSON.stringify(value) ?? '';
  for (const secret of sent) expect(text, 'a secret reached the result').not.toContain(secret);
}

function secretsIn(request: TransportRequest | undefined): string[] {
  const carried = JSON.stringify([request?.body, request?.headers]) ?? '';
  return SECRETS.filter((s) => carried.includes(s));
}

describe("the Vault client's reading of answers (no socket)", () => {
  it(`always resolves to a typed result and never returns a secret it sent (${FUZZ_RUNS} cases)`, async () => {
    const transport = scriptedTransport();
    const client = vaultClientOver(transport, { token: VAULT_TOKEN });
    const outcomes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: CALLS.length - 1 }), answer, async (which, next) => {
        transport.next = next;
        transport.sent.length = 0;
        const result = await CALLS[which]![1](client);
        if (result.ok) {
          outcomes.add('ok');
          expect(next.ok && (next.value.status < 300 || next.value.status >= 400)).toBe(true);
          expect(
            Array.isArray(result.value.warnings) && result.value.warnings.every((w) => typeof w === 'string'),
          ).toBe(true);
          expect(result.value.requestId === undefined || typeof result.value.requestId === 'string').toBe(true);
          // The data may hold secrets Vault hands out (an activation token); its own request id and
          // warnings never repeat the ones this request sent.
          expectNoSecret([result.value.requestId, result.value.warnings], secretsIn(transport.sent[0]));
          return;
        }
        const error = result.error;
        outcomes.add(error.kind);
        expect(Object.hasOwn(KINDS, error.kind), error.kind).toBe(true);
        expect(typeof error.message).toBe('string');
        expect(error.errors === undefined || error.errors.every((e) => typeof e === 'string')).toBe(true);
        expect(transport.sent.length).toBeLessThanOrEqual(1);
        expectNoSecret(error, secretsIn(transport.sent[0]));
      }),
      { numRuns: FUZZ_RUNS },
    );
    // Each way an answer can be read was reached.
    expect([...outcomes]).toEqual(expect.arrayContaining(['ok', 'vault-error', 'unexpected-response', 'timeout']));
  }, 120_000);
});

describe("the Vault client's reading of answers over real mutual TLS", () => {
  let pki: TestPki;
  let server: TestServer;
  let respond: Handler = () => undefined;
  let client: VaultClient;

  beforeAll(async () => {
    pki = await createTestPki();
    server = await startTestServer(pki, (req, res) => respond(req, res));
    client = createVaultClient({
      profileName: 'dc2',
      address: server.address,
      tls: { ca: pki.ca.certPem, cert: pki.client.certPem, key: pki.client.keyPem },
      token: VAULT_TOKEN,
      timeoutMs: 5_000,
    });
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  const kindOf = (r: VaultResult<unknown>) => (r.ok ? 'ok' : r.error.kind);

  it('refuses a body over the 4 MiB cap, declared or streamed, without the secret it sent', async () => {
    respond = (_, res) => json(res, 200, { ...validStatus, padding: 'x'.repeat(5 * 1024 * 1024) });
    const declared = await client.drOperationToken.submitShare({ key: SHARE, nonce: NONCE });
    expect(kindOf(declared)).toBe('response-too-large');
    respond = (_, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = 'x'.repeat(64 * 1024);
      res.write('{"padding":"');
      for (let i = 0; i < 80; i++) res.write(chunk);
      res.end('"}');
    };
    const streamed = await client.drOperationToken.submitShare({ key: SHARE, nonce: NONCE });
    expect(kindOf(streamed)).toBe('response-too-large');
    expectNoSecret(declared);
    expectNoSecret(streamed);
  });

  it('reports an answer cut off mid-body as a broken connection whose outcome is unknown', async () => {
    respond = (_, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '500' });
      res.write(JSON.stringify(validStatus).slice(0, 60));
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const cut = await client.drOperationToken.submitShare({ key: SHARE, nonce: NONCE });
    expect(kindOf(cut)).toBe('connection-reset');
    expect(!cut.ok && cut.error.message).toMatch(/may have reached Vault: check the status before repeating it/);
    expectNoSecret(cut);

    respond = (_, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }); // chunked, never finished
      res.write(JSON.stringify(validStatus).slice(0, 60));
      setTimeout(() => res.socket?.destroy(), 20);
    };
    expect(kindOf(await client.drOperationToken.status())).toBe('connection-reset');
  });

  it('reads deeply nested and oddly typed JSON as an unexpected answer, not a crash', async () => {
    respond = (_, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('['.repeat(200_000) + ']'.repeat(200_000));
    };
    expect(kindOf(await client.drOperationToken.status())).toBe('unexpected-response');
    respond = (_, res) => json(res, 200, { ...validStatus, progress: '1', required: null });
    const typed = await client.drOperationToken.status();
    expect(kindOf(typed)).toBe('unexpected-response');
    expect(!typed.ok && typed.error.message).toMatch(/progress/);
  });

  it('reports JSON cut short but complete on the wire as an answer that is not JSON', async () => {
    respond = (_, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(validStatus).slice(0, 40));
    };
    expect(kindOf(await client.drOperationToken.status())).toBe('invalid-response');
  });

  it('times out a server that sends headers and then nothing', async () => {
    respond = (_, res) =>
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' }).flushHeaders();
    const quick = createVaultClient({
      profileName: 'dc2',
      address: server.address,
      tls: { ca: pki.ca.certPem, cert: pki.client.certPem, key: pki.client.keyPem },
      timeoutMs: 600,
    });
    const result = await quick.drOperationToken.submitShare({ key: SHARE, nonce: NONCE });
    quick.close();
    expect(kindOf(result)).toBe('timeout');
    expect(!result.ok && result.error.message).toMatch(/did not finish its answer/);
    expectNoSecret(result);
  });
});
