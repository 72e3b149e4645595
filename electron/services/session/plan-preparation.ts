/**
 * What a ceremony from a plan needs before it starts or resumes: the plan checked against the
 * app's session (a live plan runs only live, on the profile it names), the officers' public keys
 * from the keyring people chose, and a connection to every profile the plan acts on or names
 * among its peer_profiles (the clusters asked before promoting whether they still report primary).
 */
import type { CeremonyPlan } from '../../../shared/ceremony/ceremony-plan';
import type { ConnectionProfile } from '../../../shared/profiles/connection-profile';
import { err, ok, type AppError, type Result } from '../../../shared/result';
import type { CeremonyServiceOptions } from '../ceremony/ceremony-service';
import type { ProfileStore } from '../profiles/profile-store';
import type { VaultClient } from '../vault/client';
import type { SessionMode } from './app-session';
import { planOfficerKeys, type OfficerKey } from './officer-keyring';
import { swappableClient, type Reconnectable } from './swappable-client';

export interface PlanConnector {
  readonly profiles: ProfileStore;
  readonly connect: (profile: ConnectionProfile, options?: { readonly token?: string }) => Promise<Result<VaultClient>>;
  readonly now: () => Date;
}

export interface PreparedPlan {
  readonly options: Omit<CeremonyServiceOptions, 'journalPath'>;
  readonly connections: readonly Reconnectable[];
  /** Closes every connection, for a ceremony that did not start. */
  close(): void;
}

export async function preparePlan(
  connector: PlanConnector,
  plan: CeremonyPlan,
  officerKeysPath: string | undefined,
  session: SessionMode,
): Promise<Result<PreparedPlan>> {
  const fits = checkSession(plan, session);
  if (!fits.ok) return fits;
  const officerKeys = await readOfficerKeys(plan, officerKeysPath);
  if (!officerKeys.ok) return officerKeys;

  const connectProfile = async (name: string, token?: string): Promise<Result<VaultClient>> => {
    const profile = await connector.profiles.get(name);
    if (!profile.ok) return profile;
    return connector.connect(profile.value, token === undefined ? {} : { token });
  };
  const connections: Reconnectable[] = [];
  const close = () => connections.forEach((c) => c.swappable.client.close());
  /** Connects each profile of `names`; `refused` says what a failure means for one of them. */
  const connectAll = async (
    names: readonly string[],
    refused: (name: string, error: AppError) => AppError = (_, error) => error,
  ): Promise<Result<Record<string, VaultClient>>> => {
    const clients: Record<string, VaultClient> = {};
    for (const name of names) {
      const reconnect = () => connectProfile(name);
      const client = await reconnect();
      if (!client.ok) return { ok: false, error: refused(name, client.error) };
      const swappable = swappableClient(client.value);
      connections.push({ swappable, reconnect });
      clients[name] = swappable.client;
    }
    return ok(clients);
  };
  const clients = await connectAll([plan.profile, ...(plan.failback ? [plan.failback.new_primary_profile] : [])]);
  if (!clients.ok) {
    close();
    return clients;
  }
  // A peer is asked only right before promoting: a plan whose peer cannot be asked is refused now, not at 3 a.m.
  const peers = await connectAll(plan.peer_profiles ?? [], (name, error) => ({
    kind: error.kind,
    message: `plan '${plan.id}' names '${name}' in peer_profiles, to ask before promoting whether it still reports DR primary, but this laptop cannot connect to it (${error.message}): add or fix connection profile '${name}' on this laptop, or have the plan reviewed again without it`,
  }));
  if (!peers.ok) {
    close();
    return peers;
  }
  const options = {
    clients: clients.value,
    peers: peers.value,
    officerKeys: officerKeys.value,
    withToken: async (profile: string, token: string) => {
      const c = await connectProfile(profile, token);
      return c.ok ? c.value : undefined;
    },
    clock: connector.now,
  };
  return ok({ options, connections, close });
}

function checkSession(plan: CeremonyPlan, session: SessionMode): Result<void, 'wrong-session'> {
  if (session.mode === 'rehearsal')
    return err(
      'wrong-session',
      `plan '${plan.id}' acts on connection profile '${plan.profile}', but this session is a rehearsal against the built-in Vault: choose '${plan.profile}' on the Start screen, or start a generated rehearsal here instead.`,
    );
  if (session.profile !== plan.profile)
    return err(
      'wrong-session',
      `plan '${plan.id}' acts on profile '${plan.profile}', but this session works against '${session.profile ?? '?'}': choose '${plan.profile}' on the Start screen, or check the plan.`,
    );
  return ok(undefined);
}

async function readOfficerKeys(plan: CeremonyPlan, path: string | undefined): Promise<Result<OfficerKey[]>> {
  if (plan.officers.length === 0) return ok([]);
  if (path === undefined)
    return err(
      'officer-keys-required',
      `plan '${plan.id}' names ${plan.officers.length} officers: choose the file with their public keys (gpg --export --armor with each fingerprint), so each share can be matched to its officer.`,
    );
  return planOfficerKeys(plan, path);
}
