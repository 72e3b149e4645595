/**
 * The HA client's rules for what Vault answers besides data: one redirect for reads (https only,
 * to a known node or the named leader, never back where it came from), 503 retried for reads only,
 * and a settle that reports partitioned and removed nodes without waiting for them. Nodes here are
 * stand-in clients that answer as scripted.
 */
import { describe, expect, it } from 'vitest';
import type { VaultClient } from './client';
import { createHaClient, exclusionOf, type HaVaultClient } from './ha-client';
import type { Health, Leader, ReplicationModeStatus, VaultResult } from './types';

const A = 'https://node-a:8200';
const B = 'https://node-b:8200';
const LB = 'https://balancer:8200';

interface Script {
  leader?: Partial<Leader>;
  health?: { status: number; drMode: string; haConnectionHealthy?: boolean; sealed?: boolean };
  /** Answers to GET dr/status and the attempt status, in turn (the last repeats). */
  reads?: Array<VaultResult<unknown>>;
  /** Answers to a share's update, in turn. */
  writes?: Array<VaultResult<unknown>>;
  /** Answers to sys/leader, in turn (the last repeats); without them, `leader`'s. */
  leaders?: Array<VaultResult<unknown>>;
}

const answer = <T>(data: T, status = 200): VaultResult<T> => ({
  ok: true,
  value: { status, data, requestId: undefined, warnings: [] },
});
const refusal = (status: number, location?: string): VaultResult<never> => ({
  ok: false,
  error: {
    kind: status >= 300 && status < 400 ? 'unexpected-response' : 'vault-error',
    message: `HTTP ${status}`,
    status,
    ...(location ? { location } : {}),
  },
});

/** Stand-in nodes; `calls` lists "address what" in order. */
function cluster(scripts: Record<string, Script>) {
  const calls: string[] = [];
  const node = (address: string): VaultClient => {
    const s = scripts[address] ?? {};
    const reads = [...(s.reads ?? [])];
    const writes = [...(s.writes ?? [])];
    const leaders = [...(s.leaders ?? [])];
    const next = (list: Array<VaultResult<unknown>>) => (list.length > 1 ? list.shift()! : list[0]!);
    const read = async <T>(what: string): Promise<VaultResult<T>> => {
      calls.push(`${address} ${what}`);
      return next(reads) as VaultResult<T>;
    };
    const generation = {
      status: () => read('attempt'),
      start: () => read('start'),
      cancel: () => read('cancel'),
      submitShare: async () => {
        calls.push(`${address} update`);
        return next(writes) as never;
      },
    };
    return {
      profileName: 'dr',
      address,
      generateRoot: generation,
      generateRecoveryToken: generation,
      drOperationToken: { ...generation, delete: () => read('delete'), raftConfiguration: () => read('raft') },
      dr: { status: () => read<ReplicationModeStatus>('dr-status') } as VaultClient['dr'],
      performance: { status: () => read<ReplicationModeStatus>('perf-status') } as VaultClient['performance'],
      replicationStatus: () => read('replication-status'),
      health: async () => {
        const h = s.health ?? { status: 429, drMode: 'primary' };
        const fields = h.haConnectionHealthy === undefined ? {} : { ha_connection_healthy: h.haConnectionHealthy };
        const sealed = h.sealed === undefined ? {} : { sealed: h.sealed };
        return answer({ replication_dr_mode: h.drMode, ...fields, ...sealed } as unknown as Health, h.status);
      },
      sealStatus: () => read('seal-status'),
      leader: async () =>
        leaders.length > 0
          ? (next(leaders) as VaultResult<Leader>)
          : answer({
              ha_enabled: true,
              is_self: false,
              leader_address: A,
              leader_cluster_address: '',
              ...s.leader,
            }),
      decodeToken: () => read('decode'),
      close: () => undefined,
    } as VaultClient;
  };
  return { calls, node };
}

