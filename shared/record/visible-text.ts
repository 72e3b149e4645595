/**
 * The one filter for text that came from outside (a bundle file, a journal, a keyring, Vault)
 * before a person reads it, on a terminal or on screen: controls (ESC included), invisible,
 * direction-changing and private-use characters are written as `\uXXXX`, so such text can
 * neither move the cursor, erase or recolour lines, nor hide or reorder what is shown.
 * The list is fixed, so what is escaped does not drift with Unicode versions.
 */

/**
 * Characters a transcript writes as escapes (./transcript-format.ts), as its format fixed them:
 * every control, format character (bidi, zero-width, tags, number signs that span what follows),
 * private-use code point, lone surrogate, line or paragraph separator, space but U+0020, and
 * default-ignorable code point (browsers draw those as nothing, so `carol` and `carol` + U+1D173
 * would look alike), as of Unicode 17. Never changed within a transcript format: a bundle an
 * earlier build wrote must re-render to the same bytes.
 */
const TRANSCRIPT_HIDDEN_CLASS = String.raw`\u0000-\u001f\u007f-\u00a0\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u1680\u17b4\u17b5\u180b-\u180f\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ud800-\udfff\ue000-\uf8ff\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb\u{110bd}\u{110cd}\u{13430}-\u{1343f}\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0000}-\u{e0fff}\u{f0000}-\u{10ffff}`;

/**
 * Characters escaped wherever outside text is shown: the transcript's, and U+FFFC, a symbol to
 * Unicode, which Chromium draws as nothing too (a transcript holds it as it is, and is shown
 * through this filter).
 */
// eslint-disable-next-line no-misleading-character-class -- one code point at a time, on purpose
export const HIDDEN = new RegExp(`[${TRANSCRIPT_HIDDEN_CLASS}\\ufffc]`, 'gu');
// eslint-disable-next-line no-misleading-character-class -- one code point at a time, on purpose
export const HIDDEN_ANY = new RegExp(HIDDEN.source, 'u');

/** TRANSCRIPT_HIDDEN_CLASS, to write a transcript with: see transcriptText. */
// eslint-disable-next-line no-misleading-character-class -- one code point at a time, on purpose
const TRANSCRIPT_HIDDEN = new RegExp(`[${TRANSCRIPT_HIDDEN_CLASS}]`, 'gu');
// eslint-disable-next-line no-misleading-character-class -- one code point at a time, on purpose
export const TRANSCRIPT_HIDDEN_ANY = new RegExp(TRANSCRIPT_HIDDEN.source, 'u');

/** Printable ASCII, the usual case, is checked much faster than the Unicode class above. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** `text` with every hidden character written as its `\uXXXX` escape (UTF-16 units). */
export function visibleText(text: string): string {
  return PRINTABLE_ASCII.test(text) ? text : text.replace(HIDDEN, escapeUnits);
}

/** `text` as a transcript writes it: each of TRANSCRIPT_HIDDEN_CLASS as its `\uXXXX` escape. */
export function transcriptText(text: string): string {
  return PRINTABLE_ASCII.test(text) ? text : text.replace(TRANSCRIPT_HIDDEN, escapeUnits);
}

/**
 * `text` with every character but printable ASCII written as its `\uXXXX` escape: for a name that
 * must not pass for another one, as a Cyrillic а or a fullwidth full stop lets a file pass for
 * transcript.txt.
 */
export function asciiText(text: string): string {
  return PRINTABLE_ASCII.test(text) ? text : text.replace(/[^\x20-\x7e]/g, escapeUnits);
}

/** Like visibleText, but keeps line breaks (LF) so multi-line text reads as lines. */
export function visibleLines(text: string): string {
  return text.split('\n').map(visibleText).join('\n');
}

/**
 * Combining marks drawn in a row at most, on screen: 4 million after one letter hung Chromium's
 * renderer for minutes, every screen of the app with it. Unicode's stream-safe text has at most
 * 30 such marks in a row; the rest are shown as escapes. The terminal and the signed text keep them.
 */
const MARKS_DRAWN = 30;
const MARK = /\p{M}/u;
const LONG_MARK_RUN = new RegExp(`\\p{M}{${MARKS_DRAWN + 1}}`, 'u');

/** visibleText, for the screen: also each combining mark past MARKS_DRAWN in a row escaped. */
export function drawnText(text: string): string {
  return boundMarks(visibleText(text));
}

/**
 * A line is drawn in pieces of at most this many characters, each laid out on its own: Chromium
 * lays out a line of 100,000 changes of writing direction in 20 s (the time grows as its square),
 * and one of 3 million hung it. A transcript's own lines are far shorter.
 */
const LINE_DRAWN = 1_000;
const PIECE = new RegExp(`[^\\n]{${LINE_DRAWN}}(?=[^\\n])`, 'gu');

/** visibleLines, for the screen, as drawnText: its lines, each longer than LINE_DRAWN broken in pieces. */
export function drawnLines(text: string): string[] {
  return boundMarks(visibleLines(text)).replace(PIECE, '$&\n').split('\n');
}

/** A loop, not a replace: matching a whole run of 4 million marks overflows V8's stack. */
function boundMarks(text: string): string {
  if (!LONG_MARK_RUN.test(text)) return text;
  const parts: string[] = [];
  let run = 0;
  for (const ch of text) {
    run = MARK.test(ch) ? run + 1 : 0;
    parts.push(run > MARKS_DRAWN ? escapeUnits(ch) : ch);
  }
  return parts.join('');
}

function escapeUnits(ch: string): string {
  let out = '';
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}
