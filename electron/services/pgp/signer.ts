/**
 * The one interface for making a person's OpenPGP signatures, whichever backend holds the key:
 * openpgp.js with a private key file and its passphrase (openpgp-signer.ts), or the system gpg
 * with the person's GnuPG home and card PIN (gpg-signer.ts). Both check, before any use, that the
 * key is the one the plan names, and both sign "now".
 *
 * The transcript takes the signature packets of `clearsign` and re-armors them canonically; a
 * detached signature is armored as stock `gpg --verify SIG FILE` expects.
 */
import type { Result } from '../../../shared/result';
import type { GpgKeyErrorKind } from './gpg-person';

export type SignErrorKind =
  | GpgKeyErrorKind
  /** The key file is not an armored OpenPGP private key. */
  | 'key-invalid'
  /** A v5/v6 key: GnuPG 2.2 cannot verify its signatures. */
  | 'key-unsupported'
  | 'passphrase-needed'
  /** Wrong passphrase or wrong card PIN: nothing was signed. */
  | 'wrong-passphrase'
  /** The card refuses the PIN until it is unblocked. */
  | 'pin-blocked'
  /** The key given is not the one the plan names for this person. */
  | 'wrong-key'
  /** The key cannot sign here (no signing key, a stub without its card, …). */
  | 'key-unusable'
  | 'card-error'
  | 'cancelled'
  | 'pinentry-failed'
  | 'timeout'
  | 'gpg-failed';

export interface Signer {
  /** The person's name in the plan. */
  readonly name: string;
  /** The primary key fingerprint the plan names, lowercase hex; every signature is by this key. */
  readonly fingerprint: string;
  /**
   * An armored cleartext-signed document (`-----BEGIN PGP SIGNED MESSAGE-----`) whose signed text,
   * as openpgp.js reads it, is exactly `text` (a final line ending included).
   */
  clearsign(text: string): Promise<Result<string, SignErrorKind>>;
  /** An armored detached signature of `data` (binary mode). */
  detachSign(data: Uint8Array): Promise<Result<string, SignErrorKind>>;
  /** The armored public key, as written beside signatures (`signers/<name>.pub.asc`). */
  publicKey(): Promise<Result<string, SignErrorKind>>;
}
