/**
 * Whether a signature stands given what became of its signer's key: what `verify` asks of every
 * transcript signature and signed authorisation, years after the ceremony if need be.
 *
 * The rule (docs/AUDITOR-GUIDE.md, "The signers' keys over time"):
 * - the key, and the subkey that signed, must have been valid when the signature was made:
 *   created before it, not expired then, not revoked by then;
 * - a revocation for any reason but "superseded" or "retired" (compromised, none given, any other)
 *   voids every signature the key made, whatever date it bears: whoever held the key could date a
 *   signature as they liked;
 * - what came after (the key expired, or was superseded or retired) leaves the signature good,
 *   and is reported with it.
 *
 * What stock GnuPG 2.2.40 does, measured with keys gpg made at faked times (`--faked-system-time`;
 * test/security/signer-key-lifecycle.test.ts checks it again on a bundle):
 * - signature made while the key was valid, key expired since: "Good signature", EXPKEYSIG, exit 0 (as here);
 * - signature dated after the key expired: the same EXPKEYSIG, exit 0, for gpg compares the expiry
 *   with the current time only (here: BAD);
 * - key or signing subkey revoked, for any reason, before or after the signature: "Good signature",
 *   REVKEYSIG, "WARNING: This key has been revoked by its owner! This could mean that the signature
 *   is forged.", exit 0 (here: BAD unless superseded or retired after the signature);
 * - signature dated before the key was created: ERRSIG (Time conflict), exit 2 (as here);
 * - a subkey whose binding no longer allows signing: ERRSIG (Wrong key usage), exit 2 (as here);
 * - `gpg --quick-set-expire` replaces the key's self-signature: once the expiry is changed, the key
 *   holds no self-signature as old as the signatures it made before (see certifiedAt).
 */
import * as openpgp from 'openpgp';

export interface KeyLifeVerdict {
  /** Why the signature does not stand, or undefined when it does. */
  readonly problem: string | undefined;
  /** What became of the key after the signature (expired, superseded, retired): it stands, and says so. */
  readonly since: readonly string[];
}

/**
 * openpgp.js's check of the signature (its text, its key's binding and usage), the key's validity
 * judged at `keyDate` when no self-signature of the key is as old as the signature.
 */
export type VerifyWith = (date: Date, config: openpgp.PartialConfig) => Promise<void>;

interface Revocation {
  readonly of: string;
  readonly at: Date;
  readonly reason: string;
  /** Superseded or retired: the key was good until then. */
  readonly soft: boolean;
}

const REASONS: Readonly<Record<number, string>> = {
  [openpgp.enums.reasonForRevocation.noReason]: 'no reason given',
  [openpgp.enums.reasonForRevocation.keySuperseded]: 'superseded',
  [openpgp.enums.reasonForRevocation.keyCompromised]: 'compromised',
  [openpgp.enums.reasonForRevocation.keyRetired]: 'retired',
  [openpgp.enums.reasonForRevocation.userIDInvalid]: 'user ID no longer valid',
};
const SOFT: readonly number[] = [
  openpgp.enums.reasonForRevocation.keySuperseded,
  openpgp.enums.reasonForRevocation.keyRetired,
];

