/**
 * How a ceremony is written into its journal, and read back from it.
 *
 * - The second event, `ceremony-started`, holds the whole plan (names, fingerprints, threshold:
 *   nothing secret) and the machine's start time, so a journal alone is enough to resume.
 * - Every event the state machine accepted is journaled with the event itself under
 *   `details.event`, so `replay` rebuilds the exact state. Journal types follow what the
 *   transcript shows: `step-acknowledged`, `authorisation-requested`
 *   and `step-authorised` (a signed authorisation of an irreversible step, an abort or a waiver,
 *   with `statement_sha256` and `action` beside the event), `service-result`, `deviation` (raised, cancel, abort),
 *   `deviation-witnessed`, `deviation-withdrawn` (an abort or waiver taken back unsigned), `ceremony-resumed`. Deviations the machine detects in Vault's answers
 *   get a `deviation` event of their own (no `event`: they replay from the result that caused them).
 * - `ceremony-finished` closes the record when signing begins (once no deviation awaits a witness):
 *   the transcript people sign is rendered from the journal up to and including it, and that
 *   prefix is the bundle's journal. For an aborted ceremony it also names the abort (`abort`:
 *   where, why, who authorised it). After it come only the signing's notes (each signer's
 *   acknowledgement and signature, a key refused), unless the laptop restarts or a person raises a
 *   note (reopensRecord): the `interruption` or the note reopens the record, whose restart (its
 *   reads, its `resumed` deviation and witness) or note and witness is then closed by another
 *   `ceremony-finished`, and everyone signs again over that head.
 */
import type { CeremonyEvent, Deviation, ServiceFacts } from '../../../shared/ceremony/ceremony-events';
import {
  abortOf,
  isEnded,
  nextAction,
  replay,
  transition,
  type CeremonyState,
} from '../../../shared/ceremony/ceremony-machine';
import type { CeremonyPlan } from '../../../shared/ceremony/ceremony-plan';
import { looseEnds } from '../../../shared/ceremony/ceremony-view';
import { CEREMONY_STARTED, CEREMONY_STARTED_STEP, recordedPlan } from '../../../shared/ceremony/recorded-plan';
import {
  isJsonValue,
  isUtcTime,
  type JournalEvent,
  type JsonObject,
  type Role,
  type VerifiedChain,
} from '../../../shared/record/journal-event';
import { err, ok, type Result } from '../../../shared/result';
import type { EventInput, TornTail } from '../journal/journal';
import type { ShareDecryptErrorKind } from '../pgp/share-decryptor';
import type { TranscriptSigningErrorKind } from './transcript-signing';

export const CEREMONY_FINISHED = 'ceremony-finished';
export const INTERRUPTION = 'interruption';
export const AUTHORISATION_REQUESTED = 'authorisation-requested';
export const STEP_AUTHORISED = 'step-authorised';
export const VAULT_REQUEST = 'vault-request';
export const VAULT_RESPONSE = 'vault-response';
export const ACTIVE_NODE = 'active-node';
export const CLUSTER_SETTLED = 'cluster-settled';
export const KEY_REFUSED = 'key-refused';

/**
 * The entries the laptop's code records between two ceremony events, as it performs an action or
 * reads Vault on resuming: Vault's calls (recorded-call.ts) and what it learned of a cluster's nodes.
 */
export const RUN_ENTRY_TYPES: ReadonlySet<string> = new Set([
  VAULT_REQUEST,
  VAULT_RESPONSE,
  ACTIVE_NODE,
  CLUSTER_SETTLED,
]);

/**
 * The entries the laptop writes without a ceremony event between the journal's second and its
 * closing one (ceremony events have EVENT_ENTRY_TYPES): a run's, an interruption, a refused key.
 */
