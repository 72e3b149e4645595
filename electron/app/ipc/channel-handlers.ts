/**
 * The main-process side of every IPC channel, built from the services it needs. Both the
 * Electron main process and the e2e fixture build their registry from this one function, so
 * the browser tests exercise the very handlers the app runs.
 */
import { profileFromVaultEnv, type ConnectionProfile } from '../../../shared/profiles/connection-profile';
import type {
  ClusterTarget,
  DirectoryChoicePurpose,
  FileChoicePurpose,
  ScreenRestart,
} from '../../../shared/ipc/ipc-contract';
import type { ReplicationOverview } from '../../../shared/replication/replication-overview';
import { err, ok, type Result } from '../../../shared/result';
import type { ProfileStore } from '../../services/profiles/profile-store';
import type { VaultClient } from '../../services/vault/client';
import { healthSummary, readReplicationOverview } from '../../services/vault/read-replication-overview';
import { ceremonyHandlers } from './ceremony-handlers';
import type { AppSession } from '../../services/session/app-session';
import type { CeremonySession } from '../../services/session/ceremony-session';
import type { ChannelHandlers } from './handler-registry';
import type { SaveFilePurpose } from '../dialogs/save-file-dialog';
import type { RehearsalHost } from '../../services/rehearsal/rehearsal-host';
import { transcriptHandlers } from './transcript-handlers';

export interface ChannelHandlerServices {
  readonly version: string;
  readonly profiles: ProfileStore;
  /** The main process's environment and working directory, for importing VAULT_* variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Shows a file chooser; null when the person cancels. Electron's dialog, or the e2e fixture's. */
  readonly openFile: (purpose: FileChoicePurpose) => Promise<string | null>;
  /** Shows a folder chooser; null when the person cancels. */
  readonly openDirectory: (purpose: DirectoryChoicePurpose) => Promise<string | null>;
  /** Shows a save dialog for a new file; null when the person cancels. */
  readonly saveFile: (purpose: SaveFilePurpose) => Promise<string | null>;
  /** Writes text to the system clipboard (Electron's clipboard, or the e2e fixture's). */
  readonly writeClipboard: (text: string) => Promise<void>;
  /** Loads the profile's TLS files and builds a client (electron/services/vault/connect.ts), with an X-Vault-Token when given. */
  readonly connect: (profile: ConnectionProfile, options?: { readonly token?: string }) => Promise<Result<VaultClient>>;
  /** The in-process rehearsal Vault, started on first use. */
  readonly rehearsal: RehearsalHost;
  /** Which Vault the app works against now: rehearsal, or live on one profile. */
  readonly session: AppSession;
  /** The ceremony the wizard runs (built over the same profiles, connections and rehearsal Vault). */
  readonly ceremony: CeremonySession;
  /** The built worker script that reads and verifies transcript bundles (dist/electron/verify-worker.cjs). */
  readonly bundleVerifier: string;
  /**
   * The last time the window's page was reloaded after its renderer process died, until the page
   * says it showed that notice (main.ts sets `current` on each reload; app.screenRestartShown clears it).
   */
  readonly screenRestart?: { current?: ScreenRestart };
  readonly now?: () => Date;
}

/** A cluster the person chose: its name, address and a way to connect to it. */
interface ResolvedTarget {
  readonly label: string;
  readonly address: string;
  /** The load balancer the cluster is reached through, when it is one. */
  readonly balancer: string | undefined;
  readonly connect: () => Promise<Result<VaultClient>>;
}

async function withClient<T>(
  connect: () => Promise<Result<VaultClient>>,
  use: (client: VaultClient) => Promise<Result<T>>,
): Promise<Result<T>> {
  const client = await connect();
  if (!client.ok) return client;
  try {
    return await use(client.value);
  } finally {
    client.value.close();
  }
}

