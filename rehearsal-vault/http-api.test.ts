import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateOfficerKey, type OfficerKey } from './officer-keys';
import { readRecipientKey, vaultKeyBase64 } from './vault-share-encryption';
import { Cluster } from './cluster';
import { handleVaultRequest, type ApiResponse } from './http-api';
import { ReplicationNetwork } from './replication';
import { INSTANT } from './replication-state';

function api(cluster: Cluster, network: ReplicationNetwork) {
  return (
    method: string,
    path: string,
    options: { body?: unknown; token?: string } = {},
  ): Promise<ApiResponse & { json: any }> => {
    const [p, q] = path.split('?');
    return handleVaultRequest(cluster, network, {
      method,
      path: p!,
      query: new URLSearchParams(q ?? ''),
      token: options.token,
      body:
        options.body === undefined
          ? ''
          : typeof options.body === 'string'
            ? options.body
            : JSON.stringify(options.body),
    }).then((r) => ({ ...r, json: r.body as any }));
  };
}

function fresh(name = 'c', vaultVersion: 1 | 2 = 1) {
  const network = new ReplicationNetwork();
  const cluster = new Cluster({ name, vaultVersion });
  cluster.apiAddr = `https://127.0.0.1:${name.length + 8200}`;
  cluster.up = true;
  network.add(cluster);
  return { network, cluster, call: api(cluster, network) };
}

/** Makes unsealed 1-of-1 clusters on one replication network, each with its root token. */
function unsealedClusters(network = new ReplicationNetwork(INSTANT)) {
  let port = 8200;
  return async (name: string) => {
    const cluster = new Cluster({ name, vaultVersion: 1 });
    cluster.apiAddr = `https://127.0.0.1:${(port += 1)}`;
    cluster.up = true;
    network.add(cluster);
    const init = await cluster.initialize({ secretShares: 1, secretThreshold: 1 });
    if (!init.ok) throw new Error(init.error.message);
    cluster.seal.unseal(init.value.shares[0]!);
    return { cluster, call: api(cluster, network), root: init.value.rootToken };
  };
}

