// @tier integration
/**
 * The larger rehearsal topologies over real mutual TLS: two DR secondaries of one primary, a
 * performance secondary with a DR secondary of its own, the sealed standbys secondary/enable
 * leaves behind, and a balancer misconfigured on the cluster port.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { vaultRequest } from '../test/support/mtls-client';
import { decryptShare, DR_GENERATION, generateDrTokenAt, OTP } from '../test/support/rehearsal-dr-token';
import { startRehearsalVault, type RehearsalVault, type RehearsalVaultOptions } from './rehearsal-cluster-set';
import { CLUSTER_PORT_TLS_FAILURE } from './replication';

const PROMOTE = 'sys/replication/dr/secondary/promote';
const started: RehearsalVault[] = [];
afterEach(async () => {
  for (const v of started.splice(0)) await v.close();
});

async function start(options: RehearsalVaultOptions): Promise<RehearsalVault> {
  const r = await startRehearsalVault({ officers: 3, threshold: 2, ...options });
  if (!r.ok) throw new Error(r.error.message);
  started.push(r.value);
  return r.value;
}

const at =
  (v: RehearsalVault, addr: string) =>
  (method: string, path: string, options: { token?: string; body?: unknown } = {}) =>
    vaultRequest({ caPem: v.caPem, certPem: v.clientCertPem, keyPem: v.clientKeyPem }, addr, method, path, options);

const named = (v: RehearsalVault, name: string) => {
  const info = v.clusters.find((c) => c.name === name);
  if (!info) throw new Error(`no cluster '${name}'`);
  return info;
};

describe('dr2: a primary with two DR secondaries', () => {
  it('lists every cluster with its role, and each DR secondary streams from the primary', async () => {
    const v = await start({ topology: 'dr2' });
    expect(v.clusters.map((c) => [c.name, c.replication, c.primary ?? null])).toEqual([
      ['primary', 'primary', null],
      ['dr-secondary', 'dr-secondary', 'primary'],
      ['dc3-dr-secondary', 'dr-secondary', 'primary'],
    ]);
    expect(named(v, 'dr-secondary').endpoint).toEqual(v.drSecondary);
    const primary = (await at(v, v.primary.apiAddr)('GET', 'sys/replication/dr/status')).json.data;
    expect(primary.known_secondaries).toEqual(['dr-secondary', 'dc3-dr-secondary']);
    for (const name of ['dr-secondary', 'dc3-dr-secondary']) {
      const status = (await at(v, named(v, name).endpoint.apiAddr)('GET', 'sys/replication/dr/status')).json.data;
      expect(status).toMatchObject({ mode: 'secondary', state: 'stream-wals', secondary_id: name });
    }
  });

  it('keeps one attempt per DR secondary, and a token generated on dc3 does not promote dc2', async () => {
    const v = await start({ topology: 'dr2' });
    const dc2 = at(v, v.drSecondary.apiAddr);
    const dc3Addr = named(v, 'dc3-dr-secondary').endpoint.apiAddr;
    const dc3 = at(v, dc3Addr);
    const onDc2 = (await dc2('PUT', `${DR_GENERATION}/attempt`, { body: { otp: OTP } })).json;
    expect(onDc2.started).toBe(true);
    expect((await dc3('GET', `${DR_GENERATION}/attempt`)).json.started).toBe(false);
    // dc2's nonce means nothing on dc3.
    const crossed = await dc3('PUT', `${DR_GENERATION}/update`, {
      body: { key: await decryptShare(v.officers[0]!), nonce: onDc2.nonce },
    });
    expect(crossed.json.errors).toEqual(['no root generation in progress']);
    await dc2('DELETE', `${DR_GENERATION}/attempt`);

    const dc3Token = await generateDrTokenAt(v, dc3Addr);
    const refused = await dc2('PUT', PROMOTE, { body: { dr_operation_token: dc3Token } });
    expect(refused.status).toBe(403);
    expect(refused.json.errors).toEqual(['permission denied']);
    expect(v.cluster('drSecondary').replication.dr.mode).toBe('secondary');
    expect((await dc3('PUT', PROMOTE, { body: { dr_operation_token: dc3Token } })).status).toBe(200);
    expect(v.cluster('dc3DrSecondary').replication.dr.mode).toBe('primary');
  });
});

describe('perf-dr: a performance secondary with a DR secondary of its own', () => {
  it('replicates primary → performance secondary → its DR secondary, which serves the performance secondary’s tokens', async () => {
    const v = await start({ topology: 'perf-dr' });
    expect(v.clusters.map((c) => [c.name, c.replication, c.primary ?? null])).toEqual([
      ['primary', 'primary', null],
      ['dr-secondary', 'dr-secondary', 'primary'],
      ['perf-secondary', 'performance-secondary', 'primary'],
      ['perf-dr-secondary', 'dr-secondary', 'perf-secondary'],
    ]);
    const perfInfo = named(v, 'perf-secondary');
    const perfDrInfo = named(v, 'perf-dr-secondary');
    expect(perfDrInfo.rootToken).toBe(perfInfo.rootToken);
    expect(perfInfo.rootToken).toBe(v.performanceSecondary?.rootToken);
    const perf = at(v, perfInfo.endpoint.apiAddr);
    const perfDr = at(v, perfDrInfo.endpoint.apiAddr);
    const perfStatus = (await perf('GET', 'sys/replication/status')).json.data;
    expect(perfStatus.performance).toMatchObject({ mode: 'secondary', connection_state: 'ready' });
    expect(perfStatus.dr).toMatchObject({ mode: 'primary', known_secondaries: ['perf-dr-secondary'] });
    const perfDrStatus = (await perfDr('GET', 'sys/replication/dr/status')).json.data;
    expect(perfDrStatus).toMatchObject({
      mode: 'secondary',
      state: 'stream-wals',
      primary_cluster_addr: perfInfo.endpoint.clusterAddr,
    });

    // A write on the primary reaches the performance secondary and, through it, its DR secondary.
    v.faults.writeOnPrimary('rehearsal/cascade', { hop: 2 });
    expect(v.cluster('performanceDrSecondary').storage.kv.get('rehearsal/cascade')).toEqual({ hop: 2 });
    expect((await perfDr('GET', 'sys/replication/dr/status')).json.data.merkle_root).toBe(
      (await perf('GET', 'sys/replication/dr/status')).json.data.merkle_root,
    );

    // More secondaries of the performance secondary come from it, with its own root token.
    const token = await perf('POST', 'sys/replication/dr/primary/secondary-token', {
      token: perfInfo.rootToken!,
      body: { id: 'perf-dr-2' },
    });
    expect(token.status).toBe(200);
    expect(typeof token.json.wrap_info.token).toBe('string');
  });

  it('promotes the performance secondary’s DR secondary only with a token generated there', async () => {
    const v = await start({ topology: 'perf-dr' });
    const perfDrAddr = named(v, 'perf-dr-secondary').endpoint.apiAddr;
    const fromPrimaryDr = await generateDrTokenAt(v, v.drSecondary.apiAddr);
    const refused = await at(v, perfDrAddr)('PUT', PROMOTE, { body: { dr_operation_token: fromPrimaryDr } });
    expect(refused.status).toBe(403);
    // Its seal is the primary's (through the performance secondary's), so the same officers generate it.
    const own = await generateDrTokenAt(v, perfDrAddr);
    expect((await at(v, perfDrAddr)('PUT', PROMOTE, { body: { dr_operation_token: own } })).status).toBe(200);
    expect(v.cluster('performanceDrSecondary').replication.dr.mode).toBe('primary');
    expect(v.cluster('drSecondary').replication.dr.mode).toBe('secondary');
  });

  it('refuses a topology together with the performanceSecondary flag, and an unknown topology', async () => {
    const both = await startRehearsalVault({ topology: 'dr2', performanceSecondary: true });
    expect(both.ok || both.error.kind).toBe('invalid-options');
    const unknown = await startRehearsalVault({ topology: 'ring' as 'dr' });
    expect(unknown.ok || unknown.error.message).toMatch(/one of dr, dr2, perf-dr/);
  });
});

describe('standbys after secondary/enable', () => {
  it('the rehearsal leaves every standby unsealed with the primary’s shares', async () => {
    const v = await start({ topology: 'dr2', nodes: 3 });
    for (const role of ['drSecondary', 'dc3DrSecondary'] as const) {
      for (const node of v.ha(role).nodes) {
        const seal = (await at(v, node.apiAddr)('GET', 'sys/seal-status')).json;
        expect(seal).toMatchObject({ sealed: false });
        expect((await at(v, node.apiAddr)('GET', 'sys/health')).status).toBe(472);
      }
    }
  });

  it('enabling a DR secondary over the API seals its standbys until each is unsealed with the primary’s keys', async () => {
    const v = await start({
      topology: 'dr2',
      nodes: 3,
      settleMs: 50,
      secondaryBootstrap: { bootstrappingMs: 0, merkleSyncMs: 0 },
    });
    const ha = v.ha('dc3DrSecondary');
    const [active, ...standbys] = ha.nodes;
    const dc3 = at(v, active!.apiAddr);
    // dc3 leaves replication, then rejoins with a new activation token from the primary.
    const token = await generateDrTokenAt(v, active!.apiAddr);
    expect(
      (await dc3('PUT', 'sys/replication/dr/secondary/disable', { body: { dr_operation_token: token } })).status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 80));
    const activation = await at(v, v.primary.apiAddr)('POST', 'sys/replication/dr/primary/secondary-token', {
      token: v.rootToken,
      body: { id: 'dc3-again' },
    });
    const enabled = await dc3('POST', 'sys/replication/dr/secondary/enable', {
      token: v.rootToken,
      body: { token: activation.json.wrap_info.token },
    });
    expect(enabled.status).toBe(200);
    await new Promise((r) => setTimeout(r, 80));

    expect((await dc3('GET', 'sys/seal-status')).json.sealed).toBe(false);
    for (const node of standbys) {
      const standby = at(v, node.apiAddr);
      expect((await standby('GET', 'sys/seal-status')).json).toMatchObject({ sealed: true, t: 2, n: 3, progress: 0 });
      const health = await standby('GET', 'sys/health');
      expect(health.status).toBe(503);
      expect(health.json).toMatchObject({ sealed: true, replication_dr_mode: 'unknown' });
      expect((await standby('GET', 'sys/leader')).json.errors).toEqual(['Vault is sealed']);
      const forwarded = await standby('GET', `${DR_GENERATION}/attempt`);
      expect([forwarded.status, forwarded.json.errors]).toEqual([503, ['Vault is sealed']]);
    }
    // A sealed standby cannot take over: the node that stepped down is the only one to lead again.
    expect(ha.stepDown()?.id).toBe(active!.id);

    for (const node of standbys) {
      const standby = at(v, node.apiAddr);
      const [first, second] = v.officers;
      const half = await standby('PUT', 'sys/unseal', { body: { key: await decryptShare(first!) } });
      expect(half.json).toMatchObject({ sealed: true, progress: 1 });
      const done = await standby('PUT', 'sys/unseal', { body: { key: await decryptShare(second!) } });
      expect(done.json).toMatchObject({ sealed: false, progress: 0 });
      expect((await standby('GET', 'sys/health')).status).toBe(472);
      expect((await standby('GET', 'sys/leader')).json.is_self).toBe(false);
    }
  });
});

describe('a balancer misconfigured on the cluster port (8201)', () => {
  it('advertises the balancer as every cluster address, so replication stops and standbys redirect instead of forwarding', async () => {
    const v = await start({ nodes: 3, balancer: 'misconfigured-8201' });
    const secondary = v.drSecondary;
    expect(secondary.balancerAddr).toBeDefined();
    expect(secondary.clusterAddr).not.toBe(secondary.nodes[0]!.clusterAddr);
    const status = (await at(v, secondary.apiAddr)('GET', 'sys/replication/dr/status')).json.data;
    expect(status).toMatchObject({
      mode: 'secondary',
      connection_state: 'transient_failure',
      primary_cluster_addr: v.primary.clusterAddr,
    });
    const standby = at(v, secondary.nodes[1]!.apiAddr);
    expect((await standby('GET', 'sys/leader')).json.leader_cluster_address).toBe(secondary.clusterAddr);
    const redirected = await standby('GET', `${DR_GENERATION}/attempt`);
    expect(redirected.status).toBe(307);
    expect(redirected.headers.location).toBe(`${secondary.nodes[0]!.apiAddr}/v1/${DR_GENERATION}/attempt`);
  });

  it('fails a secondary activation through it with the TLS error Vault gives', async () => {
    const v = await start({ balancer: 'misconfigured-8201', performanceSecondary: true });
    const perf = v.performanceSecondary!;
    const activation = await at(v, v.primary.apiAddr)('POST', 'sys/replication/performance/primary/secondary-token', {
      token: v.rootToken,
      body: { id: 'perf-again' },
    });
    const updated = await at(v, perf.apiAddr)('POST', 'sys/replication/performance/secondary/update-primary', {
      token: perf.rootToken,
      body: { token: activation.json.wrap_info.token },
    });
    expect(updated.status).toBe(400);
    expect(updated.json.errors).toEqual([CLUSTER_PORT_TLS_FAILURE]);
    expect(CLUSTER_PORT_TLS_FAILURE).toMatch(/tls: internal error/);
  });
});
