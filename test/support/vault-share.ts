/** A share encrypted to an officer's key as Vault does, read back and attributed like share entry does. */
import { identifyRecipient, type OfficerPublicKey, type Recipient } from '../../electron/services/pgp/recipient';
import { readShareMessage, type ShareMessage } from '../../electron/services/pgp/share-message';
import { encryptShare, readRecipientKey } from '../../rehearsal-vault/vault-share-encryption';

export async function vaultShareFor(
  officer: OfficerPublicKey,
  share: Uint8Array,
  officers: readonly OfficerPublicKey[] = [officer],
): Promise<{ message: ShareMessage; recipient: Recipient }> {
  const key = await readRecipientKey(officer.publicKeyArmored, { allowArmored: true });
  if (!key.ok) throw new Error(key.error.message);
  const encrypted = await encryptShare(share, key.value);
  if (!encrypted.ok) throw new Error(encrypted.error.message);
  const message = await readShareMessage(encrypted.value.base64);
  if (!message.ok) throw new Error(message.error.message);
  const recipient = await identifyRecipient(message.value.recipientKeyIds, officers);
  if (!recipient.ok) throw new Error(recipient.error.message);
  return { message: message.value, recipient: recipient.value };
}
