// @tier integration
import { connect } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { vaultRequest } from '../test/support/mtls-client';
import { startRehearsalVault, type RehearsalVault, type RehearsalVaultOptions } from './rehearsal-cluster-set';
import { ACTIVE_NODE_NOT_FOUND, STANDBY_MODE } from './standby-routing';

const OTP = 'Xq3ZkT9vLm2RbW8nPc4YdH7sJf6A';
const ATTEMPT = 'sys/replication/dr/secondary/generate-operation-token/attempt';

async function start(options: RehearsalVaultOptions): Promise<RehearsalVault> {
  const r = await startRehearsalVault({ officers: 3, threshold: 2, ...options });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** Whether a TLS handshake completes at this address (a cluster port hangs up right after it). */
function handshakes(v: RehearsalVault, addr: string): Promise<boolean> {
  const url = new URL(addr);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), ca: v.caPem }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const at = (v: RehearsalVault, addr: string) => (method: string, path: string, body?: unknown) =>
  vaultRequest({ caPem: v.caPem, certPem: v.clientCertPem, keyPem: v.clientKeyPem }, addr, method, path, {
    ...(body === undefined ? {} : { body }),
  });

describe('a 3-node rehearsal cluster', () => {
  let v: RehearsalVault;
  beforeAll(async () => {
    v = await start({ nodes: 3, settleMs: 400 });
  });
  afterAll(() => v.close());
  afterEach(async () => {
    const ha = v.ha('drSecondary');
    ha.forwarding = 'forward';
    await at(v, ha.active!.apiAddr)('DELETE', ATTEMPT);
  });

  it('gives each node its own loopback address, node id and listening cluster port, and the endpoint lists them', async () => {
    const nodes = v.drSecondary.nodes;
    expect(nodes.map((n) => n.id)).toEqual(['dr-secondary-node-1', 'dr-secondary-node-2', 'dr-secondary-node-3']);
    expect(new Set(nodes.map((n) => new URL(n.apiAddr).hostname)).size).toBe(3);
    expect(nodes[1]!.clusterAddr).toMatch(/^https:\/\/127\.0\.2\.2:\d+$/);
    for (const n of nodes) {
      expect(new URL(n.clusterAddr).hostname).toBe(new URL(n.apiAddr).hostname);
      expect(n.clusterAddr).not.toBe(n.apiAddr);
      expect(await handshakes(v, n.clusterAddr)).toBe(true);
    }
    expect(v.drSecondary.clusterAddr).toBe(nodes[0]!.clusterAddr);
    expect(v.primary.nodes.map((n) => new URL(n.apiAddr).hostname)).toEqual(['127.0.1.1', '127.0.1.2', '127.0.1.3']);
  });

  it('answers sys/leader per node, 429 for a primary standby, and 472 from every node of a DR secondary', async () => {
    const leaders = await Promise.all(v.drSecondary.nodes.map((n) => at(v, n.apiAddr)('GET', 'sys/leader')));
    expect(leaders.map((l) => l.json.is_self)).toEqual([true, false, false]);
    expect(new Set(leaders.map((l) => l.json.leader_address))).toEqual(new Set([v.drSecondary.nodes[0]!.apiAddr]));
    expect(leaders[2]!.json.leader_cluster_address).toBe(v.drSecondary.nodes[0]!.clusterAddr);
    const drHealth = await Promise.all(v.drSecondary.nodes.map((n) => at(v, n.apiAddr)('GET', 'sys/health')));
    expect(drHealth.map((h) => h.status)).toEqual([472, 472, 472]);
    expect(drHealth.map((h) => h.json.standby)).toEqual([false, true, true]);
    const primaryHealth = await Promise.all(v.primary.nodes.map((n) => at(v, n.apiAddr)('GET', 'sys/health')));
    expect(primaryHealth.map((h) => h.status)).toEqual([200, 429, 429]);
  });

  it('reports raft indices per node: a standby held back stays where it stopped while the cluster writes on', async () => {
    const ha = v.ha('drSecondary');
    const [first, second, third] = v.drSecondary.nodes;
    const indices = async () =>
      (await Promise.all(v.drSecondary.nodes.map((n) => at(v, n.apiAddr)('GET', 'sys/leader')))).map((l) => [
        l.json.raft_committed_index,
        l.json.raft_applied_index,
      ]);
    const before = (await indices())[0]![0] as number;
    expect(await indices()).toEqual([
      [before, before],
      [before, before],
      [before, before],
    ]);
    ha.holdRaftBack(third!.id);
    try {
      for (let i = 0; i < 3; i++) v.faults.writeOnPrimary();
      expect(await indices()).toEqual([
        [before + 3, before + 3],
        [before + 3, before + 3],
        [before, before],
      ]);
      // Raft elects only a node whose log is current: from node 2, the turn passes node 3 by.
      expect(ha.stepDown()!.id).toBe(second!.id);
      expect(ha.stepDown()!.id).toBe(first!.id);
    } finally {
      ha.catchUp(third!.id);
    }
    expect((await indices())[2]).toEqual([before + 3, before + 3]);
    expect(() => ha.holdRaftBack(first!.id)).toThrow(/leads/);
  });

  it('forwards the attempt from a standby to the active node, whose memory alone holds it', async () => {
    const [first, second, third] = v.drSecondary.nodes;
    const begun = await at(v, second!.apiAddr)('PUT', ATTEMPT, { otp: OTP });
    expect(begun.status).toBe(200);
    const read = await at(v, third!.apiAddr)('GET', ATTEMPT);
    expect(read.json).toMatchObject({ started: true, nonce: begun.json.nonce });
    const received = v
      .ha('drSecondary')
      .received.filter((r) => r.path === ATTEMPT)
      .slice(-2);
    expect(received.map((r) => [r.node, r.actedOn])).toEqual([
      [second!.id, first!.id],
      [third!.id, first!.id],
    ]);
  });

  it('loses the attempt on a step-down, and the old node brings its copy back when it leads again', async () => {
    const ha = v.ha('drSecondary');
    const first = ha.active!;
    const begun = await at(v, first.apiAddr)('PUT', ATTEMPT, { otp: OTP });
    const next = ha.stepDown()!;
    expect(next.id).not.toBe(first.id);
    expect((await at(v, first.apiAddr)('GET', ATTEMPT)).json.started).toBe(false);
    const leader = await at(v, first.apiAddr)('GET', 'sys/leader');
    expect(leader.json).toMatchObject({ is_self: false, leader_address: next.apiAddr });
    ha.makeActive(first.id);
    expect((await at(v, next.apiAddr)('GET', ATTEMPT)).json).toMatchObject({ started: true, nonce: begun.json.nonce });
  });

  it('redirects with 307 to the leader when forwarding is off, refuses in standby mode, and 503s without a leader', async () => {
    const ha = v.ha('drSecondary');
    const standby = ha.nodes.find((n) => n !== ha.active)!;
    ha.forwarding = 'redirect';
    const redirected = await new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
      import('node:https')
        .then(({ request }) =>
          request(
            `${standby.apiAddr}/v1/${ATTEMPT}`,
            { ca: v.caPem, cert: v.clientCertPem, key: v.clientKeyPem, agent: false },
            (res) => {
              res.resume();
              resolve({ status: res.statusCode ?? 0, location: res.headers.location });
            },
          )
            .on('error', reject)
            .end(),
        )
        .catch(reject);
    });
    expect(redirected).toEqual({ status: 307, location: `${ha.active!.apiAddr}/v1/${ATTEMPT}` });
    ha.forwarding = 'refuse';
    expect((await at(v, standby.apiAddr)('GET', ATTEMPT)).json.errors).toEqual([STANDBY_MODE]);
  });

  it('a hard-killed active node takes its attempt with it, even when it leads again after a restart', async () => {
    const ha = v.ha('drSecondary');
    const killed = ha.active!;
    await at(v, killed.apiAddr)('PUT', ATTEMPT, { otp: OTP });
    const clusterAddr = killed.clusterAddr;
    const next = (await ha.hardKill())!;
    expect(killed.up).toBe(false);
    expect(await handshakes(v, clusterAddr)).toBe(false);
    expect((await at(v, next.apiAddr)('GET', ATTEMPT)).json.started).toBe(false);
    await ha.restartNode(killed.id);
    expect(killed.clusterAddr).toBe(clusterAddr);
    expect(await handshakes(v, clusterAddr)).toBe(true);
    ha.makeActive(killed.id);
    expect((await at(v, next.apiAddr)('GET', ATTEMPT)).json.started).toBe(false);
  });
});

