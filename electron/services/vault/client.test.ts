// @tier integration
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createVaultClient, type VaultClient, type VaultClientOptions } from './client';
import {
  createTestPki,
  json,
  startTestServer,
  type Handler,
  type RecordedRequest,
  type TestPki,
  type TestServer,
} from '../../../test/support/mtls-test-server';
import type { VaultResult } from './types';

let pki: TestPki;
let server: TestServer;
// Each test installs the Vault behaviour it needs.
let handler: Handler = () => undefined;
const clients: VaultClient[] = [];

beforeAll(async () => {
  pki = await createTestPki();
  server = await startTestServer(pki, (req, res) => handler(req, res));
});
afterAll(() => server.close());
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  server.requests.length = 0;
});

function client(options: Partial<VaultClientOptions> = {}): VaultClient {
  const c = createVaultClient({
    profileName: 'dc2',
    address: server.address,
    tls: { ca: pki.ca.certPem, cert: pki.client.certPem, key: pki.client.keyPem },
    ...options,
  });
  clients.push(c);
  return c;
}

function last(): RecordedRequest & { json: unknown } {
  const r = server.requests.at(-1);
  if (!r) throw new Error('no request reached the server');
  return { ...r, json: r.body === '' ? undefined : JSON.parse(r.body) };
}

function failed<T>(result: VaultResult<T>) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}

// What Vault's raw generate-root handlers return: every field, top level, no envelope.
const attempt = (fields: Record<string, unknown> = {}) => ({
  nonce: '2dbd10f1-8528-6246-09e7-82b25b8aba63',
  started: true,
  progress: 0,
  required: 3,
  complete: false,
  encoded_token: '',
  encoded_root_token: '',
  pgp_fingerprint: '',
  otp: '',
  otp_length: 28,
  ...fields,
});

// A logical endpoint's envelope (sys/replication/*, sys/decode-token).
const logical = (data: unknown, extra: Record<string, unknown> = {}) => ({
  request_id: 'a6f2b4e1-0c53-4a55-9c1c-3e0f8d1b2c77',
  lease_id: '',
  renewable: false,
  lease_duration: 0,
  data,
  wrap_info: null,
  warnings: null,
  auth: null,
  ...extra,
});

