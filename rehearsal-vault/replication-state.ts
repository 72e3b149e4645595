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
}

export type ReplicationState = { readonly mode: 'disabled' } | PrimaryState | SecondaryState;

export const DISABLED: ReplicationState = { mode: 'disabled' };
