/**
 * What the replication dashboard and `vault-ceremony status` both show for one node: sys/replication/status,
 * sys/health and sys/seal-status asked side by side and reported one by one, because a DR secondary
 * may answer some and refuse others. One reading, so the app and the CLI cannot drift apart.
 */
import type { AppError } from '../../../shared/result';
import type { HealthSummary, ReplicationOverview } from '../../../shared/replication/replication-overview';
import type { ClusterNodes } from '../../../shared/replication/cluster-nodes';
import type { VaultClient } from './client';
import { isHaClient, origin, type HaVaultClient } from './ha-client';
import type { Health, VaultAnswer, VaultResult } from './types';

export function healthSummary(answer: VaultAnswer<Health>): HealthSummary {
  return { ...answer.data, status: answer.status };
}

/** Keeps kind and message only: a VaultError's other fields (status, Vault's texts) stay here. */
function section<T, U>(
  result: VaultResult<T>,
  view: (answer: VaultAnswer<T>) => U,
): { ok: true; value: U } | { ok: false; error: AppError } {
  return result.ok
    ? { ok: true, value: view(result.value) }
    : { ok: false, error: { kind: result.error.kind, message: result.error.message } };
}

/**
 * Every node of an HA cluster, each asked itself; the active node is resolved first so the overview's
 * other sections are its answers. A balancer is how the cluster was reached, not a node: left out.
 */
async function readClusterNodes(client: HaVaultClient, balancer: string | undefined): Promise<ClusterNodes> {
  await client.resolveActive();
  const reports = await client.nodes();
  const through = balancer === undefined ? undefined : origin(balancer);
  return {
    nodes: reports
      .filter((r) => r.address !== through)
      .map((r) => ({
        address: r.address,
        reachable: r.reachable,
        active: r.active,
        ...(r.healthCode === undefined ? {} : { healthCode: r.healthCode }),
        ...(r.drMode === undefined ? {} : { drMode: r.drMode }),
        ...(r.raftCommittedIndex === undefined ? {} : { raftCommittedIndex: r.raftCommittedIndex }),
        ...(r.raftAppliedIndex === undefined ? {} : { raftAppliedIndex: r.raftAppliedIndex }),
        ...(r.problem === undefined ? {} : { problem: r.problem }),
      })),
    ...(through === undefined ? {} : { balancer: through }),
  };
}

export async function readReplicationOverview(
  client: VaultClient,
  node: {
    readonly label: string;
    readonly address: string;
    readonly now: Date;
    /** The load balancer the client reaches the cluster through, if any. */
    readonly balancer?: string | undefined;
  },
): Promise<ReplicationOverview> {
  const cluster = isHaClient(client) ? await readClusterNodes(client, node.balancer) : undefined;
  const [replication, health, seal] = await Promise.all([
    client.replicationStatus(),
    client.health(),
    client.sealStatus(),
  ]);
  return {
    label: node.label,
    // An HA cluster's sections are the active node's answers: name the node that gave them.
    address: (isHaClient(client) ? client.activeAddress : undefined) ?? node.address,
    fetchedAt: node.now.toISOString(),
    replication: section(replication, (a) => a.data),
    health: section(health, healthSummary),
    seal: section(seal, (a) => a.data),
    ...(cluster ? { cluster } : {}),
  };
}
