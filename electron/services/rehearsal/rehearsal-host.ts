/**
 * The app's rehearsal Vault, for the channels that need more than the dashboard does: a client
 * that carries a token (the rehearsal root token stands in for an operator's), the officers'
 * keys and shares, and a fresh rehearsal Vault with chosen officers and threshold for each
 * rehearsal ceremony. It wraps electron/services/rehearsal/rehearsal-clusters.ts, so the dashboard keeps showing
 * whichever rehearsal Vault is running now.
 */
import type { RehearsalCluster } from '../../../shared/ipc/ipc-contract';
import { err, ok, type Result } from '../../../shared/result';
import { createRehearsalClusters, type RehearsalClusters } from './rehearsal-clusters';
import {
  startRehearsalVault,
  type RehearsalVault,
  type RehearsalVaultOptions,
} from '../../../rehearsal-vault/rehearsal-cluster-set';
import type { VaultClient } from '../vault/client';

export interface RehearsalHost extends RehearsalClusters {
  /** The running rehearsal Vault, started (with the options of the last restart) if it is not running. */
  vault(): Promise<Result<RehearsalVault>>;
  /** Stops the running rehearsal Vault and starts a fresh one with these options. */
  restart(options: RehearsalVaultOptions): Promise<Result<RehearsalVault>>;
  /** A client for one of its clusters, sending `token` as X-Vault-Token when given. */
  connect(cluster: RehearsalCluster, token?: string): Promise<Result<VaultClient>>;
}

type Start = typeof startRehearsalVault;

export function createRehearsalHost(start: Start = startRehearsalVault): RehearsalHost {
  let options: RehearsalVaultOptions = {};
  let current: RehearsalVault | undefined;
  const clusters = createRehearsalClusters(async () => {
    const started = await start(options);
    current = started.ok ? started.value : undefined;
    return started;
  });

  async function vault(): Promise<Result<RehearsalVault>> {
    const running = await clusters.clusters();
    if (!running.ok) return running;
    return current ? ok(current) : err('rehearsal-stopped', 'The rehearsal Vault stopped while starting; try again.');
  }

  return {
    clusters: () => clusters.clusters(),
    close: () => clusters.close(),
    vault,
    async restart(next) {
      await clusters.close();
      current = undefined;
      options = next;
      const started = await vault();
      // A rehearsal Vault that cannot start with these options must not stop the next one starting.
      if (!started.ok) options = {};
      return started;
    },
    async connect(cluster, token) {
      const targets = await clusters.clusters();
      if (!targets.ok) return targets;
      const target = targets.value.find((t) => t.cluster === cluster);
      if (!target) return err('no-such-cluster', `The rehearsal Vault has no ${cluster} cluster.`);
      return target.connect(token);
    },
  };
}
