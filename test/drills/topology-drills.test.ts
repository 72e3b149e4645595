// @tier integration
/**
 * Topology drills: promotion ceremonies and client calls against rehearsal topologies with more
 * than one secondary (two DR secondaries of one primary; a performance secondary with a DR
 * secondary of its own), sealed standbys, and a balancer misconfigured on the cluster port, all
 * over real mutual TLS on loopback. Each checks what the room is told and what Vault ends up as.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../shared/ceremony/ceremony-snapshot';
import type { JournalEvent } from '../../shared/record/journal-event';
import type { CeremonyService } from '../../electron/services/ceremony/ceremony-service';
import { playCeremony } from '../../electron/services/rehearsal/headless-driver';
import { generateSigners, type RehearsalCast } from '../../electron/services/rehearsal/rehearsal-cast';
import { rehearsalCast, startRehearsalCeremony } from '../../electron/services/rehearsal/rehearsal-ceremony';
import { connectTarget, DR_SECONDARY_PROFILE } from '../../electron/services/rehearsal/rehearsal-target';
import { rehearsalEndpointClient } from '../../electron/services/rehearsal/rehearsal-vault-client';
import type { VaultClient } from '../../electron/services/vault/client';
import { isHaClient } from '../../electron/services/vault/ha-client';
import type { ClusterRole } from '../../rehearsal-vault/faults';
import {
  startRehearsalVault,
  type RehearsalVault,
  type RehearsalVaultOptions,
} from '../../rehearsal-vault/rehearsal-cluster-set';
import { vaultRequest } from '../support/mtls-client';
import { generateDrTokenAt } from '../support/rehearsal-dr-token';
import { cleanUp, onCleanUp, readJournal } from './drill-support';

afterEach(cleanUp);

const PROMOTE = 'sys/replication/dr/secondary/promote';

async function startVault(options: RehearsalVaultOptions): Promise<RehearsalVault> {
  const started = await startRehearsalVault({ officers: 3, threshold: 2, settleMs: 200, ...options });
  if (!started.ok) throw new Error(started.error.message);
  onCleanUp(() => started.value.close());
  return started.value;
}

/**
 * A client for one cluster of the topology, found through its balancer as a profile would, or
 * (`viaNodes`) through its node list.
 */
async function clientFor(
  vault: RehearsalVault,
  role: ClusterRole,
  options: { readonly token?: string; readonly viaNodes?: boolean } = {},
): Promise<VaultClient> {
  const info = vault.clusters.find((c) => c.role === role);
  if (!info) throw new Error(`this topology has no ${role}`);
  const endpoint = options.viaNodes ? { ...info.endpoint, balancerAddr: undefined } : info.endpoint;
  const client = await rehearsalEndpointClient(vault, info.name, endpoint, options.token);
  onCleanUp(() => client.close());
  return client;
}

interface TopologyDrill {
  readonly service: CeremonyService;
  readonly cast: RehearsalCast;
  readonly log: string[];
  journal(): JournalEvent[];
}

/** A promotion ceremony on the cluster `role` plays, its plan naming `peers` (the rest of the profile set) in peer_profiles. */
async function ceremonyOn(
  vault: RehearsalVault,
  id: string,
  role: ClusterRole,
  peers: Partial<Record<ClusterRole, VaultClient>> = {},
  client?: VaultClient,
): Promise<TopologyDrill> {
  const dir = mkdtempSync(join(tmpdir(), `vc-topology-${id}-`));
  onCleanUp(() => rmSync(dir, { recursive: true, force: true }));
  const connected = await connectTarget({ kind: 'in-process', vault });
  if (!connected.ok) throw new Error(connected.error.message);
  onCleanUp(() => connected.value.client.close());
  const target = { ...connected.value, client: client ?? (await clientFor(vault, role)) };
  const signers = await generateSigners(undefined);
  const log: string[] = [];
  const journalPath = join(dir, 'journal.jsonl');
  const service = await startRehearsalCeremony({
    target,
    signers,
    journalPath,
    clients: { [DR_SECONDARY_PROFILE]: target.client },
    id,
    log: (line) => log.push(line),
    peers: Object.fromEntries(
      Object.entries(peers).map(([r, c]) => [vault.clusters.find((i) => i.role === r)!.name, c]),
    ),
  });
  if (!service.ok) throw new Error(service.error.message);
  onCleanUp(() => service.value.close());
  return {
    service: service.value,
    cast: rehearsalCast(target, signers),
    log,
    journal: () => readJournal(journalPath),
  };
}