describe('generate-operation-token, generate-root and generate-recovery-token', () => {
  const families = [
    ['drOperationToken', '/v1/sys/replication/dr/secondary/generate-operation-token'],
    ['generateRoot', '/v1/sys/generate-root'],
    ['generateRecoveryToken', '/v1/sys/generate-recovery-token'],
  ] as const;

  for (const [family, path] of families) {
    it(`${family}: status, start, update and cancel use the right paths, methods and bodies`, async () => {
      const c = client()[family];
      handler = (req, res) => {
        if (req.method === 'DELETE') {
          res.writeHead(204);
          return res.end();
        }
        if (req.url.endsWith('/update'))
          return json(res, 200, attempt({ progress: 1, otp_length: 0, nonce: JSON.parse(req.body).nonce }));
        json(res, 200, attempt(req.method === 'PUT' ? { otp: 'server-made-otp-28-characters' } : {}));
      };

      const status = await c.status();
      expect(status).toMatchObject({
        ok: true,
        value: { status: 200, data: { started: true, required: 3, otp_length: 28 }, requestId: undefined },
      });
      expect(last()).toMatchObject({ method: 'GET', url: `${path}/attempt` });

      const started = await c.start({});
      expect(started.ok && started.value.data.otp).toBe('server-made-otp-28-characters');
      expect(last()).toMatchObject({ method: 'PUT', url: `${path}/attempt`, json: {} });

      await c.start({ otp: 'ABCDEFGHIJKLMNOPQRSTUVWXYZab' });
      expect(last().json).toEqual({ otp: 'ABCDEFGHIJKLMNOPQRSTUVWXYZab' });

      const updated = await c.submitShare({ key: ' aGVsbG8gd29ybGQgc2hhcmUgYnl0ZXMgMTIzNDU2Nzg5MA== ', nonce: 'n-1' });
      expect(updated).toMatchObject({ ok: true, value: { data: { progress: 1, nonce: 'n-1', otp_length: 0 } } });
      expect(last()).toMatchObject({
        method: 'PUT',
        url: `${path}/update`,
        json: { key: 'aGVsbG8gd29ybGQgc2hhcmUgYnl0ZXMgMTIzNDU2Nzg5MA==', nonce: 'n-1' },
      });

      expect(await c.cancel()).toEqual({
        ok: true,
        value: { status: 204, data: undefined, requestId: undefined, warnings: [] },
      });
      expect(last()).toMatchObject({ method: 'DELETE', url: `${path}/attempt`, body: '' });
    });
  }

  it('sends a PGP key as given (base64 of the binary key) and refuses armored or mixed input locally', async () => {
    handler = (_, res) => json(res, 200, attempt({ pgp_fingerprint: 'c0ffee' }));
    const c = client().drOperationToken;
    const started = await c.start({ pgpKey: 'xsBNBGYAAAABCAC+' });
    expect(started.ok && started.value.data.pgp_fingerprint).toBe('c0ffee');
    expect(last().json).toEqual({ pgp_key: 'xsBNBGYAAAABCAC+' });

    const before = server.requests.length;
    expect(failed(await c.start({ pgpKey: '-----BEGIN PGP PUBLIC KEY BLOCK-----\n...' }))).toMatchObject({
      kind: 'invalid-request',
      message: expect.stringMatching(/binary \(unarmored\)/),
    });
    expect(failed(await c.start({ otp: 'x'.repeat(28), pgpKey: 'xsBN' }))).toMatchObject({
      kind: 'invalid-request',
      message: expect.stringMatching(/not both/),
    });
    expect(failed(await c.start({ otp: '' }))).toMatchObject({ kind: 'invalid-request' });
    expect(failed(await c.submitShare({ key: '', nonce: 'n' }))).toMatchObject({ kind: 'invalid-request' });
    expect(server.requests).toHaveLength(before);
  });

  it('reads a pre-0.11 answer without otp_length as legacy (0)', async () => {
    const { otp_length: _, encoded_root_token: __, ...old } = attempt();
    handler = (_req, res) => json(res, 200, old);
    const status = await client().drOperationToken.status();
    expect(status.ok && status.value.data.otp_length).toBe(0);
  });

  it('refuses an answer missing a field the ceremony relies on, naming the field', async () => {
    const { nonce: _, ...noNonce } = attempt();
    handler = (_req, res) => json(res, 200, noNonce);
    const error = failed(await client().drOperationToken.status());
    expect(error).toMatchObject({ kind: 'unexpected-response', status: 200 });
    expect(error.message).toContain('nonce:');
  });

  it('turns Vault error envelopes into vault-error with status, texts and meaning', async () => {
    const cases = [
      [
        400,
        'incorrect nonce supplied; nonce for this root generation operation is "abc"',
        /re-read|read its status and confirm the new nonce/,
      ],
      [403, 'permission denied', /token is missing, wrong, or lacks a policy.*Vault 2\.x/],
      [503, 'Vault is sealed', /unsealed first/],
      [400, 'path disabled in replication DR secondary mode', /: this request cannot be served by a DR secondary\.$/],
    ] as const;
    for (const [status, text, meaning] of cases) {
      handler = (_, res) => json(res, status, { errors: [text] });
      const error = failed(await client().drOperationToken.submitShare({ key: 'c2hhcmU=', nonce: 'n' }));
      expect(error).toMatchObject({ kind: 'vault-error', status, errors: [text] });
      expect(error.message).toContain(
        `refused PUT sys/replication/dr/secondary/generate-operation-token/update with HTTP ${status} (profile 'dc2'). Vault says '${text}'`,
      );
      expect(error.message).toMatch(meaning);
    }
  });

  it('explains a refused DR operation token by where it was generated, and a failed cluster-port handshake by 8201', async () => {
    handler = (_, res) => json(res, 403, { errors: ['permission denied'] });
    const promote = failed(await client().dr.secondary.promote({ drOperationToken: 'hvs.fromAnotherCluster000000' }));
    expect(promote.message).toMatch(/works only on the DR secondary it was generated on/);
    expect(promote.message).not.toMatch(/Vault 2\.x/);
    handler = (_, res) =>
      json(res, 400, { errors: ['rpc error: authentication handshake failed: remote error: tls: internal error'] });
    const enable = failed(await client().dr.secondary.enable({ token: 'wrapping-token-0000' }));
    expect(enable.message).toMatch(/port 8201 must be TCP pass-through to the active node/);
  });

  it('never returns a secret it sent, even when Vault echoes it', async () => {
    const share = '6ecb46277133e04b29bd0b1b05e60722dab7cdc684a0d3ee2de50ce4c38a357101';
    handler = (req, res) =>
      json(res, 400, {
        errors: [`bad key ${JSON.parse(req.body).key} for token ${String(req.headers['x-vault-token'])}`],
      });
    const error = failed(
      await client({ token: 'hvs.ROOTTOKENROOTTOKENROOTTOK' }).generateRoot.submitShare({ key: share, nonce: 'n' }),
    );
    const everything = JSON.stringify(error);
    expect(everything).not.toContain(share);
    expect(everything).not.toContain('hvs.ROOTTOKEN');
    expect(error.errors).toEqual(['bad key [redacted] for token [redacted]']);
  });
});

