/**
 * SHA256SUMS.asc: a detached OpenPGP signature of SHA256SUMS by the release key, which stock
 * `gpg --verify SHA256SUMS.asc SHA256SUMS` checks. The signature comes from the transcript signing
 * (electron/services/transcript/signing.ts), through any Signer (a key file, or GnuPG with the key
 * on a smartcard): a cleartext signature is a canonical-text (type 0x01)
 * signature over the document, so its packets, armored on their own, are a detached signature of
 * the same text. Detached rather than cleartext because with a cleartext file
 * `gpg --verify SHA256SUMS.asc SHA256SUMS` checks only the copy inside the .asc and merely warns
 * that SHA256SUMS itself was not verified.
 */
import * as openpgp from 'openpgp';
import { err, ok, type Result } from '../../../shared/result';
import type { Signer } from '../../../electron/services/pgp/signer';
import {
  readSignedTranscript,
  signatureOf,
  signTranscript,
  type SignerIdentity,
  type SigningErrorKind,
} from '../../../electron/services/transcript/signing';

export interface ChecksumsSignature {
  /** The armored detached signature, as written to SHA256SUMS.asc. */
  readonly armored: string;
  readonly signer: SignerIdentity;
}

export type ChecksumsSignatureError = SigningErrorKind | 'self-check-failed';

export async function signChecksums(
  sums: string,
  signer: Signer,
): Promise<Result<ChecksumsSignature, ChecksumsSignatureError>> {
  const signed = await signTranscript(sums, signer);
  if (!signed.ok) return signed;
  const document = await readSignedTranscript(signed.value.armored);
  if (!document.ok) return document;
  const signature = signatureOf(document.value.signatures);
  const armored = signature.armor().replace(/\r\n/g, '\n');

  // Check what will be published against the exact bytes it must cover before anyone relies on it.
  const verified = await openpgp.verify({
    message: await openpgp.createMessage({ text: sums }),
    signature: await openpgp.readSignature({ armoredSignature: armored }),
    verificationKeys: await openpgp.readKey({ armoredKey: signed.value.signer.publicKey }),
    // As of the signature's own time: the signer's clock may run ahead of this one.
    date: signature.packets[0]?.created ?? undefined,
  });
  const valid = await Promise.all(
    verified.signatures.map((s) =>
      s.verified.then(
        () => true,
        () => false,
      ),
    ),
  );
  if (valid.length !== 1 || !valid[0])
    return err(
      'self-check-failed',
      'the new signature does not verify against SHA256SUMS; nothing was written (a file name with characters OpenPGP text signatures alter, such as trailing spaces, would cause this)',
    );
  return ok({ armored, signer: signed.value.signer });
}
