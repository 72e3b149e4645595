/**
 * Replication between the simulated clusters: enabling primaries and secondaries, activation
 * tokens, WAL streaming (an in-process copy of storage on every write while connected),
 * promotion, demotion, update-primary, and the status blocks of sys/replication/*status.
 * DR replication server code is not public; texts marked UNCONFIRMED are our best reading of
 * docs and transcripts.
 */
import { randomUUID } from 'node:crypto';
import { err, ok, type Result } from '../shared/result';
import { ActivationTokens } from './activation-token';
import { reachUnwrapTarget, sameAddress, type UnwrapOptions } from './activation-unwrap';
import { SecondaryKeys } from './secondary-key-exchange';
import type { Cluster } from './cluster';
import {
  DISABLED,
  INSTANT,
  type BootstrapTiming,
  type KnownSecondary,
  type PrimaryState,
  type ReplicationKind,
  type ReplicationState,
  type SecondaryState,
} from './replication-state';

export type ReplicationErrorKind =
  'invalid-request' | 'wrong-mode' | 'invalid-activation-token' | 'catching-up' | 'cluster-port-unreachable';

/** Warnings Vault returns with 200 when a cluster changes role (the promote text is from a transcript). */
const BRIEF_UNAVAILABILITY = 'Vault will be unavailable for a brief period and will resume service shortly.';
const WARNINGS = {
  enablePrimary: `This cluster is being enabled as a primary for replication. ${BRIEF_UNAVAILABILITY}`,
  // Vault's own text (issue 14 quotes it from a real enable).
  enableSecondary:
    'Vault has successfully found secondary information; it may take a while to perform setup tasks. Vault will be unavailable until these tasks and initial sync complete.',
  promote: `This cluster is being promoted to a replication primary. ${BRIEF_UNAVAILABILITY}`,
  demote: `This cluster is being demoted to a replication secondary. ${BRIEF_UNAVAILABILITY}`,
  disable: `This cluster is having replication disabled. ${BRIEF_UNAVAILABILITY}`,
  updatePrimary: `This cluster is having its primary updated. ${BRIEF_UNAVAILABILITY}`,
};

/** UNCONFIRMED text; the protocol notes say only that promote can answer 503 while catching up. */
export const CATCHING_UP = 'replication is still catching up, try again later or provide the "force" argument';

/**
 * What secondary/enable (and update-primary with a token) answers when the primary's cluster port
 * sits behind a TLS-terminating or round-robin balancer: the bootstrap's gRPC handshake fails.
 * UNCONFIRMED text (docs/vault-unconfirmed.md); the `tls: internal error` tail is what such a
 * balancer is reported to cause.
 */
export const CLUSTER_PORT_TLS_FAILURE =
  'error fetching secondary bootstrap package: error authing for bootstrap: rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: remote error: tls: internal error"';

const NEVER = '0001-01-01T00:00:00Z';
const LABEL: Record<ReplicationKind, string> = { dr: 'DR', performance: 'performance' };

/** A few seconds of each, so officers watching the dashboard see the stages go by. */
export const REHEARSAL_BOOTSTRAP: BootstrapTiming = { bootstrappingMs: 4_000, merkleSyncMs: 6_000 };

type BootstrapPhase = 'bootstrapping' | 'merkle-sync';

export class ReplicationNetwork {
  private readonly clusters = new Set<Cluster>();
  private readonly cuts = new Set<Cluster>();
  /** Cluster-port addresses a misconfigured (TLS-terminating, round-robin) balancer answers. */
  private readonly misrouted = new Set<string>();
  readonly activation = new ActivationTokens();
  /** Key pairs of secondaries activated with `secondary_public_key` instead of a wrapped token. */
  readonly secondaryKeys = new SecondaryKeys();
  /** Fault: promote answers 503 "catching up" unless `force` is given. */
  requireForceToPromote = false;

