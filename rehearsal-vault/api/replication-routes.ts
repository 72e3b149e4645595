/**
 * sys/replication/*: status (unauthenticated), primary and secondary management (sudo), and
 * the DR-secondary operations authorised by `dr_operation_token` (a generated DR operation
 * token, or a batch token from the primary whose policy allows the operation).
 */
import type { Result } from '../../shared/result';
import type { Cluster } from '../cluster';
import type { ReplicationErrorKind } from '../replication';
import type { ReplicationKind } from '../replication-state';
import {
  DR_SECONDARY_PATH_DISABLED,
  logical,
  noContent,
  permissionDenied,
  vaultError,
  type ApiResponse,
} from './envelope';
import { SecondaryKeys } from '../secondary-key-exchange';
import { allFields, type FieldErrorKind } from './request-body';
import type { UnwrapOptions } from '../activation-unwrap';
import type { LogicalContext, LogicalRoute } from './route';

const KIND = '(dr|performance)';
/** `replication/primary/*` and `replication/secondary/*` are the old performance aliases. */
const KIND_OR_ALIAS = '(?:(dr|performance)/)?';

export const replicationRoutes: readonly LogicalRoute[] = [
  route(/^sys\/replication\/status$/, 'none', true, {
    read: ({ cluster, network }) =>
      logical({ data: { dr: network.status(cluster, 'dr'), performance: network.status(cluster, 'performance') } }),
  }),
  route(new RegExp(`^sys/replication/${KIND}/status$`), 'none', true, {
    read: ({ cluster, network, params }) => logical({ data: network.status(cluster, kindOf(params)) }),
  }),

  route(new RegExp(`^sys/replication/${KIND_OR_ALIAS}primary/enable$`), 'sudo', false, {
    update: (ctx) =>
      withField(ctx, 'primary_cluster_addr', (addr) =>
        warn(ctx.network.enablePrimary(ctx.cluster, kindOf(ctx.params), addr)),
      ),
  }),
  route(new RegExp(`^sys/replication/${KIND_OR_ALIAS}primary/secondary-token$`), 'sudo', false, {
    update: secondaryToken,
  }),
  route(new RegExp(`^sys/replication/${KIND_OR_ALIAS}primary/revoke-secondary$`), 'sudo', false, {
    update: (ctx) =>
      withField(ctx, 'id', (id) => {
        const r = ctx.network.revokeSecondary(ctx.cluster, kindOf(ctx.params), id);
        return r.ok ? noContent() : replicationError(r.error);
      }),
  }),
  route(new RegExp(`^sys/replication/${KIND_OR_ALIAS}primary/demote$`), 'sudo', false, {
    update: (ctx) => warn(ctx.network.demote(ctx.cluster, kindOf(ctx.params))),
  }),
  route(new RegExp(`^sys/replication/${KIND_OR_ALIAS}primary/disable$`), 'sudo', false, {
    update: (ctx) => warn(ctx.network.disable(ctx.cluster, kindOf(ctx.params))),
  }),
  route(new RegExp(`^sys/replication/${KIND_OR_ALIAS}secondary/generate-public-key$`), 'sudo', false, {
    // The response field's name is UNCONFIRMED (docs/vault-unconfirmed.md).
    update: (ctx) => logical({ data: { secondary_public_key: ctx.network.secondaryKeys.generate(ctx.cluster) } }),
  }),
  route(new RegExp(`^sys/replication/${KIND_OR_ALIAS}secondary/enable$`), 'sudo', false, {
    update: (ctx) => {
      const read = allFields({ token: ctx.fields.string('token'), unwrap: unwrapOptions(ctx) });
      if (!read.ok) return vaultError(400, read.error.message);
      return warn(
        ctx.network.enableSecondary(ctx.cluster, kindOf(ctx.params), read.value.token, { unwrap: read.value.unwrap }),
      );
    },
  }),

  route(/^sys\/replication\/dr\/secondary\/promote$/, 'none', true, {
    update: (ctx) => withDrToken(ctx, () => promote(ctx, 'dr')),
  }),
  route(/^sys\/replication\/dr\/secondary\/update-primary$/, 'none', true, {
    update: (ctx) => withDrToken(ctx, () => updatePrimary(ctx, 'dr')),
  }),
  route(/^sys\/replication\/dr\/secondary\/disable$/, 'none', true, {
    update: (ctx) => withDrToken(ctx, () => warn(ctx.network.disable(ctx.cluster, 'dr'))),
  }),
  route(/^sys\/replication\/dr\/secondary\/operation-token\/delete$/, 'none', true, { update: deleteOperationToken }),
  // `vault operator raft list-peers -dr-token`: a DR secondary serves it as an update, so the token can
  // authorise it (vault/logical_system_raft.go). Elsewhere it is not simulated.
  route(/^sys\/storage\/raft\/configuration$/, 'none', true, {
    read: ({ cluster }) => vaultError(cluster.isDrSecondary ? 400 : 404, ...unserved(cluster)),
    update: (ctx) =>
      ctx.cluster.isDrSecondary
        ? withDrToken(ctx, () =>
            logical({ data: { config: { servers: ctx.cluster.raftPeers(), index: ctx.cluster.storage.wal } } }),
          )
        : vaultError(404, ...unserved(ctx.cluster)),
  }),

  route(/^sys\/replication\/(?:performance\/)?secondary\/promote$/, 'sudo', false, {
    update: (ctx) => promote(ctx, 'performance'),
  }),
  route(/^sys\/replication\/(?:performance\/)?secondary\/update-primary$/, 'sudo', false, {
    update: (ctx) => updatePrimary(ctx, 'performance'),
  }),
  route(/^sys\/replication\/(?:performance\/)?secondary\/disable$/, 'sudo', false, {
    update: (ctx) => warn(ctx.network.disable(ctx.cluster, 'performance')),
  }),
];

