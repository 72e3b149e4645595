/**
 * Real OpenPGP messages for tests that must recognise them: made by GnuPG (old-format packet
 * headers, as `gpg --encrypt` writes) and by openpgp.js (new-format headers, as Vault's
 * go-crypto writes), each to a fresh key in a throwaway GNUPGHOME.
 */
import { execFileSync } from 'node:child_process';
import * as openpgp from 'openpgp';
import { createTempGnupg } from './temp-gnupg';

export interface PgpMessages {
  /** gpg, cv25519 recipient: PKESK header 0x84 (old format, 1-byte length). */
  gpgEcc: Uint8Array;
  /** gpg, RSA-2048 recipient: PKESK header 0x85 (old format, 2-byte length). */
  gpgRsa: Uint8Array;
  /** openpgp.js, curve25519 recipient: PKESK header 0xC1 (new format). */
  openpgpjs: Uint8Array;
  /** `gpg --armor --encrypt` output. */
  armored: string;
  /** A binary public key (not a message), as people paste by mistake. */
  publicKey: Uint8Array;
  /** The officer-side plaintext inside every message: a share's lowercase hex, as Vault encrypts it. */
  plaintext: string;
}

export async function makePgpMessages(): Promise<PgpMessages> {
  const gnupg = createTempGnupg();
  const home = gnupg.home;
  const gpg = (args: string[], input?: string) =>
    execFileSync('gpg', ['--homedir', home, '--batch', '--quiet', '--trust-model', 'always', ...args], {
      input,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
  const plaintext = 'ab'.repeat(33);
  try {
    const keyArgs = ['--passphrase', '', '--pinentry-mode', 'loopback', '--quick-gen-key'];
    gpg([...keyArgs, 'Ecc <ecc@example.invalid>', 'future-default', 'default', 'never']);
    gpg([...keyArgs, 'Rsa <rsa@example.invalid>', 'rsa2048', 'cert,sign,encr', 'never']);
    const gpgEcc = new Uint8Array(gpg(['-r', 'ecc@example.invalid', '--encrypt'], plaintext));
    const gpgRsa = new Uint8Array(gpg(['-r', 'rsa@example.invalid', '--encrypt'], plaintext));
    const armored = gpg(['-r', 'ecc@example.invalid', '--armor', '--encrypt'], plaintext).toString('utf8');
    const publicKey = new Uint8Array(gpg(['--export', 'ecc@example.invalid']));

    const { publicKey: armoredKey } = await openpgp.generateKey({
      type: 'curve25519',
      userIDs: [{ name: 'Js' }],
      format: 'armored',
    });
    const openpgpjs = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: plaintext }),
      encryptionKeys: await openpgp.readKey({ armoredKey }),
      format: 'binary',
    });
    return { gpgEcc, gpgRsa, openpgpjs, armored, publicKey, plaintext };
  } finally {
    gnupg.dispose();
  }
}
