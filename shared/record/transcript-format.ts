/**
 * The human-readable transcript, rendered from the journal alone.
 *
 * The transcript is a pure, deterministic function of the verified journal, so `verify` can
 * re-render it and demand byte equality with the signed text: the signature then vouches for
 * every event, and the transcript can say nothing the journal does not. (A signed summary that
 * merely quoted the head hash would let a signer sign prose that misdescribes the journal.)
 *
 * Every line survives OpenPGP cleartext signing unchanged: no trailing whitespace, no tabs or
 * carriage returns, no template line starting with `-`, and values wrapped at 100 characters
 * (GnuPG refuses armor lines of about 20,000 bytes). Strings from events are shown as JSON
 * string literals, with line breaks, controls and invisible or direction-changing characters (a fixed list, so
 * the output cannot drift with Unicode versions) escaped as \uXXXX: a name or a Vault error text
 * cannot forge lines or hide text. Long strings are split across lines; a split never lands in
 * an escape, and a space at either end of a piece is written as \u0020, so joining the pieces
 * gives the JSON literal back.
 */
import type { JournalEvent, JsonObject, JsonValue, VerifiedChain } from './journal-event';
import { TRANSCRIPT_HIDDEN_ANY, transcriptText } from './visible-text';

/**
 * Raised whenever any journal would render differently: `verify` re-renders and compares bytes, so
 * it can check only transcripts in the format it renders, and says so by this line rather than
 * reporting an older build's honest transcript as one the journal does not render. Raised too
 * whenever the laptop records a ceremony differently (other calls, entries or details): `verify`
 * replays the record through this build's action code
 * (electron/services/transcript/action-replay.ts), so an older build's honest record would
 * otherwise read as tampered with.
 * (4: the output filter escapes default-ignorable and more format characters; 5: the laptop asks
 * an HA cluster who leads before demote, update-primary, a secondary token and an operation's call;
 * 6: a restart during signing reopens the record, which closes again; a resumed failback revokes and
 * reissues an activation token that died with the laptop, and reads whether an update-primary sent
 * before it stopped was made; a token delete refused after its own lost answer is checked with a
 * raft read; an HA cluster settles on a leader a cut-off standby's answer no longer outvotes.)
 */
export const TRANSCRIPT_FORMAT = 'vault-ceremony-transcript/6';

/**
 * The closing instructions: the check that proves who signed needs the signers' keys from
 * somewhere other than this bundle (a bundle's own keys prove only that it is self-consistent),
 * and stock gpg is pointed at the detached form, which covers every byte of transcript.txt.
 */
const HOW_TO_VERIFY = [
  'This text is transcript.txt; the journal is journal.jsonl beside it. Check both, with KEYS the',
  "signers' public keys obtained independently of this bundle (the bundle's own signers/ prove",
  'nothing about who signed):',
  '  vault-ceremony verify DIR --keyring KEYS',
  'or, with stock GnuPG and those keys imported, for the signatures alone:',
  '  gpg --verify transcript.txt.sig transcript.txt',
];

const RULE = '='.repeat(72);
const WRAP = 100;
const DETAIL_INDENT = '      ';

/** The statement the transcript makes about its journal. */
export interface TranscriptStatement {
  readonly format: string;
  readonly ceremony: string;
  readonly events: number;
  readonly head: string;
}

/**
 * Where rendered lines go, a piece at a time: built into the text (renderTranscript), or checked
 * against a signed text as they come (transcript-match.ts). A detail line is written as its pieces
 * (its container's path, its key, its value), so checking it builds no string: building each
 * line, then joining batches of them to compare, made most of the garbage of checking a transcript.
 */
export interface LineSink {
  /** Appends `piece`, which holds no line feed, to the current line. */
  write(piece: string): void;
  /** Ends the current line with a line feed. */
  end(): void;
}

export function renderTranscript(chain: VerifiedChain): string {
  const sink = new TextSink();
  renderLines(chain, sink);
  return sink.text();
}

