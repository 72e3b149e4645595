/**
 * Names whose share a pasted message is, before anything is decrypted: the message's recipient
 * key IDs are matched against every officer's public key from the ceremony plan, primary key and
 * subkeys alike (Vault encrypts to the key's encryption subkey, while people and plans quote the
 * primary fingerprint).
 */
import * as openpgp from 'openpgp';
import { armorIsComplete, armorType } from '../../../shared/codecs/pgp-envelope';
import { err, ok, type Result } from '../../../shared/result';

export type RecipientErrorKind =
  'unknown-recipient' | 'other-officer' | 'ambiguous-recipient' | 'invalid-officer-key' | 'unknown-officer';

/** An officer and their public key; `fingerprint`, when given (the plan pins it), must be the key's. */
export interface OfficerPublicKey {
  readonly name: string;
  readonly publicKeyArmored: string;
  readonly fingerprint?: string;
}

export interface Recipient {
  readonly officer: string;
  /** The officer's primary key fingerprint, lowercase hex (as Vault reports `pgp_fingerprint`). */
  readonly fingerprint: string;
  /** The (sub)key the message is encrypted to: 16 lowercase hex digits. */
  readonly keyId: string;
}

/** A key ID as people read it in gpg's output: `0x` and 16 upper-case hex digits. */
export function displayKeyId(keyId: string): string {
  return `0x${keyId.toUpperCase()}`;
}

/**
 * The officer a share is for. With `enteringOfficer`, a share for anyone else is refused, so an
 * officer cannot submit a colleague's share by mistake.
 */
export async function identifyRecipient(
  recipientKeyIds: readonly string[],
  officers: readonly OfficerPublicKey[],
  enteringOfficer?: string,
): Promise<Result<Recipient, RecipientErrorKind>> {
  if (enteringOfficer !== undefined && !officers.some((o) => o.name === enteringOfficer)) {
    return err('unknown-officer', `'${enteringOfficer}' is not an officer in this ceremony's plan`);
  }
  const matches: Recipient[] = [];
  for (const officer of officers) {
    const key = await readOfficerKey(officer);
    if (!key.ok) return key;
    const ids = new Set(key.value.getKeyIDs().map((id) => id.toHex()));
    const keyId = recipientKeyIds.find((id) => ids.has(id));
    if (keyId !== undefined) matches.push({ officer: officer.name, fingerprint: key.value.getFingerprint(), keyId });
  }
  const shown = recipientKeyIds.map(displayKeyId).join(', ') || 'no key';
  if (matches.length === 0) {
    const anonymous = recipientKeyIds.every((id) => /^0+$/.test(id));
    return err(
      'unknown-recipient',
      anonymous
        ? 'this share does not say which key it is encrypted to (an anonymous recipient), so it cannot be matched to an officer; Vault never produces such messages: paste the share Vault printed'
        : `this share is encrypted to ${shown}, which belongs to no officer in this ceremony's plan: check that it is a share of this cluster and that the plan lists the officer's current key`,
    );
  }
  if (enteringOfficer !== undefined) {
    const own = matches.find((m) => m.officer === enteringOfficer);
    if (own) return ok(own);
    const other = matches[0]!;
    return err(
      'other-officer',
      `this share is encrypted to key ${displayKeyId(other.keyId)} (officer '${other.officer}'), not to ${enteringOfficer}'s key: ${enteringOfficer} should paste their own share, or ${other.officer} should enter this one`,
    );
  }
  if (matches.length > 1) {
    return err(
      'ambiguous-recipient',
      `this share is encrypted to keys of several officers (${matches.map((m) => `'${m.officer}'`).join(', ')}): say which officer is entering it`,
    );
  }
  return ok(matches[0]!);
}

/** The officer whose key has one of these key IDs, if any: to name the owner of a wrongly loaded key. */
export async function officerOwningKey(
  keyIds: readonly string[],
  officers: readonly OfficerPublicKey[],
): Promise<string | undefined> {
  for (const officer of officers) {
    const key = await readOfficerKey(officer);
    if (key.ok && key.value.getKeyIDs().some((id) => keyIds.includes(id.toHex()))) return officer.name;
  }
  return undefined;
}

async function readOfficerKey(officer: OfficerPublicKey): Promise<Result<openpgp.PublicKey, RecipientErrorKind>> {
  const invalid = (why: string) =>
    err(
      'invalid-officer-key',
      `the public key given for officer '${officer.name}' ${why}: fix it before entering shares`,
    );
  const text = officer.publicKeyArmored.trim();
  const type = armorType(text);
  const privateKey = "is a private key; officers' private keys never belong in the ceremony's files";
  if (type === 'PGP PRIVATE KEY BLOCK') return invalid(privateKey);
  if (type !== 'PGP PUBLIC KEY BLOCK') return invalid(`is not a "-----BEGIN PGP PUBLIC KEY BLOCK-----" block`);
  // openpgp.js waits forever on armor without its closing line.
  if (!armorIsComplete(text, type)) return invalid('is cut off before its "-----END PGP PUBLIC KEY BLOCK-----" line');
  let key: openpgp.Key;
  try {
    key = await openpgp.readKey({ armoredKey: text });
  } catch (cause) {
    return invalid(`cannot be read (${cause instanceof Error ? cause.message : String(cause)})`);
  }
  if (key.isPrivate()) return invalid(privateKey);
  const pinned = officer.fingerprint?.replace(/\s/g, '').toLowerCase();
  if (pinned !== undefined && pinned !== key.getFingerprint()) {
    return invalid(`has fingerprint ${key.getFingerprint()}, but the plan pins ${pinned}`);
  }
  return ok(key);
}