describe('headers', () => {
  it('sends X-Vault-Token only when configured, and never a namespace (these endpoints live in the root namespace)', async () => {
    handler = (_, res) => json(res, 200, attempt());
    await client({ token: 'hvs.tok' }).generateRoot.status();
    expect(last().headers).toMatchObject({ 'x-vault-token': 'hvs.tok', 'x-vault-request': 'true' });
    expect(last().headers['x-vault-namespace']).toBeUndefined();
    await client().generateRoot.status();
    expect(last().headers['x-vault-token']).toBeUndefined();
    expect(last().headers['x-vault-namespace']).toBeUndefined();
  });
});

describe('replication', () => {
  const secondary = {
    cluster_id: 'b1f5c7a2-1111-2222-3333-444455556666',
    connection_state: 'ready',
    known_primary_cluster_addrs: ['https://10.0.0.1:8201'],
    last_remote_wal: 1024,
    merkle_root: 'f0e1d2',
    mode: 'secondary',
    primaries: [
      {
        api_address: 'https://10.0.0.1:8200',
        cluster_address: 'https://10.0.0.1:8201',
        connection_status: 'connected',
        last_heartbeat: '2024-05-01T10:00:00Z',
        clock_skew_ms: '0',
      },
    ],
    primary_cluster_addr: '',
    secondary_id: 'dr-east',
    state: 'stream-wals',
    some_future_field: 7,
  };

  it('reads sys/replication/status with request_id, keeping unknown fields', async () => {
    handler = (_, res) => json(res, 200, logical({ dr: secondary, performance: { mode: 'disabled' } }));
    const result = await client().replicationStatus();
    expect(result).toMatchObject({
      ok: true,
      value: {
        requestId: 'a6f2b4e1-0c53-4a55-9c1c-3e0f8d1b2c77',
        data: {
          dr: { mode: 'secondary', state: 'stream-wals', some_future_field: 7 },
          performance: { mode: 'disabled' },
        },
      },
    });
    expect(last()).toMatchObject({ method: 'GET', url: '/v1/sys/replication/status' });
  });

  it('reads dr/status and performance/status', async () => {
    handler = (_, res) => json(res, 200, logical(secondary));
    const dr = await client().dr.status();
    expect(dr.ok && dr.value.data.connection_state).toBe('ready');
    expect(last().url).toBe('/v1/sys/replication/dr/status');
    await client().performance.status();
    expect(last().url).toBe('/v1/sys/replication/performance/status');
  });

  it('explains a Vault without replication', async () => {
    handler = (_, res) => json(res, 200, logical({ mode: 'disabled' }));
    const error = failed(await client().replicationStatus());
    expect(error.kind).toBe('unexpected-response');
    expect(error.message).toMatch(/is it Vault Enterprise/);
  });

  it('promotes with the DR operation token, returning Vault warnings and redacting the token from errors', async () => {
    const warning =
      'This cluster is being promoted to a replication primary. Vault will be unavailable for a brief period and will resume service shortly.';
    handler = (_, res) => json(res, 200, logical(null, { warnings: [warning] }));
    const token = 'hvs.DRTOKENDRTOKENDRTOKENDRTO';
    const promoted = await client().dr.secondary.promote({
      drOperationToken: token,
      primaryClusterAddr: 'https://10.0.0.2:8201',
      force: false,
    });
    expect(promoted).toMatchObject({ ok: true, value: { data: null, warnings: [warning] } });
    expect(last()).toMatchObject({
      method: 'POST',
      url: '/v1/sys/replication/dr/secondary/promote',
      json: { dr_operation_token: token, primary_cluster_addr: 'https://10.0.0.2:8201', force: false },
    });

    handler = (req, res) => json(res, 400, { errors: [`invalid token ${JSON.parse(req.body).dr_operation_token}`] });
    const error = failed(await client().dr.secondary.promote({ drOperationToken: token }));
    expect(error.message).not.toContain(token);
    expect(last().json).toEqual({ dr_operation_token: token });
  });

  it('accepts 204 from operations that return nothing', async () => {
    handler = (_, res) => {
      res.writeHead(204);
      res.end();
    };
    expect(await client().dr.primary.revokeSecondary({ id: 'dr-east' })).toMatchObject({
      ok: true,
      value: { status: 204, data: null },
    });
    expect(last()).toMatchObject({ url: '/v1/sys/replication/dr/primary/revoke-secondary', json: { id: 'dr-east' } });
  });

  it('covers the failback and setup endpoints', async () => {
    handler = (_, res) => json(res, 200, logical(null));
    const c = client({ token: 'hvs.admin' });
    const calls: Array<[() => Promise<unknown>, string, unknown]> = [
      [
        () => c.dr.primary.enable({ primaryClusterAddr: 'https://a:8201' }),
        'dr/primary/enable',
        { primary_cluster_addr: 'https://a:8201' },
      ],
      [() => c.dr.primary.demote(), 'dr/primary/demote', undefined],
      [() => c.dr.primary.disable(), 'dr/primary/disable', undefined],
      [() => c.performance.primary.enable(), 'performance/primary/enable', {}],
      [
        () => c.dr.secondary.enable({ token: 'wrapped', primaryApiAddr: 'https://a:8200', caFile: '/ca.pem' }),
        'dr/secondary/enable',
        { token: 'wrapped', primary_api_addr: 'https://a:8200', ca_file: '/ca.pem' },
      ],
      [
        () => c.dr.secondary.disable({ drOperationToken: 'drt' }),
        'dr/secondary/disable',
        { dr_operation_token: 'drt' },
      ],
      [() => c.drOperationToken.delete('drt'), 'dr/secondary/operation-token/delete', { dr_operation_token: 'drt' }],
      [
        () => c.dr.secondary.updatePrimary({ drOperationToken: 'drt', updatePrimaryAddrs: ['10.0.0.9:8201'] }),
        'dr/secondary/update-primary',
        { dr_operation_token: 'drt', update_primary_addrs: ['10.0.0.9:8201'] },
      ],
      [
        () => c.dr.secondary.updatePrimary({ drOperationToken: 'drt', token: '' }),
        'dr/secondary/update-primary',
        { dr_operation_token: 'drt', token: '' },
      ],
      [
        () => c.performance.secondary.enable({ token: 'wrapped' }),
        'performance/secondary/enable',
        { token: 'wrapped' },
      ],
      [() => c.performance.secondary.promote({ force: true }), 'performance/secondary/promote', { force: true }],
      [
        () => c.performance.secondary.updatePrimary({ token: 'wrapped2' }),
        'performance/secondary/update-primary',
        { token: 'wrapped2' },
      ],
      [() => c.performance.secondary.disable(), 'performance/secondary/disable', undefined],
      [() => c.performance.primary.revokeSecondary({ id: 'p1' }), 'performance/primary/revoke-secondary', { id: 'p1' }],
    ];
    for (const [run, path, body] of calls) {
      const result = (await run()) as VaultResult<unknown>;
      expect(result.ok, path).toBe(true);
      expect(last(), path).toMatchObject({ method: 'POST', url: `/v1/sys/replication/${path}`, json: body });
      expect(last().headers['x-vault-token']).toBe('hvs.admin');
    }
  });

  it('refuses update-primary with both a token and addresses, without sending anything', async () => {
    const before = server.requests.length;
    const error = failed(
      await client().dr.secondary.updatePrimary({
        drOperationToken: 'drt',
        token: 't',
        updatePrimaryAddrs: ['a:8201'],
      }),
    );
    expect(error.kind).toBe('invalid-request');
    expect(error.message).toMatch(/mutually exclusive/);
    expect(
      failed(await client().performance.secondary.updatePrimary({ token: 't', updatePrimaryAddrs: [] })).kind,
    ).toBe('invalid-request');
    expect(failed(await client().dr.secondary.promote({ drOperationToken: '' })).kind).toBe('invalid-request');
    expect(server.requests).toHaveLength(before);
  });

  it('reads a wrapped secondary token from wrap_info, and a direct one from data.token', async () => {
    handler = (_, res) =>
      json(
        res,
        200,
        logical(null, {
          wrap_info: {
            token: 'hvs.WRAPPED',
            accessor: 'acc1',
            ttl: 1800,
            creation_time: '2024-05-01T10:00:00Z',
            creation_path: 'sys/replication/dr/primary/secondary-token',
          },
        }),
      );
    const wrapped = await client().dr.primary.secondaryToken({ id: 'dr-east', ttl: '30m' });
    expect(wrapped).toMatchObject({
      ok: true,
      value: { data: { token: 'hvs.WRAPPED', wrapped: true, ttl: 1800, accessor: 'acc1' } },
    });
    expect(last()).toMatchObject({
      url: '/v1/sys/replication/dr/primary/secondary-token',
      json: { id: 'dr-east', ttl: '30m' },
    });

    handler = (_, res) => json(res, 200, logical({ token: 'eyJhbGciOi' }));
    const direct = await client().performance.primary.secondaryToken({ id: 'perf', secondaryPublicKey: 'pubkey' });
    expect(direct).toMatchObject({ ok: true, value: { data: { token: 'eyJhbGciOi', wrapped: false } } });
    expect(last().json).toEqual({ id: 'perf', secondary_public_key: 'pubkey' });

    handler = (_, res) => json(res, 200, logical(null));
    expect(failed(await client().dr.primary.secondaryToken({ id: 'x' })).kind).toBe('unexpected-response');
  });
});