function route(
  pattern: RegExp,
  auth: LogicalRoute['auth'],
  onDrSecondary: boolean,
  operations: LogicalRoute['operations'],
): LogicalRoute {
  return { kind: 'logical', pattern, auth, onDrSecondary, operations };
}

function kindOf(params: readonly string[]): ReplicationKind {
  return params[0] === 'dr' ? 'dr' : 'performance';
}

function secondaryToken(ctx: LogicalContext): ApiResponse {
  const read = allFields({ id: ctx.fields.string('id'), ttl: ctx.fields.durationSeconds('ttl', 30 * 60) });
  if (!read.ok) return vaultError(400, read.error.message);
  const publicKeyText = ctx.fields.string('secondary_public_key');
  if (!publicKeyText.ok) return vaultError(400, publicKeyText.error.message);
  const publicKey = publicKeyText.value === '' ? undefined : SecondaryKeys.readPublicKey(publicKeyText.value);
  if (publicKey && !publicKey.ok) return vaultError(400, publicKey.error.message);
  const r = ctx.network.secondaryToken(ctx.cluster, kindOf(ctx.params), read.value.id, read.value.ttl);
  if (!r.ok) return replicationError(r.error);
  // Encrypted to the secondary instead of wrapped: the token itself, in data (testcluster/replication.go).
  if (publicKey) return logical({ data: { token: SecondaryKeys.seal(publicKey.value, r.value.token) } });
  return logical({
    wrapInfo: {
      token: r.value.token,
      accessor: r.value.accessor,
      ttl: r.value.ttl,
      creation_time: r.value.creationTime,
      creation_path: ctx.request.path,
      wrapped_accessor: '',
    },
  });
}

function promote(ctx: LogicalContext, kind: ReplicationKind): ApiResponse {
  const read = allFields({
    primaryClusterAddr: ctx.fields.string('primary_cluster_addr'),
    force: ctx.fields.bool('force'),
  });
  return read.ok ? warn(ctx.network.promote(ctx.cluster, kind, read.value)) : vaultError(400, read.error.message);
}

function updatePrimary(ctx: LogicalContext, kind: ReplicationKind): ApiResponse {
  const read = allFields({
    token: ctx.fields.string('token'),
    addrs: ctx.fields.strings('update_primary_addrs'),
    unwrap: unwrapOptions(ctx),
  });
  if (!read.ok) return vaultError(400, read.error.message);
  return warn(
    ctx.network.updatePrimary(ctx.cluster, kind, {
      token: ctx.fields.has('token') ? read.value.token : undefined,
      updatePrimaryAddrs: read.value.addrs,
      unwrap: read.value.unwrap,
    }),
  );
}

/** Where and how secondary/enable and update-primary unwrap the activation token. */
function unwrapOptions(ctx: LogicalContext): Result<UnwrapOptions, FieldErrorKind> {
  return allFields({
    primaryApiAddr: ctx.fields.string('primary_api_addr'),
    caFile: ctx.fields.string('ca_file'),
    caPath: ctx.fields.string('ca_path'),
  });
}

/**
 * Deletes a DR operation token. Allowed wherever that token is held, including on a secondary
 * just promoted (UNCONFIRMED): the ceremony deletes the token after its post-check.
 */
function deleteOperationToken(ctx: LogicalContext): ApiResponse {
  const token = ctx.fields.string('dr_operation_token');
  if (!token.ok) return vaultError(400, token.error.message);
  if (token.value !== '' && ctx.cluster.drOperationTokens.delete(token.value)) return noContent();
  return withDrToken(ctx, () => noContent());
}

/** Authorises a DR-secondary operation by its `dr_operation_token`, then runs it. */
function withDrToken(ctx: LogicalContext, run: () => ApiResponse): ApiResponse {
  const { cluster } = ctx;
  if (!cluster.isDrSecondary) return vaultError(400, 'Not a DR secondary.');
  const token = ctx.fields.string('dr_operation_token');
  if (!token.ok) return vaultError(400, token.error.message);
  if (token.value === '') return vaultError(400, 'DR operation token was not provided');
  return acceptsDrToken(cluster, token.value, ctx.request.path) ? run() : permissionDenied();
}

/** What a path the simulator does not serve answers: disabled on a DR secondary, unsupported elsewhere. */
function unserved(cluster: Cluster): string[] {
  return [cluster.isDrSecondary ? DR_SECONDARY_PATH_DISABLED : '1 error occurred:\n\t* unsupported path\n\n'];
}

/**
 * A DR operation token generated here, or a batch token (orphan, from the primary) whose policy
 * allows `update` on the operation. Service tokens, even root, are refused (UNCONFIRMED; the
 * docs describe only these two kinds), and so is anything unknown: 403 "permission denied".
 */
function acceptsDrToken(cluster: Cluster, token: string, path: string): boolean {
  if (cluster.drOperationTokens.has(token)) return true;
  const entry = cluster.storage.tokens.lookup(token);
  return entry?.type === 'batch' && cluster.allows(entry, path, 'update');
}

function withField(ctx: LogicalContext, name: string, run: (value: string) => ApiResponse): ApiResponse {
  const v = ctx.fields.string(name);
  return v.ok ? run(v.value) : vaultError(400, v.error.message);
}

function warn(r: Result<string[], ReplicationErrorKind>): ApiResponse {
  return r.ok ? logical({ warnings: r.value }) : replicationError(r.error);
}

function replicationError(e: { kind: ReplicationErrorKind; message: string }): ApiResponse {
  return vaultError(e.kind === 'catching-up' ? 503 : 400, e.message);
}
