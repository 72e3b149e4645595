/**
 * The rehearsal Vault's HTTP API for one cluster: finds the route, applies what Vault applies
 * before any handler (the DR-secondary path filter, the seal, the method-to-operation mapping,
 * token authentication and ACLs), and answers in Vault's envelopes. Transport-free: server.ts
 * feeds it requests, tests may call it directly.
 */
import type { Cluster } from './cluster';
import type { ReplicationNetwork } from './replication';
import type { Capability } from './policy';
import {
  DR_SECONDARY_PATH_DISABLED,
  methodNotAllowed,
  permissionDenied,
  vaultError,
  type ApiRequest,
  type ApiResponse,
} from './api/envelope';
import { generationRoutes } from './api/generation-routes';
import { kvRoutes } from './api/kv-routes';
import { operationsRoutes } from './api/operations-routes';
import { replicationRoutes } from './api/replication-routes';
import { parseLogicalBody } from './api/request-body';
import type { LogicalRoute, Operation, Route } from './api/route';
import { sealRoutes } from './api/seal-routes';
import { tokenRoutes } from './api/token-routes';

export type { ApiRequest, ApiResponse } from './api/envelope';

const ROUTES: readonly Route[] = [
  ...sealRoutes,
  ...generationRoutes,
  ...replicationRoutes,
  ...tokenRoutes,
  ...kvRoutes,
  ...operationsRoutes,
];
const MOUNTED = /^(sys|auth\/token|secret|cubbyhole|identity)\//;

export async function handleVaultRequest(
  cluster: Cluster,
  network: ReplicationNetwork,
  request: ApiRequest,
): Promise<ApiResponse> {
  const found = findRoute(request.path);
  if (!found) {
    if (cluster.isDrSecondary) return vaultError(400, DR_SECONDARY_PATH_DISABLED);
    return MOUNTED.test(request.path)
      ? vaultError(404, '1 error occurred:\n\t* unsupported path\n\n')
      : vaultError(404, `no handler for route ${JSON.stringify(request.path)}. route entry not found.`);
  }
  const { route, params } = found;
  if (route.kind === 'raw') {
    if (cluster.isDrSecondary && !route.onDrSecondary) return vaultError(400, DR_SECONDARY_PATH_DISABLED);
    return route.handle({ cluster, network, request, params });
  }
  return handleLogical(cluster, network, request, route, params);
}

async function handleLogical(
  cluster: Cluster,
  network: ReplicationNetwork,
  request: ApiRequest,
  route: LogicalRoute,
  params: readonly string[],
): Promise<ApiResponse> {
  if (cluster.seal.sealed) return vaultError(503, 'Vault is sealed');
  if (cluster.isDrSecondary && !route.onDrSecondary) return vaultError(400, DR_SECONDARY_PATH_DISABLED);
  const operation = operationOf(request);
  if (!operation) return methodNotAllowed();
  // buildLogicalRequest (http/logical.go) answers a ?list= strconv.ParseBool refuses with a bare 400.
  if (operation === 'bad-list') return vaultError(400);
  const handler = route.operations[operation];
  if (!handler) return vaultError(405, '1 error occurred:\n\t* unsupported operation\n\n');

  const caller = route.auth === 'none' ? undefined : cluster.authenticate(request.token);
  if (route.auth !== 'none') {
    if (!caller) return permissionDenied();
    const needed: Capability[] = [operation];
    if (route.auth === 'sudo') needed.push('sudo');
    const allowed = needed.every(
      (c) =>
        cluster.allows(caller, request.path, c) || (c === 'update' && cluster.allows(caller, request.path, 'create')),
    );
    if (!allowed) return permissionDenied();
  }
  const fields = parseLogicalBody(request.method === 'GET' ? '' : request.body, request.query);
  if (!fields.ok) return vaultError(400, fields.error.message);
  return handler({ cluster, network, request, params, operation, fields: fields.value, caller });
}

function findRoute(path: string): { route: Route; params: string[] } | undefined {
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (m) return { route, params: m.slice(1).map((p: string | undefined) => p ?? '') };
  }
  return undefined;
}

/** Go's strconv.ParseBool, which Vault reads `?list=` with: these spellings and no others. */
const GO_BOOLS: ReadonlyMap<string, boolean> = new Map([
  ...['1', 't', 'T', 'TRUE', 'true', 'True'].map((s) => [s, true] as const),
  ...['0', 'f', 'F', 'FALSE', 'false', 'False'].map((s) => [s, false] as const),
]);

function operationOf(request: ApiRequest): Operation | 'bad-list' | undefined {
  switch (request.method) {
    case 'GET': {
      const list = request.query.get('list');
      if (list === null || list === '') return 'read';
      const parsed = GO_BOOLS.get(list);
      if (parsed === undefined) return 'bad-list';
      return parsed ? 'list' : 'read';
    }
    case 'LIST':
      return 'list';
    case 'PUT':
    case 'POST':
      return 'update';
    case 'DELETE':
      return 'delete';
    default:
      return undefined;
  }
}