export const NOTE_ENTRY_TYPES: ReadonlySet<string> = new Set([...RUN_ENTRY_TYPES, INTERRUPTION, KEY_REFUSED]);
/**
 * Who the laptop's own entries are by. Where `verify` replays (an entry for every Vault call and
 * result), entries spell these two fields out instead of `{ ...SYSTEM, step, type }`: on Node 20's
 * V8 an object spread followed by keys the source lacks gives every such object a map of its own,
 * about 1 KB that outlives a scavenge, and a 10,000-event replay spent about a quarter of its
 * time on them.
 */
export const SYSTEM = { actor: 'vault-ceremony', role: 'system' } as const;

export type RecordErrorKind = 'not-a-ceremony-journal' | 'unreadable-event';

export function startedEntry(plan: CeremonyPlan, at: string): EventInput {
  return {
    ...SYSTEM,
    step: CEREMONY_STARTED_STEP,
    type: CEREMONY_STARTED,
    details: { plan: plainJson(plan), started_at: at },
  };
}

/** The journal type of each ceremony event: what the transcript calls it. */
const ENTRY_TYPE: Readonly<Record<CeremonyEvent['type'], string>> = {
  acknowledge: 'step-acknowledged',
  authorisationRequested: AUTHORISATION_REQUESTED,
  authorise: STEP_AUTHORISED,
  serviceResult: 'service-result',
  resume: 'ceremony-resumed',
  deviationWitnessed: 'deviation-witnessed',
  withdraw: 'deviation-withdrawn',
  deviation: 'deviation',
  cancel: 'deviation',
  abort: 'deviation',
};

/**
 * The journal types written for ceremony events only, each with the event under `details.event`;
 * a `deviation` without one is a deviation the machine detected (detectedDeviations).
 */
export const EVENT_ENTRY_TYPES: ReadonlySet<string> = new Set(Object.values(ENTRY_TYPE));

/** What the laptop writes beside the event in an entry's details, by journal type: the statement signed, a share's commitment. */
const ENTRY_EXTRAS: ReadonlyMap<string, readonly string[]> = new Map([
  [STEP_AUTHORISED, ['action', 'statement_sha256']],
  ['service-result', ['share']],
]);

/** The fields of an event's entry details, beside the event, that the laptop never writes there. */
export function unwrittenDetails(entry: Pick<EventInput, 'type'> & { readonly details: JsonObject }): string[] {
  const extras = ENTRY_EXTRAS.get(entry.type) ?? [];
  return Object.keys(entry.details).filter((key) => key !== 'event' && !extras.includes(key));
}

/**
 * Why a ceremony event is not as the laptop writes one, or undefined: a field its type (and kind)
 * does not have, or a time that is not one. The machine reads only the fields it needs and the
 * transcript shows every one, so a field the laptop never writes would be text no check stands
 * behind (a result the replay cannot check, an acknowledgement, an authorisation).
 */
export function eventShapeProblem(event: CeremonyEvent): string | undefined {
  const unwritten = unwrittenFields(event, eventFields(event), 'event.');
  if (event.type === 'serviceResult' && event.outcome === 'ok') {
    const facts = event.facts as unknown as JsonObject;
    unwritten.push(...unwrittenFields(facts, FACT_FIELDS[event.facts.kind], 'event.facts.'));
    if (isObject(facts.attempt))
      unwritten.push(...unwrittenFields(facts.attempt, ATTEMPT_FIELDS, 'event.facts.attempt.'));
  }
  const attempt = event.type === 'serviceResult' && event.outcome === 'failed' ? event.observed : undefined;
  if (isObject(attempt)) unwritten.push(...unwrittenFields(attempt, ATTEMPT_FIELDS, 'event.observed.'));
  if (unwritten.length > 0) {
    const more = unwritten.length > SHOWN_FIELDS ? ` and ${unwritten.length - SHOWN_FIELDS} more fields` : '';
    return `holds ${unwritten.slice(0, SHOWN_FIELDS).join(', ')}${more} in its '${event.type}' event, which the laptop never writes there`;
  }
  if (!isUtcTime(event.at))
    return `is not dated as the laptop stamps its events: its event's time (at) is not a UTC time like 2025-01-31T12:00:00.000Z`;
  return undefined;
}

