/**
 * The plan of an operation ceremony on a live cluster, prepared in the app rather than written by
 * hand: the operation chosen on the Operations screen, the session's profile, the Vault version the
 * cluster reports, and the administrator and witnesses people name there, each with their key's
 * fingerprint typed (a key in GnuPG or on a card) or read from their public key file (both, and
 * they must agree). The wizard's roll call then shows every name and fingerprint for people to confirm.
 *
 * Only for calls a Vault token authorises: an operation taking a DR operation token names the
 * officers who hold shares and the threshold, which a reviewed plan file (`kind: operation`) carries.
 */
import { basename } from 'node:path';
import { validatePlan, type CeremonyPlan, type PlanOperation } from '../../../shared/ceremony/ceremony-plan';
import { groupFingerprint } from '../../../shared/ceremony/ceremony-steps';
import { operationAuth, operationTitle } from '../../../shared/replication/replication-operations';
import { err, ok, type Result } from '../../../shared/result';
import { readKeyrings } from '../pgp/public-keys';
import type { VaultClient } from '../vault/client';

/** A person as named on the Operations screen: a fingerprint, a public key file, or both. */
export interface PersonChoice {
  readonly name: string;
  readonly fingerprint?: string | undefined;
  readonly publicKeyPath?: string | undefined;
}

export interface OperationPeople {
  readonly administrator: PersonChoice;
  readonly witnesses: readonly PersonChoice[];
}

export type LiveOperationPlanErrorKind =
  | 'live-operation-needs-plan'
  | 'person-key-required'
  | 'person-key-mismatch'
  | 'vault-version-unknown'
  | 'invalid-plan';

export async function liveOperationPlan(input: {
  readonly profile: string;
  readonly operation: PlanOperation;
  readonly people: OperationPeople;
  /** The cluster the operation acts on, asked which Vault version it runs. */
  readonly client: VaultClient;
  readonly now: Date;
}): Promise<Result<CeremonyPlan>> {
  const { profile, operation } = input;
  if (operationAuth(operation.id, operation.replication) !== 'vault-token')
    return err(
      'live-operation-needs-plan',
      `'${operationTitle(operation.id, operation.replication)}' takes a DR operation token from officers' shares, so it names the officers and the threshold: write a reviewed plan file (kind: operation) and start it on the Promotion ceremony screen`,
    );
  const people: { name: string; fingerprint: string }[] = [];
  for (const person of [input.people.administrator, ...input.people.witnesses]) {
    const fingerprint = await fingerprintOf(person);
    if (!fingerprint.ok) return fingerprint;
    people.push({ name: person.name, fingerprint: fingerprint.value });
  }
  const version = await vaultVersion(input.client);
  if (!version.ok) return version;
  const stamp = input.now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const [administrator, ...witnesses] = people;
  const plan = validatePlan({
    format: 1,
    id: `${operation.id}-${stamp}`,
    title: `${operationTitle(operation.id, operation.replication)} on '${profile}'`,
    kind: 'operation',
    rehearsal: false,
    profile,
    vault_version: version.value,
    token_path: 'vault-token',
    administrator,
    witnesses,
    officers: [],
    operation,
  });
  return plan.ok ? plan : err('invalid-plan', plan.error.message);
}

/** The person's fingerprint as typed, or their public key file's; both given, they must agree. */
async function fingerprintOf(person: PersonChoice): Promise<Result<string>> {
  const typed = person.fingerprint?.trim() ? person.fingerprint.replace(/\s+/g, '').toLowerCase() : undefined;
  if (!person.publicKeyPath)
    return typed
      ? ok(typed)
      : err(
          'person-key-required',
          `give ${person.name}'s key: its fingerprint (gpg --fingerprint) or their public key file`,
        );
  const keys = await readKeyrings([person.publicKeyPath]);
  if (!keys.ok) return keys;
  const key = keys.value[0]?.key;
  if (!key || keys.value.length > 1)
    return err(
      'person-key-required',
      `${basename(person.publicKeyPath)} must hold exactly ${person.name}'s public key, not ${keys.value.length} keys`,
    );
  const fromFile = key.getFingerprint();
  if (typed !== undefined && typed !== fromFile)
    return err(
      'person-key-mismatch',
      `the fingerprint typed for ${person.name} is not that of the key in ${basename(person.publicKeyPath)} (${groupFingerprint(fromFile)}): check which is ${person.name}'s`,
    );
  return ok(fromFile);
}

/** The major version the cluster reports, as the plan records it (a 0.x server counts as 1.x). */
async function vaultVersion(client: VaultClient): Promise<Result<1 | 2>> {
  const seal = await client.sealStatus();
  if (!seal.ok) return err('vault-version-unknown', `cannot read the Vault version: ${seal.error.message}`);
  const major = /^(\d+)\./.exec(seal.value.data.version ?? '')?.[1];
  if (major === '0' || major === '1') return ok(1);
  if (major === '2') return ok(2);
  return err(
    'vault-version-unknown',
    `the cluster reports Vault version '${seal.value.data.version ?? ''}'; plans know 0.x, 1.x and 2.x`,
  );
}
