/**
 * OpenPGP cleartext signatures on the transcript, made by any Signer (../pgp/signer.ts): openpgp.js
 * with a software key, or the system gpg with a key on a smartcard.
 *
 * The administrator signs first; each witness then countersigns the same document: another
 * signature packet over the same text, every earlier one kept, so stock `gpg --verify` reports
 * one good signature per signer. The signer's cleartext signature is taken apart and only its
 * signature packet kept: it must be issued by the signer's own key, not be there already, and
 * verify with openpgp.js against the signer's public key before it joins the document.
 *
 * A signed transcript has exactly one valid spelling: the armor openpgp.js writes for its text and
 * signature packets. readSignedTranscript() insists on it, because OpenPGP itself cannot see some
 * changes (trailing whitespace, a different `Hash:` header, CR/LF line ends, unused base64 bits,
 * a damaged CRC that GnuPG would reject but openpgp.js ignores, re-encoded packets).
 */
import * as openpgp from 'openpgp';
import { err, ok, type Result } from '../../../shared/result';
import { beyondGnupg } from '../pgp/gnupg-checkable';
import type { SignErrorKind, Signer } from '../pgp/signer';

/** Who made a signature, as the bundle records them. */
export interface SignerIdentity {
  /** Primary key fingerprint, lowercase hex. */
  readonly fingerprint: string;
  readonly userIds: readonly string[];
  /** The armored public key, as written to `signers/<name>.pub.asc`. */
  readonly publicKey: string;
}

export interface SignedTranscript {
  readonly armored: string;
  readonly signer: SignerIdentity;
}

export type SigningErrorKind =
  | SignErrorKind
  | 'not-a-transcript'
  | 'not-canonical'
  | 'already-signed'
  /** The signer returned something that is not one good signature by its own key over the text. */
  | 'signature-invalid';

/** openpgp.js members that exist at run time but are missing from its type declarations. */
interface SignedCleartext extends openpgp.CleartextMessage {
  readonly signature: openpgp.Signature;
}
export const Cleartext = openpgp.CleartextMessage as unknown as new (
  text: string,
  signature: openpgp.Signature,
) => SignedCleartext;

/** The administrator's signature: a new cleartext-signed document. */
export async function signTranscript(
  text: string,
  signer: Signer,
): Promise<Result<SignedTranscript, SigningErrorKind>> {
  return addSignature(text, [], signer);
}

/** A witness's countersignature, added to the signatures already on `armored`. */
export async function countersignTranscript(
  armored: string,
  signer: Signer,
): Promise<Result<SignedTranscript, SigningErrorKind>> {
  const document = await readSignedTranscript(armored);
  if (!document.ok) return document;
  const { text, signatures } = document.value;
  return addSignature(text, signatures, signer);
}

/** The text and signature packets of a signed transcript in its one canonical spelling. */
export async function readSignedTranscript(
  armored: string,
): Promise<Result<{ text: string; signatures: openpgp.SignaturePacket[] }, 'not-a-transcript' | 'not-canonical'>> {
  let message: SignedCleartext;
  try {
    message = (await openpgp.readCleartextMessage({ cleartextMessage: armored })) as SignedCleartext;
  } catch {
    return err('not-a-transcript', 'this is not an OpenPGP cleartext-signed document');
  }
  const packets = [...message.signature.packets];
  if (packets.length === 0 || !packets.every((p) => p instanceof openpgp.SignaturePacket))
    return err('not-a-transcript', 'the signature block must hold signature packets and nothing else');
  const text = message.getText();
  let canonical: string;
  try {
    // openpgp.js throws while armoring a packet whose algorithm ids it does not know.
    canonical = canonicalArmor(text, packets);
  } catch {
    return err('not-a-transcript', 'a signature packet uses an algorithm OpenPGP does not define');
  }
  if (canonical !== armored) {
    const line = firstDifferentLine(canonical, armored);
    return err(
      'not-canonical',
      `the signed document was changed where signatures do not reach (whitespace, line ends, armor headers or encoding), or was not written by vault-ceremony: line ${line} differs from its canonical form`,
    );
  }
  return ok({ text, signatures: packets });
}

/** openpgp.js's armor with LF line ends throughout (it writes the signed text with CRLF). */
export function canonicalArmor(text: string, signatures: readonly openpgp.SignaturePacket[]): string {
  return new Cleartext(text, signatureOf(signatures)).armor().replace(/\r\n/g, '\n');
}

function packetList(packets: readonly openpgp.SignaturePacket[]): openpgp.PacketList<openpgp.SignaturePacket> {
  const list = new openpgp.PacketList<openpgp.SignaturePacket>();
  list.push(...packets);
  return list;
}

export function signatureOf(packets: readonly openpgp.SignaturePacket[]): openpgp.Signature {
  return new openpgp.Signature(packetList(packets));
}

/** openpgp.js's random salt notation, unreadable, in every v4 signature it makes. */
const OPENPGPJS_SALT_NOTATION = 'salt@notations.openpgpjs.org';

