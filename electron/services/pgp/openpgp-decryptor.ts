/**
 * Share decryption with openpgp.js, for officers who bring a software key (armored private key
 * and passphrase). Single use: the key is unlocked in memory only for the one decryption, its
 * secret parameters are zeroed straight after, and the decryptor drops the armored key and the
 * passphrase whatever the outcome, so a second attempt means entering them again.
 */
import * as openpgp from 'openpgp';
import { wipe } from '../../../shared/codecs/bytes';
import { armorIsComplete, armorType } from '../../../shared/codecs/pgp-envelope';
import { err, type Result } from '../../../shared/result';
import { displayKeyId, officerOwningKey, type OfficerPublicKey, type Recipient } from './recipient';
import { decryptRsaSessionKey, takesRsaPath } from './rsa-session-key';
import { assertAttributed, type ShareDecryptErrorKind, type ShareDecryptor } from './share-decryptor';
import type { ShareMessage } from './share-message';
import { shareFromPlaintext } from './share-plaintext';

export interface OpenPgpDecryptorOptions {
  readonly privateKeyArmored: string;
  /** Omit (or leave empty) for a key without passphrase protection. */
  readonly passphrase?: string;
  /** The ceremony's officers, only to name whose key was loaded when it is the wrong one. */
  readonly officers?: readonly OfficerPublicKey[];
}

type Outcome = Result<Uint8Array, ShareDecryptErrorKind>;

/** A single-use share decryptor holding one software key. */
export function createOpenPgpDecryptor(options: OpenPgpDecryptorOptions): ShareDecryptor {
  let credentials: { armored: string; passphrase: string } | undefined = {
    armored: options.privateKeyArmored,
    passphrase: options.passphrase ?? '',
  };
  const officers = options.officers ?? [];
  return {
    async decrypt(message, recipient) {
      assertAttributed(message, recipient);
      const taken = credentials;
      credentials = undefined;
      if (!taken) {
        return err(
          'spent',
          `the key loaded for this share was already used once and has been forgotten: load ${recipient.officer}'s key and enter the passphrase again`,
        );
      }
      return decryptOnce(taken.armored, taken.passphrase, message, recipient, officers);
    },
  };
}

async function decryptOnce(
  armored: string,
  passphrase: string,
  message: ShareMessage,
  recipient: Recipient,
  officers: readonly OfficerPublicKey[],
): Promise<Outcome> {
  const owner = `${recipient.officer}'s key`;
  const read = await readPrivateKey(armored, owner);
  if (!read.ok) return read;
  const key = read.value;
  let unlocked: openpgp.PrivateKey | undefined;
  try {
    const loadedIds = key.getKeyIDs().map((id) => id.toHex());
    if (!loadedIds.includes(recipient.keyId)) {
      const loadedOwner = await officerOwningKey(loadedIds, officers);
      return err(
        'wrong-key',
        `this share is encrypted to key ${displayKeyId(recipient.keyId)} (officer '${recipient.officer}'), but the key you loaded is ${displayKeyId(key.getKeyID().toHex())}` +
          `${loadedOwner === undefined ? '' : ` (officer '${loadedOwner}')`}: load ${owner}; nothing was decrypted`,
      );
    }
    const target = key.getKeys().find((k) => k.getKeyID().toHex() === recipient.keyId)!.keyPacket as
      openpgp.SecretKeyPacket | openpgp.SecretSubkeyPacket;
    if (target.isDummy() || target.isMissingSecretKeyMaterial()) {
      return err(
        'no-secret-key',
        `the key you loaded has no secret part for ${displayKeyId(recipient.keyId)} (it may live on a smartcard): decrypt this share with gpg and ${recipient.officer}'s card instead`,
      );
    }
    if (target.isDecrypted()) unlocked = key;
    else {
      if (passphrase === '') {
        return err('passphrase-required', `${owner} is protected by a passphrase: enter it to decrypt the share`);
      }
      const opened = await unlock(key, passphrase, owner);
      if (!opened.ok) return opened;
      unlocked = opened.value;
    }
    return await decryptWith(unlocked, message, recipient.keyId, owner);
  } finally {
    forgetSecrets(unlocked);
    forgetSecrets(key);
  }
}