describe('sys/init, sys/unseal and sys/seal-status over the API', () => {
  let officers: OfficerKey[];
  let pgpKeys: string[];
  beforeAll(async () => {
    officers = await Promise.all(['a', 'b', 'c'].map((name) => generateOfficerKey({ name })));
    pgpKeys = [];
    for (const o of officers) {
      const r = await readRecipientKey(o.publicKeyArmored, { allowArmored: true });
      if (!r.ok) throw new Error(r.error.message);
      pgpKeys.push(vaultKeyBase64(r.value));
    }
  });

  it('answers an uninitialised server as Vault does', async () => {
    const { call } = fresh();
    expect((await call('GET', 'sys/init')).json).toEqual({ initialized: false });
    expect((await call('GET', 'sys/seal-status')).json).toMatchObject({ initialized: false, sealed: true, t: 0, n: 0 });
    expect((await call('GET', 'sys/health')).status).toBe(501);
    const attempt = await call('GET', 'sys/generate-root/attempt');
    expect(attempt).toMatchObject({ status: 400, json: { errors: ['server is not yet initialized'] } });
    expect((await call('GET', 'sys/mounts', { token: 'x' })).status).toBe(503);
  });

  it('validates init like SealConfig.Validate, before the already-initialised check', async () => {
    const { call } = fresh();
    expect((await call('PUT', 'sys/init', { body: { secret_shares: 3, secret_threshold: 1 } })).json).toEqual({
      errors: ['invalid seal configuration: threshold must be greater than one for multiple shares'],
    });
    expect(
      (
        await call('PUT', 'sys/init', {
          body: { secret_shares: 3, secret_threshold: 2, pgp_keys: pgpKeys.slice(0, 2) },
        })
      ).json,
    ).toEqual({
      errors: ['invalid seal configuration: count mismatch between number of provided PGP keys and number of shares'],
    });
    const armored = await call('PUT', 'sys/init', {
      body: { secret_shares: 1, secret_threshold: 1, pgp_keys: [officers[0]!.publicKeyArmored] },
    });
    expect(armored.json.errors).toEqual([
      'invalid seal configuration: error decoding given PGP key: illegal base64 data at input byte 0',
    ]);
    expect((await call('PUT', 'sys/init', { body: { recovery_shares: 3 } })).json).toEqual({
      errors: ['parameters specific to auto unseal seals present'],
    });
    expect((await call('PUT', 'sys/init', { body: { secret_shares: '3' } })).json.errors[0]).toMatch(
      /cannot unmarshal string into Go struct field InitRequest.secret_shares of type int/,
    );
  });

  it('initialises with pgp_keys, each share encrypted to its officer as hex text, then unseals', async () => {
    const { call } = fresh();
    const init = await call('PUT', 'sys/init', { body: { secret_shares: 3, secret_threshold: 2, pgp_keys: pgpKeys } });
    expect(init.status).toBe(200);
    expect(Object.keys(init.json)).toEqual(['keys', 'keys_base64', 'root_token']);
    expect(init.json.root_token).toMatch(/^hvs\.[A-Za-z0-9]{24}$/);
    const shares: string[] = [];
    for (const [i, b64] of (init.json.keys_base64 as string[]).entries()) {
      expect(init.json.keys[i]).toBe(Buffer.from(b64, 'base64').toString('hex'));
      const { data } = await openpgp.decrypt({
        message: await openpgp.readMessage({ binaryMessage: Buffer.from(b64, 'base64') }),
        decryptionKeys: await openpgp.readPrivateKey({ armoredKey: officers[i]!.privateKeyArmored }),
      });
      expect(data).toMatch(/^[0-9a-f]{66}$/);
      shares.push(data);
    }
    expect((await call('PUT', 'sys/init', { body: { secret_shares: 3, secret_threshold: 2 } })).json).toEqual({
      errors: ['Vault is already initialized'],
    });

    expect((await call('PUT', 'sys/unseal', { body: {} })).json).toEqual({
      errors: ["'key' must be specified in request body as JSON, or 'reset' set to true"],
    });
    const one = await call('PUT', 'sys/unseal', { body: { key: shares[0] } });
    expect(one.json).toMatchObject({ sealed: true, t: 2, n: 3, progress: 1 });
    expect(one.json.nonce).toMatch(/^[0-9a-f-]{36}$/);
    expect(one.json).not.toHaveProperty('cluster_id');
    const two = await call('PUT', 'sys/unseal', { body: { key: Buffer.from(shares[2]!, 'hex').toString('base64') } });
    expect(two.json).toMatchObject({ sealed: false, progress: 0, nonce: '' });
    expect(two.json.cluster_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await call('PUT', 'sys/unseal', { body: { reset: true } })).json).toEqual({
      errors: ['vault is unsealed'],
    });
  });

  it('initialises a 1-of-1 seal with the raw key, and generates a root token with it', async () => {
    const { call } = fresh();
    const init = (await call('POST', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } })).json;
    expect(init.keys[0]).toMatch(/^[0-9a-f]{64}$/);
    expect((await call('PUT', 'sys/unseal', { body: { key: init.keys_base64[0] } })).json.sealed).toBe(false);
    const begun = (await call('POST', 'sys/generate-root/attempt')).json;
    expect(begun.otp).toMatch(/^[A-Za-z0-9]{28}$/);
    const done = (await call('POST', 'sys/generate-root/update', { body: { key: init.keys[0], nonce: begun.nonce } }))
      .json;
    expect(done).toMatchObject({ complete: true, progress: 1, required: 1 });
    const token = Buffer.from(
      Buffer.from(done.encoded_root_token, 'base64').map((b, i) => b ^ begun.otp.charCodeAt(i)),
    ).toString('latin1');
    const self = await call('GET', 'auth/token/lookup-self', { token });
    expect(self.json.data).toMatchObject({ id: token, policies: ['root'] });
  });
});

