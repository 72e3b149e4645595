/**
 * Real OpenPGP messages for tests that must recognise them, kept in test/fixtures/pgp-messages:
 * made by GnuPG 2.2 (old-format packet headers, as `gpg --encrypt` writes) and by openpgp.js 6
 * (new-format headers, as Vault's go-crypto writes), each to a throwaway key since discarded.
 * Fixed files rather than fresh keys at every run: an RSA-2048 key from gpg took seconds per test file.
 * Made with `gpg --batch --quick-gen-key` (`Ecc <ecc@example.invalid>` future-default, and
 * `Rsa <rsa@example.invalid>` rsa2048), then `gpg -r … [--armor] --encrypt` of the plaintext below,
 * `gpg --export ecc@example.invalid`, and openpgp.encrypt to a fresh curve25519 key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

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

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'pgp-messages');
const bytes = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));

export function readPgpMessages(): PgpMessages {
  return {
    gpgEcc: bytes('gpg-ecc.gpg'),
    gpgRsa: bytes('gpg-rsa.gpg'),
    openpgpjs: bytes('openpgpjs.gpg'),
    armored: readFileSync(join(FIXTURES, 'gpg-ecc.asc'), 'utf8'),
    publicKey: bytes('public-key.gpg'),
    plaintext: 'ab'.repeat(33),
  };
}