async function haOver(addresses: string[], c: ReturnType<typeof cluster>): Promise<HaVaultClient> {
  const ha = await createHaClient({
    profileName: 'dr',
    addresses,
    connect: async (address) => c.node(address),
    sleep: async () => undefined,
  });
  if (!ha) throw new Error('no client');
  return ha;
}

const mode = (m: string) => answer({ mode: m });

describe('HA client: redirects', () => {
  it('follows one redirect of a read to a known node', async () => {
    const c = cluster({
      [A]: { leader: { is_self: true }, reads: [refusal(307, `${B}/v1/sys/replication/dr/status`)] },
      [B]: { reads: [mode('secondary')] },
    });
    const ha = await haOver([A, B], c);
    await ha.resolveActive();
    const r = await ha.dr.status();
    expect(r.ok && r.value.data.mode).toBe('secondary');
    expect(c.calls).toEqual([`${A} dr-status`, `${B} dr-status`]);
  });

  it('follows a redirect to the leader a known node named, but to no other host', async () => {
    const leader = 'https://leader-behind-lb:8200';
    const c = cluster({
      [LB]: { leader: { leader_address: leader }, reads: [refusal(307, `${leader}/v1/x`)] },
      // Mid-election: it does not claim to lead yet, but the balancer's node already names it.
      [leader]: { leader: { leader_address: leader }, reads: [mode('secondary')] },
    });
    const ha = await haOver([LB], c);
    await ha.resolveActive();
    const r = await ha.replicationStatus();
    expect(r.ok).toBe(true);
    expect(c.calls).toEqual([`${LB} replication-status`, `${leader} replication-status`]);

    const stranger = cluster({ [A]: { reads: [refusal(307, 'https://elsewhere:8200/v1/x')] } });
    const refused = await (await haOver([A], stranger)).dr.status();
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error.message).toMatch(/elsewhere:8200 is neither a node of profile 'dr'/);
    expect(stranger.calls).toEqual([`${A} dr-status`]);
  });

  it('never follows a redirect from https to http', async () => {
    const c = cluster({ [A]: { reads: [refusal(307, 'http://node-b:8200/v1/x')] } });
    const r = await (await haOver([A, B], c)).drOperationToken.status();
    expect(!r.ok && r.error.message).toMatch(/must stay on https/);
    expect(c.calls).toEqual([`${A} attempt`]);
  });

  it('reports a loop when the redirect names the address that sent it (api_addr is the balancer)', async () => {
    const c = cluster({ [LB]: { reads: [refusal(307, `${LB}/v1/sys/replication/dr/status`)] } });
    const r = await (await haOver([LB], c)).dr.status();
    expect(!r.ok && r.error.message).toMatch(/Redirect loop: .*api_addr names the load balancer/);
    expect(!r.ok && r.error.status).toBe(307);
    expect(c.calls).toEqual([`${LB} dr-status`]);
  });

  it('follows no second redirect, and reports it as a loop', async () => {
    const c = cluster({
      [A]: { reads: [refusal(307, `${B}/v1/x`)] },
      [B]: { reads: [refusal(307, `${A}/v1/x`)] },
    });
    const r = await (await haOver([A, B], c)).dr.status();
    expect(!r.ok && r.error.message).toMatch(/Redirect loop/);
    expect(c.calls).toEqual([`${A} dr-status`, `${B} dr-status`]);
  });

  it('does not follow a redirect of a share: the 307 goes back to the ceremony, which re-reads the attempt', async () => {
    const c = cluster({ [A]: { writes: [refusal(307, `${B}/v1/x`)] }, [B]: {} });
    const r = await (await haOver([A, B], c)).drOperationToken.submitShare({ key: 'k', nonce: 'n' });
    expect(!r.ok && r.error.status).toBe(307);
    expect(c.calls).toEqual([`${A} update`]);
  });
});

