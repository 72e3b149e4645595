/**
 * The in-process rehearsal Vault as the app's rehearsal mode sees it: started on first use (not
 * at launch, so a live session never runs it), then its primary and DR secondary reachable over
 * mutual TLS like any profile, with certificates that live only in memory.
 */
import { utf8ToBytes, wipe } from '../../../shared/codecs/bytes';
import type { RehearsalCluster } from '../../../shared/ipc/ipc-contract';
import { ok, type Result } from '../../../shared/result';
import {
  startRehearsalVault,
  type RehearsalVault,
  type RehearsalVaultOptions,
} from '../../../rehearsal-vault/rehearsal-cluster-set';
import { createVaultClient, type VaultClient } from '../vault/client';

export interface RehearsalClusterTarget {
  readonly cluster: RehearsalCluster;
  readonly label: string;
  readonly address: string;
  connect(): Promise<Result<VaultClient>>;
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

  function connector(vault: RehearsalVault, label: string, address: string) {
    return async (): Promise<Result<VaultClient>> => {
      const key = utf8ToBytes(vault.clientKeyPem);
      try {
        return ok(
          createVaultClient({ profileName: label, address, tls: { ca: vault.caPem, cert: vault.clientCertPem, key } }),
        );
      } finally {
        wipe(key);
      }
    };
  }

  return {
    async clusters() {
      running ??= start();
      const vault = await running;
      if (!vault.ok) {
        // Let the next call try again rather than remember the failure.
        running = undefined;
        return vault;
      }
      const targets: Array<[RehearsalCluster, string, string]> = [
        ['dr-secondary', 'Rehearsal DR secondary', vault.value.drSecondary.apiAddr],
        ['primary', 'Rehearsal primary', vault.value.primary.apiAddr],
      ];
      return ok(
        targets.map(([cluster, label, address]) => ({
          cluster,
          label,
          address,
          connect: connector(vault.value, label, address),
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
