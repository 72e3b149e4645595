/**
 * What the replication dashboard shows for one cluster: `sys/replication/status` (DR and
 * performance), `sys/health` and `sys/seal-status`, each fetched on its own so one failing
 * endpoint does not hide the others. Field names stay Vault's, as operators and auditors know
 * them. Only the fields listed here cross to the renderer.
 */
import * as z from 'zod';

const peer = z.object({
  node_id: z.string().optional(),
  api_address: z.string().optional(),
  cluster_address: z.string().optional(),
  connection_status: z.string().optional(),
  last_heartbeat: z.string().optional(),
  last_heartbeat_duration_ms: z.number().optional(),
  clock_skew_ms: z.number().optional(),
  /** How old the newest primary canary this side has seen is: replication lag in time. */
  replication_primary_canary_age_ms: z.number().optional(),
});

export const replicationBlockSchema = z.object({
  mode: z.string(),
  state: z.string().optional(),
  connection_state: z.string().optional(),
  cluster_id: z.string().optional(),
  primary_cluster_addr: z.string().optional(),
  secondary_id: z.string().optional(),
  known_primary_cluster_addrs: z.array(z.string()).nullish(),
  known_secondaries: z.array(z.string()).nullish(),
  last_wal: z.number().optional(),
  last_dr_wal: z.number().optional(),
  last_performance_wal: z.number().optional(),
  last_remote_wal: z.number().optional(),
  merkle_root: z.string().optional(),
  corrupted_merkle_tree: z.boolean().optional(),
  reindex_in_progress: z.boolean().optional(),
  primaries: z.array(peer).nullish(),
  secondaries: z.array(peer).nullish(),
});

export const healthSummarySchema = z.object({
  /** sys/health's HTTP status: 200 active, 429 standby, 472 DR secondary, 473 perf standby, 501 uninitialised, 503 sealed. */
  status: z.number().int(),
  initialized: z.boolean(),
  sealed: z.boolean(),
  standby: z.boolean(),
  performance_standby: z.boolean().optional(),
  replication_dr_mode: z.string().optional(),
  replication_performance_mode: z.string().optional(),
  version: z.string().optional(),
  cluster_name: z.string().optional(),
  server_time_utc: z.number().optional(),
});

export const sealSummarySchema = z.object({
  type: z.string(),
  initialized: z.boolean(),
  sealed: z.boolean(),
  t: z.number().int(),
  n: z.number().int(),
  progress: z.number().int(),
  recovery_seal: z.boolean().optional(),
  storage_type: z.string().optional(),
  version: z.string().optional(),
});

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
});

export type ReplicationBlock = z.output<typeof replicationBlockSchema>;
export type HealthSummary = z.output<typeof healthSummarySchema>;
export type SealSummary = z.output<typeof sealSummarySchema>;
export type ReplicationOverview = z.output<typeof replicationOverviewSchema>;