/** The fields of `event` as its type, outcome or kind has them (CeremonyEvent in ceremony-events.ts). */
function eventFields(event: CeremonyEvent): readonly string[] {
  switch (event.type) {
    case 'serviceResult':
      return event.outcome === 'ok'
        ? ['type', 'step', 'outcome', 'facts', 'at']
        : ['type', 'step', 'outcome', 'reason', 'observed', 'at'];
    case 'deviation':
      return event.kind === 'officer-substituted'
        ? [...DEVIATION_FIELDS, 'officer', 'substitute']
        : event.kind === 'officer-absent'
          ? [...DEVIATION_FIELDS, 'officer']
          : DEVIATION_FIELDS;
    default:
      return EVENT_FIELDS[event.type];
  }
}

const DEVIATION_FIELDS: readonly string[] = ['type', 'kind', 'actor', 'reason', 'at'];

const EVENT_FIELDS: Readonly<Record<Exclude<CeremonyEvent['type'], 'serviceResult' | 'deviation'>, readonly string[]>> =
  {
    acknowledge: ['type', 'step', 'actor', 'role', 'at'],
    authorisationRequested: ['type', 'step', 'nonce', 'head', 'at'],
    authorise: ['type', 'step', 'actor', 'role', 'fingerprint', 'nonce', 'head', 'signature', 'at'],
    deviationWitnessed: ['type', 'id', 'actor', 'at'],
    withdraw: ['type', 'id', 'actor', 'at'],
    cancel: ['type', 'actor', 'reason', 'at'],
    abort: ['type', 'actor', 'reason', 'at'],
    resume: ['type', 'attemptStatus', 'held', 'mode', 'follows', 'at'],
  };

/** The fields of each kind of ServiceFacts. */
const FACT_FIELDS: Readonly<Record<ServiceFacts['kind'], readonly string[]>> = {
  'read-replication-status': ['kind', 'mode', 'connectedTo'],
  'collect-root-token': ['kind'],
  'collect-batch-token': ['kind'],
  'collect-vault-token': ['kind'],
  'collect-activation-token': ['kind'],
  'generate-otp': ['kind', 'otpLength', 'legacy', 'attempt'],
  'start-attempt': ['kind', 'attempt'],
  'submit-share': ['kind', 'attempt', 'complete'],
  'decode-token': ['kind', 'tokenLength'],
  'cancel-attempt': ['kind'],
  promote: ['kind'],
  'delete-operation-token': ['kind', 'gone'],
  demote: ['kind'],
  'create-secondary-token': ['kind', 'secondaryId', 'replaced'],
  'update-primary': ['kind'],
  'replication-operation': ['kind', 'status', 'activationTokenSha256'],
  'sign-transcript': ['kind', 'signer', 'fingerprint'],
};

/** The fields of an AttemptStatus. */
const ATTEMPT_FIELDS: readonly string[] = ['started', 'nonce', 'progress', 'required', 'node'];

/** How many unwritten fields a problem names: a hostile event can hold thousands, each named at any length. */
const SHOWN_FIELDS = 5;