describe('sys/health', () => {
  async function unsealedOneOfOne() {
    const f = fresh();
    const init = (await f.call('POST', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } })).json;
    await f.call('PUT', 'sys/unseal', { body: { key: init.keys[0] } });
    return { ...f, key: init.keys[0] as string, root: init.root_token as string };
  }

  it('answers sealed as Vault does: standby, both modes unknown, no cluster identity', async () => {
    const { call, root } = await unsealedOneOfOne();
    await call('PUT', 'sys/seal', { token: root });
    const sealed = await call('GET', 'sys/health');
    expect(sealed.status).toBe(503);
    expect(sealed.json).toMatchObject({
      sealed: true,
      standby: true,
      replication_dr_mode: 'unknown',
      replication_performance_mode: 'unknown',
    });
    expect(sealed.json).not.toHaveProperty('cluster_id');
    expect(sealed.json).not.toHaveProperty('last_wal');
  });

  it('answers 474 for a standby cut off from its active node and 530 for a removed node, each overridable', async () => {
    const { call, cluster } = await unsealedOneOfOne();
    cluster.haMembership = 'standby-unhealthy';
    const unhealthy = await call('GET', 'sys/health?standbyok=true&perfstandbyok=true');
    expect(unhealthy.status).toBe(474);
    expect(unhealthy.json).toMatchObject({ standby: true, ha_connection_healthy: false, removed_from_cluster: false });
    expect((await call('GET', 'sys/health?haunhealthycode=299')).status).toBe(299);
    cluster.haMembership = 'removed';
    const removed = await call('GET', 'sys/health');
    expect(removed.status).toBe(530);
    expect(removed.json.removed_from_cluster).toBe(true);
    expect((await call('GET', 'sys/health?removedcode=299')).status).toBe(299);
    cluster.haMembership = 'standby';
    expect((await call('GET', 'sys/health')).status).toBe(429);
    expect((await call('GET', 'sys/health?standbyok=true')).status).toBe(200);
  });

  it("gives the license expiry in RFC 3339 to the second, as Go's time.RFC3339", async () => {
    const { call } = await unsealedOneOfOne();
    const { json } = await call('GET', 'sys/health');
    expect(json.license.expiry_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(json.removed_from_cluster).toBe(false);
    expect(json).not.toHaveProperty('ha_connection_healthy');
  });
});

describe('activation with secondary_public_key', () => {
  it('encrypts the activation token to the secondary, which alone can enable with it', async () => {
    const make = unsealedClusters();
    const p = await make('p');
    const s = await make('sec');
    const other = await make('other');
    await p.call('POST', 'sys/replication/dr/primary/enable', { token: p.root });
    const key = await s.call('POST', 'sys/replication/dr/secondary/generate-public-key', { token: s.root });
    expect(key.status).toBe(200);
    const publicKey: string = key.json.data.secondary_public_key;
    const issued = await p.call('POST', 'sys/replication/dr/primary/secondary-token', {
      token: p.root,
      body: { id: 'sec', secondary_public_key: publicKey },
    });
    expect(issued.json.wrap_info).toBeNull();
    const sealed: string = issued.json.data.token;
    expect(sealed).not.toContain('.');
    await other.call('POST', 'sys/replication/dr/secondary/generate-public-key', { token: other.root });
    expect(
      (await other.call('POST', 'sys/replication/dr/secondary/enable', { token: other.root, body: { token: sealed } }))
        .status,
    ).toBe(400);
    const enabled = await s.call('POST', 'sys/replication/dr/secondary/enable', {
      token: s.root,
      body: { token: sealed },
    });
    expect(enabled.status).toBe(200);
    expect(s.cluster.isDrSecondary).toBe(true);
    const bad = await p.call('POST', 'sys/replication/dr/primary/secondary-token', {
      token: p.root,
      body: { id: 'x', secondary_public_key: 'bm90IGEga2V5' },
    });
    expect(bad).toMatchObject({ status: 400, json: { errors: ['error parsing secondary public key'] } });
  });
});

describe('routing and envelopes', () => {
  it('answers unknown paths, methods and operations as Vault does', async () => {
    const { call, cluster } = fresh();
    const init = await cluster.initialize({ secretShares: 1, secretThreshold: 1 });
    if (!init.ok) throw new Error(init.error.message);
    cluster.seal.unseal(init.value.shares[0]!);
    const root = init.value.rootToken;
    expect((await call('GET', 'nothing/here', { token: root })).json).toEqual({
      errors: ['no handler for route "nothing/here". route entry not found.'],
    });
    expect((await call('GET', 'sys/nothing', { token: root })).status).toBe(404);
    expect((await call('PATCH', 'sys/generate-root/attempt')).json).toEqual({ errors: [] });
    expect((await call('PATCH', 'sys/generate-root/attempt')).status).toBe(405);
    expect((await call('DELETE', 'sys/replication/status')).status).toBe(405);
    expect((await call('GET', 'sys/mounts')).json).toEqual({ errors: ['permission denied'] });
    const mounts = await call('GET', 'sys/mounts', { token: root });
    expect(mounts.json).toMatchObject({
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      wrap_info: null,
      warnings: null,
      auth: null,
      mount_type: 'system',
    });
    expect(mounts.json.data['secret/'].type).toBe('kv');
    expect((await call('PUT', 'sys/generate-root/update', { body: '{"key": ' })).json.errors).toEqual([
      'failed to parse JSON input: unexpected EOF',
    ]);
    expect((await call('PUT', 'sys/decode-token', { body: '{"otp" "x"}' })).json.errors).toEqual([
      `failed to parse JSON input: invalid character '"' after object key`,
    ]);
    expect((await call('PUT', 'sys/generate-root/update', { body: { Key: 12 } })).json.errors[0]).toMatch(
      /cannot unmarshal number into Go struct field GenerateRootUpdateRequest.Key of type string/,
    );
  });

  it('enforces policies on tokens', async () => {
    const { call, cluster } = fresh();
    const init = await cluster.initialize({ secretShares: 1, secretThreshold: 1 });
    if (!init.ok) throw new Error(init.error.message);
    cluster.seal.unseal(init.value.shares[0]!);
    const root = init.value.rootToken;
    await call('PUT', 'sys/policies/acl/reader', {
      token: root,
      body: { policy: 'path "secret/*" { capabilities = ["read"] }' },
    });
    const created = (
      await call('POST', 'auth/token/create', { token: root, body: { policies: ['reader'], ttl: '1h' } })
    ).json.auth;
    expect(created).toMatchObject({ token_type: 'service', policies: ['reader'], lease_duration: 3600 });
    await call('PUT', 'secret/a', { token: root, body: { v: 1 } });
    expect((await call('GET', 'secret/a', { token: created.client_token })).json.data).toEqual({ v: 1 });
    expect((await call('PUT', 'secret/a', { token: created.client_token, body: { v: 2 } })).status).toBe(403);
    expect((await call('PUT', 'sys/replication/dr/primary/enable', { token: created.client_token })).status).toBe(403);
    expect(
      (await call('PUT', 'sys/policy/bad', { token: root, body: { policy: 'path "x" { capabilities = ["fly"] }' } }))
        .json.errors[0],
    ).toMatch(/invalid capability "fly"/);
  });
});

