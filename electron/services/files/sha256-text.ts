/**
 * SHA-256 of text through node:crypto, for shared/record/journal-event.ts's hash chain: verifying a
 * 10,000-event journal with the pure-JS hash spends most of its time hashing. Strings holding any
 * surrogate go to the pure hash, because Node writes a lone surrogate as U+FFFD where the pure
 * encoder keeps its own bytes; on every other string the two agree byte for byte.
 */
import { hash } from 'node:crypto';
import { sha256Text, type TextSha256 } from '../../../shared/record/journal-event';

const SURROGATE = /[\ud800-\udfff]/;

export const nodeSha256Text: TextSha256 = (text) =>
  SURROGATE.test(text) ? sha256Text(text) : hash('sha256', text, 'hex');