export async function judgeSignature(
  packet: openpgp.SignaturePacket,
  key: openpgp.PublicKey,
  verifyWith: VerifyWith,
  now = new Date(),
): Promise<KeyLifeVerdict> {
  const signed = packet.created;
  if (!signed) return { problem: 'the signature states no creation time', since: [] };
  const components = key.getKeys(packet.issuerKeyID);
  const component = components[0];
  const what = component && component !== key ? `its signing subkey ${component.getKeyID().toHex()}` : 'the key';
  const designated = component ? await designatedRevocation(key, components) : undefined;
  if (designated) return { problem: designated, since: [] };
  const revocations = component ? await revocationsOf(key, components, what) : [];
  const revoked = revocations.find((r) => !r.soft) ?? revocations.find((r) => r.at <= signed);
  if (revoked)
    return {
      problem: revoked.soft
        ? `${revoked.of} was revoked on ${iso(revoked.at)} (${revoked.reason}), before this signature was made (${iso(signed)}): it signed after its owner stopped using it`
        : `${revoked.of} was revoked on ${iso(revoked.at)} (${revoked.reason}): a key revoked for any reason but "superseded" or "retired" may have been compromised, and then proves nothing whatever date its signatures bear; ask its owner why and since when, and whether the ceremony's signatures are theirs`,
      since: [],
    };
  if (component && component.getCreationTime() > signed)
    return {
      problem: `this signature is dated ${iso(signed)}, before ${what} was created (${iso(component.getCreationTime())}): the signing laptop's clock was behind, or the signature is not genuine`,
      since: [],
    };
  // A signature dated after today (the signing laptop's clock ran ahead) is checked as of its own
  // date, as GnuPG accepts it too; the report shows the time.
  const asOf = signed > now ? signed : now;
  const expires = await expiries(key, component, what, asOf);
  const own = packet.getExpirationTime();
  if (own instanceof Date && own <= asOf) return { problem: `the signature itself expired on ${iso(own)}`, since: [] };
  try {
    const keyDate = await certifiedAt(key, packet.issuerKeyID, signed);
    await (keyDate
      ? verifyWith(keyDate, { allowInsecureVerificationWithReformattedKeys: true })
      : verifyWith(asOf, {}));
  } catch (e) {
    const message = e instanceof Error ? e.message : 'verification failed';
    const lapsed = expires.find((x) => x.at <= signed);
    return {
      problem:
        lapsed && /expired/.test(message)
          ? `${lapsed.of} expired on ${iso(lapsed.at)}, before this signature was made (${iso(signed)})`
          : message,
      since: [],
    };
  }
  const since = [
    ...expires
      .filter((x) => x.at > signed && x.at <= now)
      .map((x) => `${x.of} expired on ${iso(x.at)}, after this signature`),
    ...revocations.map((r) => `${r.of} was revoked on ${iso(r.at)} (${r.reason}), after this signature`),
  ];
  return { problem: undefined, since };
}

/**
 * The revocations of the key, and of the subkey that signed, that the key itself made. A key may
 * list that subkey more than once (gpg merges the copies on import, openpgp.js keeps each apart and
 * accepts a signature if any copy is valid): a revocation on any copy revokes it.
 */
