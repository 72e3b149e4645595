/**
 * SHA-256 of text through node:crypto, for shared/record/journal-event.ts's hash chain: verifying a
 * 10,000-event journal with the pure-JS hash spends most of its time hashing. Strings holding a
 * lone surrogate go to the pure hash, because Node writes one as U+FFFD where the pure encoder
 * keeps its own bytes; on every well-formed string the two agree byte for byte. (isWellFormed is
 * native: a regular expression looking for any surrogate cost a verify ~10 ms over 5 MB.)
 */
import { hash } from 'node:crypto';
import { sha256Text, type TextSha256 } from '../../../shared/record/journal-event';

export const nodeSha256Text: TextSha256 = (text) =>
  text.isWellFormed() ? hash('sha256', text, 'hex') : sha256Text(text);
