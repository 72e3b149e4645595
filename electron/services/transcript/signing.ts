/**
 * OpenPGP cleartext signatures on the transcript, made with openpgp.js in this process.
 *
 * The administrator signs first; each witness then countersigns the same document: another
 * signature packet over the same text, every earlier one kept, so stock `gpg --verify` reports
 * one good signature per signer. Keys must be v4 (GnuPG 2.2, still common on auditors' machines,
 * cannot verify v6 signatures). A passphrase-protected key is decrypted in memory only, and its
 * secret parameters are zeroed as soon as the signature exists.
 *
 * A signed transcript has exactly one valid spelling: the armor openpgp.js writes for its text and
 * signature packets. readSignedTranscript() insists on it, because OpenPGP itself cannot see some
 * changes (trailing whitespace, a different `Hash:` header, CR/LF line ends, unused base64 bits,
 * a damaged CRC that GnuPG would reject but openpgp.js ignores, re-encoded packets).
 */
import * as openpgp from 'openpgp';
import { err, ok, type Result } from '../../../shared/result';

export interface SigningKey {
  /** An armored OpenPGP private key. */
  readonly armoredPrivateKey: string;
  /** Needed when the key is passphrase-protected. */
  readonly passphrase?: string;
}

export interface Signer {
  /** Primary key fingerprint, lowercase hex. */
  readonly fingerprint: string;
  readonly userIds: readonly string[];
  /** The armored public key, as written to `signers/<name>.pub.asc`. */
  readonly publicKey: string;
}

export interface SignedTranscript {
  readonly armored: string;
  readonly signer: Signer;
}

export type SigningErrorKind =
  | 'key-invalid'
  | 'key-unsupported'
  | 'passphrase-needed'
  | 'wrong-passphrase'
  | 'key-unusable'
  | 'not-a-transcript'
  | 'not-canonical'
  | 'already-signed';

/** openpgp.js members that exist at run time but are missing from its type declarations. */
interface SignedCleartext extends openpgp.CleartextMessage {
  readonly signature: openpgp.Signature;
}
interface ClearablePrivateKey extends openpgp.PrivateKey {
  clearPrivateParams(): void;
}
export const Cleartext = openpgp.CleartextMessage as unknown as new (
  text: string,
  signature: openpgp.Signature,
) => SignedCleartext;

/** The administrator's signature: a new cleartext-signed document. */
export async function signTranscript(
  text: string,
  key: SigningKey,
  date: Date = new Date(),
): Promise<Result<SignedTranscript, SigningErrorKind>> {
  return addSignature(text, [], key, date);
}

/** A witness's countersignature, added to the signatures already on `armored`. */
export async function countersignTranscript(
  armored: string,
  key: SigningKey,
  date: Date = new Date(),
): Promise<Result<SignedTranscript, SigningErrorKind>> {
  const document = await readSignedTranscript(armored);
  if (!document.ok) return document;
  const { text, signatures } = document.value;
  return addSignature(text, signatures, key, date);
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
  key: SigningKey,
  date: Date,
): Promise<Result<SignedTranscript, SigningErrorKind>> {
  const unlocked = await unlock(key);
  if (!unlocked.ok) return unlocked;
  const privateKey = unlocked.value;
  try {
    const fingerprint = privateKey.getFingerprint();
    if (existing.some((p) => privateKey.getKeys(p.issuerKeyID).length > 0))
      return err('already-signed', `key ${fingerprint} has already signed this transcript`);
    let signed: SignedCleartext;
    try {
      signed = (await openpgp.sign({
        message: await openpgp.createCleartextMessage({ text }),
        signingKeys: privateKey,
        date,
        format: 'object',
      })) as SignedCleartext;
    } catch (e) {
      return err(
        'key-unusable',
        `key ${fingerprint} cannot sign (${reason(e)}): check that it is not expired or revoked and has a signing key`,
      );
    }
    const packets = [...existing, ...signed.signature.packets];
    const publicKey = privateKey.toPublic();
    return ok({
      armored: canonicalArmor(text, packets),
      signer: { fingerprint, userIds: publicKey.getUserIDs(), publicKey: publicKey.armor() },
    });
  } finally {
    (privateKey as ClearablePrivateKey).clearPrivateParams();
  }
}

async function unlock(key: SigningKey): Promise<Result<openpgp.PrivateKey, SigningErrorKind>> {
  let privateKey: openpgp.PrivateKey;
  try {
    privateKey = await openpgp.readPrivateKey({ armoredKey: key.armoredPrivateKey });
  } catch {
    return err('key-invalid', 'the signing key is not an armored OpenPGP private key');
  }
  const fingerprint = privateKey.getFingerprint();
  if (privateKey.keyPacket.version !== 4)
    return err(
      'key-unsupported',
      `key ${fingerprint} is a v${privateKey.keyPacket.version} key; GnuPG 2.2 cannot verify its signatures, so sign with a v4 key`,
    );
  if (privateKey.isDecrypted()) return ok(privateKey);
  if (!key.passphrase)
    return err('passphrase-needed', `key ${fingerprint} is protected by a passphrase: enter it to sign`);
  try {
    return ok(await openpgp.decryptKey({ privateKey, passphrase: key.passphrase }));
  } catch (e) {
    return /passphrase/i.test(reason(e))
      ? err('wrong-passphrase', `the passphrase for key ${fingerprint} is wrong`)
      : err(
          'key-unusable',
          `key ${fingerprint} cannot be unlocked here (${reason(e)}); a smartcard key's secret part is not in the file`,
        );
  }
}

/** openpgp.js error text, which names the problem but never key material or passphrases. */
function reason(e: unknown): string {
  return e instanceof Error ? e.message : 'unknown error';
}
