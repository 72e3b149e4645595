/**
 * Checks one armored detached signature over text against one public key: what the ceremony
 * service does with an authorisation before it is journaled, and what `verify` does with every
 * authorisation in a bundle. (Signatures are made through ./signer.ts, whichever backend holds the key.)
 */
import * as openpgp from 'openpgp';
import { utf8ToBytes } from '../../../shared/codecs/bytes';

/** Why the signature is not a good one by `key` over `text`, or undefined when it is. */
export async function detachedSignatureProblem(
  armoredSignature: string,
  text: string,
  key: openpgp.PublicKey,
): Promise<string | undefined> {
  let signature: openpgp.Signature;
  try {
    signature = await openpgp.readSignature({ armoredSignature });
  } catch {
    return 'it is not an armored OpenPGP signature';
  }
  const packets = [...signature.packets];
  if (packets.length !== 1) return `it holds ${packets.length} signatures, not one`;
  const created = packets[0]!.created;
  try {
    // As of when it was made, as the transcript's signatures are: a laptop clock ahead of the auditor's is no forgery.
    const asOf = created && created.getTime() > Date.now() ? created : new Date();
    const message = await openpgp.createMessage({ binary: utf8ToBytes(text) });
    const [result] = (await openpgp.verify({ message, signature, verificationKeys: key, date: asOf })).signatures;
    if (!result) return 'it holds no signature';
    await result.verified;
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : 'verification failed';
  }
}
