/**
 * What one node of an HA cluster does with a request (http/handler.go, sys_health.go,
 * sys_leader.go): sys/health, sys/leader and sys/seal-status are answered by the node itself;
 * the active node handles everything else; a standby forwards it to the active node, or, when
 * forwarding is off, answers 307 to the leader's api_addr (respondStandby), or refuses it.
 * Without a leader (none is up, an election, or the cluster settling after a role change) a
 * forwarding standby answers 500 "local node not active but active cluster node not found"
 * (handleRequestForwarding looks for the leader first); one that does not forward, respondStandby's
 * 503. A standby sealed apart from its cluster (./ha-node.ts) answers seal-status, unseal and
 * health from its own seal, and 503 "Vault is sealed" to everything else, as a sealed Vault does
 * (core.Leader fails with ErrSealed before any forwarding).
 */
import type { HaCluster } from './ha-cluster';
import type { HaNode } from './ha-node';
import { handleVaultRequest, type ApiRequest, type ApiResponse } from './http-api';
import { health, leader, sealStatus, unseal } from './api/seal-routes';
import { methodNotAllowed, rawOk, vaultError } from './api/envelope';

/**
 * forward: the standby sends the request to the active node over the cluster port (Vault's default);
 * redirect: forwarding is unavailable (or fails, as through a misconfigured balancer on the
 * cluster port), so the client is sent to the leader with a 307;
 * refuse: the standby answers "Vault is in standby mode".
 */
export type Forwarding = 'forward' | 'redirect' | 'refuse';

export const NO_ACTIVE_NODE = 'no active Vault instance found';
/** A forwarding standby's 500 when no node leads: it looks for a leader before it forwards. */
export const ACTIVE_NODE_NOT_FOUND = 'local node not active but active cluster node not found';
export const STANDBY_MODE = 'Vault is in standby mode';

export interface Routed {
  readonly response: ApiResponse;
  /** The node that acted on the request (itself, or the active node it forwarded to). */
  readonly actedOn: HaNode | undefined;
}

export async function routeOnNode(ha: HaCluster, node: HaNode, request: ApiRequest): Promise<Routed> {
  const { cluster, network } = ha;
  const active = ha.active;
  const local = (response: ApiResponse): Routed => ({ response, actedOn: node });
  if (node.sealedApart) return local(onSealedNode(ha, node, request));
  switch (request.path) {
    case 'sys/health': {
      if (node.isolated) return local(health({ cluster, network, request }, node.isolated));
      if (node === active) return local(health({ cluster, network, request }));
      const drMode = ha.staleDrMode;
      return local(health({ cluster, network, request }, { membership: 'standby', ...(drMode ? { drMode } : {}) }));
    }
    case 'sys/leader':
      return local(
        leader(
          { cluster, request },
          {
            isSelf: node === active,
            activeTime: active?.activeSince,
            leaderAddress: active ? (ha.advertisedApiAddr ?? active.apiAddr) : '',
            leaderClusterAddress: active ? (ha.clusterPortFront ?? active.clusterAddr) : '',
            raftIndex: node.raftHeldAt,
          },
        ),
      );
    case 'sys/seal-status':
      return local(await handleVaultRequest(cluster, network, request));
  }
  if (node === active) return local(await handleVaultRequest(cluster, network, request));
  if (!active)
    return {
      response: ha.forwarding === 'forward' ? vaultError(500, ACTIVE_NODE_NOT_FOUND) : vaultError(503, NO_ACTIVE_NODE),
      actedOn: undefined,
    };
  // Forwarding through a TLS-terminating balancer fails; Vault then falls back to respondStandby's 307.
  const forwarding = ha.forwarding === 'forward' && ha.clusterPortFront ? 'redirect' : ha.forwarding;
  switch (forwarding) {
    case 'forward':
      return { response: await handleVaultRequest(cluster, network, request), actedOn: active };
    case 'redirect': {
      const query = request.query.toString();
      const location = `${ha.advertisedApiAddr ?? active.apiAddr}/v1/${request.path}${query ? `?${query}` : ''}`;
      return { response: { status: 307, headers: { Location: location } }, actedOn: undefined };
    }
    case 'refuse':
      return { response: vaultError(400, STANDBY_MODE), actedOn: undefined };
  }
}

function onSealedNode(ha: HaCluster, node: HaNode, request: ApiRequest): ApiResponse {
  const { cluster, network } = ha;
  switch (request.path) {
    case 'sys/seal-status':
      return request.method === 'GET' ? rawOk(sealStatus(cluster, node.seal)) : methodNotAllowed();
    case 'sys/unseal': {
      const response = unseal({ cluster, request }, node.seal);
      node.rejoinIfUnsealed();
      return response;
    }
    case 'sys/health':
      return health({ cluster, network, request }, { membership: 'standby', sealed: true });
    default:
      return vaultError(503, 'Vault is sealed');
  }
}