const play = async (d: TopologyDrill, until?: (s: ServiceStatus) => boolean) => {
  const played = await playCeremony(d.service, d.cast, {
    log: (line) => d.log.push(line),
    ...(until ? { until } : {}),
  });
  if (!played.ok) throw new Error(played.error.message);
  return played.value;
};
const promoteSent = (d: TopologyDrill) =>
  d.journal().some((e) => e.type === 'vault-request' && e.details['path'] === PROMOTE);
const outcome = (d: TopologyDrill) => d.journal().find((e) => e.type === 'ceremony-finished')?.details['outcome'];

describe('two DR secondaries of one primary (dc2, dc3)', () => {
  it('a DR operation token generated on dc3 does not promote dc2, and the refusal says where to generate it', async () => {
    const vault = await startVault({ topology: 'dr2' });
    const dc3Token = await generateDrTokenAt(vault, vault.clusters[2]!.endpoint.apiAddr);
    const dc2 = await clientFor(vault, 'drSecondary');
    const refused = await dc2.dr.secondary.promote({ drOperationToken: dc3Token });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error).toMatchObject({ kind: 'vault-error', status: 403 });
    expect(refused.error.message).toMatch(/works only on the DR secondary it was generated on/);
    expect(refused.error.message).not.toContain(dc3Token);
    expect(vault.cluster('drSecondary').replication.dr.mode).toBe('secondary');
  });

  it('promoting dc2 while dc3 is already promoted is refused until a witnessed two-primaries deviation, then made', async () => {
    const vault = await startVault({ topology: 'dr2' });
    // The primary site is lost and dc3's team promoted first.
    await vault.faults.takeDown('primary');
    const dc3Addr = vault.clusters[2]!.endpoint.apiAddr;
    const dc3 = await clientFor(vault, 'dc3DrSecondary');
    const promotedDc3 = await dc3.dr.secondary.promote({ drOperationToken: await generateDrTokenAt(vault, dc3Addr) });
    expect(promotedDc3.ok).toBe(true);

    const d = await ceremonyOn(vault, 'dc2-after-dc3', 'drSecondary', {
      primary: await clientFor(vault, 'primary'),
      dc3DrSecondary: dc3,
    });
    const refused = await play(d, (s) => /two primaries/.test(s.lastResult ?? ''));
    expect(refused.lastResult).toMatch(/'dc3-dr-secondary' still reports DR primary/);
    // The unreachable old primary is not named: it cannot be asked.
    expect(refused.lastResult).not.toMatch(/'primary' still reports/);
    expect(promoteSent(d)).toBe(false);
    expect(vault.cluster('drSecondary').replication.dr.mode).toBe('secondary');

    const raised = await d.service.act({
      type: 'deviation',
      kind: 'two-primaries',
      actor: d.cast.administrator.name,
      reason: 'dc3 was promoted by mistake and is being demoted; dc2 takes over as agreed with its team',
    });
    if (!raised.ok) throw new Error(raised.error.message);
    const finished = await play(d);
    expect(finished.step).toBe('finished');
    expect(promoteSent(d)).toBe(true);
    expect(outcome(d)).toBe('promoted');
    expect(vault.cluster('drSecondary').replication.dr.mode).toBe('primary');
    expect(d.journal().some((e) => e.type === 'deviation-witnessed')).toBe(true);
  });
});

describe('a performance secondary with a DR secondary of its own', () => {
  it('promotes the performance secondary’s DR secondary with its own operation token; the primary’s DR secondary’s token is refused there', async () => {
    const vault = await startVault({ topology: 'perf-dr' });
    const perfDr = await clientFor(vault, 'performanceDrSecondary');
    const fromPrimarysDr = await generateDrTokenAt(vault, vault.drSecondary.apiAddr);
    const refused = await perfDr.dr.secondary.promote({ drOperationToken: fromPrimarysDr });
    expect(refused.ok || refused.error.message).toMatch(/generate it on this one/);

    // The performance site is lost; its DR secondary takes over through a whole ceremony.
    await vault.faults.takeDown('performanceSecondary');
    const d = await ceremonyOn(vault, 'perf-dr', 'performanceDrSecondary', {
      performanceSecondary: await clientFor(vault, 'performanceSecondary'),
    });
    const finished = await play(d);
    expect(finished.step).toBe('finished');
    expect(outcome(d)).toBe('promoted');
    expect(vault.cluster('performanceDrSecondary').replication.dr.mode).toBe('primary');
    // Nothing reached the primary's own DR secondary.
    expect(vault.cluster('drSecondary').replication.dr.mode).toBe('secondary');
    expect(vault.ha('drSecondary').received.some((r) => r.path === PROMOTE)).toBe(false);
  });
});

