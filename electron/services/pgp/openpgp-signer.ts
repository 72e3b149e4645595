/**
 * Signing with openpgp.js in this process: the one place a software key is unlocked to sign. The
 * key comes from a private key file and passphrase file (a cast, read for each signature), or in
 * memory (a key chosen in the app, a test's key). The fingerprint is checked before the passphrase
 * is read, so another person's key is never unlocked; the key is unlocked in memory only and its
 * secret parameters are zeroed as soon as the signature exists. Keys must be v4: GnuPG 2.2, still
 * common on auditors' machines, cannot verify v6 signatures.
 */
import { readFile } from 'node:fs/promises';
import * as openpgp from 'openpgp';
import { err, ok, type Result } from '../../../shared/result';
import { normalFingerprint } from './gpg-person';
import { GNUPG_SIGNING_ALGORITHMS, publicKeyAlgorithmName } from './gnupg-checkable';
import type { SignErrorKind, Signer } from './signer';

export interface OpenPgpPerson {
  readonly name: string;
  /** Primary key fingerprint the plan names, hex. */
  readonly fingerprint: string;
  readonly privateKeyFile: string;
  /** The passphrase on its first line; not needed for an unprotected key. */
  readonly passphraseFile?: string;
  /** The signature time; default now. */
  readonly now?: () => Date;
}

/** A private key held in memory. */
export interface OpenPgpKey {
  /** An armored OpenPGP private key. */
  readonly armoredPrivateKey: string;
  /** Needed when the key is passphrase-protected. */
  readonly passphrase?: string;
}

interface ClearablePrivateKey extends openpgp.PrivateKey {
  clearPrivateParams(): void;
}

/** Where a signer's key comes from: `read` gives it locked, `passphrase` is asked only to unlock it. */
interface KeySource {
  readonly name: string;
  read(): Promise<Result<openpgp.PrivateKey, SignErrorKind>>;
  passphrase(): Promise<Result<string, SignErrorKind>>;
  readonly now?: () => Date;
}

/** A signer for the person's key file; every use reads the file and checks it is the named key. */
export function createOpenPgpSigner(person: OpenPgpPerson): Signer {
  const fingerprint = normalFingerprint(person.fingerprint);
  return signerFor(fingerprint, {
    name: person.name,
    ...(person.now ? { now: person.now } : {}),
    async read() {
      let armoredKey: string;
      try {
        armoredKey = await readFile(person.privateKeyFile, 'utf8');
      } catch (e) {
        return err(
          'key-invalid',
          `${person.name}'s key file ${person.privateKeyFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
      const key = await readSigningKey(armoredKey, person.privateKeyFile);
      if (!key.ok) return key;
      // Checked before the passphrase is read: another person's key is never unlocked.
      if (key.value.getFingerprint() !== fingerprint)
        return err(
          'wrong-key',
          `${person.privateKeyFile} holds key ${key.value.getFingerprint().toUpperCase()}, but the plan names ${fingerprint.toUpperCase()} for ${person.name}: nothing was signed`,
        );
      return key;
    },
    async passphrase() {
      if (person.passphraseFile === undefined)
        return err('passphrase-needed', `${person.name}'s key is protected by a passphrase: give its passphrase file`);
      try {
        return ok((await readFile(person.passphraseFile, 'utf8')).split(/\r?\n/)[0] ?? '');
      } catch (e) {
        return err(
          'passphrase-needed',
          `${person.name}'s passphrase file ${person.passphraseFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
    },
  });
}

/**
 * A signer for a key in memory. Its fingerprint is the key's own: whoever uses it compares that with
 * the fingerprint the plan names before signing.
 */
export async function openPgpKeySigner(
  key: OpenPgpKey,
  options: { readonly name?: string; readonly now?: () => Date } = {},
): Promise<Result<Signer, SignErrorKind>> {
  const read = () => readSigningKey(key.armoredPrivateKey, 'the signing key');
  const first = await read();
  if (!first.ok) return first;
  const fingerprint = first.value.getFingerprint();
  return ok(
    signerFor(fingerprint, {
      name: options.name ?? first.value.getUserIDs()[0] ?? fingerprint,
      ...(options.now ? { now: options.now } : {}),
      read,
      passphrase: async () =>
        key.passphrase
          ? ok(key.passphrase)
          : err('passphrase-needed', `key ${fingerprint} is protected by a passphrase: enter it to sign`),
    }),
  );
}

function signerFor(fingerprint: string, source: KeySource): Signer {
  const date = () => (source.now ?? (() => new Date()))();
  const withKey = async <T>(
    use: (key: openpgp.PrivateKey) => Promise<Result<T, SignErrorKind>>,
  ): Promise<Result<T, SignErrorKind>> => {
    const unlocked = await unlock(source, fingerprint);
    if (!unlocked.ok) return unlocked;
    try {
      return await use(unlocked.value);
    } catch (e) {
      return err(
        'key-unusable',
        `${source.name}'s key ${fingerprint.toUpperCase()} cannot sign (${reason(e)}): check that it is not expired or revoked and has a signing key`,
      );
    } finally {
      (unlocked.value as ClearablePrivateKey).clearPrivateParams();
    }
  };
  return {
    name: source.name,
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
    // The public half needs no passphrase.
    async publicKey() {
      const key = await source.read();
      return key.ok ? ok(key.value.toPublic().armor()) : key;
    },
  };
}

/** A v4 OpenPGP private key from armored text (`where` names it in messages), still locked. */
async function readSigningKey(armoredKey: string, where: string): Promise<Result<openpgp.PrivateKey, SignErrorKind>> {
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey });
  } catch {
    return err('key-invalid', `${where} is not an armored OpenPGP private key`);
  }
  if (key.keyPacket.version !== 4)
    return err(
      'key-unsupported',
      `key ${key.getFingerprint().toUpperCase()} is a v${key.keyPacket.version} key; GnuPG 2.2 cannot verify its signatures, so sign with a v4 key`,
    );
  // Refused before it signs anything: verify refuses a transcript signature GnuPG cannot check, and
  // after a promotion authorised with this key its bundle could not be written.
  if (!GNUPG_SIGNING_ALGORITHMS.has(key.keyPacket.algorithm))
    return err(
      'key-unsupported',
      `key ${key.getFingerprint().toUpperCase()} uses public-key algorithm ${publicKeyAlgorithmName(key.keyPacket.algorithm)}; GnuPG 2.2 cannot verify its signatures, so sign with an RSA, ECDSA or EdDSA key as GnuPG makes them (openpgp.js: type 'ecc', curve 'curve25519Legacy')`,
    );
  return ok(key);
}

async function unlock(source: KeySource, fingerprint: string): Promise<Result<openpgp.PrivateKey, SignErrorKind>> {
  const key = await source.read();
  if (!key.ok || key.value.isDecrypted()) return key;
  const passphrase = await source.passphrase();
  if (!passphrase.ok) return passphrase;
  try {
    return ok(await openpgp.decryptKey({ privateKey: key.value, passphrase: passphrase.value }));
  } catch (e) {
    return /passphrase/i.test(reason(e))
      ? err('wrong-passphrase', `the passphrase for ${source.name}'s key ${fingerprint.toUpperCase()} is wrong`)
      : err(
          'key-unusable',
          `${source.name}'s key cannot be unlocked here (${reason(e)}); a smartcard key's secret part is not in the file: use the GnuPG backend`,
        );
  }
}

/** openpgp.js error text, which names the problem but never key material or passphrases. */
function reason(e: unknown): string {
  return e instanceof Error ? e.message : 'unknown error';
}