describe('promoting a 3-node DR secondary', () => {
  it('answers the brief-unavailability warning; standbys report secondary and nobody leads until the cluster settles', async () => {
    const v = await start({ nodes: 3, settleMs: 600 });
    try {
      const [first, second] = v.drSecondary.nodes;
      const token = v.cluster('drSecondary');
      const minted = token.mintToken('dr-operation-token').token;
      const promoted = await at(v, second!.apiAddr)('POST', 'sys/replication/dr/secondary/promote', {
        dr_operation_token: minted,
      });
      expect(promoted.status).toBe(200);
      expect(promoted.json.warnings[0]).toMatch(/unavailable for a brief period/);
      const during = await at(v, second!.apiAddr)('GET', 'sys/health');
      expect(during.json.replication_dr_mode).toBe('secondary');
      expect((await at(v, first!.apiAddr)('GET', 'sys/leader')).json.leader_address).toBe('');
      const refused = await at(v, first!.apiAddr)('GET', 'sys/replication/status');
      expect(refused).toMatchObject({ status: 500, json: { errors: [ACTIVE_NODE_NOT_FOUND] } });
      await new Promise((r) => setTimeout(r, 700));
      const after = await Promise.all(v.drSecondary.nodes.map((n) => at(v, n.apiAddr)('GET', 'sys/health')));
      expect(after.map((h) => h.json.replication_dr_mode)).toEqual(['primary', 'primary', 'primary']);
      expect(after.map((h) => h.status)).toEqual([200, 429, 429]);
    } finally {
      await v.close();
    }
  });
});