describe('replication management over the API', () => {
  it('bootstraps, then merkle-syncs, then streams WALs after secondary/enable, as officers watch it', async () => {
    let now = 1_000_000;
    const make = unsealedClusters(new ReplicationNetwork({ bootstrappingMs: 4_000, merkleSyncMs: 6_000 }, () => now));
    const p = await make('p');
    const s = await make('sec');
    await p.call('POST', 'sys/replication/dr/primary/enable', { token: p.root });
    const token = (
      await p.call('POST', 'sys/replication/dr/primary/secondary-token', { token: p.root, body: { id: 'sec' } })
    ).json.wrap_info.token;
    const enabled = await s.call('POST', 'sys/replication/dr/secondary/enable', { token: s.root, body: { token } });
    expect(enabled.json.warnings[0]).toMatch(/Vault will be unavailable until these tasks and initial sync complete/);
    const seen = async () => {
      const { data } = (await s.call('GET', 'sys/replication/dr/status')).json;
      const health = (await s.call('GET', 'sys/health')).json;
      return {
        mode: data.mode,
        state: data.state,
        connection: data.connection_state,
        wal: data.last_remote_wal,
        primaries: data.primaries.length,
        health: health.replication_dr_mode,
      };
    };
    expect(await seen()).toEqual({
      mode: 'bootstrapping',
      state: 'bootstrapping',
      connection: 'connecting',
      wal: 0,
      primaries: 0,
      health: 'bootstrapping',
    });
    now += 3_999;
    expect((await seen()).mode).toBe('bootstrapping');
    now += 1;
    expect(await seen()).toEqual({
      mode: 'secondary',
      state: 'merkle-sync',
      connection: 'ready',
      wal: 0,
      primaries: 1,
      health: 'secondary',
    });
    now += 6_000;
    expect(await seen()).toEqual({
      mode: 'secondary',
      state: 'stream-wals',
      connection: 'ready',
      wal: p.cluster.storage.wal,
      primaries: 1,
      health: 'secondary',
    });
    // From now on writes stream at once.
    p.cluster.recordWrite();
    expect((await seen()).wal).toBe(p.cluster.storage.wal);
  });

  it('enables a primary, issues and revokes secondary tokens, and checks update-primary arguments', async () => {
    const make = unsealedClusters();
    const p = await make('p');
    const s = await make('sec');
    const enabled = await p.call('POST', 'sys/replication/dr/primary/enable', { token: p.root });
    expect(enabled.json.warnings).toEqual([
      'This cluster is being enabled as a primary for replication. Vault will be unavailable for a brief period and will resume service shortly.',
    ]);
    expect(
      (await p.call('POST', 'sys/replication/dr/primary/secondary-token', { token: p.root, body: {} })).status,
    ).toBe(400);
    const t1 = (
      await p.call('POST', 'sys/replication/dr/primary/secondary-token', {
        token: p.root,
        body: { id: 'sec', ttl: '5m' },
      })
    ).json.wrap_info;
    expect(t1.ttl).toBe(300);
    expect(t1.accessor).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(
      (await p.call('POST', 'sys/replication/dr/primary/secondary-token', { token: p.root, body: { id: 'sec' } }))
        .status,
    ).toBe(400);
    expect(
      (
        await s.call('POST', 'sys/replication/performance/secondary/enable', {
          token: s.root,
          body: { token: t1.token },
        })
      ).json.errors[0],
    ).toMatch(/wrapping token is not valid or does not exist/);
    const enabledSecondary = await s.call('POST', 'sys/replication/dr/secondary/enable', {
      token: s.root,
      body: { token: t1.token },
    });
    expect(enabledSecondary.status).toBe(200);
    expect(enabledSecondary.json.warnings).toEqual([
      'Vault has successfully found secondary information; it may take a while to perform setup tasks. Vault will be unavailable until these tasks and initial sync complete.',
    ]);
    // The secondary now holds the primary's token store: its own root token is gone.
    expect((await s.call('GET', 'sys/replication/dr/status', {})).json.data.mode).toBe('secondary');
    expect(s.cluster.authenticate(s.root)).toBeUndefined();
    expect(s.cluster.authenticate(p.root)).toBeDefined();

    const drToken = s.cluster.mintToken('dr-operation-token').token;
    const both = await s.call('POST', 'sys/replication/dr/secondary/update-primary', {
      body: { dr_operation_token: drToken, token: 'x', update_primary_addrs: ['https://a'] },
    });
    expect(both.json.errors[0]).toMatch(/mutually exclusive/);
    const neither = await s.call('POST', 'sys/replication/dr/secondary/update-primary', {
      body: { dr_operation_token: drToken },
    });
    expect(neither.status).toBe(400);
    const addrs = await s.call('POST', 'sys/replication/dr/secondary/update-primary', {
      body: { dr_operation_token: drToken, update_primary_addrs: [p.cluster.clusterAddr] },
    });
    expect(addrs.status).toBe(200);
    expect((await s.call('GET', 'sys/replication/dr/status')).json.data).toMatchObject({
      connection_state: 'ready',
      known_primary_cluster_addrs: [p.cluster.clusterAddr],
    });

    expect(
      (await p.call('POST', 'sys/replication/dr/primary/revoke-secondary', { token: p.root, body: { id: 'sec' } }))
        .status,
    ).toBe(204);
    expect((await s.call('GET', 'sys/replication/dr/status')).json.data.connection_state).toBe('shutdown');
    expect((await p.call('GET', 'sys/replication/dr/status')).json.data.known_secondaries).toEqual([]);
    expect(
      (await p.call('POST', 'sys/replication/dr/secondary/promote', { body: { dr_operation_token: drToken } })).json,
    ).toEqual({ errors: ['Not a DR secondary.'] });

    // A DR operation token works until it is deleted.
    const deleted = await s.call('POST', 'sys/replication/dr/secondary/operation-token/delete', {
      body: { dr_operation_token: drToken },
    });
    expect(deleted.status).toBe(204);
    expect(
      (await s.call('POST', 'sys/replication/dr/secondary/disable', { body: { dr_operation_token: drToken } })).status,
    ).toBe(403);
    expect(
      (
        await s.call('POST', 'sys/replication/dr/secondary/operation-token/delete', {
          body: { dr_operation_token: drToken },
        })
      ).status,
    ).toBe(403);
  });
});

describe('error messages', () => {
  it('never quote the request body back, which may hold a share or token', async () => {
    const { call, cluster } = fresh();
    const init = await cluster.initialize({ secretShares: 1, secretThreshold: 1 });
    if (!init.ok) throw new Error(init.error.message);
    cluster.seal.unseal(init.value.shares[0]!);
    const secret = 'hvs.SecretSecretSecretSecret';
    const broken = await call('PUT', 'sys/generate-root/update', { body: `{"key": ${secret}}` });
    expect(broken.json.errors).toEqual([
      "failed to parse JSON input: invalid character 'h' looking for beginning of value",
    ]);
    expect(JSON.stringify(broken.json)).not.toContain('Secret');
    const logicalBroken = await call('PUT', 'sys/decode-token', { body: `{"otp": ${secret}` });
    expect(JSON.stringify(logicalBroken.json)).not.toContain('Secret');
    const wrongType = await call('PUT', 'sys/decode-token', { body: { otp: { value: secret } } });
    expect(wrongType.status).toBe(400);
    expect(JSON.stringify(wrongType.json)).not.toContain('Secret');
  });
});
