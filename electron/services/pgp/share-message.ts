/**
 * Reads the PGP message an officer pastes for their share: base64 of a binary OpenPGP message (what
 * `vault operator init -pgp-keys` prints), its hex (the API's `keys`), or the message ASCII-armored,
 * as shared/codecs/share-input.ts recognises them. Nothing is decrypted
 * here; the point is to learn, before any key or passphrase is touched, which keys the share is
 * encrypted to, and to refuse anything that is not a public-key encrypted, integrity-protected
 * message (which is all Vault ever produces).
 */
import { createHash } from 'node:crypto';
import * as openpgp from 'openpgp';
import { wipe } from '../../../shared/codecs/bytes';
import { firstPacketTag, packetName } from '../../../shared/codecs/pgp-envelope';
import { err, ok, type Result } from '../../../shared/result';
import { parseShareInput } from '../../../shared/codecs/share-input';

export type ShareMessageErrorKind =
  | 'empty'
  | 'too-large'
  /** A plaintext share was pasted where a PGP-encrypted one was expected: route it to plaintext entry. */
  | 'plaintext-share'
  | 'incomplete'
  | 'not-pgp'
  | 'not-encrypted'
  | 'unprotected';

export interface ShareMessage {
  /** The binary OpenPGP message: ciphertext, not secret. */
  readonly bytes: Uint8Array;
  /** Key IDs named by its public-key encrypted session key packets: 16 lowercase hex digits each, in message order. */
  readonly recipientKeyIds: readonly string[];
  /** Lowercase hex SHA-256 of `bytes`: the journal's commitment to what was entered, the same whichever form was pasted. */
  readonly sha256: string;
}

/** A Vault share message is a few hundred bytes (RSA-4096 about 700); anything far larger is not one. */
const MAX_PASTED_CHARS = 64 * 1024;
const PKESK_TAG = 1;
const COPY_AGAIN = 'copy the whole value again (for Vault, the complete "Unseal Key N" or keys_base64 entry)';

type Failure = Extract<Result<never, ShareMessageErrorKind>, { ok: false }>;

export async function readShareMessage(pasted: string): Promise<Result<ShareMessage, ShareMessageErrorKind>> {
  const text = pasted.trim();
  if (text.length > MAX_PASTED_CHARS) {
    return err(
      'too-large',
      `the pasted text is ${text.length} characters, far more than a PGP-encrypted share; paste only this officer's share`,
    );
  }
  // A message is expected here, so base64 of the wrong length is a cut-off message, not a bad share.
  const unbroken = text.replace(/[\r\n]/g, '');
  if (
    unbroken.length > 44 &&
    /^[A-Za-z0-9+/=]+$/.test(unbroken) &&
    !/^[0-9a-fA-F]+$/.test(unbroken) &&
    unbroken.length % 4 !== 0
  ) {
    return err(
      'incomplete',
      `the base64 text is ${unbroken.length} characters, not a multiple of 4, so part of it is missing: ${COPY_AGAIN}`,
    );
  }
  const input = parseShareInput(text);
  if (!input.ok) {
    const { kind, message } = input.error;
    return err(kind === 'empty' ? 'empty' : kind === 'incomplete-message' ? 'incomplete' : 'not-pgp', message);
  }
  const value = input.value;
  if (value.form !== 'pgp-message') {
    wipe(value.share);
    return err(
      'plaintext-share',
      `this is a plaintext share (${value.form}), not a PGP-encrypted one: enter it as a plaintext share instead`,
    );
  }
  if (value.encoding !== 'armored') return parse(value.message);
  const bytes = await dearmor(value.armored);
  return bytes.ok ? parse(bytes.value) : bytes;
}

/** share-input has checked the armor type and its closing line (without which openpgp.js would wait forever). */
async function dearmor(armored: string): Promise<Result<Uint8Array, ShareMessageErrorKind>> {
  try {
    const { data } = await openpgp.unarmor(armored);
    if (!(data instanceof Uint8Array)) throw new TypeError('openpgp.unarmor returned a stream for string input');
    return ok(data);
  } catch (cause) {
    if (cause instanceof TypeError) throw cause;
    return err('not-pgp', `the armored message cannot be read (${errorText(cause)}): ${COPY_AGAIN}`);
  }
}

async function parse(bytes: Uint8Array): Promise<Result<ShareMessage, ShareMessageErrorKind>> {
  const tag = firstPacketTag(bytes);
  if (tag === undefined) {
    return err(
      'not-pgp',
      'this is not an OpenPGP message: paste the PGP-encrypted share Vault printed for this officer',
    );
  }
  if (tag !== PKESK_TAG) {
    return err(
      'not-encrypted',
      `this is an OpenPGP ${packetName(tag)}, not a share encrypted to an officer's key: paste the PGP-encrypted share Vault printed for this officer`,
    );
  }
  let message: openpgp.Message<Uint8Array>;
  try {
    message = await openpgp.readMessage({ binaryMessage: bytes });
  } catch (cause) {
    const text = errorText(cause);
    if (/end of (packet|input)/i.test(text))
      return err('incomplete', `the message stops part-way through a packet, so part of it is missing: ${COPY_AGAIN}`);
    return err(
      'not-pgp',
      `this is not a readable OpenPGP message (${text}): paste the PGP-encrypted share Vault printed for this officer`,
    );
  }
  const refused = refuseUnlessVaultShape(message.packets);
  if (refused) return refused;
  return ok({
    bytes,
    recipientKeyIds: message.getEncryptionKeyIDs().map((id) => id.toHex()),
    sha256: createHash('sha256').update(bytes).digest('hex'),
  });
}

/** Vault's shape: one or more PKESK packets, then exactly one integrity-protected encrypted data packet. */
function refuseUnlessVaultShape(packets: readonly unknown[]): Failure | undefined {
  const pkesk = packets.filter((p) => p instanceof openpgp.PublicKeyEncryptedSessionKeyPacket).length;
  if (packets.some((p) => p instanceof openpgp.SymEncryptedSessionKeyPacket)) {
    return err(
      'not-encrypted',
      "this message is encrypted with a password, not to an officer's key; Vault never produces these: paste the share Vault printed for this officer",
    );
  }
  if (packets.some((p) => p instanceof openpgp.SymmetricallyEncryptedDataPacket)) {
    return err(
      'unprotected',
      'this message is encrypted without integrity protection (no MDC), so tampering could not be detected; it was not made by Vault and will not be decrypted',
    );
  }
  if (pkesk === 0) {
    return err(
      'not-encrypted',
      'this is an OpenPGP message, but not one encrypted to a key (perhaps signed or plain): paste the PGP-encrypted share Vault printed for this officer',
    );
  }
  const data = packets.slice(pkesk);
  const isProtectedData = (p: unknown) =>
    p instanceof openpgp.SymEncryptedIntegrityProtectedDataPacket || p instanceof openpgp.AEADEncryptedDataPacket;
  if (data.length === 0)
    return err('incomplete', `the message ends before its encrypted data, so part of it is missing: ${COPY_AGAIN}`);
  if (
    data.length !== 1 ||
    !isProtectedData(data[0]) ||
    !packets.slice(0, pkesk).every((p) => p instanceof openpgp.PublicKeyEncryptedSessionKeyPacket)
  ) {
    return err(
      'not-encrypted',
      'this message has extra or out-of-order packets, so it is not a share as Vault encrypts it; paste exactly the share Vault printed for this officer',
    );
  }
  return undefined;
}

function errorText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
