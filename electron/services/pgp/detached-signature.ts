/**
 * Checks one armored detached signature over text against one public key: what the ceremony
 * service does with an authorisation before it is journaled, and what `verify` does with every
 * authorisation in a bundle. (Signatures are made through ./signer.ts, whichever backend holds the key.)
 */
import * as openpgp from 'openpgp';
import { utf8ToBytes } from '../../../shared/codecs/bytes';
import { judgeSignature, type KeyLifeVerdict } from './key-lifecycle';

/**
 * Whether the signature is a good one by `key` over `text`, judged as the transcript's are
 * (./key-lifecycle.ts), and when it says it was made (its signer's clock), when it can be read.
 */
export async function checkDetachedSignature(
  armoredSignature: string,
  text: string,
  key: openpgp.PublicKey,
): Promise<KeyLifeVerdict & { readonly created?: Date }> {
  let signature: openpgp.Signature;
  try {
    signature = await openpgp.readSignature({ armoredSignature });
  } catch {
    return { problem: 'it is not an armored OpenPGP signature', since: [] };
  }
  const packets = [...signature.packets];
  if (packets.length !== 1) return { problem: `it holds ${packets.length} signatures, not one`, since: [] };
  const verdict = await judgeSignature(packets[0]!, key, async (date, config) => {
    const message = await openpgp.createMessage({ binary: utf8ToBytes(text) });
    const [result] = (await openpgp.verify({ message, signature, verificationKeys: key, date, config })).signatures;
    if (!result) throw new Error('it holds no signature');
    await result.verified;
  });
  const created = packets[0]!.created;
  return created ? { ...verdict, created } : verdict;
}

/** Why the signature is not a good one by `key` over `text`, or undefined when it is. */
export async function detachedSignatureProblem(
  armoredSignature: string,
  text: string,
  key: openpgp.PublicKey,
): Promise<string | undefined> {
  return (await checkDetachedSignature(armoredSignature, text, key)).problem;
}
