/**
 * An in-app rehearsal: a fresh rehearsal Vault with the officers and threshold people chose, its
 * kit written out for them (../rehearsal/rehearsal-kit.ts), and the ceremony started through the
 * one rehearsal harness (../rehearsal/rehearsal-ceremony.ts). An operation rehearsal acts on the
 * rehearsal Vault as it stands (the Operations screen's clusters), so earlier operations carry on.
 */
import { join } from 'node:path';
import type { CeremonyPlan } from '../../../shared/ceremony/ceremony-plan';
import { err, ok, type Result } from '../../../shared/result';
import type { CeremonyService } from '../ceremony/ceremony-service';
import { generateSigners, type Signers } from '../rehearsal/rehearsal-cast';
import { startRehearsalCeremony, type RehearsalOperation } from '../rehearsal/rehearsal-ceremony';
import type { RehearsalHost } from '../rehearsal/rehearsal-host';
import { KIT_JOURNAL, writeRehearsalKit } from '../rehearsal/rehearsal-kit';
import type { DrillTarget } from '../rehearsal/rehearsal-drills';
import { connectTarget, DR_SECONDARY_PROFILE, PRIMARY_PROFILE } from '../rehearsal/rehearsal-target';
import { suppliedOfficerKeys } from './officer-keyring';
import { swappableClient, type Reconnectable } from './swappable-client';
import type { RehearsalVault } from '../../../rehearsal-vault/rehearsal-cluster-set';
import type { OtpLength } from '../../../rehearsal-vault/token-store';

export interface RehearsalSetup {
  readonly officers: number;
  readonly threshold: number;
  readonly vaultVersion: 1 | 2;
  /** The rehearsal Vault's otp_length (default 28); 0 is a server before Vault 0.11. */
  readonly otpLength?: OtpLength | undefined;
  /** Protects every generated rehearsal key; none when omitted. */
  readonly keyPassphrase?: string | undefined;
  /** The officers' own public keys, one file each, instead of generated keys. */
  readonly officerKeyPaths?: readonly string[] | undefined;
  /** Nodes per cluster (default 1): with 3 or 5, leader-change drills are offered mid-ceremony. */
  readonly nodes?: 1 | 3 | 5 | undefined;
}

export interface InAppRehearsal {
  readonly service: CeremonyService;
  /** Every connection the ceremony acts through, each able to connect afresh. */
  readonly connections: readonly Reconnectable[];
  /** The folder holding the rehearsal's keys, shares, plan and journal. */
  readonly kitDir: string;
  /** The cluster the ceremony acts on, for the drills (./rehearsal-drills.ts); the failback offers none. */
  readonly drillTarget?: DrillTarget | undefined;
}

export async function startInAppRehearsal(
  host: RehearsalHost,
  setup: RehearsalSetup,
  where: { readonly dataDir: string; readonly now: () => Date },
): Promise<Result<InAppRehearsal>> {
  const fresh = await freshRehearsalVault(host, setup);
  if (!fresh.ok) return fresh;
  return startOnVault(fresh.value.vault, where, { passphrase: fresh.value.passphrase });
}

/**
 * A fresh rehearsal Vault with the officers and threshold people chose (refused, changing nothing,
 * when Vault would refuse them), and the passphrase its generated keys are protected by, if any.
 */
