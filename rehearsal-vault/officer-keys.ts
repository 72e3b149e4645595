/**
 * Rehearsal officer keys: OpenPGP v4 keys made with openpgp.js that GnuPG 2.2 imports and
 * decrypts with, so officers can rehearse `base64 -d | gpg -dq` exactly as on the day.
 * No AEAD anywhere (neither the SEIPDv2 feature flag nor AEAD-protected secret keys), because
 * GnuPG 2.2 reads neither. The user ID says "rehearsal" so such a key is never mistaken for a
 * real officer's key.
 */
import * as openpgp from 'openpgp';

export type OfficerKeyAlgorithm = 'curve25519' | 'rsa3072' | 'rsa4096';

export interface OfficerKeyOptions {
  readonly name: string;
  readonly email?: string;
  /** Default 'curve25519': an ed25519 primary key with a cv25519 encryption subkey. */
  readonly algorithm?: OfficerKeyAlgorithm;
  /** Protects the private key (iterated-salted S2K, AES-256). None when omitted. */
  readonly passphrase?: string;
}

export interface OfficerKey {
  readonly name: string;
  /** Lowercase hex of the v4 primary-key fingerprint, as Vault reports it. */
  readonly fingerprint: string;
  readonly publicKeyArmored: string;
  /** A secret: write it only where the officer's private keys belong. */
  readonly privateKeyArmored: string;
}

const GNUPG_22_COMPATIBLE: Partial<openpgp.Config> = { v6Keys: false, aeadProtect: false };

export async function generateOfficerKey(options: OfficerKeyOptions): Promise<OfficerKey> {
  const algorithm = options.algorithm ?? 'curve25519';
  const keyType =
    algorithm === 'curve25519'
      ? ({ type: 'ecc', curve: 'curve25519Legacy' } as const)
      : ({ type: 'rsa', rsaBits: algorithm === 'rsa3072' ? 3072 : 4096 } as const);
  const { privateKey, publicKey } = await openpgp.generateKey({
    ...keyType,
    userIDs: [
      { name: options.name, comment: 'vault-ceremony rehearsal', ...(options.email ? { email: options.email } : {}) },
    ],
    ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
    format: 'armored',
    config: GNUPG_22_COMPATIBLE,
  });
  const key = await openpgp.readKey({ armoredKey: publicKey });
  return {
    name: options.name,
    fingerprint: key.getFingerprint(),
    publicKeyArmored: publicKey,
    privateKeyArmored: privateKey,
  };
}
