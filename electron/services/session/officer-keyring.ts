/**
 * Officers' public keys for a ceremony, from files people bring: one keyring holding every
 * officer's key (for a plan, matched by the fingerprints the plan pins), or one key per officer
 * (for a rehearsal with the officers' own keys, named after each key's user ID).
 */
import { basename } from 'node:path';
import type { CeremonyPlan } from '../../../shared/ceremony/ceremony-plan';
import { groupFingerprint } from '../../../shared/ceremony/ceremony-steps';
import { err, ok, type Result } from '../../../shared/result';
import type { SuppliedOfficerKey } from '../../../rehearsal-vault/rehearsal-cluster-set';
import { readKeyrings } from '../pgp/public-keys';

export type OfficerKeyringErrorKind = 'keyring-unreadable' | 'keyring-invalid' | 'officer-key-missing';

export interface OfficerKey {
  readonly name: string;
  readonly publicKeyArmored: string;
}

/** Each plan officer's key, found in the keyring by the fingerprint the plan pins. */
export async function planOfficerKeys(
  plan: CeremonyPlan,
  keyringPath: string,
): Promise<Result<OfficerKey[], OfficerKeyringErrorKind>> {
  const keys = await readKeyrings([keyringPath]);
  if (!keys.ok) return keys;
  const out: OfficerKey[] = [];
  for (const officer of plan.officers) {
    const found = keys.value.find((k) => k.key.getFingerprint() === officer.fingerprint);
    if (!found)
      return err(
        'officer-key-missing',
        `${basename(keyringPath)} has no key with fingerprint ${groupFingerprint(officer.fingerprint)}, which the plan pins for officer '${officer.name}': ` +
          `add it (gpg --export --armor ${officer.fingerprint.toUpperCase()}) or check the plan`,
      );
    out.push({ name: officer.name, publicKeyArmored: found.key.armor() });
  }
  return ok(out);
}

/** One officer per file, named after the key's user ID (or the file), for a rehearsal with real keys. */
export async function suppliedOfficerKeys(
  paths: readonly string[],
): Promise<Result<SuppliedOfficerKey[], OfficerKeyringErrorKind>> {
  const out: SuppliedOfficerKey[] = [];
  for (const path of paths) {
    const keys = await readKeyrings([path]);
    if (!keys.ok) return keys;
    const key = keys.value[0];
    if (!key || keys.value.length > 1)
      return err(
        'keyring-invalid',
        `${basename(path)} must hold exactly one officer's public key, not ${keys.value.length}`,
      );
    const fromUserId = /^([^<(]*)/.exec(key.key.getUserIDs()[0] ?? '')?.[1]?.trim();
    const fromFile = basename(path).replace(/\.(pub\.)?(asc|gpg|pgp|key|pub)$/i, '');
    const name = (fromUserId || fromFile).replace(/\p{Cc}/gu, '').slice(0, 64);
    if (out.some((o) => o.name === name))
      return err('keyring-invalid', `two officer keys are named '${name}': give each officer's key a distinct user ID`);
    out.push({ name, publicKey: key.key.armor() });
  }
  return ok(out);
}
