/**
 * The raw sys/ endpoints around the seal (http/sys_init.go, sys_seal.go, sys_health.go,
 * sys_leader.go): same methods, bodies, status codes and texts.
 */
import { wipe } from '../../shared/codecs/bytes';
import { decodeKeyParameter } from '../key-parameter';
import type { Cluster, HaMembership } from '../cluster';
import type { ShamirSeal } from '../shamir-seal';
import { methodNotAllowed, noContent, permissionDenied, rawOk, vaultError, type ApiResponse } from './envelope';
import { parseRawBody } from './request-body';
import type { RawContext, RawRoute } from './route';

const BUILD_DATE = '2025-06-24T14:30:00Z';

export const sealRoutes: readonly RawRoute[] = [
  { kind: 'raw', pattern: /^sys\/init$/, onDrSecondary: true, handle: init },
  {
    kind: 'raw',
    pattern: /^sys\/seal-status$/,
    onDrSecondary: true,
    handle: ({ cluster, request }) => (request.method === 'GET' ? rawOk(sealStatus(cluster)) : methodNotAllowed()),
  },
  { kind: 'raw', pattern: /^sys\/unseal$/, onDrSecondary: true, handle: (ctx) => unseal(ctx) },
  { kind: 'raw', pattern: /^sys\/seal$/, onDrSecondary: false, handle: seal },
  { kind: 'raw', pattern: /^sys\/health$/, onDrSecondary: true, handle: (ctx) => health(ctx) },
  { kind: 'raw', pattern: /^sys\/leader$/, onDrSecondary: true, handle: (ctx) => leader(ctx) },
];

async function init({ cluster, request }: RawContext): Promise<ApiResponse> {
  if (request.method === 'GET') return rawOk({ initialized: cluster.seal.config !== undefined });
  if (request.method !== 'PUT' && request.method !== 'POST') return methodNotAllowed();
  const body = parseRawBody(request.body, 'InitRequest', {
    secret_shares: 'int',
    secret_threshold: 'int',
    stored_shares: 'int',
    pgp_keys: 'strings',
    recovery_shares: 'int',
    recovery_threshold: 'int',
    recovery_pgp_keys: 'strings',
    root_token_pgp_key: 'string',
  });
  if (!body.ok) return vaultError(400, body.error.message);
  const b = body.value;
  if (b.recovery_shares || b.recovery_threshold || b.recovery_pgp_keys?.length) {
    return vaultError(400, 'parameters specific to auto unseal seals present');
  }
  const r = await cluster.initialize({
    secretShares: b.secret_shares ?? 0,
    secretThreshold: b.secret_threshold ?? 0,
    pgpKeys: b.pgp_keys ?? [],
    ...(b.root_token_pgp_key ? { rootTokenPgpKey: b.root_token_pgp_key } : {}),
  });
  if (!r.ok) return vaultError(400, r.error.message);
  // `keys` already carry what Vault returns (plaintext or PGP-encrypted); drop the raw copies.
  wipe(...r.value.shares);
  return rawOk({ keys: r.value.keys, keys_base64: r.value.keysBase64, root_token: r.value.rootToken });
}

/** sys/unseal, on the cluster's seal or (a standby sealed apart from its cluster) on one node's own. */
export function unseal(
  { cluster, request }: Pick<RawContext, 'cluster' | 'request'>,
  seal: ShamirSeal = cluster.seal,
): ApiResponse {
  if (request.method !== 'PUT' && request.method !== 'POST') return methodNotAllowed();
  const body = parseRawBody(request.body, 'UnsealRequest', { Key: 'string', Reset: 'bool', Migrate: 'bool' });
  if (!body.ok) return vaultError(400, body.error.message);
  if (body.value.Reset) {
    if (!seal.sealed) return vaultError(400, 'vault is unsealed');
    seal.resetProgress();
    return rawOk(sealStatus(cluster, seal));
  }
  const keyText = body.value.Key ?? '';
  if (keyText === '') return vaultError(400, "'key' must be specified in request body as JSON, or 'reset' set to true");
  const key = decodeKeyParameter(keyText);
  if (!key.ok) return vaultError(400, key.error.message);
  const r = seal.unseal(key.value);
  wipe(key.value);
  if (!r.ok) return vaultError(400, r.error.message);
  return rawOk(sealStatus(cluster, seal));
}

function seal({ cluster, request }: RawContext): ApiResponse {
  if (request.method !== 'PUT' && request.method !== 'POST') return methodNotAllowed();
  const caller = cluster.authenticate(request.token);
  if (!caller || !cluster.allows(caller, 'sys/seal', 'sudo')) return permissionDenied();
  cluster.seal.seal();
  cluster.slot.clear();
  return noContent();
}

export function sealStatus(cluster: Cluster, seal: ShamirSeal = cluster.seal): Record<string, unknown> {
  const config = seal.config;
  const sealed = seal.sealed;
  return {
    type: 'shamir',
    initialized: config !== undefined,
    sealed,
    t: config?.threshold ?? 0,
    n: config?.shares ?? 0,
    progress: seal.progress,
    nonce: seal.nonce,
    version: cluster.version,
    build_date: BUILD_DATE,
    migration: false,
    // omitempty in Vault: only an unsealed node knows its cluster name and ID.
    ...(sealed ? {} : { cluster_name: cluster.clusterName, cluster_id: cluster.id }),
    recovery_seal: false,
    storage_type: 'raft',
    unseal_recovery_enabled: false,
  };
}

