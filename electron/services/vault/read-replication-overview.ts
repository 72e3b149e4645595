/**
 * What the replication dashboard and `vault-ceremony status` both show for one node: sys/replication/status,
 * sys/health and sys/seal-status asked side by side and reported one by one, because a DR secondary
 * may answer some and refuse others. One reading, so the app and the CLI cannot drift apart.
 */
import type { AppError } from '../../../shared/result';
import type { HealthSummary, ReplicationOverview } from '../../../shared/replication/replication-overview';
import type { VaultClient } from './client';
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

export async function readReplicationOverview(
  client: VaultClient,
  node: { readonly label: string; readonly address: string; readonly now: Date },
): Promise<ReplicationOverview> {
  const [replication, health, seal] = await Promise.all([
    client.replicationStatus(),
    client.health(),
    client.sealStatus(),
  ]);
  return {
    label: node.label,
    address: node.address,
    fetchedAt: node.now.toISOString(),
    replication: section(replication, (a) => a.data),
    health: section(health, healthSummary),
    seal: section(seal, (a) => a.data),
  };
}