describe('sealed standbys after enabling a DR secondary', () => {
  it('a 3-node rehearsal promotes: the harness unsealed every standby with the primary’s shares', async () => {
    const vault = await startVault({ topology: 'dr2', nodes: 3 });
    const id = { caPem: vault.caPem, certPem: vault.clientCertPem, keyPem: vault.clientKeyPem };
    for (const node of vault.drSecondary.nodes)
      expect((await vaultRequest(id, node.apiAddr, 'GET', 'sys/seal-status')).json.sealed).toBe(false);
    const d = await ceremonyOn(vault, 'unsealed-standbys', 'drSecondary');
    expect((await play(d)).step).toBe('finished');
    expect(outcome(d)).toBe('promoted');
    // The cluster settled with every node primary: the standbys served again after their unseal.
    const settled = d
      .journal()
      .filter((e) => e.type === 'cluster-settled')
      .at(-1);
    expect(settled?.details).toMatchObject({ settled: true });
  });

  it('a standby left sealed is reported as such, and the active node is still found', async () => {
    const vault = await startVault({ nodes: 3 });
    // As if an operator had not yet unsealed it after secondary/enable.
    const [active, , sealed] = vault.drSecondary.nodes;
    vault.ha('drSecondary').nodes[2]!.sealApart();
    const dc2 = await clientFor(vault, 'drSecondary');
    if (!isHaClient(dc2)) throw new Error('a 3-node cluster gets an HA client');
    const resolved = await dc2.resolveActive();
    expect(resolved.ok && resolved.value).toBe(active!.apiAddr);
    const report = (await dc2.nodes()).find((n) => n.address === sealed!.apiAddr);
    expect(report).toMatchObject({ active: false, healthCode: 503 });
    expect(report?.problem).toMatch(/Vault is sealed/);
  });
});

describe('a balancer misconfigured on the cluster port (8201)', () => {
  it('a secondary activation through it fails with what to check: 8201 must be TCP pass-through to the active node', async () => {
    const vault = await startVault({ balancer: 'misconfigured-8201', performanceSecondary: true });
    const primary = await clientFor(vault, 'primary', { token: vault.rootToken });
    const issued = await primary.performance.primary.secondaryToken({ id: 'perf-again' });
    if (!issued.ok) throw new Error(issued.error.message);
    const token = (issued.value.data as { token?: string }).token ?? '';
    expect(token).not.toBe('');
    const perf = await clientFor(vault, 'performanceSecondary', { token: vault.performanceSecondary!.rootToken });
    const failed = await perf.performance.secondary.updatePrimary({ token });
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed.error.message).toMatch(/tls: internal error/);
    expect(failed.error.message).toMatch(/port 8201 must be TCP pass-through to the active node/);
    expect(failed.error.message).not.toContain(token);
  });

  it('a DR secondary behind it reports replication broken, yet a ceremony given its nodes promotes on the active node', async () => {
    const vault = await startVault({ nodes: 3, balancer: 'misconfigured-8201' });
    // Its standbys cannot forward (they answer 307), so the profile lists the nodes.
    const dc2 = await clientFor(vault, 'drSecondary', { viaNodes: true });
    const status = await dc2.dr.status();
    expect(status.ok && status.value.data).toMatchObject({ connection_state: 'transient_failure' });
    const d = await ceremonyOn(vault, 'misconfigured-8201', 'drSecondary', {}, dc2);
    expect((await play(d)).step).toBe('finished');
    expect(vault.cluster('drSecondary').replication.dr.mode).toBe('primary');
    const attemptCalls = vault.ha('drSecondary').received.filter((r) => r.path.includes('generate-operation-token'));
    expect(attemptCalls.every((r) => r.actedOn === r.node)).toBe(true);
  });
});