/** Collects the pieces written, to join once: a 10,000-event journal renders to about 100,000 lines. */
class TextSink implements LineSink {
  private readonly pieces: string[] = [];

  write(piece: string): void {
    this.pieces.push(piece);
  }

  end(): void {
    this.pieces.push('\n');
  }

  text(): string {
    return this.pieces.join('');
  }
}

/** Writes every line of the transcript to `out`, each ended by a line feed: the transcript is those lines. */
export function renderLines(chain: VerifiedChain, out: LineSink): void {
  const { events, rehearsal } = chain;
  const first = events[0];
  const last = events[events.length - 1];
  if (!first || !last) throw new TypeError('renderTranscript: the journal has no events');
  const deviations = events.filter(
    (e) => e.type === 'deviation' || e.type === 'deviation-witnessed' || e.type === 'deviation-withdrawn',
  );
  const interruptions = events.filter((e) => e.type === 'interruption').length;
  const statement = statementOf(chain);
  const kind = KINDS[kindOf(events)];
  lines(out, [
    ...banner(rehearsal, kind),
    '',
    `${kind.title}: TRANSCRIPT`,
    '',
    `Format:         ${TRANSCRIPT_FORMAT}`,
    `Ceremony:       ${statement.ceremony}`,
    `Mode:           ${rehearsal ? 'REHEARSAL (simulated Vault; nothing real was changed)' : 'LIVE'}`,
    `Journal start:  ${first.time}`,
    `Journal end:    ${last.time}`,
    `Outcome:        ${outcome(events)}`,
  ]);
  abortLines(events, out);
  lines(out, [
    `Deviations:     ${deviations.length}`,
    `Interruptions:  ${interruptions}`,
    '',
    'Participants',
    ...participants(events),
    '',
    'Deviations',
  ]);
  if (deviations.length === 0) line(out, '  none recorded');
  for (const e of deviations) renderEvent(e, out);
  renderAuthorisations(events, out);
  lines(out, [
    '',
    'Events, in journal order (Vault requests and responses are redacted: secrets appear only as',
    'opaque "[redacted]" markers or SHA-256 commitments)',
  ]);
  for (const e of events) renderEvent(e, out);
  lines(out, [
    '',
    `Journal events: ${statement.events}`,
    `Journal head:   ${statement.head}`,
    ...HOW_TO_VERIFY,
    ...banner(rehearsal, kind),
  ]);
}

function line(out: LineSink, text: string): void {
  out.write(text);
  out.end();
}

function lines(out: LineSink, texts: readonly string[]): void {
  for (const text of texts) line(out, text);
}

export function statementOf(chain: VerifiedChain): TranscriptStatement {
  return {
    format: TRANSCRIPT_FORMAT,
    ceremony: display(chain.ceremonyId),
    events: chain.events.length,
    head: chain.head,
  };
}

/** Reads back what a rendered transcript states; undefined when it states nothing parseable. */
export function readTranscriptStatement(text: string): TranscriptStatement | undefined {
  // Matched line by line in place: splitting a 10,000-event transcript makes 100,000 strings. One
  // pass for the four labels: a pass each took about three times as long.
  const stated = new Map<string, string | null>();
  for (const [, label, value] of text.matchAll(STATEMENT_LINE))
    stated.set(label!, stated.has(label!) ? null : value!.trim());
  // A label stated twice (null) states nothing.
  const field = (label: string) => stated.get(label) ?? undefined;
  const format = field('Format:');
  const ceremony = field('Ceremony:');
  const events = field('Journal events:');
  const head = field('Journal head:');
  if (format === undefined || ceremony === undefined) return undefined;
  if (events === undefined || !/^[1-9]\d{0,15}$/.test(events)) return undefined;
  if (head === undefined || !/^[0-9a-f]{64}$/.test(head)) return undefined;
  return { format, ceremony, events: Number(events), head };
}