export async function freshRehearsalVault(
  host: RehearsalHost,
  setup: RehearsalSetup,
): Promise<Result<{ readonly vault: RehearsalVault; readonly passphrase: string | undefined }>> {
  const supplied = setup.officerKeyPaths ? await suppliedOfficerKeys(setup.officerKeyPaths) : undefined;
  if (supplied && !supplied.ok) return supplied;
  const officers = supplied?.value.length ?? setup.officers;
  if (setup.threshold > officers)
    return err(
      'invalid-rehearsal',
      `the threshold (${setup.threshold}) cannot exceed the number of officers (${officers}): lower it or add officers`,
    );
  if (officers > 1 && setup.threshold < 2)
    return err(
      'invalid-rehearsal',
      'with more than one officer the threshold must be at least 2 (Vault refuses a 1-of-n seal)',
    );

  const passphrase = setup.keyPassphrase === '' ? undefined : setup.keyPassphrase;
  const vault = await host.restart({
    threshold: setup.threshold,
    vaultVersion: setup.vaultVersion,
    ...(setup.nodes !== undefined ? { nodes: setup.nodes } : {}),
    ...(setup.otpLength !== undefined ? { otpLength: setup.otpLength } : {}),
    ...(supplied ? { officerKeys: supplied.value } : { officers }),
    ...(passphrase ? { passphrase } : {}),
  });
  return vault.ok ? ok({ vault: vault.value, passphrase }) : vault;
}

/** Where an in-app rehearsal named `name` keeps its kit: a new folder under the app's data folder. */
export function rehearsalKitDir(where: { readonly dataDir: string; readonly now: () => Date }, name: string) {
  const id = `${name}-${where.now().toISOString().replace(/[-:.]/g, '')}`;
  return { id, kitDir: join(where.dataDir, 'rehearsals', id) };
}

/** One replication operation on a cluster of the running rehearsal Vault, as a ceremony with its own kit. */
export async function startInAppOperation(
  host: RehearsalHost,
  operation: RehearsalOperation,
  where: { readonly dataDir: string; readonly now: () => Date },
): Promise<Result<InAppRehearsal>> {
  const vault = await host.vault();
  if (!vault.ok) return vault;
  return startOnVault(vault.value, where, { passphrase: undefined, operation });
}

async function startOnVault(
  vault: RehearsalVault,
  where: { readonly dataDir: string; readonly now: () => Date },
  options: { readonly passphrase: string | undefined; readonly operation?: RehearsalOperation },
): Promise<Result<InAppRehearsal>> {
  const { passphrase, operation } = options;
  const { id, kitDir } = rehearsalKitDir(where, operation ? operation.operation.id : 'rehearsal');
  const target = await connectTarget({
    kind: 'in-process',
    vault,
    ...(passphrase ? { officerPassphrase: passphrase } : {}),
  });
  if (!target.ok) return target;
  const profile = operation?.profile ?? DR_SECONDARY_PROFILE;
  // The target's own client reads the DR secondary; another cluster gets its own, with no token.
  const client =
    profile === DR_SECONDARY_PROFILE ? ok(target.value.client) : await target.value.connect(undefined, profile);
  if (!client.ok) {
    target.value.client.close();
    return client;
  }
  if (client.value !== target.value.client) target.value.client.close();
  const signers = await generateSigners(passphrase ? { chosen: passphrase } : undefined);
  const swappable = swappableClient(client.value);
  const started = await startRehearsalCeremony({
    target: target.value,
    signers,
    id,
    ...(operation ? { operation } : {}),
    journalPath: join(kitDir, KIT_JOURNAL),
    clients: { [profile]: swappable.client },
    clock: where.now,
    prepare: kitWriter(kitDir, vault, signers),
  });
  if (!started.ok) {
    swappable.client.close();
    return started;
  }
  return ok({
    service: started.value,
    connections: [{ swappable, reconnect: () => target.value.connect(undefined, profile) }],
    kitDir,
    drillTarget: { vault, role: profile === PRIMARY_PROFILE ? 'primary' : 'drSecondary' },
  });
}

/** Writes the kit for a rehearsal's plan: the rehearsal Vault's officers and the signers, as files people choose. */
export function kitWriter(kitDir: string, vault: RehearsalVault, signers: Signers) {
  return (plan: CeremonyPlan) =>
    writeRehearsalKit(kitDir, {
      plan,
      officers: vault.officers,
      signers: [signers.administrator, ...signers.witnesses],
    });
}