async function revocationsOf(
  key: openpgp.PublicKey,
  components: ReadonlyArray<openpgp.PublicKey | openpgp.Subkey>,
  what: string,
): Promise<Revocation[]> {
  const primary = key.keyPacket;
  const sets: Array<[string, openpgp.SignaturePacket[], openpgp.enums.signature, object]> = [
    ['the key', key.revocationSignatures, openpgp.enums.signature.keyRevocation, { key: primary }],
  ];
  for (const component of components)
    if (component !== key)
      sets.push([
        what,
        component.revocationSignatures,
        openpgp.enums.signature.subkeyRevocation,
        { key: primary, bind: component.keyPacket },
      ]);
  const found: Revocation[] = [];
  for (const [of, signatures, type, data] of sets)
    for (const revocation of signatures) {
      if (!revocation.created) continue;
      try {
        await revocation.verify(primary, type, data, revocation.created);
      } catch {
        continue; // not the key's own: it revokes nothing
      }
      const flag = revocation.reasonForRevocationFlag;
      found.push({
        of,
        at: revocation.created,
        reason: reasonOf(revocation),
        soft: flag !== null && SOFT.includes(flag),
      });
    }
  // Each copy of the subkey may hold the same revocation: it is reported once.
  const once = new Map(found.map((r) => [`${r.of} ${r.at.toISOString()} ${r.reason}`, r]));
  return [...once.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** A revocation's reason as its signer stated it, with their comment. */
function reasonOf(revocation: openpgp.SignaturePacket): string {
  const flag = revocation.reasonForRevocationFlag;
  const stated = flag === null ? 'no reason given' : (REASONS[flag] ?? `reason code ${flag}`);
  const comment = revocation.reasonForRevocationString;
  return comment ? `${stated}: ${JSON.stringify(comment)}` : stated;
}

/**
 * Why a revocation by the revoker the key's owner named voids its signatures, or undefined when it
 * holds none. An owner who may lose their key names another key to revoke it (gpg `addrevoker`: a
 * direct-key signature), and its holder revokes it (`gpg --desig-revoke`); gpg then marks the key
 * revoked. openpgp.js checks no designated revoker's signature, and skips the revocation as not
 * the key's own, so it is found here: verify cannot check it (the revoker's key is not the
 * signer's), and does not take the key as unrevoked, whatever the reason or date it states.
 */
async function designatedRevocation(
  key: openpgp.PublicKey,
  components: ReadonlyArray<openpgp.PublicKey | openpgp.Subkey>,
): Promise<string | undefined> {
  const primary = key.keyPacket;
  const named: string[] = [];
  // Read by openpgp.js from every key, but not declared in its types.
  const { directSignatures } = key as unknown as { readonly directSignatures: openpgp.SignaturePacket[] };
  for (const signature of directSignatures) {
    if (signature.revocationKeyFingerprint === null) continue;
    // openpgp.js checks the signature, then throws this for the revoker it names: so it is the owner's.
    const owners = await signature
      .verify(primary, openpgp.enums.signature.key, { key: primary }, signature.created ?? undefined)
      .then(
        () => true,
        (e: unknown) => e instanceof Error && /revoked with an authorized key/.test(e.message),
      );
    if (owners) named.push(Buffer.from(signature.revocationKeyFingerprint).toString('hex'));
  }
  const revocations = [key, ...components.filter((c) => c !== key)].flatMap((c) => c.revocationSignatures);
  for (const revocation of named.length > 0 ? revocations : []) {
    const issuer = revocation.issuerFingerprint ? Buffer.from(revocation.issuerFingerprint).toString('hex') : undefined;
    const by = named.find((f) => f === issuer || f.endsWith(revocation.issuerKeyID.toHex()));
    if (by)
      return `the key's owner named key ${by} to revoke it, and the key holds a revocation by that key ${revocation.created ? `dated ${iso(revocation.created)}` : 'with no date'} (${reasonOf(revocation)}), which verify cannot check: check it with stock gpg holding both keys (\`gpg --list-keys\` shows the key revoked or not), and ask the key's owner whether the ceremony's signatures are theirs`;
  }
  return undefined;
}

/** When the key, and the subkey that signed, expire as their newest self-signatures say. */
async function expiries(
  key: openpgp.PublicKey,
  component: openpgp.PublicKey | openpgp.Subkey | undefined,
  what: string,
  asOf: Date,
): Promise<Array<{ of: string; at: Date }>> {
  const found: Array<{ of: string; at: Date }> = [];
  const primary = await key.getExpirationTime();
  if (primary instanceof Date) found.push({ of: 'the key', at: primary });
  if (component && component !== key) {
    const sub = await (component as openpgp.Subkey).getExpirationTime(asOf);
    if (sub instanceof Date) found.push({ of: what, at: sub });
  }
  return found;
}

/**
 * Undefined when the key holds self-signatures as old as the signature (openpgp.js then judges the
 * key as it stood when it signed); else the earliest later time at which it is certified to sign.
 * GnuPG replaces a key's self-signature when its owner changes the expiry, so a key whose expiry
 * was extended or set after the ceremony holds none as old as the ceremony's signatures: it is
 * judged by its oldest remaining self-signatures instead, as gpg judges by its newest, and it must
 * not have expired by then (nor, by the checks before, been revoked, or created after it signed).
 */
async function certifiedAt(key: openpgp.PublicKey, issuer: openpgp.KeyID, signed: Date): Promise<Date | undefined> {
  // Whether the key holds self-signatures as old as `date` (the key may still be invalid then).
  const certifiedBy = async (date: Date) =>
    key.getSigningKey(issuer, date).then(
      () => true,
      (e: unknown) => !(e instanceof Error && /creation time is in the future/.test(e.message)),
    );
  if (await certifiedBy(signed)) return undefined;
  const later = [
    ...key.users.flatMap((u) => u.selfCertifications),
    ...key.getSubkeys(issuer).flatMap((s) => s.bindingSignatures),
  ]
    .map((s) => s.created)
    .filter((d): d is Date => d !== null && d > signed)
    .sort((a, b) => a.getTime() - b.getTime());
  for (const date of later) if (await certifiedBy(date)) return date;
  return undefined;
}

function iso(date: Date): string {
  return date.toISOString();
}
