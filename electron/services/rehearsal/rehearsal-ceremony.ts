/**
 * The one rehearsal harness: from a rehearsal Vault (./rehearsal-target.ts) and the signers' keys
 * to a running ceremony: the cast, its plan, the service's options and the start. The in-app
 * rehearsal (electron/services/session/) and the headless one (./headless-rehearsal.ts) both start
 * here; the headless one resumes with the same options.
 *
 * A promotion acts on the DR secondary. A failback acts on the old primary and the new one (the
 * DR secondary, once promoted); its clients carry the rehearsal's root token, as an administrator's
 * own Vault token would, because demote and secondary-token are sudo calls.
 */
import type { CeremonyPlan, PlanOperation } from '../../../shared/ceremony/ceremony-plan';
import { err, ok, type Result } from '../../../shared/result';
import { startCeremony, type CeremonyService, type CeremonyServiceOptions } from '../ceremony/ceremony-service';
import type { VaultClient } from '../vault/client';
import { rehearsalPlan, type RehearsalCast, type Signers } from './rehearsal-cast';
import {
  DR_SECONDARY_PROFILE,
  isRehearsalProfile,
  PRIMARY_PROFILE,
  type RehearsalProfile,
  type RehearsalTarget,
} from './rehearsal-target';

export type RehearsalKind = 'promotion' | 'failback';

/** The id the old primary takes as the new primary's DR secondary. */
export const FAILBACK_SECONDARY_ID = 'old-primary';

export interface RehearsalCeremonyOptions {
  readonly target: RehearsalTarget;
  readonly signers: Signers;
  readonly journalPath: string;
  /** A client for each profile the plan acts on (./rehearsal-target.ts connects them); the caller closes them. */
  readonly clients: Readonly<Record<string, VaultClient>>;
  /** Wraps each client connected with a token, e.g. so a test can see what crossed the wire. */
  readonly observeClient?: (client: VaultClient) => VaultClient;
  readonly clock?: () => Date;
  readonly log?: (line: string) => void;
  /**
   * Other clusters that must no longer be primary when the promotion is made (promote-before-demote),
   * by profile name: the plan names them in peer_profiles. A generated rehearsal names none: its
   * primary still reports DR primary when the DR secondary is promoted, so naming it would stop
   * every rehearsal at the guard (a drill of that guard names it).
   */
  readonly peers?: Readonly<Record<string, VaultClient>>;
}

/** Everyone taking part: the signers, the target's officers, and its primary's root token for Vault 2.x. */
export function rehearsalCast(target: RehearsalTarget, signers: Signers): RehearsalCast {
  return { ...signers, officers: target.officers, primaryRootToken: target.primaryRootToken };
}

/**
 * The clients a ceremony of this kind acts through: the DR secondary's for a promotion (`promotion`
 * is the target's own client); the old and the new primary's, with the root token, for a failback.
 */
export async function rehearsalClients(
  target: RehearsalTarget,
  kind: RehearsalKind,
  observe: (client: VaultClient) => VaultClient = (c) => c,
): Promise<Result<Record<string, VaultClient>>> {
  if (kind === 'promotion') return ok({ [DR_SECONDARY_PROFILE]: observe(target.client) });
  const oldPrimary = await target.connect(target.primaryRootToken, PRIMARY_PROFILE);
  if (!oldPrimary.ok) return oldPrimary;
  const newPrimary = await target.connect(target.primaryRootToken, DR_SECONDARY_PROFILE);
  if (!newPrimary.ok) {
    oldPrimary.value.close();
    return newPrimary;
  }
  return ok({ [PRIMARY_PROFILE]: observe(oldPrimary.value), [DR_SECONDARY_PROFILE]: observe(newPrimary.value) });
}

export function rehearsalServiceOptions(options: RehearsalCeremonyOptions): CeremonyServiceOptions {
  const observe = options.observeClient ?? ((c: VaultClient) => c);
  return {
    journalPath: options.journalPath,
    clients: options.clients,
    officerKeys: options.target.officers.map((o) => ({ name: o.name, publicKeyArmored: o.publicKeyArmored })),
    withToken: async (profile, token) => {
      if (!isRehearsalProfile(profile)) return undefined;
      const c = await options.target.connect(token, profile);
      return c.ok ? observe(c.value) : undefined;
    },
    ...(options.log ? { log: options.log } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.peers ? { peers: options.peers } : {}),
  };
}

/** One replication operation on one of the rehearsal Vault's clusters, as its own ceremony. */
export interface RehearsalOperation {
  readonly profile: RehearsalProfile;
  readonly operation: PlanOperation;
}

/**
 * Plans the rehearsal `id` of this kind (or this one operation) for this cast, lets `prepare` write
 * what people take part with (the plan for review, a kit), then starts the ceremony.
 */
export async function startRehearsalCeremony(
  options: RehearsalCeremonyOptions & {
    readonly id: string;
    readonly kind?: RehearsalKind;
    readonly operation?: RehearsalOperation;
    readonly prepare?: (plan: CeremonyPlan) => Promise<Result<void, string>>;
  },
): Promise<Result<CeremonyService, string>> {
  const { target, operation } = options;
  const failback = options.kind === 'failback';
  const plan = rehearsalPlan(rehearsalCast(target, options.signers), {
    id: options.id,
    threshold: target.threshold,
    profile: operation?.profile ?? (failback ? PRIMARY_PROFILE : DR_SECONDARY_PROFILE),
    vaultVersion: target.vaultVersion,
    ...(operation ? { operation: operation.operation } : {}),
    ...(options.peers ? { peerProfiles: Object.keys(options.peers) } : {}),
    ...(failback ? { failback: { newPrimaryProfile: DR_SECONDARY_PROFILE, secondaryId: FAILBACK_SECONDARY_ID } } : {}),
  });
  if (!plan.ok) return plan;
  const prepared = options.prepare ? await options.prepare(plan.value) : undefined;
  if (prepared && !prepared.ok) return err(prepared.error.kind, prepared.error.message);
  return startCeremony(plan.value, rehearsalServiceOptions(options));
}
