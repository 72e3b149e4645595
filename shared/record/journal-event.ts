/**
 * The ceremony journal's event: its shape, its one canonical serialisation and its hash chain.
 *
 * Each journal line is the canonical JSON of one event (RFC 8785 style: object keys sorted by
 * UTF-16 code units, no whitespace, ECMAScript number and string forms). A line that parses but
 * is not byte-identical to its canonical form is rejected, so the file has exactly one valid
 * spelling and a changed byte cannot hide in whitespace, key order or a `\u0041` escape.
 *
 *   hash(event) = SHA-256("vault-ceremony journal v1 event\n" || canonical JSON without `hash`)
 *   genesis     = SHA-256("vault-ceremony journal v1 genesis\n" || ceremony id)
 *
 * The domain prefixes keep an event hash from ever equalling a genesis value (or any other
 * SHA-256 in the system). The first event is always the journal's own `journal-created` event,
 * which names the ceremony, so the chain is bound to one ceremony and cannot be spliced into
 * another; `seq` starts at 1 and equals the line number in the file.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '../codecs/bytes';
import { err, ok, type Result } from '../result';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

export const ROLES = ['administrator', 'officer', 'witness', 'system'] as const;
export type Role = (typeof ROLES)[number];

export interface JournalEvent {
  readonly seq: number;
  /** UTC, millisecond precision: `2025-01-31T12:00:00.000Z`. */
  readonly time: string;
  readonly actor: string;
  readonly role: Role;
  readonly step: string;
  /** kebab-case, e.g. `step-acknowledged`, `vault-response`, `deviation`. */
  readonly type: string;
  /** Already redacted (see shared/record/redaction.ts) by the time it is hashed. */
  readonly details: JsonObject;
  readonly prev: string;
  readonly hash: string;
}

export type UnsealedEvent = Omit<JournalEvent, 'hash'>;

export const JOURNAL_FORMAT = 'vault-ceremony-journal/1';
/** Type, step and actor of the event the journal writes first, naming its ceremony. */
export const JOURNAL_CREATED = 'journal-created';
export const JOURNAL_STEP = 'journal';
export const JOURNAL_ACTOR = 'vault-ceremony';

const EVENT_DOMAIN = 'vault-ceremony journal v1 event\n';
const GENESIS_DOMAIN = 'vault-ceremony journal v1 genesis\n';

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const TYPE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const HASH = /^[0-9a-f]{64}$/;
const MAX_NAME = 200;
const MAX_DEPTH = 32;

/**
 * True for a real instant written as `Date.prototype.toISOString` writes it: the shape, then a
 * calendar check (proleptic Gregorian, as Date's), about ten times faster than parsing the text
 * and printing it again, once for every journal event.
 */
export function isUtcTime(text: string): boolean {
  if (!TIME.test(text)) return false;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= days &&
    digitsAt(text, 11, 2) < 24 &&
    digitsAt(text, 14, 2) < 60 &&
    digitsAt(text, 17, 2) < 60
  );
}

/**
 * The number `count` decimal digits at `start` spell (the caller has checked they are digits),
 * read in place: slicing and converting made six short strings per journal event, ~1% of a
 * 10,000-event journal check.
 */
function digitsAt(text: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) n = n * 10 + text.charCodeAt(i) - 0x30;
  return n;
}

/** True for values that survive a JSON round trip unchanged (finite numbers, plain objects, no cycles). */
export function isJsonValue(value: unknown, depth = 0): value is JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || depth >= MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((v) => isJsonValue(v, depth + 1));
}

/** The canonical JSON text of a value. Throws on non-JSON input: callers validate first. */
export function canonicalJson(value: JsonValue): string {
  // Every line parsed from a journal has its keys in sorted order already, and then the native
  // JSON.stringify writes the canonical text, several times faster than the general case.
  return stringifiesCanonically(value) ? JSON.stringify(value) : sortedJson(value);
}

/**
 * The canonical JSON of typed data as JSON writes it: fields left undefined are dropped, where
 * canonicalJson would throw. Throws on what JSON cannot hold (a cycle, a BigInt).
 */
export function canonicalDataJson(value: unknown): string {
  return canonicalJson(JSON.parse(JSON.stringify(value)) as JsonValue);
}