  /**
   * `bootstrap`: how long secondary/enable keeps a secondary bootstrapping and merkle-syncing;
   * `clock` reads the time (ms), so tests can step through the stages.
   */
  constructor(
    private readonly bootstrap: BootstrapTiming = REHEARSAL_BOOTSTRAP,
    private readonly clock: () => number = Date.now,
  ) {}

  add(cluster: Cluster): void {
    this.clusters.add(cluster);
    cluster.onWrite = (c) => this.propagate(c);
  }

  /** Fault: the cluster stops replicating with anyone (a network partition around it). */
  cut(cluster: Cluster): void {
    this.cuts.add(cluster);
  }

  /** Fault: `addr` is a balancer that terminates TLS on cluster traffic; nothing replicates through it. */
  misroute(addr: string): void {
    this.misrouted.add(addr);
  }

  /**
   * Whether `addr` is a TLS-terminating balancer's: the bootstrap's gRPC handshake fails there, so
   * enable and update-primary are refused. Any other wrong address (an API port, say) activates and
   * then never connects, as row 14 of docs/vault-unconfirmed.md records.
   */
  private misroutes(addr: string): boolean {
    return [...this.misrouted].some((m) => sameAddress(addr, m));
  }

  restore(cluster: Cluster): void {
    this.cuts.delete(cluster);
    this.catchUpAll();
  }

  /** After a partition heals or a cluster comes back: every secondary catches up. */
  catchUpAll(): void {
    for (const c of this.clusters) this.propagate(c);
  }

  /** Whether `secondary` currently streams from its primary for `kind` (not while it bootstraps). */
  connected(secondary: Cluster, kind: ReplicationKind): boolean {
    const s = secondary.replication[kind];
    if (s.mode !== 'secondary' || !s.primary || this.bootstrapPhase(secondary, kind) !== undefined) return false;
    const p = s.primary.replication[kind];
    return (
      this.reachesClusterPort(s.primaryClusterAddr, s.primary) &&
      p.mode === 'primary' &&
      p.clusterId === s.clusterId &&
      p.secondaries.get(s.secondaryId)?.cluster === secondary &&
      s.primary.up &&
      secondary.up &&
      !this.cuts.has(secondary) &&
      !this.cuts.has(s.primary)
    );
  }

  /** Streams a primary's storage to every connected secondary. */
  propagate(primary: Cluster): void {
    for (const kind of ['dr', 'performance'] as const) {
      const p = primary.replication[kind];
      if (p.mode !== 'primary') continue;
      for (const known of p.secondaries.values()) {
        if (known.cluster && this.connected(known.cluster, kind)) this.sync(primary, known.cluster, kind);
      }
    }
  }

  enablePrimary(
    cluster: Cluster,
    kind: ReplicationKind,
    primaryClusterAddr = '',
  ): Result<string[], ReplicationErrorKind> {
    const current = cluster.replication[kind];
    if (current.mode === 'primary') return err('wrong-mode', `this cluster is already a ${LABEL[kind]} primary`);
    if (current.mode === 'secondary') {
      return err(
        'wrong-mode',
        `this cluster is a ${LABEL[kind]} secondary; promote it instead of enabling it as a primary`,
      );
    }
    cluster.replication[kind] = {
      mode: 'primary',
      clusterId: randomUUID(),
      primaryClusterAddr,
      secondaries: new Map(),
    };
    cluster.recordWrite();
    return ok([WARNINGS.enablePrimary]);
  }

  secondaryToken(primary: Cluster, kind: ReplicationKind, id: string, ttlSeconds: number) {
    const p = primary.replication[kind];
    if (p.mode !== 'primary') return err('wrong-mode', `this cluster is not a ${LABEL[kind]} primary`);
    if (id === '') return err('invalid-request', 'missing required "id" parameter: the secondary needs an ID');
    if (p.secondaries.has(id)) {
      // UNCONFIRMED text.
      return err('invalid-request', `a secondary with ID "${id}" already exists; revoke it first or choose another ID`);
    }
    p.secondaries.set(id, { id, cluster: undefined, lastHeartbeat: NEVER });
    primary.recordWrite();
    return ok(this.activation.issue({ primary, kind, secondaryId: id }, ttlSeconds));
  }

