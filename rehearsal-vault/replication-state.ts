/** One cluster's role in one kind of replication (DR or performance). */
import type { Cluster } from './cluster';

export type ReplicationKind = 'dr' | 'performance';

export interface KnownSecondary {
  readonly id: string;
  /** Set once a cluster has activated with this ID's token. */
  cluster: Cluster | undefined;
  /** RFC 3339; the last moment the primary could reach it. */
  lastHeartbeat: string;
}

export interface PrimaryState {
  readonly mode: 'primary';
  /** The replication set's ID, shared by the primary and its secondaries. */
  readonly clusterId: string;
  readonly primaryClusterAddr: string;
  readonly secondaries: Map<string, KnownSecondary>;
}

/**
 * How long a secondary/enable keeps a secondary busy before it streams WALs: first bootstrapping
 * (mode "bootstrapping": the primary's keys and a fresh start), then merkle-sync (the initial
 * copy of the data). Real clusters take seconds to hours; rehearsals use seconds.
 */
export interface BootstrapTiming {
  readonly bootstrappingMs: number;
  readonly merkleSyncMs: number;
}

export const INSTANT: BootstrapTiming = { bootstrappingMs: 0, merkleSyncMs: 0 };

export interface SecondaryState {
  readonly mode: 'secondary';
  readonly clusterId: string;
  readonly secondaryId: string;
  /** The primary it streams from; undefined after demotion or update-primary with `token: ""`. */
  readonly primary: Cluster | undefined;
  readonly primaryClusterAddr: string;
  readonly knownPrimaryClusterAddrs: readonly string[];
  lastRemoteWal: number;
  lastHeartbeat: string;
  readonly lastStart: string;
  /** Set from secondary/enable until the initial sync is done (ms since the epoch, and its timing). */
  readonly bootstrap?: { readonly startedAt: number; readonly timing: BootstrapTiming } | undefined;
}

export type ReplicationState = { readonly mode: 'disabled' } | PrimaryState | SecondaryState;

export const DISABLED: ReplicationState = { mode: 'disabled' };