describe('health, seal status and decode-token', () => {
  const health = {
    initialized: true,
    sealed: false,
    standby: false,
    performance_standby: false,
    replication_performance_mode: 'disabled',
    replication_dr_mode: 'secondary',
    server_time_utc: 1714557600,
    version: '1.17.3+ent',
  };

  it('treats 472 (DR secondary) and 503 (sealed) as answers, passing query codes', async () => {
    handler = (_, res) => json(res, 472, health);
    const dr = await client().health();
    expect(dr).toMatchObject({ ok: true, value: { status: 472, data: { replication_dr_mode: 'secondary' } } });
    handler = (_, res) => json(res, 503, { ...health, sealed: true });
    expect(await client().health()).toMatchObject({ ok: true, value: { status: 503, data: { sealed: true } } });

    handler = (_, res) => json(res, 299, health);
    expect(await client().health({ drsecondarycode: 299, standbyok: true })).toMatchObject({
      ok: true,
      value: { status: 299 },
    });
    expect(last().url).toBe('/v1/sys/health?drsecondarycode=299&standbyok=true');
  });

  it('still fails health on a real error status', async () => {
    handler = (_, res) => json(res, 500, { errors: ['internal error'] });
    expect(failed(await client().health())).toMatchObject({ kind: 'vault-error', status: 500 });
  });

  it('reads seal status', async () => {
    handler = (_, res) =>
      json(res, 200, {
        type: 'shamir',
        initialized: true,
        sealed: false,
        t: 3,
        n: 5,
        progress: 0,
        nonce: '',
        version: '1.17.3+ent',
        recovery_seal: false,
        storage_type: 'raft',
      });
    const result = await client().sealStatus();
    expect(result).toMatchObject({ ok: true, value: { data: { type: 'shamir', t: 3, n: 5 } } });
    expect(last().url).toBe('/v1/sys/seal-status');
  });

  it('decodes on the server, and keeps OTP and encoded token out of errors', async () => {
    handler = (_, res) => json(res, 200, logical({ token: 'hvs.decoded' }));
    const decoded = await client().decodeToken({ encodedToken: 'ENCODEDENCODED', otp: 'OTPOTPOTPOTP' });
    expect(decoded.ok && decoded.value.data.token).toBe('hvs.decoded');
    expect(last()).toMatchObject({
      method: 'PUT',
      url: '/v1/sys/decode-token',
      json: { encoded_token: 'ENCODEDENCODED', otp: 'OTPOTPOTPOTP' },
    });

    handler = (req, res) => json(res, 400, { errors: [`cannot decode ${req.body}`] });
    const error = failed(await client().decodeToken({ encodedToken: 'ENCODEDENCODED', otp: 'OTPOTPOTPOTP' }));
    expect(JSON.stringify(error)).not.toMatch(/ENCODEDENCODED|OTPOTPOTPOTP/);
  });
});

describe('transport failures through the client', () => {
  it('refuses to follow a redirect (a standby node)', async () => {
    handler = (_, res) => {
      res.writeHead(307, { Location: 'https://10.0.0.3:8200/v1/sys/replication/status' });
      res.end();
    };
    const error = failed(await client().replicationStatus());
    expect(error).toMatchObject({ kind: 'unexpected-response', status: 307 });
    expect(error.message).toContain('redirected GET sys/replication/status to https://10.0.0.3:8200');
  });

  it('passes TLS failures through with their kind', async () => {
    const error = failed(
      await client({ tls: { ca: pki.otherCa.certPem, cert: pki.client.certPem, key: pki.client.keyPem } }).sealStatus(),
    );
    expect(error.kind).toBe('server-certificate-untrusted');
  });

  it('honours the client timeout', async () => {
    handler = () => undefined;
    const error = failed(await client({ timeoutMs: 400 }).sealStatus());
    expect(error.kind).toBe('timeout');
  });
});