  revokeSecondary(primary: Cluster, kind: ReplicationKind, id: string): Result<void, ReplicationErrorKind> {
    const p = primary.replication[kind];
    if (p.mode !== 'primary') return err('wrong-mode', `this cluster is not a ${LABEL[kind]} primary`);
    if (id === '') return err('invalid-request', 'missing required "id" parameter');
    p.secondaries.delete(id);
    this.activation.revokeFor(primary, kind, id);
    primary.recordWrite();
    return ok(undefined);
  }

  /**
   * secondary/enable: wipes the cluster and takes the primary's keys and data, then bootstraps
   * and merkle-syncs for `timing` (the rehearsal's own setup joins at once) before streaming WALs.
   */
  enableSecondary(
    cluster: Cluster,
    kind: ReplicationKind,
    token: string,
    options: { readonly unwrap?: UnwrapOptions; readonly timing?: BootstrapTiming } = {},
  ): Result<string[], ReplicationErrorKind> {
    const current = cluster.replication[kind];
    if (current.mode !== 'disabled') {
      return err(
        'wrong-mode',
        `this cluster is already a ${LABEL[kind]} ${current.mode}; use update-primary, or disable replication first`,
      );
    }
    if (token === '')
      return err('invalid-request', 'missing required "token" parameter: the activation token from the primary');
    // A token encrypted to this secondary's public key needs no unwrap call to the primary.
    const opened = this.secondaryKeys.open(cluster, token);
    const redeemed = this.redeemActivation(opened ?? token, kind, opened ? undefined : (options.unwrap ?? {}));
    if (!redeemed.ok) return redeemed;
    const { primary, p, secondaryId } = redeemed.value;
    if (this.misroutes(advertisedAddr(primary, p))) return err('cluster-port-unreachable', CLUSTER_PORT_TLS_FAILURE);
    cluster.storage = kind === 'dr' ? primary.storage.clone() : primary.storage.cloneWithoutTokens(cluster.tokenFormat);
    cluster.seal.adopt(primary.seal);
    cluster.slot.clear();
    cluster.drOperationTokens.clear();
    this.attach(cluster, kind, primary, p, secondaryId, options.timing ?? this.bootstrap);
    return ok([WARNINGS.enableSecondary]);
  }

  promote(
    cluster: Cluster,
    kind: ReplicationKind,
    options: { primaryClusterAddr: string; force: boolean },
  ): Result<string[], ReplicationErrorKind> {
    const s = cluster.replication[kind];
    if (s.mode !== 'secondary') return err('wrong-mode', notSecondary(kind));
    if (kind === 'dr' && this.requireForceToPromote && !options.force) return err('catching-up', CATCHING_UP);
    cluster.replication[kind] = {
      mode: 'primary',
      clusterId: s.clusterId,
      primaryClusterAddr: options.primaryClusterAddr,
      secondaries: new Map(),
    };
    cluster.recordWrite();
    return ok([WARNINGS.promote]);
  }

  demote(cluster: Cluster, kind: ReplicationKind): Result<string[], ReplicationErrorKind> {
    const p = cluster.replication[kind];
    if (p.mode !== 'primary') return err('wrong-mode', `this cluster is not a ${LABEL[kind]} primary`);
    cluster.replication[kind] = detachedSecondary(p.clusterId, cluster.storage.wal);
    return ok([WARNINGS.demote]);
  }

  disable(cluster: Cluster, kind: ReplicationKind): Result<string[], ReplicationErrorKind> {
    if (cluster.replication[kind].mode === 'disabled')
      return err('wrong-mode', `${LABEL[kind]} replication is not enabled on this cluster`);
    cluster.replication[kind] = DISABLED;
    return ok([WARNINGS.disable]);
  }

