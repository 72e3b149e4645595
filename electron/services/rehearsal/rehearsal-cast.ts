/**
 * The people of a headless rehearsal: the rehearsal Vault's officers (with the keys it
 * generated), plus an administrator and witnesses whose signing keys are generated here
 * (OpenPGP v4, which GnuPG 2.2 verifies), and the plan that names them all.
 */
import { randomBytes } from 'node:crypto';
import { validatePlan, type CeremonyPlan, type PlanOperation } from '../../../shared/ceremony/ceremony-plan';
import { operationAuth, operationTitle } from '../../../shared/replication/replication-operations';
import { err, ok, type Result } from '../../../shared/result';
import { generateOfficerKey } from '../../../rehearsal-vault/officer-keys';
import type { RehearsalOfficer } from '../../../rehearsal-vault/rehearsal-cluster-set';

export interface CastMember {
  readonly name: string;
  readonly fingerprint: string;
  readonly publicKeyArmored: string;
  /** A secret; '' when the key is in `gpg`. */
  readonly privateKeyArmored: string;
  /** A secret; undefined for a key without passphrase protection. */
  readonly passphrase: string | undefined;
  /** The key is in this GnuPG home (maybe on a smartcard), its PIN or passphrase in `pinFile`. */
  readonly gpg?: GpgKeyHome;
}

export interface GpgKeyHome {
  readonly homedir: string;
  readonly pinFile: string;
}

export interface CastOfficer extends CastMember {
  /** What Vault handed the officer: base64 of the PGP message holding the share's hex. */
  readonly encryptedShare: string;
}

export interface Signers {
  readonly administrator: CastMember;
  readonly witnesses: readonly CastMember[];
}

export interface RehearsalCast extends Signers {
  readonly officers: readonly CastOfficer[];
  /** The primary's root token the administrator enters on Vault 2.x (a secret). */
  readonly primaryRootToken?: string;
}

/** The rehearsal Vault's officers as cast members; supplied public keys come without a private key (''). */
export function castOfficers(officers: readonly RehearsalOfficer[], passphrase: string | undefined): CastOfficer[] {
  return officers.map((o) => ({
    name: o.name,
    fingerprint: o.fingerprint,
    publicKeyArmored: o.publicKeyArmored ?? '',
    privateKeyArmored: o.privateKeyArmored ?? '',
    passphrase,
    encryptedShare: o.encryptedShare,
  }));
}

export const ADMINISTRATOR = 'administrator';
export const WITNESSES = ['witness-1', 'witness-2'] as const;

/** A random passphrase for a throwaway rehearsal key (kept in memory only). */
export function rehearsalPassphrase(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * The administrator's and witnesses' keys: `'random'` gives each its own random passphrase, `chosen`
 * protects all with one, undefined leaves them unprotected.
 */
export async function generateSigners(
  protection: 'random' | { readonly chosen: string } | undefined,
): Promise<Signers> {
  const member = async (name: string): Promise<CastMember> => {
    const passphrase = protection === 'random' ? rehearsalPassphrase() : protection?.chosen;
    const key = await generateOfficerKey({ name, ...(passphrase ? { passphrase } : {}) });
    return {
      name,
      fingerprint: key.fingerprint,
      publicKeyArmored: key.publicKeyArmored,
      privateKeyArmored: key.privateKeyArmored,
      passphrase,
    };
  };
  const [administrator, ...witnesses] = await Promise.all([ADMINISTRATOR, ...WITNESSES].map(member));
  return { administrator: administrator!, witnesses };
}

/** What a failback rehearsal adds to its plan: the cluster that is now primary, and the id the old primary joins it as. */
export interface RehearsalFailback {
  readonly newPrimaryProfile: string;
  readonly secondaryId: string;
}

/**
 * The plan for a rehearsal: a promotion of `profile`, with `operation` one replication call on it,
 * or with `failback` the failback of `profile`
 * (the old primary) to the new primary with a secondary activation token. Either way a quorum of
 * officers' shares (on Vault 2.x with the primary's root token, which generation needs there),
 * every person named with their key.
 */
export function rehearsalPlan(
  cast: RehearsalCast,
  options: {
    readonly id: string;
    readonly threshold: number;
    readonly profile: string;
    readonly vaultVersion?: 1 | 2;
    readonly failback?: RehearsalFailback;
    /** An operation ceremony instead: this one replication call on `profile`. */
    readonly operation?: PlanOperation;
  },
): Result<CeremonyPlan, 'invalid-plan'> {
  const version = options.vaultVersion ?? 1;
  const person = (m: CastMember) => ({ name: m.name, fingerprint: m.fingerprint });
  const { failback, operation } = options;
  // A call a Vault token authorises needs no shares: the administrator's token (in rehearsal, the root token).
  const byVaultToken = operation !== undefined && operationAuth(operation.id, operation.replication) === 'vault-token';
  const plan = validatePlan({
    format: 1,
    id: options.id,
    title: operation
      ? `Rehearsal: ${operationTitle(operation.id, operation.replication)} on '${options.profile}'`
      : failback
        ? `Rehearsal: fail back, '${options.profile}' follows '${failback.newPrimaryProfile}'`
        : 'Rehearsal: promote the DR secondary',
    kind: operation ? 'operation' : failback ? 'failback' : 'promotion',
    rehearsal: true,
    profile: options.profile,
    vault_version: version,
    token_path: byVaultToken ? 'vault-token' : version === 2 ? 'primary-root-token' : 'operation-token-quorum',
    ...(byVaultToken ? {} : { threshold: options.threshold }),
    administrator: person(cast.administrator),
    witnesses: cast.witnesses.map(person),
    officers: byVaultToken ? [] : cast.officers.map((o, i) => ({ ...person(o), share_index: i + 1 })),
    ...(operation ? { operation } : {}),
    ...(failback
      ? {
          failback: {
            new_primary_profile: failback.newPrimaryProfile,
            method: 'token',
            secondary_id: failback.secondaryId,
          },
        }
      : {}),
  });
  return plan.ok ? ok(plan.value) : err('invalid-plan', plan.error.message);
}
