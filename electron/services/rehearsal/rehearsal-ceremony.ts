/**
 * The one rehearsal harness: from a rehearsal Vault (./rehearsal-target.ts) and the signers' keys
 * to a running promotion ceremony: the cast, its plan, the service's options and the start. The
 * in-app rehearsal (electron/services/session/) and the headless one (./headless-rehearsal.ts)
 * both start here; the headless one resumes with the same options.
 */
import type { CeremonyPlan } from '../../../shared/ceremony/ceremony-plan';
import { err, type Result } from '../../../shared/result';
import { startCeremony, type CeremonyService, type CeremonyServiceOptions } from '../ceremony/ceremony-service';
import type { VaultClient } from '../vault/client';
import { rehearsalPlan, type RehearsalCast, type Signers } from './rehearsal-cast';
import { DR_SECONDARY_PROFILE, type RehearsalTarget } from './rehearsal-target';

export interface RehearsalCeremonyOptions {
  readonly target: RehearsalTarget;
  readonly signers: Signers;
  readonly journalPath: string;
  /** The DR secondary's client the ceremony uses (the target's, or a wrapper of it); the caller closes it. */
  readonly client: VaultClient;
  /** Wraps each client connected with a token, e.g. so a test can see what crossed the wire. */
  readonly observeClient?: (client: VaultClient) => VaultClient;
  readonly clock?: () => Date;
  readonly log?: (line: string) => void;
}

/** Everyone taking part: the signers, the target's officers, and its primary's root token for Vault 2.x. */
export function rehearsalCast(target: RehearsalTarget, signers: Signers): RehearsalCast {
  return { ...signers, officers: target.officers, primaryRootToken: target.primaryRootToken };
}

export function rehearsalServiceOptions(options: RehearsalCeremonyOptions): CeremonyServiceOptions {
  const observe = options.observeClient ?? ((c: VaultClient) => c);
  return {
    journalPath: options.journalPath,
    clients: { [DR_SECONDARY_PROFILE]: options.client },
    officerKeys: options.target.officers.map((o) => ({ name: o.name, publicKeyArmored: o.publicKeyArmored })),
    withToken: async (_profile, token) => {
      const c = await options.target.connect(token);
      return c.ok ? observe(c.value) : undefined;
    },
    ...(options.log ? { log: options.log } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  };
}

/**
 * Plans the rehearsal `id` for this cast, lets `prepare` write what people take part with (the
 * plan for review, a kit), then starts the ceremony.
 */
export async function startRehearsalCeremony(
  options: RehearsalCeremonyOptions & {
    readonly id: string;
    readonly prepare?: (plan: CeremonyPlan) => Promise<Result<void, string>>;
  },
): Promise<Result<CeremonyService, string>> {
  const { target } = options;
  const plan = rehearsalPlan(rehearsalCast(target, options.signers), {
    id: options.id,
    threshold: target.threshold,
    profile: DR_SECONDARY_PROFILE,
    vaultVersion: target.vaultVersion,
  });
  if (!plan.ok) return plan;
  const prepared = options.prepare ? await options.prepare(plan.value) : undefined;
  if (prepared && !prepared.ok) return err(prepared.error.kind, prepared.error.message);
  return startCeremony(plan.value, rehearsalServiceOptions(options));
}