  /**
   * secondary/update-primary: `token` (an activation token from a primary of the same
   * replication set), `token: ""` (forget the primary), or `update_primary_addrs`.
   */
  updatePrimary(
    cluster: Cluster,
    kind: ReplicationKind,
    request: {
      token: string | undefined;
      updatePrimaryAddrs: readonly string[] | undefined;
      unwrap?: UnwrapOptions;
    },
  ): Result<string[], ReplicationErrorKind> {
    const s = cluster.replication[kind];
    if (s.mode !== 'secondary') return err('wrong-mode', notSecondary(kind));
    const { token, updatePrimaryAddrs } = request;
    if (token && updatePrimaryAddrs) {
      return err('invalid-request', '"token" and "update_primary_addrs" are mutually exclusive; send one of them');
    }
    if (token === undefined && updatePrimaryAddrs === undefined) {
      return err('invalid-request', 'either "token" or "update_primary_addrs" must be provided');
    }
    if (token === '') {
      cluster.replication[kind] = detachedSecondary(s.clusterId, s.lastRemoteWal);
      return ok([WARNINGS.updatePrimary]);
    }
    if (token !== undefined) {
      const redeemed = this.redeemActivation(token, kind, request.unwrap ?? {});
      if (!redeemed.ok) return redeemed;
      const { primary, p, secondaryId } = redeemed.value;
      if (p.clusterId !== s.clusterId) {
        // UNCONFIRMED text: Vault refuses to move a secondary into another replication set this way.
        return err(
          'invalid-request',
          'the activation token belongs to a different replication set; use secondary/enable, which wipes this cluster',
        );
      }
      if (this.misroutes(advertisedAddr(primary, p))) return err('cluster-port-unreachable', CLUSTER_PORT_TLS_FAILURE);
      this.attach(cluster, kind, primary, p, secondaryId);
      return ok([WARNINGS.updatePrimary]);
    }
    const addrs = updatePrimaryAddrs ?? [];
    const primary = [...this.clusters].find((c) => {
      const p = c.replication[kind];
      return (
        addrs.some((a) => sameAddress(a, c.clusterAddr)) &&
        p.mode === 'primary' &&
        p.clusterId === s.clusterId &&
        p.secondaries.has(s.secondaryId)
      );
    });
    cluster.replication[kind] = {
      ...s,
      primary,
      knownPrimaryClusterAddrs: [...addrs],
      primaryClusterAddr: primary?.clusterAddr ?? addrs[0] ?? '',
    };
    if (primary) this.attach(cluster, kind, primary, primary.replication[kind] as PrimaryState, s.secondaryId);
    return ok([WARNINGS.updatePrimary]);
  }

  /** The mode sys/health and the status blocks report: "bootstrapping" until secondary/enable's first stage ends. */
  modeOf(cluster: Cluster, kind: ReplicationKind): string {
    return this.bootstrapPhase(cluster, kind) === 'bootstrapping' ? 'bootstrapping' : cluster.replication[kind].mode;
  }

