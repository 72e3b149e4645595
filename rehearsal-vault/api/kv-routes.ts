/**
 * A key/value mount at `secret/` (KV version 1), so writes on the primary move the WALs that
 * replication status reports, and sys/mounts to list it. A performance secondary forwards
 * writes to its primary, as Vault does.
 */
import type { Cluster } from '../cluster';
import { logical, noContent, vaultError, type ApiResponse } from './envelope';
import type { LogicalContext, LogicalRoute } from './route';

export const kvRoutes: readonly LogicalRoute[] = [
  {
    kind: 'logical',
    pattern: /^secret\/(.*)$/,
    onDrSecondary: false,
    auth: 'token',
    operations: {
      read: ({ cluster, params }) => {
        const value = cluster.storage.kv.get(params[0]!);
        return value ? logical({ data: { ...value }, mountType: 'kv' }) : { status: 404, body: { errors: [] } };
      },
      list: ({ cluster, params }) => {
        const prefix = params[0]!.replace(/\/?$/, params[0] ? '/' : '');
        const keys = [
          ...new Set(
            [...cluster.storage.kv.keys()]
              .filter((k) => k.startsWith(prefix))
              .map((k) => k.slice(prefix.length).replace(/\/.*$/, '/')),
          ),
        ].sort();
        return keys.length ? logical({ data: { keys }, mountType: 'kv' }) : { status: 404, body: { errors: [] } };
      },
      update: (ctx) => write(ctx, (target) => target.storage.kv.set(ctx.params[0]!, { ...ctx.fields.raw })),
      delete: (ctx) => write(ctx, (target) => target.storage.kv.delete(ctx.params[0]!)),
    },
  },
  {
    kind: 'logical',
    pattern: /^sys\/mounts$/,
    onDrSecondary: false,
    auth: 'token',
    operations: { read: () => logical({ data: MOUNTS }) },
  },
];

function write({ cluster, params }: LogicalContext, change: (target: Cluster) => void): ApiResponse {
  if (params[0] === '') return vaultError(405, '1 error occurred:\n\t* unsupported operation\n\n');
  const perf = cluster.replication.performance;
  const target = perf.mode === 'secondary' ? perf.primary : cluster;
  if (!target || !target.up) {
    // UNCONFIRMED text: a disconnected performance secondary cannot forward writes.
    return vaultError(503, 'error forwarding the write to the performance primary: no connection to the primary');
  }
  change(target);
  target.recordWrite();
  return noContent();
}

const mount = (type: string, accessor: string, description: string, local = false) => ({
  accessor,
  config: { default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 },
  description,
  external_entropy_access: false,
  local,
  options: type === 'kv' ? { version: '1' } : null,
  plugin_version: '',
  running_plugin_version: '',
  running_sha256: '',
  seal_wrap: false,
  type,
  uuid: '',
});

const MOUNTS = {
  'cubbyhole/': mount('cubbyhole', 'cubbyhole_5f4e3d2c', 'per-token private secret storage', true),
  'identity/': mount('identity', 'identity_1a2b3c4d', 'identity store'),
  'secret/': mount('kv', 'kv_9e8d7c6b', 'rehearsal key/value store'),
  'sys/': mount('system', 'system_0f1e2d3c', 'system endpoints used for control, policy and debugging'),
};