async function readPrivateKey(
  armored: string,
  owner: string,
): Promise<Result<openpgp.PrivateKey, ShareDecryptErrorKind>> {
  const text = armored.trim();
  const type = armorType(text);
  if (type === 'PGP PUBLIC KEY BLOCK') {
    return err(
      'invalid-key',
      `the file you loaded is a public key; decrypting needs ${owner} private key ("-----BEGIN PGP PRIVATE KEY BLOCK-----", e.g. from \`gpg --armor --export-secret-keys\`)`,
    );
  }
  if (type !== 'PGP PRIVATE KEY BLOCK') {
    return err(
      'invalid-key',
      `the file you loaded is not an armored OpenPGP private key: load ${owner} ("-----BEGIN PGP PRIVATE KEY BLOCK-----")`,
    );
  }
  // openpgp.js waits forever on armor without its closing line.
  if (!armorIsComplete(text, type)) {
    return err(
      'invalid-key',
      `the private key you loaded is cut off before its "-----END PGP PRIVATE KEY BLOCK-----" line: load the complete file`,
    );
  }
  try {
    return { ok: true, value: await openpgp.readPrivateKey({ armoredKey: text }) };
  } catch (cause) {
    return err(
      'invalid-key',
      `the private key you loaded cannot be read (${reason(cause)}): load ${owner} as exported by gpg or this app`,
    );
  }
}

/** openpgp.decryptKey works on a clone, so the caller must forget both the clone and the original. */
async function unlock(
  key: openpgp.PrivateKey,
  passphrase: string,
  owner: string,
): Promise<Result<openpgp.PrivateKey, ShareDecryptErrorKind>> {
  try {
    return { ok: true, value: await openpgp.decryptKey({ privateKey: key, passphrase }) };
  } catch (cause) {
    if (/incorrect key passphrase/i.test(reason(cause))) {
      return err('bad-passphrase', `the passphrase for ${owner} is wrong; nothing was decrypted or submitted`);
    }
    return err('invalid-key', `${owner} could not be unlocked (${reason(cause)})`);
  }
}

/** A share is 66 hex characters; a generous cap still stops a decompression bomb at once. */
const MAX_PLAINTEXT = 4096;

async function decryptWith(
  key: openpgp.PrivateKey,
  message: ShareMessage,
  keyId: string,
  owner: string,
): Promise<Outcome> {
  let plaintext: Uint8Array | undefined;
  let sessionKey: openpgp.SessionKey | undefined;
  try {
    const parsed = await openpgp.readMessage({ binaryMessage: message.bytes });
    // RSA keys: OpenSSL does the RSA step (openpgp.js's BigInt fallback takes ~100 ms for RSA-4096).
    if (takesRsaPath(parsed, key, keyId)) sessionKey = await decryptRsaSessionKey(parsed, key, keyId);
    const keys = sessionKey ? { sessionKeys: sessionKey } : { decryptionKeys: key };
    const result = await openpgp.decrypt({
      message: parsed,
      ...keys,
      format: 'binary',
      config: { maxDecompressedMessageSize: MAX_PLAINTEXT },
    });
    const data: Uint8Array = result.data;
    plaintext = data;
    return shareFromPlaintext(data);
  } catch (cause) {
    const why = reason(cause);
    const altered = /modification detected|tag verification|integrity/i.test(why);
    return err(
      'decryption-failed',
      altered
        ? `the share did not pass its integrity check with ${owner}: the message was damaged or altered after Vault encrypted it; ask for the original`
        : `the share could not be decrypted with ${owner} (${why}): the message may be damaged; paste it again`,
    );
  } finally {
    wipe(plaintext, sessionKey?.data);
  }
}

/** Zeroes the secret key parameters openpgp.js holds as byte arrays (ECDH `d`, RSA `d p q u`, …). */
function forgetSecrets(key: openpgp.PrivateKey | undefined): void {
  for (const { keyPacket } of key?.getKeys() ?? []) {
    const params = (keyPacket as { privateParams?: object | null }).privateParams;
    for (const value of Object.values(params ?? {})) if (value instanceof Uint8Array) wipe(value);
  }
}

function reason(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