  /** The `data` of sys/replication/{dr,performance}/status for one cluster. */
  status(cluster: Cluster, kind: ReplicationKind): Record<string, unknown> {
    const phase = this.bootstrapPhase(cluster, kind);
    const state: ReplicationState = cluster.replication[kind];
    const common = {
      corrupted_merkle_tree: false,
      last_corruption_check_epoch: '-62135596800',
      last_reindex_epoch: '0',
      merkle_root: cluster.storage.merkleRoot(),
      ssct_generation_counter: 0,
    };
    if (state.mode === 'disabled') return { mode: 'disabled' };
    const now = new Date().toISOString();
    if (state.mode === 'primary') {
      const secondaries = [...state.secondaries.values()].flatMap((known) => {
        if (!known.cluster) return [];
        const up = this.connected(known.cluster, kind);
        if (up) known.lastHeartbeat = now;
        return [{ node_id: known.id, ...peerStatus(known.cluster, up, known.lastHeartbeat) }];
      });
      return {
        ...common,
        cluster_id: state.clusterId,
        known_secondaries: [...state.secondaries.keys()],
        [kind === 'dr' ? 'last_dr_wal' : 'last_performance_wal']: cluster.storage.wal,
        last_wal: cluster.storage.wal,
        mode: 'primary',
        primary_cluster_addr: state.primaryClusterAddr,
        secondaries,
        state: 'running',
      };
    }
    const up = this.connected(cluster, kind);
    if (up) state.lastHeartbeat = now;
    const revoked = state.primary !== undefined && !up && !stillKnown(state, kind);
    // While bootstrapping the connection is still being made; merkle-sync already talks to the primary.
    const syncing = phase === 'merkle-sync';
    const connection = !state.primary
      ? 'idle'
      : phase === 'bootstrapping'
        ? 'connecting'
        : up || syncing
          ? 'ready'
          : revoked
            ? 'shutdown'
            : 'transient_failure';
    return {
      ...common,
      cluster_id: state.clusterId,
      connection_state: connection,
      known_primary_cluster_addrs: state.knownPrimaryClusterAddrs,
      last_remote_wal: state.lastRemoteWal,
      last_start: state.lastStart,
      mode: phase === 'bootstrapping' ? 'bootstrapping' : 'secondary',
      primaries:
        state.primary && phase !== 'bootstrapping'
          ? [peerStatus(state.primary, up || syncing, state.lastHeartbeat)]
          : [],
      primary_cluster_addr: state.primaryClusterAddr,
      secondary_id: state.secondaryId,
      state: phase ?? (up ? 'stream-wals' : 'idle'),
    };
  }

  /**
   * An activation token's grant, valid only while its primary still is one and still knows the
   * secondary (not revoked). `unwrap` says where and how the secondary unwraps it; undefined for a
   * token sealed to the secondary's own key, which needs no call to the primary.
   */
  private redeemActivation(
    token: string,
    kind: ReplicationKind,
    unwrap: UnwrapOptions | undefined,
  ): Result<{ primary: Cluster; p: PrimaryState; secondaryId: string }, ReplicationErrorKind> {
    let at: Cluster | undefined;
    if (unwrap) {
      const reached = reachUnwrapTarget(this.clusters, ActivationTokens.address(token), unwrap);
      if (!reached.ok)
        return err('invalid-activation-token', `failed to unwrap activation token: ${reached.error.message}`);
      at = reached.value;
    }
    const grant = this.activation.redeem(token, kind, at);
    if (!grant.ok) return err('invalid-activation-token', `failed to unwrap activation token: ${grant.error.message}`);
    const { primary, secondaryId } = grant.value;
    const p = primary.replication[kind];
    if (p.mode !== 'primary' || !p.secondaries.has(secondaryId)) {
      return err(
        'invalid-activation-token',
        'failed to unwrap activation token: wrapping token is not valid or does not exist',
      );
    }
    return ok({ primary, p, secondaryId });
  }

  /**
   * Whether a secondary told to stream from `addr` reaches `primary`'s cluster port: its own
   * address does, and so does an address outside the rehearsal (taken as a load balancer that
   * forwards there); the address of any other rehearsal listener, its API port included, does not.
   */
  private reachesClusterPort(addr: string, primary: Cluster): boolean {
    if (this.misroutes(addr)) return false;
    if (sameAddress(addr, primary.clusterAddr)) return true;
    return ![...this.clusters].some((c) => sameAddress(addr, c.apiAddr) || sameAddress(addr, c.clusterAddr));
  }

  /**
   * Where a secondary stands in secondary/enable's bootstrap, by the clock; undefined once done (or
   * never started), at which point the bootstrap is cleared and the secondary catches up.
   */
  private bootstrapPhase(cluster: Cluster, kind: ReplicationKind): BootstrapPhase | undefined {
    const s = cluster.replication[kind];
    if (s.mode !== 'secondary' || !s.bootstrap) return undefined;
    const elapsed = this.clock() - s.bootstrap.startedAt;
    const { bootstrappingMs, merkleSyncMs } = s.bootstrap.timing;
    if (elapsed < bootstrappingMs) return 'bootstrapping';
    if (elapsed < bootstrappingMs + merkleSyncMs) return 'merkle-sync';
    cluster.replication[kind] = { ...s, bootstrap: undefined };
    if (s.primary && this.connected(cluster, kind)) this.sync(s.primary, cluster, kind);
    return undefined;
  }

