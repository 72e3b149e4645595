/**
 * The fields of Vault's status answers (sys/replication/status, sys/health, sys/seal-status;
 * docs/vault-protocol.md §3.1) that both the Vault client (electron/services/vault/types.ts)
 * and the replication dashboard (replication-overview.ts) read, spelled once. Each side builds
 * its own object from them: the client a loose one that passes unknown fields through, the
 * dashboard a plain one that lets only what it shows cross to the renderer. Field names stay
 * Vault's.
 */
import * as z from 'zod';

const count = z.number().int().nonnegative();

/**
 * A duration in milliseconds. Vault's ClusterInfo (api/replication_status.go) types the peers'
 * `*_ms` fields as strings and sends `"696"`; sys/health sends numbers. Both read as a number; a
 * string that is not one reads as absent rather than failing the whole answer.
 */
export const millis = z
  .union([z.number(), z.string()])
  .transform((v) => (typeof v === 'number' ? v : /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : undefined));

/** One entry of a replication block's `primaries` or `secondaries`. */
export const replicationPeerFields = {
  node_id: z.string().optional(),
  api_address: z.string().optional(),
  cluster_address: z.string().optional(),
  connection_status: z.string().optional(),
  last_heartbeat: z.string().optional(),
  last_heartbeat_duration_ms: millis.optional(),
  clock_skew_ms: millis.optional(),
  /** How old the newest primary canary this side has seen is: replication lag in time. */
  replication_primary_canary_age_ms: millis.optional(),
};

/** One replication block (DR or performance), without its peer lists. */
export const replicationBlockFields = {
  // "disabled", "primary", "secondary" (or "bootstrapping" while enabling).
  mode: z.string(),
  state: z.string().optional(),
  cluster_id: z.string().optional(),
  connection_state: z.string().optional(),
  primary_cluster_addr: z.string().optional(),
  known_primary_cluster_addrs: z.array(z.string()).nullish(),
  known_secondaries: z.array(z.string()).nullish(),
  secondary_id: z.string().optional(),
  last_wal: z.number().optional(),
  last_dr_wal: z.number().optional(),
  last_performance_wal: z.number().optional(),
  last_remote_wal: z.number().optional(),
  merkle_root: z.string().optional(),
  corrupted_merkle_tree: z.boolean().optional(),
};

export const healthFields = {
  initialized: z.boolean(),
  sealed: z.boolean(),
  standby: z.boolean(),
  performance_standby: z.boolean().optional(),
  replication_dr_mode: z.string().optional(),
  replication_performance_mode: z.string().optional(),
  server_time_utc: z.number().optional(),
  version: z.string().optional(),
  cluster_name: z.string().optional(),
  /** Vault 1.19+: a node removed from its raft cluster (sys/health answers 530). */
  removed_from_cluster: z.boolean().optional(),
  /** Vault 1.19+: whether this standby's heartbeats reach the active node (474 when false). */
  ha_connection_healthy: z.boolean().optional(),
  last_request_forwarding_heartbeat_ms: millis.optional(),
};

export const sealStatusFields = {
  type: z.string(),
  initialized: z.boolean(),
  sealed: z.boolean(),
  t: count,
  n: count,
  progress: count,
  version: z.string().optional(),
  recovery_seal: z.boolean().optional(),
  storage_type: z.string().optional(),
};