/** The keys of `value` not among `fields`, each after `path` (one over 64 characters cut short). */
function unwrittenFields(value: object, fields: readonly string[], path: string): string[] {
  return Object.keys(value)
    .filter((key) => !fields.includes(key))
    .map(
      (key) =>
        path +
        (/^[A-Za-z0-9_]{1,64}$/.test(key) ? key : JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key)),
    );
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Why a `key-refused` entry is not one the laptop writes in `state`, or undefined. It notes a
 * refused key, passphrase or PIN (ceremony-service.ts's noteRefusal) by the error's kind alone,
 * for the plan's officer whose share is being entered or the person signing the transcript: one
 * whose acknowledgement (theirs or their substitute's) the ceremony takes at the step it is at,
 * to enter that share or make that signature. The transcript shows the entry and its details.
 */
export function refusalProblem(e: JournalEvent, state: CeremonyState): string | undefined {
  const { kind } = e.details;
  if (Object.keys(e.details).length !== 1 || typeof kind !== 'string' || !Object.hasOwn(REFUSAL_KINDS, kind))
    return 'holds other details than the laptop writes there: only the kind of error that refused the key, such as {"kind":"bad-passphrase"}';
  const stepsUp = (actor: string) => {
    if (e.role === 'system') return false;
    const ack = transition(state, { type: 'acknowledge', step: state.step, actor, role: e.role, at: e.time });
    const action = ack.ok ? nextAction(ack.value) : undefined;
    return action?.kind === 'submit-share'
      ? action.officer === e.actor
      : action?.kind === 'sign-transcript' && action.signer === e.actor;
  };
  const substitutes = state.substitutes.filter((s) => s.officer === e.actor).map((s) => s.substitute);
  if (e.step === state.step && [e.actor, ...substitutes].some(stepsUp)) return undefined;
  return `records ${JSON.stringify(e.actor)} (${e.role}) refused at '${e.step}', where the ceremony, at '${state.step}', takes no share or signature from them: the laptop notes a refused key only for the officer whose share is being entered, or the person signing the transcript`;
}

/** The kinds of error a refused key is noted with: a share's decryption's, or a transcript signature's. */
const REFUSAL_KINDS: Readonly<Record<ShareDecryptErrorKind | TranscriptSigningErrorKind, true>> = {
  'already-signed': true,
  'bad-passphrase': true,
  cancelled: true,
  'card-error': true,
  'card-not-present': true,
  'decryption-failed': true,
  'gpg-failed': true,
  'gpg-not-installed': true,
  'invalid-key': true,
  'key-expired': true,
  'key-invalid': true,
  'key-revoked': true,
  'key-unsupported': true,
  'key-unusable': true,
  'no-secret-key': true,
  'not-a-share': true,
  'not-a-transcript': true,
  'not-canonical': true,
  'passphrase-needed': true,
  'passphrase-required': true,
  'pin-blocked': true,
  'pin-unreadable': true,
  'pinentry-failed': true,
  'save-failed': true,
  'signature-invalid': true,
  'signatures-lost': true,
  spent: true,
  timeout: true,
  'wrong-card': true,
  'wrong-key': true,
  'wrong-passphrase': true,
};

/** Who, at which step and under which type the journal records an event the machine accepted in `before`. */
export function entryEnvelope(event: CeremonyEvent, before: CeremonyState): Omit<EventInput, 'details'> {
  const type = ENTRY_TYPE[event.type];
  switch (event.type) {
    case 'acknowledge':
    case 'authorise':
      return { actor: event.actor, role: event.role, step: event.step, type };
    case 'deviationWitnessed':
    case 'withdraw':
    case 'deviation':
    case 'cancel':
    case 'abort':
      return { actor: event.actor, role: roleOf(before.plan, event.actor), step: before.step, type };
    case 'authorisationRequested':
    case 'serviceResult':
    case 'resume':
      return { actor: SYSTEM.actor, role: SYSTEM.role, step: before.step, type };
  }
}

/** The journal entry for an event the machine accepted in `before`. `extra` adds commitments and the like. */
export function entryFor(event: CeremonyEvent, before: CeremonyState, extra: JsonObject = {}): EventInput {
  return { ...entryEnvelope(event, before), details: { ...extra, event: plainJson(event) } };
}

/**
 * The event the laptop records for `event` in `state`, and the state it leads to: the event itself,
 * or, for an `ok` service result the machine rejects (Vault's answer broke its rules), that result
 * as a failure giving the machine's reason. `verify` replays service results through it too.
 */
export function admittedEvent(
  state: CeremonyState,
  event: CeremonyEvent,
): ReturnType<typeof transition> & { readonly event: CeremonyEvent } {
  const next = transition(state, event);
  if (next.ok || event.type !== 'serviceResult' || event.outcome !== 'ok') return { ...next, event };
  const failed: CeremonyEvent = {
    type: 'serviceResult',
    step: event.step,
    outcome: 'failed',
    reason: next.error.message,
    at: event.at,
  };
  return { ...transition(state, failed), event: failed };
}

/**
 * Whether `state`'s record is closed now: the laptop writes `ceremony-finished` as signing begins
 * (or the ceremony ends), never earlier, so a record cannot close on a ceremony stopped half-way.
 */
export function recordClosesAt(state: CeremonyState): boolean {
  return state.step === 'sign-transcript' || isEnded(state);
}

/**
 * The details of the `ceremony-finished` that closes `state`'s record: its outcome, the abort if any,
 * and what the transcript lists as left open. `verify` rebuilds them from its replay and compares
 * every field, so a record cannot close on less (or more) than its events show.
 */
export function closingDetails(state: CeremonyState): JsonObject & { readonly outcome: string } {
  const abort = abortDetails(state);
  const outcome = abort ? 'aborted' : state.committed ? COMMITTED_OUTCOME[state.plan.kind] : 'cancelled';
  return {
    outcome,
    ...(abort ? { abort } : {}),
    deviations: state.deviations.length,
    undeleted_operation_tokens: state.undeletedTokens,
    loose_ends: [...looseEnds(state)],
    completed_steps: state.completed.map((r) => r.step),
  };
}

const COMMITTED_OUTCOME: Record<CeremonyPlan['kind'], string> = {
  promotion: 'promoted',
  failback: 'failed back',
  operation: 'operation performed',
};

/** The `abort` detail of an aborted ceremony's closing event: the step it stopped at, the reason as signed, who proposed and who authorised it. */
export function abortDetails(state: CeremonyState): JsonObject | undefined {
  const a = abortOf(state);
  return a && { step: a.step, reason: a.reason, raised_by: a.raisedBy, authorised_by: [...a.authorisedBy] };
}

/**
 * The details of the interruption the laptop records on resuming `state` (./ceremony-recovery.ts):
 * the last event the journal held when it reopened (`last`), the torn last write it cut if any,
 * what the ceremony held then and so lost, the attempt it had open, and whether its record was
 * closed (for signing; this interruption reopens it). `verify` rebuilds them from its replay.
 */
export function interruptionDetails(
  state: CeremonyState,
  last: Pick<JournalEvent, 'seq' | 'time' | 'type'>,
  closed: boolean,
  tornTail: TornTail | undefined,
): JsonObject {
  const attempt = state.attempt;
  return {
    last_event: { seq: last.seq, time: last.time, type: last.type },
    ...(tornTail ? { torn_tail: { bytes: tornTail.bytes, after_seq: tornTail.afterSeq } } : {}),
    secrets_lost: [...state.held],
    attempt: attempt ? { nonce: attempt.nonce, progress: attempt.progress, required: attempt.required } : null,
    record_closed: closed,
  };
}

/** `deviation` entries for what the machine detected by itself between two states. */
export function detectedDeviations(before: CeremonyState, after: CeremonyState): EventInput[] {
  return after.deviations
    .filter((d) => d.id > before.deviations.length && d.raisedBy === undefined)
    .map((d: Deviation) => ({
      ...SYSTEM,
      step: d.step,
      type: 'deviation',
      details: { detected: true, id: d.id, kind: d.kind, reason: d.reason },
    }));
}

/**
 * The deviations the machine detected in the record's last ceremony event (`after` is the state it
 * replays to) that the journal does not hold: a crash can come between that event's entry and
 * theirs. Resuming writes them first, so each stands where verify's replay looks for it.
 */
export function unrecordedDeviations(chain: VerifiedChain, record: CeremonyRecord, after: CeremonyState): EventInput[] {
  const last = chain.events.findLastIndex((e) => e.details.event !== undefined);
  if (last < 0 || record.sealedEvents !== undefined) return [];
  const before = replay(record.plan, record.startedAt, record.events.slice(0, -1));
  if (!before.ok) return [];
  const recorded = chain.events.slice(last + 1).filter((e) => e.type === 'deviation').length;
  return detectedDeviations(before.value, after).slice(recorded);
}

export interface CeremonyRecord {
  readonly plan: CeremonyPlan;
  readonly startedAt: string;
  readonly events: readonly CeremonyEvent[];
  /**
   * How many journal events the transcript people sign covers (through the last `ceremony-finished`),
   * while the record is closed: undefined before it closes and once an interruption reopened it.
   */
  readonly sealedEvents: number | undefined;
}

/** Reads the plan and the machine's events back out of a verified journal. */
export function readRecord(chain: VerifiedChain): Result<CeremonyRecord, RecordErrorKind> {
  const plan = recordedPlan(chain);
  if (!plan.ok) return plan;
  // recordedPlan read it: a UTC time.
  const at = chain.events[1]!.details.started_at as string;
  const events: CeremonyEvent[] = [];
  for (const e of chain.events) {
    const payload = e.details.event;
    if (payload === undefined) continue;
    if (!isEventShaped(payload))
      return err(
        'unreadable-event',
        `journal event ${e.seq} (${e.type}) holds a ceremony event this version cannot read`,
      );
    events.push(payload);
  }
  const finished = chain.events.findLastIndex((e: JournalEvent) => e.type === CEREMONY_FINISHED);
  const reopened = chain.events.slice(finished + 1).some(reopensRecord);
  return ok({
    plan: plan.value,
    startedAt: at,
    events,
    sealedEvents: finished < 0 || reopened ? undefined : finished + 1,
  });
}

/**
 * Whether a journal entry written after the record closed reopens it: a restart (its interruption),
 * or a note a person raises during the signing, which is theirs to have signed. Either follows the
 * head signed so far; the record closes again once nothing awaits a witness, and everyone signs anew.
 */
export function reopensRecord(entry: { readonly type: string; readonly details?: JsonObject }): boolean {
  if (entry.type === INTERRUPTION) return true;
  const event = entry.details?.event;
  return entry.type === 'deviation' && isEventShaped(event) && event.type === 'deviation' && event.kind === 'note';
}

/** The role a plan gives a name; witnessed substitutes are officers. */
export function roleOf(plan: CeremonyPlan, actor: string): Role {
  if (actor === plan.administrator.name) return 'administrator';
  if (plan.witnesses.some((w) => w.name === actor)) return 'witness';
  return 'officer';
}

/** Made once, not for each event read (verify reads every event of a record). */
const EVENT_TYPES: ReadonlySet<string> = new Set<CeremonyEvent['type']>([
  'acknowledge',
  'authorisationRequested',
  'authorise',
  'serviceResult',
  'deviation',
  'deviationWitnessed',
  'cancel',
  'abort',
  'withdraw',
  'resume',
]);

/** The journal (and replay) check the rest; this only keeps a foreign object from passing as an event. */
export function isEventShaped(value: unknown): value is CeremonyEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { type, at } = value as { type?: unknown; at?: unknown };
  return typeof at === 'string' && EVENT_TYPES.has(String(type));
}

/** Plain JSON of typed data (undefined fields dropped), as the journal stores it. */
function plainJson(value: object): JsonObject {
  const plain: unknown = JSON.parse(JSON.stringify(value));
  if (!isJsonValue(plain) || typeof plain !== 'object' || plain === null || Array.isArray(plain))
    throw new TypeError('not a JSON object');
  return plain as JsonObject;
}
