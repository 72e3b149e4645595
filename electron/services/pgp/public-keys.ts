/**
 * OpenPGP public keys from files people bring (an auditor's keyring, a bundle's signer file):
 * armored, several armored blocks concatenated (`cat a.asc b.asc`), or binary (`gpg --export`).
 *
 * Armored blocks are found by one pass over the lines, so the time is linear in the input
 * whatever it holds; a regular expression spanning BEGIN to END took quadratic time on a file of
 * repeated `-----BEGIN PGP A-----` lines (minutes for a few megabytes).
 */
import * as openpgp from 'openpgp';
import { err, ok, type Result } from '../../../shared/result';
import { readSmallFile } from '../files/regular-file';

export type KeyringErrorKind = 'keyring-unreadable' | 'keyring-invalid';

/** Far more than an auditor's export of a few hundred keys; a larger file is the wrong file. */
export const MAX_KEYRING_BYTES = 16 * 1024 * 1024;

export interface TrustedKey {
  /** The key's first user ID, or its fingerprint: outside text, filter it before showing it. */
  readonly name: string;
  readonly key: openpgp.PublicKey;
}

/** Reads public keys from each file; a private key or a file holding no key is refused. */
export async function readKeyrings(paths: readonly string[]): Promise<Result<TrustedKey[], KeyringErrorKind>> {
  const trusted: TrustedKey[] = [];
  for (const path of paths) {
    // A regular file only, capped: a FIFO or /dev/zero given as a keyring must not hang verify.
    const bytes = await readSmallFile(path, 'the keyring', MAX_KEYRING_BYTES);
    if (!bytes.ok) return err('keyring-unreadable', bytes.error.message);
    const keys = await parseKeys(bytes.value);
    if (!keys) return err('keyring-invalid', `${path} holds no OpenPGP public key (armored or binary)`);
    if (keys.some((k) => k.isPrivate()))
      return err('keyring-invalid', `${path} holds a private key: pass public keys only`);
    for (const key of keys) trusted.push({ name: key.getUserIDs()[0] ?? key.getFingerprint(), key });
  }
  return ok(trusted);
}

/** Every key in armored or binary input; undefined when there is none or it does not parse. */
export async function parseKeys(bytes: Uint8Array): Promise<openpgp.PublicKey[] | undefined> {
  try {
    const text = decodeUtf8(bytes);
    if (text?.includes('-----BEGIN PGP')) {
      // One block after another: all at once, 20,000 one-key blocks held the event loop about
      // three times as long as the same keys in one block (4.5 to 18 s for 15 MB on a 2-core laptop).
      const keys: openpgp.PublicKey[][] = [];
      for (const armoredKeys of armoredBlocks(text)) keys.push(await openpgp.readKeys({ armoredKeys }));
      return keys.length > 0 ? keys.flat() : undefined;
    }
    return await openpgp.readKeys({ binaryKeys: bytes });
  } catch {
    return undefined;
  }
}

const BEGIN_LINE = /^-----BEGIN PGP [A-Z ]{1,40}-----\s*$/;
const END_LINE = /^-----END PGP [A-Z ]{1,40}-----\s*$/;

/**
 * The armored blocks in `text`, each from a BEGIN line to the next END line. A BEGIN line inside
 * an open block starts the block again, so every line is looked at once.
 */
export function armoredBlocks(text: string): string[] {
  const blocks: string[] = [];
  let start = -1;
  for (let at = 0; at < text.length;) {
    const newline = text.indexOf('\n', at);
    const end = newline < 0 ? text.length : newline;
    // Only lines that start with the armor dashes are tested, and each test sees one line.
    if (text.startsWith('-----', at)) {
      const line = text.slice(at, end);
      if (BEGIN_LINE.test(line)) start = at;
      else if (start >= 0 && END_LINE.test(line)) {
        blocks.push(text.slice(start, end));
        start = -1;
      }
    }
    at = end + 1;
  }
  return blocks;
}

export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