/** A line that states part of the statement: no label begins another, so each line matches one at most. */
const STATEMENT_LINE = /^(Format:|Ceremony:|Journal events:|Journal head:)(.*)$/gm;

/** How the transcript names each kind of ceremony (the plan's `kind`), and what a rehearsal of it did not do. */
const KINDS = {
  promotion: { title: 'VAULT DR SECONDARY PROMOTION CEREMONY', unchanged: 'Nothing real was promoted.' },
  failback: { title: 'VAULT DR FAILBACK CEREMONY', unchanged: 'Nothing real was demoted or failed back.' },
  operation: { title: 'VAULT REPLICATION OPERATION CEREMONY', unchanged: 'No real cluster was changed.' },
} as const;
type Kind = (typeof KINDS)[keyof typeof KINDS];

/** The kind of the plan `ceremony-started` records (the second event); a journal without one reads as a promotion. */
function kindOf(events: readonly JournalEvent[]): keyof typeof KINDS {
  const plan = events[1]?.type === 'ceremony-started' ? events[1].details.plan : undefined;
  const kind =
    plan !== null && typeof plan === 'object' && !Array.isArray(plan) ? (plan as JsonObject).kind : undefined;
  return kind === 'failback' || kind === 'operation' ? kind : 'promotion';
}

/** The rule, or the rehearsal's box, that opens and closes the transcript. */
function banner(rehearsal: boolean, kind: Kind): string[] {
  if (!rehearsal) return [RULE];
  return [
    RULE,
    '',
    ...bigText('REHEARSAL'),
    '',
    `REHEARSAL: a practice run against the simulated Vault. ${kind.unchanged}`,
    RULE,
  ];
}

const GLYPHS: Record<string, readonly string[]> = {
  R: ['#### ', '#   #', '#### ', '#  # ', '#   #'],
  E: ['#####', '#    ', '#### ', '#    ', '#####'],
  H: ['#   #', '#   #', '#####', '#   #', '#   #'],
  A: [' ### ', '#   #', '#####', '#   #', '#   #'],
  S: [' ####', '#    ', ' ### ', '    #', '#### '],
  L: ['#    ', '#    ', '#    ', '#    ', '#####'],
};

function bigText(word: string): string[] {
  return [0, 1, 2, 3, 4].map((row) => ('    ' + [...word].map((ch) => GLYPHS[ch]![row]!).join('  ')).trimEnd());
}

function finishedEvent(events: readonly JournalEvent[]): JournalEvent | undefined {
  return events.findLast((e) => e.type === 'ceremony-finished');
}

function outcome(events: readonly JournalEvent[]): string {
  const finished = finishedEvent(events);
  if (!finished) return 'NOT FINISHED (the journal has no ceremony-finished event)';
  const stated = finished.details.outcome;
  if (stated === 'aborted') return 'ABORTED';
  return typeof stated === 'string' ? display(stated) : `see event [${finished.seq}]`;
}

/**
 * Under an aborted outcome, at the top where no reader misses it: the abort as the closing event
 * names it (where, why, who proposed and who authorised it) and what it left behind.
 */
function abortLines(events: readonly JournalEvent[], out: LineSink): void {
  const finished = finishedEvent(events);
  const abort = finished?.details.abort;
  if (finished?.details.outcome !== 'aborted' || abort === undefined) return;
  flatten({ abort, loose_ends: finished.details.loose_ends ?? [] }, out);
}

/** Each role and actor pair, in the order first seen. */
function participants(events: readonly JournalEvent[]): string[] {
  // Actors by role, not a key joining the two: that built and hashed a new string for every event.
  const seen = new Map<string, Set<string>>();
  const rows: string[] = [];
  for (const e of events) {
    let actors = seen.get(e.role);
    if (!actors) seen.set(e.role, (actors = new Set()));
    if (actors.has(e.actor)) continue;
    actors.add(e.actor);
    rows.push(`  ${e.role.padEnd(15)}${display(e.actor)}`);
  }
  return rows;
}