function sortedJson(value: JsonValue): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v: JsonValue) => sortedJson(v)).join(',')}]`;
  const obj = value as JsonObject;
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson(obj[k]!)}`).join(',')}}`;
}

/**
 * True when JSON.stringify writes exactly what sortedJson would: only null, booleans, strings,
 * finite numbers, dense plain arrays and plain objects, nested less than MAX_DEPTH deep (as
 * isJsonValue demands), every object's keys already in the order sort() gives (UTF-16 code units;
 * JSON.stringify keeps insertion order, except that it puts integer-like keys first, which then
 * fails this check).
 */
function stringifiesCanonically(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || depth >= MAX_DEPTH) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    if (proto !== Array.prototype) return false;
    for (let i = 0; i < value.length; i++) if (!stringifiesCanonically(value[i], depth + 1)) return false;
    return true;
  }
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && !(keys[i - 1]! < keys[i]!)) return false;
    if (!stringifiesCanonically((value as Record<string, unknown>)[keys[i]!], depth + 1)) return false;
  }
  return true;
}

/**
 * Lowercase hex SHA-256 of a string's UTF-8 bytes. The pure default runs in every layer; electron/
 * passes node:crypto's (electron/services/files/sha256-text.ts), several times faster over a long journal.
 */
export type TextSha256 = (text: string) => string;

export const sha256Text: TextSha256 = (text) => bytesToHex(sha256(utf8ToBytes(text)));

export interface ChainOptions {
  readonly sha256?: TextSha256;
}

export function genesisHash(ceremonyId: string, { sha256: hash = sha256Text }: ChainOptions = {}): string {
  return hash(GENESIS_DOMAIN + ceremonyId);
}

export function eventHash(event: UnsealedEvent): string {
  return encode(event).hash;
}

export function sealEvent(event: UnsealedEvent): JournalEvent {
  return { ...event, hash: eventHash(event) };
}

/** One journal line, without its newline. */
export function serializeEvent(event: JournalEvent): string {
  return encode(event).line(event.hash);
}

/**
 * The canonical body (what is hashed) and line (body plus `hash`), sharing one serialisation of
 * the details, which dominates the cost. Keys are written in their sorted order, so both equal
 * `canonicalJson` of the same object (the tests check this against canonicalJson).
 */
function encode(e: UnsealedEvent, hash: TextSha256 = sha256Text): { hash: string; line: (hash: string) => string } {
  const s = JSON.stringify;
  const head = `{"actor":${s(e.actor)},"details":${canonicalJson(e.details)},`;
  const tail = `"prev":${s(e.prev)},"role":${s(e.role)},"seq":${s(e.seq)},"step":${s(e.step)},"time":${s(e.time)},"type":${s(e.type)}}`;
  return {
    hash: hash(EVENT_DOMAIN + head + tail),
    line: (hash) => `${head}"hash":${s(hash)},${tail}`,
  };
}

/** Why a field of an event is unacceptable, or undefined when the fields are well-formed. */
export function eventFieldProblem(e: Omit<UnsealedEvent, 'seq' | 'time' | 'prev'>): string | undefined {
  const named = nameFieldProblem(e);
  if (named) return named;
  // The fields come from outside (a journal line, a caller's event): this check is what makes the types true.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
  if (typeof e.details !== 'object' || e.details === null || Array.isArray(e.details) || !isJsonValue(e.details))
    return 'details must be a plain JSON object (finite numbers, no undefined, functions, class instances or cycles)';
  return undefined;
}

/** eventFieldProblem for all but the details. */
function nameFieldProblem(e: Omit<UnsealedEvent, 'seq' | 'time' | 'prev' | 'details'>): string | undefined {
  if (typeof e.actor !== 'string' || e.actor.length === 0 || e.actor.length > MAX_NAME)
    return `actor must be a name of 1 to ${MAX_NAME} characters`;
  if (!(ROLES as readonly string[]).includes(e.role)) return `role must be one of ${ROLES.join(', ')}`;
  if (typeof e.step !== 'string' || e.step.length === 0 || e.step.length > MAX_NAME)
    return `step must be a name of 1 to ${MAX_NAME} characters`;
  if (typeof e.type !== 'string' || !TYPE.test(e.type) || e.type.length > 64)
    return 'type must be kebab-case (lowercase letters, digits and single hyphens), at most 64 characters';
  return undefined;
}

export type ChainErrorKind = 'malformed-event' | 'not-canonical' | 'sequence-broken' | 'chain-broken' | 'bad-genesis';

export interface VerifiedChain {
  readonly events: readonly JournalEvent[];
  readonly ceremonyId: string;
  readonly rehearsal: boolean;
  /** The last event's hash. */
  readonly head: string;
}

/**
 * Verifies a whole journal text: newline-terminated canonical lines, seq 1, 2, 3…, each `prev`
 * the previous `hash`, each `hash` recomputed, the first event a `journal-created` whose `prev`
 * is the genesis of the ceremony it names. The error names the first event that breaks.
 */
export function verifyJournalText(text: string, options: ChainOptions = {}): Result<VerifiedChain, ChainErrorKind> {
  const hash = options.sha256 ?? sha256Text;
  if (text.length === 0) return err('malformed-event', 'the journal is empty: it holds no event');
  if (!text.endsWith('\n'))
    return err('malformed-event', 'the journal does not end with a newline: its last line is incomplete');
  const lines = text.slice(0, -1).split('\n');
  const events: JournalEvent[] = [];
  let ceremonyId = '';
  let rehearsal = false;
  // Indexed, not `lines.entries()`: an iterator result and a pair for each of 10,000 lines.
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const lineNo = index + 1;
    const parsed = readLine(line, hash);
    if (!parsed.ok) return err(parsed.error.kind, `${eventAt(lineNo)}: ${parsed.error.message}`);
    const { event, contentHash } = parsed.value;
    if (event.seq !== lineNo)
      return err(
        'sequence-broken',
        `${eventAt(lineNo)}: its seq is ${event.seq}; events must be numbered 1, 2, 3… with no gap`,
      );
    if (index === 0) {
      const header = readHeader(event);
      if (!header.ok) return err('bad-genesis', `${eventAt(lineNo)}: ${header.error.message}`);
      ({ ceremonyId, rehearsal } = header.value);
      if (event.prev !== genesisHash(ceremonyId, { sha256: hash }))
        return err('bad-genesis', `${eventAt(lineNo)}: prev is not the genesis value of ceremony '${ceremonyId}'`);
    } else if (event.prev !== events[index - 1]!.hash) {
      return err('chain-broken', `${eventAt(lineNo)}: prev does not equal the hash of event seq ${lineNo - 1}`);
    }
    if (contentHash !== event.hash)
      return err('chain-broken', `${eventAt(lineNo)}: its hash does not match its contents; the event was altered`);
    events.push(event);
  }
  return ok({ events, ceremonyId, rehearsal, head: events[events.length - 1]!.hash });
}

/** Where an error is: built only once there is one, not for each of 10,000 events. */
function eventAt(lineNo: number): string {
  return `event seq ${lineNo} (line ${lineNo})`;
}

/** An event's keys in sorted order, as a canonical line holds them. */
const EVENT_KEYS = ['actor', 'details', 'hash', 'prev', 'role', 'seq', 'step', 'time', 'type'] as const;
/** `"hash":"<64 hex>",`: what the line has and the hashed body does not. */
const HASH_FIELD_LENGTH = 74;

/**
 * Parses one line, insisting it is the canonical spelling of a well-formed event, and returns the
 * hash its contents give (for the chain check).
 *
 * A canonical line, the usual case, is exactly JSON.stringify of what it parses to, with every
 * object's keys sorted: one walk and one stringify prove that, and its hashed body is the line
 * without its hash field. Anything else takes the general path, which names what is wrong (a
 * verify of 10,000 events spent most of its time walking each event's details three times and
 * building the canonical line from parts).
 */
function readLine(
  line: string,
  hash: TextSha256,
): Result<{ event: JournalEvent; contentHash: string }, 'malformed-event' | 'not-canonical'> {
  if (line.length > LONG_LINE && nestsDeeperThan(line, MAX_DEPTH))
    return err('malformed-event', `the line nests arrays or objects more than ${MAX_DEPTH} deep`);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return err('malformed-event', 'the line is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return err('malformed-event', 'the line is not a JSON object');
  const v = value as Record<string, unknown>;
  const sorted = hasEventKeysInOrder(v) && stringifiesCanonically(v);
  if (!sorted && !isJsonValue(v)) return err('malformed-event', 'the line is not a JSON object');
  if (!sorted && Object.keys(v).sort().join(',') !== EVENT_KEYS.join(','))
    return err(
      'malformed-event',
      'the event must have exactly: seq, time, actor, role, step, type, details, prev, hash',
    );
  if (typeof v.seq !== 'number' || !Number.isSafeInteger(v.seq) || v.seq < 1)
    return err('malformed-event', 'seq must be a positive integer');
  if (typeof v.time !== 'string' || !isUtcTime(v.time))
    return err('malformed-event', 'time must be a UTC timestamp like 2025-01-31T12:00:00.000Z');
  if (typeof v.prev !== 'string' || !HASH.test(v.prev) || typeof v.hash !== 'string' || !HASH.test(v.hash))
    return err('malformed-event', 'prev and hash must be 64 lowercase hex digits');
  const event = v as unknown as JournalEvent;
  const problem = sorted ? nameFieldProblem(event) : eventFieldProblem(event);
  if (problem) return err('malformed-event', problem);
  if (sorted && JSON.stringify(v) === line) {
    // The top-level hash field is the last `"hash":"<hash>","prev":` in the line: the details,
    // the only place such text could also appear, come before it.
    const at = line.lastIndexOf(`"hash":"${event.hash}","prev":`);
    const body = line.slice(0, at) + line.slice(at + HASH_FIELD_LENGTH);
    return ok({ event, contentHash: hash(EVENT_DOMAIN + body) });
  }
  const encoded = encode(event, hash);
  if (encoded.line(event.hash) !== line)
    return err('not-canonical', 'the line is not in canonical form (key order, spacing or escapes were changed)');
  return ok({ event, contentHash: encoded.hash });
}

/**
 * Whether an object's own keys are exactly an event's, in sorted order: compared in place, where
 * joining them into one string per event cost ~1.5% of a 10,000-event journal check.
 */
function hasEventKeysInOrder(v: object): boolean {
  const keys = Object.keys(v);
  if (keys.length !== EVENT_KEYS.length) return false;
  for (let i = 0; i < keys.length; i++) if (keys[i] !== EVENT_KEYS[i]) return false;
  return true;
}

/**
 * Lines longer than this are checked for depth before JSON.parse builds them: 16 MiB of `[` is
 * 8 million nested arrays, about 900 MB (`verify` aborted with a 256 MB heap), and nothing
 * nested past MAX_DEPTH is an event. A line this short cannot nest deep enough to matter.
 */
const LONG_LINE = 64 * 1024;

/** Whether `json` opens more than `limit` arrays or objects inside one another (outside strings). */
function nestsDeeperThan(json: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

function readHeader(event: JournalEvent): Result<{ ceremonyId: string; rehearsal: boolean }, 'bad-genesis'> {
  const { ceremony_id: ceremonyId, rehearsal, format } = event.details;
  if (
    event.type !== JOURNAL_CREATED ||
    event.role !== 'system' ||
    event.actor !== JOURNAL_ACTOR ||
    event.step !== JOURNAL_STEP
  )
    return err('bad-genesis', `the first event must be the journal's own '${JOURNAL_CREATED}' event`);
  if (format !== JOURNAL_FORMAT) return err('bad-genesis', `unknown journal format (expected ${JOURNAL_FORMAT})`);
  if (typeof ceremonyId !== 'string' || ceremonyId.length === 0 || typeof rehearsal !== 'boolean')
    return err('bad-genesis', 'the first event must name the ceremony id and whether it is a rehearsal');
  // Nothing else: the transcript shows every detail, and the journal writes only these.
  if (Object.keys(event.details).length !== 3)
    return err(
      'bad-genesis',
      'the first event must hold only the format, the ceremony id and whether it is a rehearsal',
    );
  return ok({ ceremonyId, rehearsal });
}

/** The details of the journal's first event. */
export function journalHeaderDetails(ceremonyId: string, rehearsal: boolean): JsonObject {
  return { format: JOURNAL_FORMAT, ceremony_id: ceremonyId, rehearsal };
}
