/**
 * What one node of an HA cluster does with a request (http/handler.go, sys_health.go,
 * sys_leader.go): sys/health, sys/leader and sys/seal-status are answered by the node itself;
 * the active node handles everything else; a standby forwards it to the active node, or, when
 * forwarding is off, answers 307 to the leader's api_addr (respondStandby), or refuses it.
 * Without a leader (none is up, or the cluster is settling after a role change) the answer is
 * respondStandby's 503.
 */
import type { HaCluster } from './ha-cluster';
import type { HaNode } from './ha-node';
import { handleVaultRequest, type ApiRequest, type ApiResponse } from './http-api';
import { vaultError } from './api/envelope';
import { health, leader } from './api/seal-routes';

/**
 * forward: the standby sends the request to the active node over the cluster port (Vault's default);
 * redirect: forwarding is unavailable, so the client is sent to the leader with a 307;
 * refuse: the standby answers "Vault is in standby mode".
 */
export type Forwarding = 'forward' | 'redirect' | 'refuse';

export const NO_ACTIVE_NODE = 'no active Vault instance found';
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
            leaderClusterAddress: active?.clusterAddr ?? '',
          },
        ),
      );
    case 'sys/seal-status':
      return local(await handleVaultRequest(cluster, network, request));
  }
  if (node === active) return local(await handleVaultRequest(cluster, network, request));
  if (!active) return { response: vaultError(503, NO_ACTIVE_NODE), actedOn: undefined };
  switch (ha.forwarding) {
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
