/**
 * The one interface for turning an officer's PGP-encrypted share into share bytes. Two backends:
 * openpgp.js with a software key and its passphrase (openpgp-decryptor.ts), and the system gpg,
 * whose agent holds the key or talks to the officer's smartcard (gpg-decryptor.ts). Both refuse
 * to start until the share has been attributed to an officer (recipient.ts), so the person at the
 * keyboard has been shown whose share it is before any key is used.
 */
import type { Result } from '../../../shared/result';
import type { Recipient } from './recipient';
import type { ShareMessage } from './share-message';

export type ShareDecryptErrorKind =
  /** The loaded key is not the one the share is encrypted to. */
  | 'wrong-key'
  /** The loaded private key cannot be read or used. */
  | 'invalid-key'
  | 'passphrase-required'
  /** Wrong passphrase, or wrong smartcard PIN. */
  | 'bad-passphrase'
  /** The officer cancelled the passphrase or PIN prompt. */
  | 'cancelled'
  /** gpg has no secret key (nor card stub) for the share's key. */
  | 'no-secret-key'
  | 'card-not-present'
  /** The card is there but refused: PIN blocked, wrong card, reader fault. */
  | 'card-error'
  /** gpg-agent could not show a passphrase prompt. */
  | 'pinentry-failed'
  /** The message itself did not decrypt: damaged or altered. */
  | 'decryption-failed'
  /** It decrypted, but to something that is not a Vault share. */
  | 'not-a-share'
  | 'gpg-not-installed'
  /** gpg failed in a way its status output does not explain. */
  | 'gpg-failed'
  | 'timeout'
  /** A single-use decryptor was used again after forgetting its key. */
  | 'spent';

export interface ShareDecryptor {
  /**
   * Decrypts `message`, which `recipient` (from identifyRecipient) says is for that officer's key.
   * Returns the share: 33 bytes, or 32 for a 1-of-1 key. The caller wipes it once submitted.
   * Nothing is written anywhere; errors never contain the passphrase or any plaintext.
   */
  decrypt(message: ShareMessage, recipient: Recipient): Promise<Result<Uint8Array, ShareDecryptErrorKind>>;
}

/** Both backends call this first: a recipient from another message is a programmer error, not bad input. */
export function assertAttributed(message: ShareMessage, recipient: Recipient): void {
  if (!message.recipientKeyIds.includes(recipient.keyId)) {
    throw new TypeError('decrypt() was given a recipient that identifyRecipient did not derive from this message');
  }
}