describe('HA client: api_addr naming the balancer', () => {
  it("names a write's 307 back to the balancer as the loop it is, without following it", async () => {
    const c = cluster({ [LB]: { writes: [refusal(307, `${LB}/v1/x`)] } });
    const r = await (await haOver([LB], c)).drOperationToken.submitShare({ key: 'k', nonce: 'n' });
    expect(!r.ok && r.error.message).toMatch(/^HTTP 307\. Redirect loop: .*api_addr names the load balancer/);
    expect(c.calls).toEqual([`${LB} update`]);
  });

  it('says why no node leads when a standby behind the balancer names the balancer as the leader', async () => {
    const c = cluster({ [LB]: { leader: { leader_address: LB } } });
    const r = await (await haOver([LB], c)).resolveActive();
    expect(!r.ok && r.error.message).toMatch(/names https:\/\/balancer:8200 itself as the leader: The nodes' api_addr/);
    expect(!r.ok && r.error.message).not.toMatch(/electing/);
  });

  it('says the cluster may be electing a leader, and what to do, when every node answers but none names one', async () => {
    const c = cluster({
      [A]: { leader: { is_self: false, leader_address: '' } },
      [B]: { leader: { is_self: false, leader_address: '' } },
    });
    const r = await (await haOver([A, B], c)).resolveActive();
    expect(!r.ok && r.error.message).toBe(
      "no node of 'dr' reports itself active (https://node-a:8200: not active; https://node-b:8200: not active), and none names a leader: the cluster is electing one (it takes seconds) or has lost its quorum. Retry in a moment; if none leads by then, check its nodes ('vault operator raft list-peers')",
    );
  });
});

describe('HA client: sealed nodes behind a balancer', () => {
  const sealed: VaultResult<never> = {
    ok: false,
    error: { kind: 'vault-error', message: 'HTTP 503', status: 503, errors: ['Vault is sealed'] },
  };
  const standby = answer({ ha_enabled: true, is_self: false, leader_address: A, leader_cluster_address: '' });

  it('asks again while a sealed node answers, and trusts the unsealed one that names the leader', async () => {
    const c = cluster({ [LB]: { leaders: [sealed, sealed, standby] }, [A]: { leader: { is_self: true } } });
    const r = await (await haOver([LB], c)).resolveActive();
    expect(r.ok && r.value).toBe(A);
  });

  it('gives up after three answers, saying how many came from a sealed node', async () => {
    const electing = answer({ ha_enabled: true, is_self: false, leader_address: '', leader_cluster_address: '' });
    const c = cluster({ [LB]: { leaders: [sealed, sealed, electing] } });
    const r = await (await haOver([LB], c)).resolveActive();
    expect(!r.ok && r.error.message).toMatch(
      /^no node of 'dr' reports itself active \(https:\/\/balancer:8200: not active \(2 of 3 answers came from a sealed node, which cannot say who leads: unseal it/,
    );
    const all = cluster({ [LB]: { leaders: [sealed] } });
    const none = await (await haOver([LB], all)).resolveActive();
    expect(!none.ok && none.error.message).toMatch(/HTTP 503 \(3 of 3 answers came from a sealed node/);
  });

  it('does not ask again on a 503 from a node that is not sealed', async () => {
    let asked = 0;
    const c = cluster({});
    const ha = await createHaClient({
      profileName: 'dr',
      addresses: [LB],
      connect: async (address) => ({ ...c.node(address), leader: async () => (asked++, refusal(503)) }),
      sleep: async () => undefined,
    });
    expect((await ha!.resolveActive()).ok).toBe(false);
    expect(asked).toBe(1);
  });
});

describe('HA client: 503', () => {
  it('retries a read on 503 with a bounded number of tries', async () => {
    const settling = cluster({ [A]: { reads: [refusal(503), refusal(503), mode('primary')] } });
    const r = await (await haOver([A], settling)).dr.status();
    expect(r.ok && r.value.data.mode).toBe('primary');
    expect(settling.calls).toHaveLength(3);

    const down = cluster({ [A]: { reads: [refusal(503)] } });
    const still = await (await haOver([A], down)).dr.status();
    expect(!still.ok && still.error.status).toBe(503);
    expect(down.calls).toHaveLength(5);
  });

  it('retries a read a standby answers 500 for finding no leader, and no other 500', async () => {
    const noLeader: VaultResult<never> = {
      ok: false,
      error: {
        kind: 'vault-error',
        message: 'HTTP 500',
        status: 500,
        errors: ['local node not active but active cluster node not found'],
      },
    };
    const electing = cluster({ [A]: { reads: [noLeader, mode('primary')] } });
    expect((await (await haOver([A], electing)).dr.status()).ok).toBe(true);
    const broken = cluster({ [A]: { reads: [refusal(500), mode('primary')] } });
    const r = await (await haOver([A], broken)).dr.status();
    expect(!r.ok && r.error.status).toBe(500);
  });

  it('never repeats a write answered 503', async () => {
    const c = cluster({ [A]: { writes: [refusal(503), answer({})] } });
    const r = await (await haOver([A], c)).drOperationToken.submitShare({ key: 'k', nonce: 'n' });
    expect(!r.ok && r.error.status).toBe(503);
    expect(c.calls).toEqual([`${A} update`]);
  });
});

describe('HA client: settling', () => {
  const C = 'https://node-c:8200';
  it('reports a partitioned (474) or removed (530) standby without waiting for it', async () => {
    for (const code of [474, 530]) {
      const c = cluster({
        [A]: { leader: { is_self: true }, health: { status: 200, drMode: 'primary' } },
        [B]: { health: { status: 429, drMode: 'primary' } },
        [C]: { health: { status: code, drMode: 'secondary' } },
      });
      const settled = await (await haOver([A, B, C], c)).settle('primary', 1_000);
      expect(settled.ok).toBe(true);
      expect(settled.ok && settled.value.find((n) => n.address === C)?.healthCode).toBe(code);
    }
  });

  it("takes a balancer's answer as the node behind it, not a second active node", async () => {
    let t = 0;
    const c = cluster({
      [LB]: { leader: { is_self: true, leader_address: A }, health: { status: 200, drMode: 'primary' } },
      [A]: { leader: { is_self: true, leader_address: A }, health: { status: 200, drMode: 'primary' } },
    });
    const ha = await createHaClient({
      profileName: 'dr',
      addresses: [LB, A],
      connect: async (address) => c.node(address),
      sleep: async (ms) => void (t += ms),
      now: () => t,
    });
    const settled = await ha!.settle('primary', 1_000);
    expect(settled.ok && settled.value.filter((n) => n.active).map((n) => n.address)).toEqual([A]);
  });

  it('settles behind a balancer whose answer came from a standby cut off from the leader, on the leader itself', async () => {
    for (const health of [
      { status: 474, drMode: 'secondary' },
      { status: 472, drMode: 'secondary', haConnectionHealthy: false },
    ]) {
      const c = cluster({
        [LB]: { leader: { is_self: false, leader_address: A }, health },
        [A]: { leader: { is_self: true, leader_address: A }, health: { status: 472, drMode: 'primary' } },
      });
      const ha = await haOver([LB], c);
      const settled = await ha.settle('primary', 1_000);
      expect(settled.ok && settled.value.map((n) => [n.address, n.active, exclusionOf(n) ?? 'speaks'])).toEqual([
        [LB, false, 'partitioned'],
        [A, true, 'speaks'],
      ]);
      expect(ha.activeAddress).toBe(A);
    }
  });

  it('settles a cluster known only by its balancer on the leader the balanced node names', async () => {
    const c = cluster({
      [LB]: { leader: { is_self: true, leader_address: A }, health: { status: 472, drMode: 'secondary' } },
      [A]: { leader: { is_self: true, leader_address: A }, health: { status: 472, drMode: 'secondary' } },
    });
    const settled = await (await haOver([LB], c)).settle('secondary', 1_000);
    expect(settled.ok && settled.value.filter((n) => n.active).map((n) => n.address)).toEqual([A]);
  });

  it("takes a DR secondary's 472 with ha_connection_healthy false as partitioned", async () => {
    const c = cluster({
      [A]: { leader: { is_self: true }, health: { status: 472, drMode: 'primary' } },
      [B]: { health: { status: 472, drMode: 'primary' } },
      [C]: { health: { status: 472, drMode: 'secondary', haConnectionHealthy: false } },
    });
    const settled = await (await haOver([A, B, C], c)).settle('primary', 1_000);
    expect(settled.ok).toBe(true);
  });

  it('settles a new DR secondary whose standbys wait sealed for the primary’s keys, reporting them sealed', async () => {
    const c = cluster({
      [A]: { leader: { is_self: true }, health: { status: 472, drMode: 'secondary', sealed: false } },
      [B]: { health: { status: 503, drMode: 'unknown', sealed: true } },
      [C]: { health: { status: 503, drMode: 'unknown', sealed: true } },
    });
    const settled = await (await haOver([A, B, C], c)).settle('secondary', 1_000);
    expect(settled.ok && settled.value.map((n) => exclusionOf(n) ?? 'speaks')).toEqual(['speaks', 'sealed', 'sealed']);
  });

  it("without a mode, settles on the leader's mode once every node reports it", async () => {
    let t = 0;
    const nodes = {
      [A]: { leader: { is_self: true }, health: { status: 472, drMode: 'secondary' } },
      [B]: { health: { status: 472, drMode: 'secondary' } },
    };
    const over = async (c: ReturnType<typeof cluster>) =>
      (await createHaClient({
        profileName: 'dr',
        addresses: [A, B],
        connect: async (address) => c.node(address),
        sleep: async (ms) => void (t += ms),
        now: () => t,
      }))!;
    const settled = await (await over(cluster(nodes))).settle(undefined, 1_000);
    expect(settled.ok && settled.value.map((n) => n.drMode)).toEqual(['secondary', 'secondary']);
    t = 0;
    const lagging = cluster({ ...nodes, [B]: { health: { status: 429, drMode: 'primary' } } });
    const r = await (await over(lagging)).settle(undefined, 1_000);
    expect(!r.ok && r.error.message).toMatch(/every node in its DR mode: .*node-b:8200 standby primary/);
  });

  it('still waits for a reachable standby that lags, and for a majority', async () => {
    let t = 0;
    const lagging = cluster({
      [A]: { leader: { is_self: true }, health: { status: 200, drMode: 'primary' } },
      [B]: { health: { status: 429, drMode: 'secondary' } },
    });
    const ha = await createHaClient({
      profileName: 'dr',
      addresses: [A, B],
      connect: async (address) => lagging.node(address),
      sleep: async (ms) => void (t += ms),
      now: () => t,
    });
    const r = await ha!.settle('primary', 1_000);
    expect(!r.ok && r.error.kind).toBe('not-settled');

    const minority = cluster({
      [A]: { leader: { is_self: true }, health: { status: 200, drMode: 'primary' } },
      [B]: { health: { status: 474, drMode: 'secondary' } },
      [C]: { health: { status: 530, drMode: 'secondary' } },
    });
    t = 0;
    const few = await createHaClient({
      profileName: 'dr',
      addresses: [A, B, C],
      connect: async (address) => minority.node(address),
      sleep: async (ms) => void (t += ms),
      now: () => t,
    });
    const waited = await few!.settle('primary', 1_000);
    expect(!waited.ok && waited.error.message).toMatch(
      /node-b:8200 standby partitioned, .*node-c:8200 standby removed$/,
    );
  });
});
