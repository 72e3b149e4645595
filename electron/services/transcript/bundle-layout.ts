/** File names of a transcript bundle directory (the `rehearse` / `verify` interface). */
export const BUNDLE_TRANSCRIPT = 'transcript.txt.asc';
export const BUNDLE_JOURNAL = 'journal.jsonl';
export const BUNDLE_SIGNERS = 'signers';
export const SIGNER_SUFFIX = '.pub.asc';
/** Signer names become file names, so they are restricted to a portable, unambiguous set. */
export const SIGNER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