export function createChannelHandlers(services: ChannelHandlerServices): ChannelHandlers {
  const now = services.now ?? (() => new Date());
  const { session } = services;
  const info = () => {
    const restart = services.screenRestart?.current;
    return ok({ version: services.version, ...session.current, ...(restart && { screenRestarted: restart }) });
  };

  /** A target's name, address and a way to connect to it. */
  async function resolve(target: ClusterTarget): Promise<Result<ResolvedTarget>> {
    if (target.kind === 'profile') {
      const profile = await services.profiles.get(target.name);
      if (!profile.ok) return profile;
      return ok({
        label: profile.value.name,
        address: profile.value.address,
        balancer: profile.value.balancer ? profile.value.address : undefined,
        connect: () => services.connect(profile.value),
      });
    }
    const clusters = await services.rehearsal.clusters();
    if (!clusters.ok) return clusters;
    const found = clusters.value.find((c) => c.cluster === target.cluster);
    if (!found) return err('no-such-cluster', `The rehearsal Vault has no ${target.cluster} cluster.`);
    return ok({
      label: found.label,
      address: found.address,
      balancer: found.balancer,
      connect: () => services.rehearsal.connect(target.cluster),
    });
  }

  return {
    'app.info': async () => info(),

    'app.screenRestartShown': async ({ at }) => {
      const restarts = services.screenRestart;
      // Only the restart the page was told of: one that happened since is still to be shown.
      if (restarts?.current?.at !== at) return ok({ cleared: false });
      delete restarts.current;
      return ok({ cleared: true });
    },

    'app.selectMode': async (arg) => {
      const selected = await session.select(arg);
      return selected.ok ? info() : selected;
    },

    'profiles.list': async () => {
      const listed = await services.profiles.list();
      return listed.ok ? ok({ profiles: [...listed.value] }) : listed;
    },

    'profiles.save': async ({ profile, replace }) => {
      const saved = await services.profiles.save(profile, { replace });
      return saved.ok ? ok({ profile: saved.value }) : saved;
    },

    'profiles.remove': async ({ name }) => {
      if (session.uses(name)) {
        return err(
          'profile-in-use',
          `Profile '${name}' is the one this session works against; choose another target on the Start screen before removing it.`,
        );
      }
      const removed = await services.profiles.remove(name);
      return removed.ok ? ok({ name }) : removed;
    },

    'profiles.importFromEnv': async ({ name }) => {
      const imported = profileFromVaultEnv(services.env, name, { cwd: services.cwd });
      return imported.ok ? ok({ profile: imported.value }) : imported;
    },

    'profiles.test': async ({ profile }) =>
      withClient(
        () => services.connect(profile),
        async (client) => {
          const health = await client.health();
          if (!health.ok) return err(health.error.kind, health.error.message);
          return ok({ profile: profile.name, address: profile.address, health: healthSummary(health.value) });
        },
      ),

    'replication.targets': async () => {
      if (session.current.mode === 'rehearsal') {
        const clusters = await services.rehearsal.clusters();
        if (!clusters.ok) return clusters;
        return ok({
          targets: clusters.value.map((c) => ({
            target: { kind: 'rehearsal' as const, cluster: c.cluster },
            label: c.label,
            address: c.address,
          })),
        });
      }
      const listed = await services.profiles.list();
      if (!listed.ok) return listed;
      return ok({
        targets: listed.value.map((p) => ({
          target: { kind: 'profile' as const, name: p.name },
          label: p.name,
          address: p.address,
        })),
      });
    },

    'replication.status': async ({ target }) => {
      const resolved = await resolve(target);
      if (!resolved.ok) return resolved;
      const { label, address, balancer, connect } = resolved.value;
      return withClient(connect, async (client): Promise<Result<ReplicationOverview>> =>
        ok(await readReplicationOverview(client, { label, address, balancer, now: now() })),
      );
    },

    'dialog.openFile': async ({ purpose }) => ok({ path: await services.openFile(purpose) }),
    'dialog.openDirectory': async ({ purpose }) => ok({ path: await services.openDirectory(purpose) }),

    ...ceremonyHandlers(services.ceremony, session, services),
    ...transcriptHandlers(services.bundleVerifier),
  };
}