/** What one node of an HA cluster says of itself (rehearsal-vault/standby-routing.ts); a lone node is the cluster. */
export interface NodeView {
  readonly membership: HaMembership;
  /** A standby still reporting the DR mode it had before its cluster changed role. */
  readonly drMode?: string;
  /** A standby sealed apart from its cluster (after secondary/enable, until unsealed with the primary's keys). */
  readonly sealed?: boolean;
}

/**
 * sys/health (http/sys_health.go): the status-code parameters, their defaults and their order.
 * 474/530 and `haunhealthycode`/`removedcode` are Vault 1.19+ (GH-28991); where they fall in the
 * order relative to the others is UNCONFIRMED (docs/vault-unconfirmed.md).
 */
export function health(
  { cluster, network, request }: Pick<RawContext, 'cluster' | 'network' | 'request'>,
  node: NodeView = { membership: cluster.haMembership },
): ApiResponse {
  if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed();
  const codes = {
    uninitcode: 501,
    sealedcode: 503,
    standbycode: 429,
    activecode: 200,
    drsecondarycode: 472,
    performancestandbycode: 473,
    haunhealthycode: 474,
    removedcode: 530,
  };
  for (const name of Object.keys(codes) as Array<keyof typeof codes>) {
    const given = request.query.get(name);
    if (given === null) continue;
    if (!/^-?\d+$/.test(given)) return { status: 400, body: { errors: [] } };
    codes[name] = Number(given);
  }
  const standbyOk = ['1', 't', 'true', 'T', 'TRUE', 'True'].includes(request.query.get('standbyok') ?? '');
  const initialized = cluster.seal.config !== undefined;
  const sealed = node.sealed ?? cluster.seal.sealed;
  const membership = node.membership;
  // A sealed node is a standby whose replication state is not loaded: Vault reports both modes "unknown".
  const standby = sealed || membership !== 'active';
  const code = !initialized
    ? codes.uninitcode
    : membership === 'removed'
      ? codes.removedcode
      : sealed
        ? codes.sealedcode
        : cluster.isDrSecondary
          ? codes.drsecondarycode
          : membership === 'standby-unhealthy'
            ? codes.haunhealthycode
            : standby && !standbyOk
              ? codes.standbycode
              : codes.activecode;
  if (request.method === 'HEAD') return { status: code };
  const standbyNode = !sealed && membership !== 'active';
  return {
    status: code,
    body: {
      initialized,
      sealed,
      standby,
      performance_standby: false,
      replication_performance_mode: sealed ? 'unknown' : network.modeOf(cluster, 'performance'),
      replication_dr_mode: sealed ? 'unknown' : (node.drMode ?? network.modeOf(cluster, 'dr')),
      server_time_utc: Math.floor(Date.now() / 1000),
      version: cluster.version,
      enterprise: true,
      ...(sealed ? {} : { cluster_name: cluster.clusterName, cluster_id: cluster.id }),
      echo_duration_ms: 0,
      clock_skew_ms: 0,
      replication_primary_canary_age_ms: 0,
      // Raft storage: whether this node was removed is always known (a *bool, omitempty, in HealthResponse).
      removed_from_cluster: membership === 'removed',
      ...(standbyNode
        ? {
            ha_connection_healthy: membership === 'standby',
            last_request_forwarding_heartbeat_ms: membership === 'standby' ? 512 : 12_034,
          }
        : {}),
      ...(initialized && !sealed && !standby ? { last_wal: cluster.storage.wal } : {}),
      license: { state: 'autoloaded', expiry_time: rfc3339Seconds(Date.now() + 365 * 86_400_000), terminated: false },
    },
  };
}

/** Go's time.RFC3339: to the second, no fraction. */
function rfc3339Seconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Who leads, as one node sees it; by default a single active raft node, which leads itself. */
export interface LeaderView {
  readonly isSelf: boolean;
  /** When the leader became active (ms since the epoch); Vault's zero time when there is none. */
  readonly activeTime: number | undefined;
  readonly leaderAddress: string;
  readonly leaderClusterAddress: string;
  /** Where this node's raft log stopped, while it is behind the cluster's (a standby catching up). */
  readonly raftIndex?: number | undefined;
}

/**
 * sys/leader (http/sys_leader.go): HA is on (raft); is_self, the leader's addresses and the raft
 * indices are per node. The cluster's WAL stands in for the raft log: a node that is current has
 * committed and applied all of it, one held back reports where it stopped. `last_wal` is the
 * leader's alone (0 on a standby, as in the docs' sample).
 */
export function leader(
  { cluster, request }: Pick<RawContext, 'cluster' | 'request'>,
  view: LeaderView = {
    isSelf: true,
    activeTime: cluster.startedAt,
    leaderAddress: cluster.apiAddr,
    leaderClusterAddress: cluster.clusterAddr,
  },
): ApiResponse {
  if (request.method !== 'GET') return methodNotAllowed();
  if (cluster.seal.sealed) return vaultError(503, 'Vault is sealed');
  const raftIndex = Math.min(view.raftIndex ?? cluster.storage.wal, cluster.storage.wal);
  return rawOk({
    ha_enabled: true,
    is_self: view.isSelf,
    active_time: view.activeTime === undefined ? '0001-01-01T00:00:00Z' : new Date(view.activeTime).toISOString(),
    leader_address: view.leaderAddress,
    leader_cluster_address: view.leaderClusterAddress,
    performance_standby: false,
    performance_standby_last_remote_wal: 0,
    last_wal: view.isSelf ? cluster.storage.wal : 0,
    raft_committed_index: raftIndex,
    raft_applied_index: raftIndex,
  });
}
