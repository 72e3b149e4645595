/**
 * Signing with openpgp.js in this process, from a private key file and (for a protected key) a
 * passphrase file, both read for each signature, or from the key and passphrase the caller holds
 * (a rehearsal's generated keys, a passphrase typed into the app). The key is unlocked in memory
 * only and its secret parameters are zeroed as soon as the signature exists.
 */
import { readFile } from 'node:fs/promises';
import * as openpgp from 'openpgp';
import { err, ok, type Result } from '../../../shared/result';
import { normalFingerprint } from './gpg-person';
import type { SignErrorKind, Signer } from './signer';

export type OpenPgpPerson = {
  readonly name: string;
  /** Primary key fingerprint the plan names, hex. */
  readonly fingerprint: string;
  /** The passphrase on its first line; not needed for an unprotected key. */
  readonly passphraseFile?: string;
  /** The passphrase itself, instead of a file. */
  readonly passphrase?: string;
  /** The signature time; default now. */
  readonly now?: () => Date;
} & ({ readonly privateKeyFile: string } | { readonly privateKeyArmored: string });

interface ClearablePrivateKey extends openpgp.PrivateKey {
  clearPrivateParams(): void;
}

export function createOpenPgpSigner(person: OpenPgpPerson): Signer {
  const fingerprint = normalFingerprint(person.fingerprint);
  const withKey = async <T>(
    use: (key: openpgp.PrivateKey) => Promise<Result<T, SignErrorKind>>,
  ): Promise<Result<T, SignErrorKind>> => {
    const unlocked = await unlock(person, fingerprint);
    if (!unlocked.ok) return unlocked;
    try {
      return await use(unlocked.value);
    } catch (e) {
      return err(
        'key-unusable',
        `${person.name}'s key ${fingerprint.toUpperCase()} cannot sign (${reason(e)}): check that it is not expired or revoked and has a signing key`,
      );
    } finally {
      (unlocked.value as ClearablePrivateKey).clearPrivateParams();
    }
  };
  const date = () => (person.now ?? (() => new Date()))();
  return {
    name: person.name,
    fingerprint,
    clearsign: (text) =>
      withKey(async (key) =>
        ok(
          await openpgp.sign({
            message: await openpgp.createCleartextMessage({ text }),
            signingKeys: key,
            date: date(),
          }),
        ),
      ),
    detachSign: (data) =>
      withKey(async (key) =>
        ok(
          await openpgp.sign({
            message: await openpgp.createMessage({ binary: data }),
            signingKeys: key,
            detached: true,
            date: date(),
          }),
        ),
      ),
    publicKey: () => withKey(async (key) => ok(key.toPublic().armor())),
  };
}

async function unlock(person: OpenPgpPerson, fingerprint: string): Promise<Result<openpgp.PrivateKey, SignErrorKind>> {
  let armoredKey: string;
  const source = 'privateKeyFile' in person ? person.privateKeyFile : `${person.name}'s key`;
  try {
    armoredKey = 'privateKeyFile' in person ? await readFile(person.privateKeyFile, 'utf8') : person.privateKeyArmored;
  } catch (e) {
    return err(
      'key-invalid',
      `${person.name}'s key file ${source} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey });
  } catch {
    return err('key-invalid', `${source} is not an armored OpenPGP private key`);
  }
  // Checked before the passphrase is read: another person's key is never unlocked.
  if (key.getFingerprint() !== fingerprint)
    return err(
      'wrong-key',
      `${source} holds key ${key.getFingerprint().toUpperCase()}, but the plan names ${fingerprint.toUpperCase()} for ${person.name}: nothing was signed`,
    );
  if (key.keyPacket.version !== 4)
    return err(
      'key-unsupported',
      `${person.name}'s key is a v${key.keyPacket.version} key; GnuPG 2.2 cannot verify its signatures, so sign with a v4 key`,
    );
  if (key.isDecrypted()) return ok(key);
  if (person.passphraseFile === undefined && !person.passphrase)
    return err('passphrase-needed', `${person.name}'s key is protected by a passphrase: give its passphrase`);
  let passphrase: string;
  try {
    passphrase =
      person.passphraseFile === undefined
        ? (person.passphrase ?? '')
        : ((await readFile(person.passphraseFile, 'utf8')).split(/\r?\n/)[0] ?? '');
  } catch (e) {
    return err(
      'passphrase-needed',
      `${person.name}'s passphrase file ${person.passphraseFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    return ok(await openpgp.decryptKey({ privateKey: key, passphrase }));
  } catch (e) {
    return /passphrase/i.test(reason(e))
      ? err(
          'wrong-passphrase',
          `the passphrase${person.passphraseFile === undefined ? '' : ` in ${person.passphraseFile}`} for ${person.name}'s key is wrong`,
        )
      : err(
          'key-unusable',
          `${person.name}'s key cannot be unlocked here (${reason(e)}); a smartcard key's secret part is not in the file: use the GnuPG backend`,
        );
  }
}

/** openpgp.js error text, which names the problem but never key material or passphrases. */
function reason(e: unknown): string {
  return e instanceof Error ? e.message : 'unknown error';
}
