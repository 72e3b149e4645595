// @tier integration
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeToken } from '../shared/codecs/token-encode';
import { vaultRequest } from '../test/support/mtls-client';
import {
  decodeToken as decode,
  decryptShare,
  DR_GENERATION as DR,
  generateDrTokenAt,
  OTP,
} from '../test/support/rehearsal-dr-token';
import { startRehearsalVault, type RehearsalVault, type RehearsalVaultOptions } from './rehearsal-cluster-set';

async function start(options: RehearsalVaultOptions = {}): Promise<RehearsalVault> {
  const r = await startRehearsalVault({ officers: 3, threshold: 2, ...options });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function client(v: RehearsalVault) {
  const id = { caPem: v.caPem, certPem: v.clientCertPem, keyPem: v.clientKeyPem };
  const at = (addr: string) => (method: string, path: string, options?: { token?: string; body?: unknown }) =>
    vaultRequest(id, addr, method, path, options);
  return { primary: at(v.primary.apiAddr), secondary: at(v.drSecondary.apiAddr) };
}

/** Runs the DR operation-token ceremony over HTTP; returns the decoded token. */
async function generateDrToken(v: RehearsalVault, token?: string): Promise<string> {
  return generateDrTokenAt(v, v.drSecondary.apiAddr, token);
}

describe('a running rehearsal (primary + DR secondary)', () => {
  let v: RehearsalVault;
  beforeAll(async () => {
    v = await start();
  });
  afterAll(() => v.close());

  it('hands each officer a PGP-encrypted hex share with their key’s fingerprint', async () => {
    expect(v.officers).toHaveLength(3);
    for (const officer of v.officers) {
      expect(officer.fingerprint).toMatch(/^[0-9a-f]{40}$/);
      expect(await decryptShare(officer)).toMatch(/^[0-9a-f]{66}$/);
    }
    expect(v.rootToken).toMatch(/^hvs\.[A-Za-z0-9]{24}$/);
  });

  it('reports DR replication running on both sides, WALs and merkle roots in step', async () => {
    const { primary, secondary } = client(v);
    const p = (await primary('GET', 'sys/replication/dr/status')).json;
    const s = (await secondary('GET', 'sys/replication/dr/status')).json;
    expect(p.data).toMatchObject({ mode: 'primary', state: 'running', known_secondaries: ['dr-secondary'] });
    expect(p.data.secondaries[0]).toMatchObject({
      node_id: 'dr-secondary',
      api_address: v.drSecondary.apiAddr,
      connection_status: 'connected',
    });
    expect(s.data).toMatchObject({
      mode: 'secondary',
      state: 'stream-wals',
      connection_state: 'ready',
      secondary_id: 'dr-secondary',
      cluster_id: p.data.cluster_id,
    });
    expect(s.data.primaries[0]).toMatchObject({ api_address: v.primary.apiAddr, connection_status: 'connected' });
    expect(s.data.last_remote_wal).toBe(p.data.last_wal);
    expect(s.data.merkle_root).toBe(p.data.merkle_root);
    const both = (await secondary('GET', 'sys/replication/status')).json;
    expect(both.data.dr.mode).toBe('secondary');
    expect(both.data.performance).toEqual({ mode: 'disabled' });
  });

  it('moves the WALs when the primary is written to', async () => {
    const { primary, secondary } = client(v);
    const before = (await primary('GET', 'sys/replication/dr/status')).json.data.last_wal;
    expect((await primary('PUT', 'secret/app', { token: v.rootToken, body: { colour: 'blue' } })).status).toBe(204);
    const after = (await primary('GET', 'sys/replication/dr/status')).json.data;
    expect(after.last_wal).toBe(before + 1);
    expect((await secondary('GET', 'sys/replication/dr/status')).json.data.last_remote_wal).toBe(after.last_wal);
    expect((await primary('GET', 'secret/app', { token: v.rootToken })).json.data).toEqual({ colour: 'blue' });
  });

  it('answers health 472 on the DR secondary unless told otherwise', async () => {
    const { secondary } = client(v);
    const h = await secondary('GET', 'sys/health');
    expect(h.status).toBe(472);
    expect(h.json).toMatchObject({
      initialized: true,
      sealed: false,
      replication_dr_mode: 'secondary',
      replication_performance_mode: 'disabled',
    });
    expect((await secondary('GET', 'sys/health?drsecondarycode=200')).status).toBe(200);
    expect((await client(v).primary('GET', 'sys/health')).json.replication_dr_mode).toBe('primary');
  });

  it('reports the seal as the primary’s on the secondary', async () => {
    const s = (await client(v).secondary('GET', 'sys/seal-status')).json;
    expect(s).toMatchObject({
      type: 'shamir',
      initialized: true,
      sealed: false,
      t: 2,
      n: 3,
      progress: 0,
      storage_type: 'raft',
    });
  });

  it('disables other paths on the DR secondary, even for the root token', async () => {
    const { secondary } = client(v);
    for (const [method, path] of [
      ['GET', 'sys/mounts'],
      ['PUT', 'secret/x'],
      ['GET', 'sys/storage/raft/configuration'],
      ['PUT', 'sys/generate-root/attempt'],
    ] as const) {
      const r = await secondary(method, path, { token: v.rootToken, body: {} });
      expect(r.status).toBe(400);
      expect(r.json).toEqual({ errors: ['path disabled in replication DR secondary mode'] });
    }
  });

  it('reports the attempt in Vault’s top-level shape, with otp_length 28', async () => {
    const r = await client(v).secondary('GET', `${DR}/attempt`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      nonce: '',
      started: false,
      progress: 0,
      required: 2,
      complete: false,
      encoded_token: '',
      encoded_root_token: '',
      pgp_fingerprint: '',
      otp: '',
      otp_length: 28,
    });
  });

  it('refuses a wrong nonce (revealing the real one), a repeated share and a bad OTP', async () => {
    const { secondary } = client(v);
    expect((await secondary('PUT', `${DR}/attempt`, { body: { otp: 'short' } })).json).toEqual({
      errors: ['OTP string is wrong length'],
    });
    const begun = (await secondary('PUT', `${DR}/attempt`, { body: { otp: OTP } })).json;
    const share = await decryptShare(v.officers[0]!);
    const wrong = await secondary('PUT', `${DR}/update`, { body: { key: share, nonce: 'nope' } });
    expect(wrong.status).toBe(400);
    expect(wrong.json.errors[0]).toBe(
      `incorrect nonce supplied; nonce for this root generation operation is "${begun.nonce}"`,
    );
    expect((await secondary('PUT', `${DR}/update`, { body: { key: share, nonce: begun.nonce } })).json.progress).toBe(
      1,
    );
    const again = await secondary('PUT', `${DR}/update`, {
      body: { key: Buffer.from(share, 'hex').toString('base64'), nonce: begun.nonce },
    });
    expect(again.json).toEqual({ errors: ['given key has already been provided during this generation operation'] });
    const empty = await secondary('PUT', `${DR}/update`);
    expect(empty.json).toEqual({ errors: ['EOF'] });
    const cancelled = await secondary('DELETE', `${DR}/attempt`);
    expect(cancelled.status).toBe(204);
    expect(cancelled.text).toBe('');
  });

  it('refuses promote without, or with a wrong, DR operation token', async () => {
    const { secondary } = client(v);
    expect((await secondary('PUT', 'sys/replication/dr/secondary/promote', { body: {} })).json).toEqual({
      errors: ['DR operation token was not provided'],
    });
    const wrong = await secondary('PUT', 'sys/replication/dr/secondary/promote', {
      body: { dr_operation_token: 'hvs.NotARealTokenAtAllxxxxxxx' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.json).toEqual({ errors: ['permission denied'] });
    const root = await secondary('PUT', 'sys/replication/dr/secondary/promote', {
      body: { dr_operation_token: v.rootToken },
    });
    expect(root.status).toBe(403);
    expect((await secondary('GET', 'sys/replication/dr/status')).json.data.mode).toBe('secondary');
  });

  it('shows a cut in replication, the lag it causes, and the catch-up', async () => {
    const { primary, secondary } = client(v);
    v.faults.cutReplication();
    v.faults.writeOnPrimary();
    const p = (await primary('GET', 'sys/replication/dr/status')).json.data;
    const s = (await secondary('GET', 'sys/replication/dr/status')).json.data;
    expect(s.connection_state).toBe('transient_failure');
    expect(p.secondaries[0].connection_status).toBe('disconnected');
    expect(s.last_remote_wal).toBeLessThan(p.last_wal);
    v.faults.restoreReplication();
    const healed = (await secondary('GET', 'sys/replication/dr/status')).json.data;
    expect(healed).toMatchObject({ connection_state: 'ready', last_remote_wal: p.last_wal });
  });

  it('loses the attempt when the secondary restarts, as Vault does', async () => {
    const { secondary } = client(v);
    await secondary('PUT', `${DR}/attempt`, { body: { otp: OTP } });
    await v.faults.restart('drSecondary');
    const r = await secondary('GET', `${DR}/attempt`);
    expect(r.json).toMatchObject({ started: false, nonce: '' });
  });

  it('lets "someone else" replace the attempt, changing the nonce', async () => {
    const { secondary } = client(v);
    const mine = (await secondary('PUT', `${DR}/attempt`, { body: { otp: OTP } })).json.nonce;
    const theirs = await v.faults.replaceAttempt();
    expect(theirs).not.toBe(mine);
    const r = await secondary('PUT', `${DR}/update`, {
      body: { key: await decryptShare(v.officers[0]!), nonce: mine },
    });
    expect(r.json.errors[0]).toContain(`"${theirs}"`);
    await secondary('DELETE', `${DR}/attempt`);
  });

  it('drops or delays responses on request, after handling the request', async () => {
    const { secondary } = client(v);
    v.faults.dropResponses('drSecondary', { path: /generate-operation-token\/attempt$/, times: 1 });
    await expect(secondary('PUT', `${DR}/attempt`, { body: { otp: OTP } })).rejects.toThrow();
    expect((await secondary('GET', `${DR}/attempt`)).json.started).toBe(true);
    await secondary('DELETE', `${DR}/attempt`);
    v.faults.delayResponses('drSecondary', 300, { times: 1 });
    const t0 = Date.now();
    await secondary('GET', 'sys/health');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('decodes a token at sys/decode-token, unauthenticated, as Vault does', async () => {
    const token = 'hvs.ABCDEFGHIJKLMNOPQRSTUVWX';
    const encoded = encodeToken(token, OTP);
    if (!encoded.ok) throw new Error(encoded.error.message);
    const r = await client(v).primary('PUT', 'sys/decode-token', { body: { encoded_token: encoded.value, otp: OTP } });
    expect(r.json.data).toEqual({ token });
  });

  it("answers a bad sys/decode-token input with Go's error and HTTP 500, and reads RawStd strictly", async () => {
    const encoded = encodeToken('hvs.ABCDEFGHIJKLMNOPQRSTUVWX', OTP);
    if (!encoded.ok) throw new Error(encoded.error.message);
    const call = (body: unknown) => client(v).primary('PUT', 'sys/decode-token', { body });
    // 28 bytes make 38 RawStd characters; Std would add '==' at 38 and 39.
    const padded = await call({ encoded_token: `${encoded.value}==`, otp: OTP });
    expect(padded).toMatchObject({
      status: 500,
      json: { errors: ["error decoding base64'd token: illegal base64 data at input byte 38"] },
    });
    const short = await call({ encoded_token: encoded.value, otp: OTP.slice(0, 26) });
    expect(short).toMatchObject({
      status: 500,
      json: { errors: ['error xoring token: length of byte slices is not equivalent: 28 != 26'] },
    });
  });

  it('refuses clients without the rehearsal client certificate in the TLS handshake', async () => {
    await expect(vaultRequest({ caPem: v.caPem }, v.drSecondary.apiAddr, 'GET', 'sys/health')).rejects.toThrow();
  });

  it("reads a DR secondary's raft configuration authorised by a DR operation token, refusing one deleted (403)", async () => {
    const { secondary } = client(v);
    const drToken = await generateDrToken(v);
    const read = () => secondary('POST', 'sys/storage/raft/configuration', { body: { dr_operation_token: drToken } });
    const config = await read();
    expect(config.status).toBe(200);
    expect(config.json.data.config.servers).toEqual([
      {
        node_id: 'dr-secondary-node-1',
        address: expect.stringMatching(/^127\.[\d.]+:\d+$/),
        leader: true,
        voter: true,
      },
    ]);
    const deleted = await secondary('POST', 'sys/replication/dr/secondary/operation-token/delete', {
      body: { dr_operation_token: drToken },
    });
    expect(deleted.status).toBe(204);
    expect(await read()).toMatchObject({ status: 403, json: { errors: ['permission denied'] } });
  });

  it('insists on force while "catching up", then promotes with the generated DR operation token', async () => {
    const { primary, secondary } = client(v);
    const drToken = await generateDrToken(v);
    expect(drToken).toMatch(/^hvs\.[A-Za-z0-9]{24}$/);
    v.faults.requireForceToPromote();
    const busy = await secondary('PUT', 'sys/replication/dr/secondary/promote', {
      body: { dr_operation_token: drToken },
    });
    expect(busy.status).toBe(503);
    const promoted = await secondary('PUT', 'sys/replication/dr/secondary/promote', {
      body: { dr_operation_token: drToken, force: true },
    });
    expect(promoted.status).toBe(200);
    expect(promoted.json.warnings).toEqual([
      'This cluster is being promoted to a replication primary. Vault will be unavailable for a brief period and will resume service shortly.',
    ]);
    expect((await secondary('GET', 'sys/replication/dr/status')).json.data).toMatchObject({
      mode: 'primary',
      known_secondaries: [],
    });
    // The promoted cluster serves the replicated data with the primary's root token.
    expect((await secondary('GET', 'secret/app', { token: v.rootToken })).json.data).toEqual({ colour: 'blue' });
    expect((await secondary('GET', 'sys/health')).status).toBe(200);
    expect((await primary('GET', 'sys/replication/dr/status')).json.data.secondaries[0].connection_status).toBe(
      'disconnected',
    );
    const deleted = await secondary('POST', 'sys/replication/dr/secondary/operation-token/delete', {
      body: { dr_operation_token: drToken },
    });
    expect(deleted.status).toBe(204);
  });

  it('fails back: the old primary demotes, takes a new activation token and follows the new primary', async () => {
    const { primary, secondary: newPrimary } = client(v);
    expect((await primary('PUT', 'sys/replication/dr/primary/demote', { token: v.rootToken })).status).toBe(200);
    expect((await primary('GET', 'sys/replication/dr/status')).json.data).toMatchObject({
      mode: 'secondary',
      connection_state: 'idle',
    });
    const activation = await newPrimary('PUT', 'sys/replication/dr/primary/secondary-token', {
      token: v.rootToken,
      body: { id: 'old-primary' },
    });
    expect(activation.json.wrap_info).toMatchObject({
      ttl: 1800,
      creation_path: 'sys/replication/dr/primary/secondary-token',
    });
    const activationToken: string = activation.json.wrap_info.token;
    expect(activationToken.split('.')).toHaveLength(3);

    // The demoted primary is now a DR secondary: a DR operation token there comes from the same shares.
    const begun = (await primary('PUT', `${DR}/attempt`, { body: {} })).json;
    expect(begun.otp).toMatch(/^[A-Za-z0-9]{28}$/);
    let last;
    for (const officer of v.officers.slice(1, 3))
      last = (await primary('PUT', `${DR}/update`, { body: { key: await decryptShare(officer), nonce: begun.nonce } }))
        .json;
    const drToken = decode(last.encoded_token, begun.otp);
    const updated = await primary('PUT', 'sys/replication/dr/secondary/update-primary', {
      body: { dr_operation_token: drToken, token: activationToken },
    });
    expect(updated.status).toBe(200);
    expect((await primary('GET', 'sys/replication/dr/status')).json.data).toMatchObject({
      mode: 'secondary',
      connection_state: 'ready',
      secondary_id: 'old-primary',
    });
    const reused = await primary('PUT', 'sys/replication/dr/secondary/update-primary', {
      body: { dr_operation_token: drToken, token: activationToken },
    });
    expect(reused.json.errors[0]).toMatch(/wrapping token is not valid or does not exist/);
  });
});

describe('drills around availability', () => {
  let v: RehearsalVault;
  beforeAll(async () => {
    v = await start();
  });
  afterAll(() => v.close());

  it('takes the primary down (connections refused, secondary disconnected) and brings it back', async () => {
    const { primary, secondary } = client(v);
    await v.faults.takeDown('primary');
    await expect(primary('GET', 'sys/health')).rejects.toThrow(/ECONNREFUSED/);
    expect((await secondary('GET', 'sys/replication/dr/status')).json.data).toMatchObject({
      connection_state: 'transient_failure',
      state: 'idle',
    });
    await v.faults.bringUp('primary');
    expect((await primary('GET', 'sys/health')).status).toBe(200);
    expect((await secondary('GET', 'sys/replication/dr/status')).json.data.connection_state).toBe('ready');
  });

  it('restarts the DR secondary sealed; the primary’s officers unseal it with their shares', async () => {
    const { secondary } = client(v);
    await v.faults.restart('drSecondary', { sealed: true });
    expect((await secondary('GET', 'sys/seal-status')).json).toMatchObject({ sealed: true, t: 2, n: 3, progress: 0 });
    expect((await secondary('GET', 'sys/health')).status).toBe(503);
    expect((await secondary('GET', 'sys/replication/dr/status')).json).toEqual({ errors: ['Vault is sealed'] });
    for (const officer of v.officers.slice(1, 3))
      await secondary('PUT', 'sys/unseal', { body: { key: await decryptShare(officer) } });
    expect((await secondary('GET', 'sys/seal-status')).json.sealed).toBe(false);
    expect((await secondary('GET', 'sys/replication/dr/status')).json.data.mode).toBe('secondary');
  });
});

describe('Vault 2.x', () => {
  let v: RehearsalVault;
  beforeAll(async () => {
    v = await start({ vaultVersion: 2 });
  });
  afterAll(() => v.close());

  it('refuses generate-operation-token without a token (403) and accepts the primary’s root token', async () => {
    const { secondary } = client(v);
    for (const [method, path] of [
      ['GET', `${DR}/attempt`],
      ['PUT', `${DR}/attempt`],
      ['DELETE', `${DR}/attempt`],
      ['PUT', `${DR}/update`],
    ] as const) {
      const r = await secondary(method, path, { body: { otp: OTP } });
      expect(r.status).toBe(403);
      expect(r.json).toEqual({ errors: ['permission denied'] });
    }
    expect(await generateDrToken(v, v.rootToken)).toMatch(/^hvs\./);
  });

  it('promotes with a batch DR operation token prepared on the primary', async () => {
    const { primary, secondary } = client(v);
    const policy =
      'path "sys/replication/dr/secondary/promote" { capabilities = ["update"] }\npath "sys/replication/dr/secondary/update-primary" { capabilities = ["update"] }';
    expect((await primary('PUT', 'sys/policy/dr-promote', { token: v.rootToken, body: { policy } })).status).toBe(204);
    const role = { allowed_policies: 'dr-promote', orphan: true, renewable: false, token_type: 'batch' };
    expect((await primary('POST', 'auth/token/roles/failover', { token: v.rootToken, body: role })).status).toBe(204);
    const created = await primary('POST', 'auth/token/create/failover', { token: v.rootToken, body: { ttl: '8h' } });
    expect(created.json.auth).toMatchObject({
      token_type: 'batch',
      orphan: true,
      renewable: false,
      policies: ['dr-promote'],
      lease_duration: 28800,
    });
    const batch: string = created.json.auth.client_token;
    expect(batch).toMatch(/^hvb\./);
    const notAllowed = await secondary('PUT', 'sys/replication/dr/secondary/disable', {
      body: { dr_operation_token: batch },
    });
    expect(notAllowed.status).toBe(403);
    const promoted = await secondary('PUT', 'sys/replication/dr/secondary/promote', {
      body: { dr_operation_token: batch },
    });
    expect(promoted.status).toBe(200);
    expect((await secondary('GET', 'sys/replication/dr/status')).json.data.mode).toBe('primary');
  });
});

describe('with a performance secondary', () => {
  it('replicates data but not tokens, and serves generate-root with the primary’s shares', async () => {
    const v = await start({ performanceSecondary: true });
    try {
      const id = { caPem: v.caPem, certPem: v.clientCertPem, keyPem: v.clientKeyPem };
      const perf = (m: string, p: string, o?: { token?: string; body?: unknown }) =>
        vaultRequest(id, v.performanceSecondary!.apiAddr, m, p, o);
      const status = (await perf('GET', 'sys/replication/performance/status')).json.data;
      expect(status).toMatchObject({ mode: 'secondary', state: 'stream-wals', connection_state: 'ready' });
      expect((await perf('GET', 'secret/rehearsal/created', { token: v.rootToken })).status).toBe(403);
      expect((await perf('GET', 'secret/rehearsal/created', { token: v.performanceSecondary!.rootToken })).status).toBe(
        200,
      );
      const begun = (await perf('PUT', 'sys/generate-root/attempt', { body: { otp: OTP } })).json;
      let last;
      for (const officer of v.officers.slice(0, 2))
        last = (
          await perf('PUT', 'sys/generate-root/update', {
            body: { key: await decryptShare(officer), nonce: begun.nonce },
          })
        ).json;
      expect(last.complete).toBe(true);
      expect(last.encoded_root_token).toBe(last.encoded_token);
      const token = decode(last.encoded_token, OTP);
      expect((await perf('GET', 'auth/token/lookup-self', { token })).json.data.policies).toEqual(['root']);
      expect((await perf('PUT', 'secret/from-perf', { token, body: { forwarded: true } })).status).toBe(204);
      expect(
        (await vaultRequest(id, v.primary.apiAddr, 'GET', 'secret/from-perf', { token: v.rootToken })).json.data,
      ).toEqual({ forwarded: true });
      expect((await perf('PUT', 'sys/replication/performance/secondary/promote', { body: {} })).status).toBe(403);
      const promoted = await perf('PUT', 'sys/replication/performance/secondary/promote', { token, body: {} });
      expect(promoted.json.warnings[0]).toMatch(/being promoted to a replication primary/);
      expect((await perf('GET', 'sys/replication/performance/status')).json.data.mode).toBe('primary');
    } finally {
      await v.close();
    }
  });
});
