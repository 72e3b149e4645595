import { MAX_WITNESSES } from '../../../shared/ceremony/ceremony-plan';

/** File names of a transcript bundle directory (the `rehearse` / `verify` interface). */
export const BUNDLE_TRANSCRIPT = 'transcript.txt.asc';
/** Exactly the signed text, for `gpg --verify transcript.txt.sig transcript.txt`. */
export const BUNDLE_TEXT = 'transcript.txt';
/** The same signature packets as transcript.txt.asc's, binary and detached, in the same order. */
export const BUNDLE_DETACHED = 'transcript.txt.sig';
export const BUNDLE_JOURNAL = 'journal.jsonl';
export const BUNDLE_SIGNERS = 'signers';
export const SIGNER_SUFFIX = '.pub.asc';
/** Everything a bundle folder holds, in the order verify names them: nothing else belongs there. */
export const BUNDLE_ENTRIES: readonly string[] = [
  BUNDLE_TRANSCRIPT,
  BUNDLE_TEXT,
  BUNDLE_DETACHED,
  BUNDLE_JOURNAL,
  BUNDLE_SIGNERS,
];
/** Signer names become file names, so they are restricted to a portable, unambiguous set. */
export const SIGNER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * What a bundle reader accepts, checked before reading. A 10,000-event ceremony, far longer than
 * any real one, has a 5 MB journal and a 3.3 MB transcript; these caps allow three times that and
 * keep a hostile bundle's verification to a few seconds, so it cannot hold the app's main process
 * for long. The costliest input per byte is a journal full of distinct key names (V8 builds a new
 * object shape for each as it parses): at 16 MiB that takes verify ~5 s on a 2-core laptop, twice
 * that at the earlier 32 MiB.
 */
export const MAX_BUNDLE_FILE_BYTES = 16 * 1024 * 1024;
export const MAX_SIGNATURES_BYTES = 1024 * 1024;
export const MAX_SIGNER_FILE_BYTES = 256 * 1024;
/**
 * User IDs, and subkeys, each, in a signer's key. openpgp.js checks every one's self-signature again
 * for each signature the key verifies: 700 copies of a user ID fit in a signer file and cost 0.2 s
 * a signature, so a forged plan's 64 signers could hold `verify` for 15 s. People have a few.
 */
export const MAX_SIGNER_KEY_BINDINGS = 64;
/**
 * User IDs and subkeys of all the signers' keys together, with the self-signatures that bind or
 * revoke them: openpgp.js checks them all again for each signature a key makes. Under the caps
 * above, a plan's 64 signers with keys of 64 of each on NIST P-521 (about 2 ms a check) held
 * `verify` for 17 s, and three signers whose keys repeated a self-signature 850 times (each file
 * under its cap) took 1.7 s on Curve25519, ten times that on P-521. People's keys hold a few dozen.
 */
export const MAX_SIGNER_KEY_PARTS_TOTAL = 512;
/** One signer file for the administrator and each witness of the largest plan. */
export const MAX_SIGNER_FILES = 1 + MAX_WITNESSES;