describe('a performance mode change on a 3-node primary', () => {
  it('reloads replication too: nobody leads until the cluster settles', async () => {
    const v = await start({ nodes: 3, settleMs: 600 });
    try {
      const [first] = v.primary.nodes;
      const enabled = await vaultRequest(
        { caPem: v.caPem, certPem: v.clientCertPem, keyPem: v.clientKeyPem },
        first!.apiAddr,
        'POST',
        'sys/replication/performance/primary/enable',
        { token: v.rootToken, body: {} },
      );
      expect(enabled.status).toBeLessThan(300);
      const refused = await at(v, first!.apiAddr)('GET', 'sys/replication/status');
      expect(refused).toMatchObject({ status: 500, json: { errors: [ACTIVE_NODE_NOT_FOUND] } });
      await new Promise((r) => setTimeout(r, 700));
      const after = await at(v, first!.apiAddr)('GET', 'sys/replication/status');
      expect(after.json.data.performance.mode).toBe('primary');
    } finally {
      await v.close();
    }
  });
});

describe('a round-robin balancer in front of each cluster', () => {
  it('spreads connections over every node, TLS ending at the node; active-only sends all to the leader', async () => {
    const v = await start({ nodes: 3, balancer: 'round-robin' });
    try {
      expect(v.drSecondary.apiAddr).toBe(v.drSecondary.balancerAddr);
      const seen = [];
      for (let i = 0; i < 6; i++) seen.push((await at(v, v.drSecondary.apiAddr)('GET', 'sys/leader')).json.is_self);
      expect(seen.filter(Boolean)).toHaveLength(2);
    } finally {
      await v.close();
    }
    const active = await start({ nodes: 3, balancer: 'active-only' });
    try {
      for (let i = 0; i < 4; i++)
        expect((await at(active, active.drSecondary.apiAddr)('GET', 'sys/leader')).json.is_self).toBe(true);
    } finally {
      await active.close();
    }
  });

  it('refuses a node count raft cannot run', async () => {
    const r = await startRehearsalVault({ officers: 3, threshold: 2, nodes: 2 });
    expect(r.ok ? undefined : r.error.kind).toBe('invalid-options');
  });
});