/**
 * What a signature states in its signed part besides the text: stock `gpg --verify` prints a
 * standard notation, a policy URL, a preferred key server and a signer's user ID under "Good
 * signature" as the signer's own word (any other notation on request). Neither gpg nor openpgp.js
 * writes one unasked (openpgp.js its salt, unreadable), and verify shows none: a signature's
 * statement is the transcript, so verify refuses one that states more, and a signer's is refused
 * before it is added. Undefined when it states nothing more.
 */
export function statementBesideText(packet: openpgp.SignaturePacket): string | undefined {
  const notation = packet.rawNotations.find((n) => n.name !== OPENPGPJS_SALT_NOTATION || n.humanReadable);
  if (notation) return `a notation ${JSON.stringify(notation.name)}`;
  if (packet.policyURI !== null) return 'a policy URL';
  if (packet.preferredKeyServer !== null) return 'a preferred key server';
  if (packet.signersUserID !== null) return "a signer's user ID";
  return undefined;
}

/** The packets as a binary detached signature file, which gpg reads as one signature per packet. */
export function detachedSignatures(packets: readonly openpgp.SignaturePacket[]): Uint8Array {
  return packetList(packets).write();
}

/** 1-based number of the first line where two texts differ. */
export function firstDifferentLine(a: string, b: string): number {
  const la = a.split('\n');
  const lb = b.split('\n');
  let i = 0;
  while (i < la.length && i < lb.length && la[i] === lb[i]) i++;
  return i + 1;
}

async function addSignature(
  text: string,
  existing: readonly openpgp.SignaturePacket[],
  signer: Signer,
): Promise<Result<SignedTranscript, SigningErrorKind>> {
  const identity = await identityOf(signer);
  if (!identity.ok) return identity;
  const { key, signer: who } = identity.value;
  // Before signing, so a second signature never costs a PIN entry.
  if (existing.some((p) => key.getKeys(p.issuerKeyID).length > 0))
    return err('already-signed', `key ${who.fingerprint} has already signed this transcript`);
  const signed = await signer.clearsign(text);
  if (!signed.ok) return signed;
  const packet = await signaturePacketOf(signed.value, text, key);
  if (!packet.ok) return packet;
  return ok({ armored: canonicalArmor(text, [...existing, packet.value]), signer: who });
}

/** The signer's public key, which must be the primary key it claims. */
async function identityOf(
  signer: Signer,
): Promise<Result<{ key: openpgp.PublicKey; signer: SignerIdentity }, SigningErrorKind>> {
  const armored = await signer.publicKey();
  if (!armored.ok) return armored;
  let key: openpgp.PublicKey;
  try {
    key = await openpgp.readKey({ armoredKey: armored.value });
  } catch {
    return err('key-invalid', `${signer.name}'s public key cannot be read`);
  }
  if (key.getFingerprint() !== signer.fingerprint)
    return err(
      'wrong-key',
      `${signer.name}'s public key is ${key.getFingerprint().toUpperCase()}, not the planned ${signer.fingerprint.toUpperCase()}: nothing was signed`,
    );
  const publicKey = key.toPublic();
  return ok({
    key: publicKey,
    signer: { fingerprint: key.getFingerprint(), userIds: publicKey.getUserIDs(), publicKey: publicKey.armor() },
  });
}

/**
 * The one signature packet of a signer's cleartext signature of `text`, checked: over exactly this
 * text, issued by `key`, and good when openpgp.js verifies it as it will stand in the transcript.
 */
async function signaturePacketOf(
  armored: string,
  text: string,
  key: openpgp.PublicKey,
): Promise<Result<openpgp.SignaturePacket, 'signature-invalid'>> {
  const bad = (why: string) =>
    err('signature-invalid', `the signature made by ${key.getFingerprint().toUpperCase()} ${why}; it was not added`);
  let message: SignedCleartext;
  try {
    message = (await openpgp.readCleartextMessage({ cleartextMessage: armored })) as SignedCleartext;
  } catch {
    return bad('is not a cleartext-signed document');
  }
  const packets = [...message.signature.packets];
  const packet = packets[0];
  if (packets.length !== 1 || !(packet instanceof openpgp.SignaturePacket))
    return bad(`holds ${packets.length} packets instead of one signature`);
  if (key.getKeys(packet.issuerKeyID).length === 0) return bad("is issued by a key that is not the signer's");
  // What verify refuses, refused before it joins the document (a signer's gpg.conf may cause it).
  const beyond = beyondGnupg(packet);
  if (beyond)
    return bad(
      `uses ${beyond}, which stock GnuPG 2.2 cannot check (the signer's gpg.conf may choose it: digest-algo, personal-digest-preferences)`,
    );
  const statement = statementBesideText(packet);
  if (statement)
    return bad(
      `states more than the transcript: ${statement}, which gpg prints beside it (the signer's gpg.conf may add it: sig-notation, sig-policy-url, sig-keyserver-url, sender)`,
    );
  try {
    const verified = await openpgp.verify({
      message: await openpgp.readCleartextMessage({ cleartextMessage: canonicalArmor(text, [packet]) }),
      verificationKeys: key,
      expectSigned: true,
      // As of its own time: a signer's clock may run ahead of this one.
      date: packet.created ?? undefined,
    });
    await verified.signatures[0]?.verified;
    return ok(packet);
  } catch (e) {
    return bad(`does not verify over the transcript text (${e instanceof Error ? e.message : 'unknown error'})`);
  }
}
