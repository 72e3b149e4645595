/**
 * The in-process rehearsal Vault as the app's rehearsal mode sees it: started on first use (not
 * at launch, so a live session never runs it), then its primary and DR secondary reachable over
 * mutual TLS like any profile, with certificates that live only in memory. A cluster of several
 * nodes is reached as a profile listing them would be: through the client that finds the active node.
 */
import type { RehearsalCluster } from '../../../shared/ipc/ipc-contract';
import { ok, type Result } from '../../../shared/result';
import {
  startRehearsalVault,
  type RehearsalVault,
  type RehearsalVaultOptions,
} from '../../../rehearsal-vault/rehearsal-cluster-set';
import type { VaultClient } from '../vault/client';
import { rehearsalEndpointClient } from './rehearsal-vault-client';

export interface RehearsalClusterTarget {
  readonly cluster: RehearsalCluster;
  readonly label: string;
  readonly address: string;
  /** The load balancer in front of its nodes, if any (the address then is the balancer's). */
  readonly balancer: string | undefined;
  /** A new client, sending `token` as X-Vault-Token when given. */
  connect(token?: string): Promise<Result<VaultClient>>;
}

export interface RehearsalClusters {
  /** Starts the rehearsal Vault if it is not running yet. */
  clusters(): Promise<Result<readonly RehearsalClusterTarget[]>>;
  /** Stops it, if it was started. */
  close(): Promise<void>;
}

type Start = (options?: RehearsalVaultOptions) => ReturnType<typeof startRehearsalVault>;

export function createRehearsalClusters(start: Start = startRehearsalVault): RehearsalClusters {
  let running: Promise<Result<RehearsalVault>> | undefined;

  return {
    async clusters() {
      running ??= start();
      const vault = await running;
      if (!vault.ok) {
        // Let the next call try again rather than remember the failure.
        running = undefined;
        return vault;
      }
      const targets = [
        ['dr-secondary', 'Rehearsal DR secondary', vault.value.drSecondary],
        ['primary', 'Rehearsal primary', vault.value.primary],
      ] as const;
      return ok(
        targets.map(([cluster, label, endpoint]) => ({
          cluster,
          label,
          address: endpoint.apiAddr,
          balancer: endpoint.balancerAddr,
          connect: async (token?: string) => ok(await rehearsalEndpointClient(vault.value, label, endpoint, token)),
        })),
      );
    },
    async close() {
      const vault = await running;
      running = undefined;
      if (vault?.ok) await vault.value.close();
    },
  };
}