/**
 * What cannot be undone and who signed for it: each signed authorisation (a promotion, demotion,
 * update-primary, destructive operation, abort or waiver), with the statement's action and the
 * key. The journal's `step-authorised` events (electron/services/ceremony/ceremony-record.ts)
 * hold the signatures; `verify` checks each against the named person's key.
 */
function renderAuthorisations(events: readonly JournalEvent[], out: LineSink): void {
  line(out, '');
  line(out, "Signed authorisations (each by its signer's own key; `vault-ceremony verify` checks them)");
  const signed = events.filter((e) => e.type === 'step-authorised');
  if (signed.length === 0) line(out, '  none recorded');
  for (const e of signed) {
    const event = e.details.event;
    const fingerprint =
      event !== null && typeof event === 'object' && !Array.isArray(event) ? (event as JsonObject).fingerprint : null;
    line(out, `  ${display(e.step)}: signed by ${display(e.actor)} (${e.role}) at ${e.time}, event [${e.seq}]`);
    flatten(
      {
        action: e.details.action ?? null,
        key: fingerprint ?? null,
        statement_sha256: e.details.statement_sha256 ?? null,
      },
      out,
    );
  }
}

function renderEvent(e: JournalEvent, out: LineSink): void {
  line(out, `  [${e.seq}] ${e.time}  ${display(e.step)}  ${e.type}  by ${display(e.actor)} (${e.role})`);
  flatten(e.details, out);
}

/** A line `path: value` for each leaf of `details`, the paths sorted. */
function flatten(details: JsonObject, out: LineSink): void {
  members(details, DETAIL_INDENT, out);
}

/**
 * The lines of `value`, whose path is `prefix` (indented, its container's path and separator) then
 * `name`. Only a container builds a prefix, once for all its members: a leaf writes the two pieces,
 * where building each leaf's path and line made about 200,000 strings for a 10,000-event transcript.
 */
function member(value: JsonValue, prefix: string, name: string, out: LineSink): void {
  // Strings first, as most members are; and indexed loops, not iterators: a 10,000-event
  // transcript has ~76,000 leaves, mostly visited before the code is optimised.
  if (typeof value === 'string') {
    // quote() returns such strings in plain quotes: this test skips building the quoted copy and
    // testing that for hidden characters.
    if (value.length <= WRAP - 2 && PLAIN_STRING.test(value)) {
      out.write(prefix);
      out.write(name);
      out.write(': "');
      out.write(value);
      out.write('"');
      out.end();
    } else field(prefix, name, quote(value), out);
  } else if (value === null || typeof value !== 'object') field(prefix, name, JSON.stringify(value), out);
  else if (Array.isArray(value)) {
    if (value.length === 0) return field(prefix, name, '[]', out);
    const items = `${prefix}${name}[`;
    for (let i = 0; i < value.length; i++) member(value[i] as JsonValue, items, `${i}]`, out);
  } else if (!members(value as JsonObject, `${prefix}${name}.`, out)) field(prefix, name, '{}', out);
}

/** The members of `object` under `prefix`, sorted; false when it has none. */
function members(object: JsonObject, prefix: string, out: LineSink): boolean {
  const keys = sortedKeys(object);
  for (let i = 0; i < keys.length; i++) member(object[keys[i]!]!, prefix, keyText(keys[i]!), out);
  return keys.length > 0;
}

/** Printable ASCII but `"` and `\`: what JSON.stringify quotes without an escape and transcriptText keeps. */
const PLAIN_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * An object's keys in the order sort() gives. A verified journal's lines are canonical, so their
 * objects' keys come in that order already: checking it allocates nothing, where sorting copied
 * every object's keys (about 16 MB for a 10,000-event transcript).
 */
