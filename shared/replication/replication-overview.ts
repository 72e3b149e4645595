/**
 * What the replication dashboard shows for one cluster: `sys/replication/status` (DR and
 * performance), `sys/health` and `sys/seal-status`, each fetched on its own so one failing
 * endpoint does not hide the others. Field names stay Vault's, as operators and auditors know
 * them. Only the fields listed here cross to the renderer.
 */
import * as z from 'zod';
import { clusterNodesSchema } from './cluster-nodes';
import { healthFields, replicationBlockFields, replicationPeerFields, sealStatusFields } from './vault-status-fields';

const peer = z.object(replicationPeerFields);

export const replicationBlockSchema = z.object({
  ...replicationBlockFields,
  reindex_in_progress: z.boolean().optional(),
  primaries: z.array(peer).nullish(),
  secondaries: z.array(peer).nullish(),
});

export const healthSummarySchema = z.object({
  /**
   * sys/health's HTTP status: 200 active, 429 standby, 472 DR secondary, 473 perf standby,
   * 474 standby that cannot reach the active node, 501 uninitialised, 503 sealed, 530 removed from the cluster.
   */
  status: z.number().int(),
  ...healthFields,
});

export const sealSummarySchema = z.object(sealStatusFields);

/** One endpoint's answer, or why there is none. */
function fetched<S extends z.ZodType>(value: S) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: z.object({ kind: z.string(), message: z.string() }) }),
  ]);
}

export const replicationOverviewSchema = z.object({
  /** The cluster's name for people: a profile name, or "Rehearsal DR secondary". */
  label: z.string(),
  address: z.string(),
  /** When the answers were collected (ISO 8601), so the screen can show their age. */
  fetchedAt: z.string(),
  replication: fetched(z.object({ dr: replicationBlockSchema, performance: replicationBlockSchema })),
  health: fetched(healthSummarySchema),
  seal: fetched(sealSummarySchema),
  /** An HA cluster's nodes, each asked itself; the sections above are the active node's answers. */
  cluster: clusterNodesSchema.optional(),
});

export type ReplicationBlock = z.output<typeof replicationBlockSchema>;
export type HealthSummary = z.output<typeof healthSummarySchema>;
export type SealSummary = z.output<typeof sealSummarySchema>;
export type ReplicationOverview = z.output<typeof replicationOverviewSchema>;