  private attach(
    cluster: Cluster,
    kind: ReplicationKind,
    primary: Cluster,
    p: PrimaryState,
    secondaryId: string,
    timing: BootstrapTiming = INSTANT,
  ): void {
    const known: KnownSecondary = p.secondaries.get(secondaryId) ?? {
      id: secondaryId,
      cluster: undefined,
      lastHeartbeat: NEVER,
    };
    known.cluster = cluster;
    p.secondaries.set(secondaryId, known);
    const now = new Date().toISOString();
    const advertised = advertisedAddr(primary, p);
    cluster.replication[kind] = {
      mode: 'secondary',
      clusterId: p.clusterId,
      secondaryId,
      primary,
      primaryClusterAddr: advertised,
      knownPrimaryClusterAddrs: [advertised],
      lastRemoteWal: 0,
      lastHeartbeat: now,
      lastStart: now,
      bootstrap: timing === INSTANT ? undefined : { startedAt: this.clock(), timing },
    };
    if (this.connected(cluster, kind)) this.sync(primary, cluster, kind);
  }

  private sync(primary: Cluster, secondary: Cluster, kind: ReplicationKind): void {
    if (kind === 'dr') secondary.storage = primary.storage.clone();
    else primary.storage.copyDataInto(secondary.storage);
    const s = secondary.replication[kind];
    if (s.mode === 'secondary') s.lastRemoteWal = primary.storage.wal;
    // A performance secondary that is itself a DR primary streams on what it received.
    this.propagate(secondary);
  }
}

/** Where a primary's secondaries connect: its primary_cluster_addr when it was given one, else its cluster port. */
function advertisedAddr(primary: Cluster, p: PrimaryState): string {
  return p.primaryClusterAddr || primary.clusterAddr;
}

/** Whether the secondary's primary still lists it (false after revoke-secondary). */
function stillKnown(s: SecondaryState, kind: ReplicationKind): boolean {
  const p = s.primary?.replication[kind];
  return p?.mode === 'primary' && p.clusterId === s.clusterId && p.secondaries.has(s.secondaryId);
}

function detachedSecondary(clusterId: string, wal: number): SecondaryState {
  return {
    mode: 'secondary',
    clusterId,
    secondaryId: '',
    primary: undefined,
    primaryClusterAddr: '',
    knownPrimaryClusterAddrs: [],
    lastRemoteWal: wal,
    lastHeartbeat: NEVER,
    lastStart: new Date().toISOString(),
  };
}

/** "Not a DR secondary." is what Vault answers on a DR-secondary endpoint elsewhere (issue #19603). */
function notSecondary(kind: ReplicationKind): string {
  return kind === 'dr' ? 'Not a DR secondary.' : 'Not a performance secondary.';
}

/**
 * One entry of a status block's `secondaries` or `primaries`: the other side of a replication
 * connection. The `*_ms` fields are strings, as Vault's ClusterInfo sends them (`"696"`).
 * `last_heartbeat` is left out until a heartbeat happened (ClusterInfo's omitempty; UNCONFIRMED).
 */
function peerStatus(peer: Cluster, up: boolean, lastHeartbeat: string) {
  return {
    api_address: peer.apiAddr,
    cluster_address: peer.clusterAddr,
    connection_status: up ? 'connected' : 'disconnected',
    ...(lastHeartbeat === NEVER ? {} : { last_heartbeat: lastHeartbeat }),
    last_heartbeat_duration_ms: up ? '1' : '0',
    clock_skew_ms: '0',
    replication_primary_canary_age_ms: up ? '1' : '0',
  };
}