function sortedKeys(object: JsonObject): string[] {
  const keys = Object.keys(object);
  for (let i = 1; i < keys.length; i++) if (!(keys[i - 1]! < keys[i]!)) return keys.sort();
  return keys;
}

/** `path: value`, the value split into pieces of at most WRAP characters under the first. */
function field(prefix: string, name: string, value: string, out: LineSink): void {
  out.write(prefix);
  out.write(name);
  out.write(': ');
  if (value.length <= WRAP) {
    out.write(value);
    out.end();
    return;
  }
  writePieces(value, PADS[Math.min(prefix.length + name.length + 2, PADS.length - 1)]!, out);
}

/** The indents of a long value's continuation lines: as deep as the path, up to 30 columns. */
const PADS = Array.from({ length: 31 }, (_, n) => ' '.repeat(n));

/**
 * A long quoted value in pieces of at most WRAP characters, each ending its line, every one but
 * the first after `pad`. Whole escapes and whole code points only, so no piece ends inside
 * `\u00e9` or a surrogate pair. One pass, which finds each escape once and steps over the text
 * between: a value can be megabytes long in a hostile journal.
 */
function writePieces(quoted: string, pad: string, out: LineSink): void {
  let escape = quoted.indexOf('\\');
  for (let start = 0; start < quoted.length;) {
    const limit = Math.min(start + WRAP, quoted.length);
    let end: number;
    for (;;) {
      // Up to the next escape, a piece may end anywhere but inside a surrogate pair.
      if (escape < 0 || escape >= limit) {
        end = limit < quoted.length && isPairAt(quoted, limit - 1) ? limit - 1 : limit;
        break;
      }
      const atom = escapeLength(quoted, escape);
      if (escape + atom > limit) {
        end = escape;
        break;
      }
      end = escape + atom;
      escape = quoted.indexOf('\\', end);
    }
    if (start > 0) out.write(pad);
    writePiece(quoted, start, end, out);
    start = end;
  }
}

/** quoted[start, end) as a line, a space at either end written `\u0020` so the pieces join back. */
function writePiece(quoted: string, start: number, end: number, out: LineSink): void {
  const leading = quoted.charCodeAt(start) === SPACE;
  if (leading) out.write(SPACE_ESCAPE);
  const from = leading ? start + 1 : start;
  const trailing = end > from && quoted.charCodeAt(end - 1) === SPACE;
  out.write(quoted.slice(from, trailing ? end - 1 : end));
  if (trailing) out.write(SPACE_ESCAPE);
  out.end();
}

const SPACE = 0x20;
const SPACE_ESCAPE = '\\u0020';

/** Whether a surrogate pair starts at `at`: a piece must not end between its two halves. */
function isPairAt(text: string, at: number): boolean {
  const high = text.charCodeAt(at);
  const low = text.charCodeAt(at + 1);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}

/** The length of the escape (`\u00e9`, `\n`…) at `at` of a JSON string literal. */
function escapeLength(quoted: string, at: number): number {
  UNICODE_ESCAPE.lastIndex = at + 1;
  return UNICODE_ESCAPE.test(quoted) ? 6 : 2;
}

const UNICODE_ESCAPE = /u[0-9a-fA-F]{4}/y;

function keyText(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : `[${quote(key)}]`;
}

/** A name shown bare when it is plain printable text, else as an escaped JSON string. */
function display(text: string): string {
  if (WORD.test(text)) return text;
  const plain =
    !TRANSCRIPT_HIDDEN_ANY.test(text) && /^[^\s"\\[](?:[^\s"\\]| (?! ))*$/.test(text) && !text.endsWith(' ');
  return plain && text.length <= 80 ? text : quote(text);
}

/** A word of at most 80 printable ASCII characters, which display() shows bare: one test where the full check runs three. */
const WORD = /^[\x21\x23-\x5a\x5d-\x7e][\x21\x23-\x5b\x5d-\x7e]{0,79}$/;

function quote(text: string): string {
  return transcriptText(JSON.stringify(text));
}
