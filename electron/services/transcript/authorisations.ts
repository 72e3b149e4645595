/**
 * The signed authorisations in a bundle's journal (shared/ceremony/authorisation.ts), as `verify`
 * checks them. The journal's ceremony events are replayed through the ceremony machine, so an
 * irreversible call whose result is recorded without both authorisations of the statement then
 * current (administrator and a witness, the plan's keys, that nonce and head) breaks the replay,
 * as does a step completed past a waiver still awaiting signatures; the record must not close
 * with an abort or waiver unsigned, and closes as aborted only when the replay aborted (both
 * signatures over the abort's statement, reason included); every field of the closing event (outcome,
 * abort, deviations, undeleted tokens, loose ends, completed steps) must be what the replay gives;
 * each authorisation request must state the hash of the event before it as the journal head; and
 * each signature must be a good one, over exactly that statement, by the key the plan names for
 * the person (the key from signers/ merged into the auditor's copy, so it is anchored like the
 * rest), judged over the key's life as the transcript's signatures are (../pgp/key-lifecycle.ts).
 *
 * Each entry must also be the one the laptop writes for the replay (ceremony-record.ts): a ceremony
 * event's actor, role, step and type as entryEnvelope gives them (the transcript names people from
 * these), in the event only the fields of its type dated as the laptop dates it (eventShapeProblem),
 * and beside the event nothing but what the laptop adds (unwrittenDetails); the deviations
 * the machine detected right after the event that caused them; no entry of a ceremony event's type
 * without its event; an entry the replay cannot check (Vault's answers) written as system only by
 * the laptop, and naming an administrator or witness only as the plan does; a refused key noted
 * by the error's kind alone, for whoever a share or signature is due from (refusalProblem); and a
 * closing event, last, written by the laptop once the record closes (recordClosesAt): a record cannot stop
 * half-way and call itself finished, nor close while a deviation awaits its witness. A closing
 * event is followed only by the signing's entries (a signature made, a key refused) until an
 * interruption or a person's note reopens the record (reopensRecord: a restart or a note during
 * signing, whose signatures are made again over the next closing event). A write to Vault
 * recorded at an irreversible step is made only while the replay has an action due there, which
 * it has only once both signatures are in (undueRequest): the call cannot be recorded before its
 * authorisations.
 *
 * The laptop's other entries are held to how it writes them too: each event is dated no earlier
 * than the one before it (timeGoingBack; the journal holds the last time when the clock is set
 * back); a share's commitment names the officer whose share the replay has entered there
 * (misattributedShare); every Vault request is made at the step the ceremony is at, while an
 * action is due or in the reads after an interruption (undueRequest), and its answer is the entry
 * right after it, for that same call (unansweredCall). What Vault answered must lead to the result
 * recorded: each service result the laptop reaches by itself is replayed through its own action
 * code, given the answers recorded before it, and each resume through its recovery's reads
 * (action-replay.ts), as are the entries a crash cut short, and no Vault entry stands where none
 * of these ends it (unendedRun); an interruption is followed by the resume, and a resume follows one.
 */
import type * as openpgp from 'openpgp';
import { statementDigest, statementText } from '../../../shared/ceremony/authorisation';
import {
  abortOf,
  createCeremony,
  nextAction,
  openDeviations,
  proposed,
  transition,
  type CeremonyState,
} from '../../../shared/ceremony/ceremony-machine';
import { recordedPlan } from '../../../shared/ceremony/recorded-plan';
import { isDestructivePlan, isIrreversibleStep } from '../../../shared/ceremony/step-catalogue';
import {
  ACTIVE_NODE,
  CEREMONY_FINISHED,
  closingDetails,
  CLUSTER_SETTLED,
  detectedDeviations,
  entryEnvelope,
  eventShapeProblem,
  EVENT_ENTRY_TYPES,
  INTERRUPTION,
  KEY_REFUSED,
  interruptionDetails,
  isEventShaped,
  NOTE_ENTRY_TYPES,
  recordClosesAt,
  refusalProblem,
  reopensRecord,
  RUN_ENTRY_TYPES,
  roleOf,
  SYSTEM,
  unwrittenDetails,
  VAULT_REQUEST,
  VAULT_RESPONSE,
} from '../ceremony/ceremony-record';
import type { CeremonyEvent, ServiceAction } from '../../../shared/ceremony/ceremony-events';
import type { CeremonyPlan } from '../../../shared/ceremony/ceremony-plan';
import type { EventInput } from '../journal/journal';
import {
  canonicalJson,
  type JsonObject,
  type JournalEvent,
  type JsonValue,
  type VerifiedChain,
} from '../../../shared/record/journal-event';
import { checkDetachedSignature } from '../pgp/detached-signature';
import { needsPersonInput } from '../ceremony/ceremony-actions';
import { actionMismatch, resumeMismatch, type RecordedRun } from './action-replay';

export type AuthorisationProblemKind = 'authorisation-bad' | 'authorisation-missing' | 'record-inconsistent';

/** One signed authorisation, as the bundle records it. */
export interface AuthorisationReport {
  readonly step: string;
  /** What was authorised, as the statement says: `promote`, `abort: "<reason>"`, `waive <step>: "<reason>"`… */
  readonly action: string;
  readonly signer: string;
  readonly role: string;
  readonly fingerprint: string;
  readonly statementSha256: string;
  readonly good: boolean;
  /** What became of the signer's key after it signed (expired, superseded, retired), for a good one. */
  readonly since: readonly string[];
  /** When the signature says it was made (ISO 8601, whole seconds), or 'unknown'. */
  readonly created: string;
  /** The journal's times of the request it answers and of the event recording it. */
  readonly requested: string | undefined;
  readonly recorded: string;
}

type Problem = (kind: AuthorisationProblemKind, message: string) => void;

export async function checkAuthorisations(
  chain: VerifiedChain,
  keys: ReadonlyMap<string, openpgp.PublicKey>,
  problem: Problem,
): Promise<AuthorisationReport[]> {
  const plan = recordedPlan(chain);
  // Without a plan nobody is known: verifyBundleContents reports that already.
  if (!plan.ok) return [];
  // recordedPlan read it: a UTC time.
  const startedAt = chain.events[1]!.details.started_at as string;
  const back = timeGoingBack(chain.events);
  if (back) problem('record-inconsistent', back);
  let state: CeremonyState = createCeremony(plan.value, startedAt);
  const reports: AuthorisationReport[] = [];
  /** Since an interruption, before the next ceremony event: the laptop reads the cluster to resume. */
  let resuming = false;
  /** The deviations the machine detected in the last event: the laptop records them right after it. */
  let detected: EventInput[] = [];
  let closed = false;
  /** The leaders the laptop's clients of each HA cluster know as the record names them so far. */
  let leaders = haLeaders(chain.events);
  /** When the statement being signed now was asked for. */
  let requestedAt: string | undefined;
  /** Where the entries of the action run now (performed between two ceremony events) begin, and the leaders then. */
  let run: Pick<RecordedRun, 'from' | 'leaders'> = { from: 0, leaders };
  // The run shares `leaders` until they change (copied then, not at each restart): the journal's first entry restarts it.
  const restart = (i: number) => (run = { from: i + 1, leaders });
  /** The action due in `state`, worked out once for it, not again for each entry of its run (request, result). */
  let due: { state: CeremonyState; action: ServiceAction | undefined } | undefined;
  const actionDue = () => (due?.state === state ? due : (due = { state, action: nextAction(state) })).action;
  /**
   * Why the laptop's run that ends at entry `to` (in the event there, or cut short by a crash) is
   * not what its own code records and concludes from the Vault answers recorded, or undefined: the
   * reads on resuming, or the action due that the laptop performs by itself (ceremony-actions.ts).
   */
  const runMismatch = (to: number): Promise<string | undefined> | string | undefined => {
    // Spelled out, not spread: see SYSTEM in ceremony-record.ts.
    const { from } = run;
    if (resuming) return resumeMismatch({ from, leaders: run.leaders, state, events: chain.events, to });
    const action = actionDue();
    return action && !needsPersonInput(action)
      ? actionMismatch({ from, leaders: run.leaders, state, events: chain.events, to, action })
      : unendedRun(to);
  };
  /**
   * Why entry `to` follows Vault entries that no run of the laptop's ends in, or undefined: it
   * records Vault's calls only as it performs the action due by itself, or reads on resuming, and
   * records the result, or the resume, right after them (nothing else can be journaled meanwhile).
   * Such entries would be replayed by nothing.
   */
  const unendedRun = (to: number): string | undefined =>
    run.from < to
      ? `follows the laptop's Vault entries of events ${chain.events[run.from]!.seq} to ${chain.events[to - 1]!.seq} without the result they lead to: the laptop records Vault's calls only as it performs the action due by itself, or reads on resuming, and records the result, or the resume, right after them`
      : undefined;
  // Indexed, not `entries()`: an iterator result and a pair for each of 10,000 events.
  for (let i = 0; i < chain.events.length; i++) {
    const e = chain.events[i]!;
    if (closed && !reopensRecord(e) && !isSigningEntry(e)) {
      problem(
        'record-inconsistent',
        `${named(e)} follows the record's closing event, which must be its last: after it the laptop writes only the signing's notes (a signature made, a key refused), until an interruption or a person's note reopens the record`,
      );
      return reports;
    }
    const unanswered = unansweredCall(e, chain.events[i - 1]);
    if (unanswered) problem('record-inconsistent', `${named(e)} ${unanswered}`);
    const expected = detected.shift();
    if (expected) {
      const wrong = entryMismatch(e, expected, true);
      restart(i);
      if (!wrong) continue;
      problem('record-inconsistent', `${named(e)} is not the deviation the replay detected there: ${wrong}`);
      return reports;
    }
    if (e.type === CEREMONY_FINISHED) {
      closed = true;
      if (!recordClosesAt(state))
        problem(
          'record-inconsistent',
          `${named(e)} closes the record at '${state.step}', before the ceremony reached its signing: the laptop closes it only once the ceremony is done, cancelled or aborted`,
        );
      const awaiting = openDeviations(state).map((d) => `#${d.id} (${d.kind})`);
      if (awaiting.length > 0)
        problem(
          'record-inconsistent',
          `${named(e)} closes the record while deviation ${awaiting.join(', ')} awaits its witness: the laptop closes it only once every deviation is witnessed, so the witness is in the record signed`,
        );
      const wrong = entryMismatch(e, { ...SYSTEM, step: state.step, type: CEREMONY_FINISHED });
      if (wrong) problem('record-inconsistent', `${named(e)} ${wrong}`);
      const unsigned = unsignedClose(e.details.outcome, state);
      if (unsigned) problem('authorisation-missing', `${named(e)} ${unsigned}`);
      else
        for (const field of closingMismatches(e.details, state)) problem('record-inconsistent', `${named(e)} ${field}`);
      const unended = unendedRun(i);
      if (unended) problem('record-inconsistent', `${named(e)} ${unended}`);
      restart(i);
      continue;
    }
    const event: unknown = e.details.event;
    if (event === undefined) {
      if (i > 1 && !EVENT_ENTRY_TYPES.has(e.type) && !NOTE_ENTRY_TYPES.has(e.type))
        problem(
          'record-inconsistent',
          `${named(e)} is of a type the laptop never writes there: after the journal's first two entries it writes only ceremony events, Vault's calls and what it learned of a cluster's nodes, interruptions, refused keys and the closing event`,
        );
      if (EVENT_ENTRY_TYPES.has(e.type))
        problem(
          'record-inconsistent',
          `${named(e)} records no ceremony event, yet the laptop writes a '${e.type}' only for one the ceremony accepted or a deviation it detected`,
        );
      const claim = roleClaim(e, plan.value);
      if (claim) problem('record-inconsistent', `${named(e)} ${claim}`);
      const refused = e.type === KEY_REFUSED ? refusalProblem(e, state) : undefined;
      if (refused) problem('record-inconsistent', `${named(e)} ${refused}`);
      const undue = undueRequest(e, state, actionDue, resuming);
      if (undue) problem(undue.kind, `${named(e)} ${undue.message}`);
      const { profile, node, previous } = e.details;
      if (e.type === ACTIVE_NODE && typeof profile === 'string' && typeof node === 'string' && leaders.has(profile)) {
        if (run.leaders === leaders) leaders = new Map(leaders);
        leaders.set(profile, learnt(leaders.get(profile)!, node, previous));
      }
      if (!RUN_ENTRY_TYPES.has(e.type)) {
        // A crash may end a run after any of its entries: those recorded must still be the laptop's.
        const crashed = e.type === INTERRUPTION ? await runMismatch(i) : unendedRun(i);
        if (crashed) problem('record-inconsistent', `${named(e)} ${crashed}`);
        const said = e.type === INTERRUPTION && interruptionMismatch(chain.events, i, state, closed);
        if (said) problem('record-inconsistent', `${named(e)} ${said}`);
        // The laptop records its restart itself, at the step its record replays to (ceremony-recovery.ts).
        const whose = e.type === INTERRUPTION && entryMismatch(e, { ...SYSTEM, step: state.step, type: INTERRUPTION });
        if (whose) problem('record-inconsistent', `${named(e)} ${whose}`);
        restart(i);
      }
      resuming ||= e.type === INTERRUPTION;
      // The restart's events follow the head signed so far: the record closes again after them.
      closed &&= !reopensRecord(e);
      continue;
    }
    if (!isEventShaped(event)) {
      problem('record-inconsistent', `${named(e)} holds a ceremony event this version cannot read`);
      return reports;
    }
    if (event.type === 'authorisationRequested') requestedAt = e.time;
    if (event.type === 'authorisationRequested' && event.head !== chain.events[i - 1]?.hash)
      problem(
        'authorisation-bad',
        `${named(e)} asks for authorisation over journal head ${String(event.head)}, which is not the hash of the event before it`,
      );
    if (resuming !== (event.type === 'resume'))
      problem(
        'record-inconsistent',
        resuming
          ? `${named(e)} follows an interruption, but the laptop resumes the ceremony (a 'ceremony-resumed' event) before anything else happens in it`
          : `${named(e)} resumes the ceremony with no interruption recorded before it: the laptop records one on every restart before it resumes`,
      );
    const result = event.type === 'serviceResult' || event.type === 'resume' ? await runMismatch(i) : unendedRun(i);
    if (result) problem('record-inconsistent', `${named(e)} ${result}`);
    // ceremony-service.ts's provideToken and sign journal only what was given: a failure is
    // refused on the spot, or noted as a refused key.
    const input = event.type === 'serviceResult' && event.outcome === 'failed' ? actionDue() : undefined;
    if (input && needsPersonInput(input))
      problem(
        'record-inconsistent',
        `${named(e)} records '${input.kind}' as failed, but the laptop records a person's input only once it is given: a token of the wrong form is refused on the spot, and a refused signing key is noted as a refused key`,
      );
    restart(i);
    const next = transition(state, event);
    if (!next.ok) {
      problem(
        'authorisation-missing',
        `${named(e)} breaks the ceremony's rules (${next.error.message}): an irreversible step, an abort or a waiver may have been done without both signed authorisations`,
      );
      return reports;
    }
    resuming = false;
    const wrong = entryMismatch(e, entryEnvelope(event, state));
    if (wrong) problem('record-inconsistent', `${named(e)} ${wrong}`);
    const misattributed = misattributedShare(e, event, actionDue);
    if (misattributed) problem('record-inconsistent', `${named(e)} ${misattributed}`);
    const shape = eventShapeProblem(event);
    if (shape) problem('record-inconsistent', `${named(e)} ${shape}`);
    const kept = event.type === 'resume' ? keptThroughRestart(event.held) : undefined;
    if (kept) problem('record-inconsistent', `${named(e)} ${kept}`);
    const unwritten = unwrittenDetails(e);
    if (unwritten.length > 0)
      problem(
        'record-inconsistent',
        `${named(e)} holds ${unwritten.map((key) => JSON.stringify(key)).join(', ')} beside its ceremony event, which the laptop never writes there`,
      );
    detected = detectedDeviations(state, next.value);
    if (event.type === 'authorise' && state.statement) {
      const statement = state.statement;
      const digest = statementDigest(statement);
      const key = keys.get(event.fingerprint);
      const checked = key ? await checkDetachedSignature(event.signature, statementText(statement), key) : undefined;
      const bad =
        e.details.statement_sha256 !== digest
          ? `it names statement ${JSON.stringify(e.details.statement_sha256)}, not the one signed (${digest})`
          : e.details.action !== statement.action
            ? `it names the action ${JSON.stringify(e.details.action)}, not the one signed (${JSON.stringify(statement.action)})`
            : checked
              ? checked.problem
              : `signers/ holds no key ${event.fingerprint}`;
      if (bad !== undefined)
        problem(
          'authorisation-bad',
          `the ${event.role} '${event.actor}''s authorisation of ${JSON.stringify(statement.action)} at '${event.step}' (${named(e)}) is BAD: ${bad}`,
        );
      reports.push({
        step: event.step,
        action: statement.action,
        signer: event.actor,
        role: event.role,
        fingerprint: event.fingerprint,
        statementSha256: digest,
        good: bad === undefined,
        since: bad === undefined ? (checked?.since ?? []) : [],
        created: checked?.created?.toISOString() ?? 'unknown',
        requested: requestedAt,
        recorded: e.time,
      });
    }
    state = next.value;
    // A note raised during the signing follows the head signed so far: the record closes again once it is witnessed.
    closed &&= !reopensRecord(e);
  }
  const last = chain.events.at(-1);
  if (!closed)
    problem(
      'record-inconsistent',
      chain.events.some((e) => e.type === CEREMONY_FINISHED)
        ? `the journal does not end with a '${CEREMONY_FINISHED}' event: an interruption or a note reopened its record, which was never closed again`
        : `the journal has no '${CEREMONY_FINISHED}' event: its record was never closed`,
    );
  else if (last && last.type !== CEREMONY_FINISHED)
    problem(
      'record-inconsistent',
      `${named(last)} follows the record's closing event, which must be its last: the bundle's journal ends at the head the transcript signs`,
    );
  return reports;
}

/** How a problem names entry `e`: made only for a problem, not for each of 10,000 entries. */
function named(e: JournalEvent): string {
  return `journal event ${e.seq} (${e.type})`;
}

/** What the laptop journals as each signer signs (or is refused): all that may follow a closing event, but what reopens the record. */
const SIGNING_ENTRY_TYPES: ReadonlySet<string> = new Set(['step-acknowledged', 'service-result', KEY_REFUSED]);

function isSigningEntry(e: JournalEvent): boolean {
  if (e.step !== 'sign-transcript' || !SIGNING_ENTRY_TYPES.has(e.type)) return false;
  // The laptop reports only a signature made: a signing that failed is journaled as a refused key.
  const event = e.details.event;
  return (
    e.type !== 'service-result' ||
    (typeof event === 'object' && event !== null && 'outcome' in event && event.outcome === 'ok')
  );
}

/** The profiles of the HA clusters the record names (a leader, a cluster settled, a request's node), none of whose leader is known yet. */
function haLeaders(events: readonly JournalEvent[]): Map<string, readonly string[]> {
  const profiles = events
    .filter((e) => e.type === ACTIVE_NODE || e.type === CLUSTER_SETTLED || e.details.node !== undefined)
    .map((e) => e.details.profile)
    .filter((profile) => typeof profile === 'string');
  return new Map(profiles.map((profile) => [profile, []]));
}

/**
 * The leaders a cluster's clients know once one of them records learning `node`: the client that
 * knew `previous` knows `node` instead; without one (a client new or reconnected) another knows it.
 * The one learnt last is last; beyond MAX_CLIENTS the one learnt longest ago is forgotten.
 */
function learnt(known: readonly string[], node: string, previous: JsonValue | undefined): readonly string[] {
  const replaced = typeof previous === 'string' ? known.indexOf(previous) : -1;
  return [...known.filter((_, i) => i !== replaced), node].slice(-MAX_CLIENTS);
}

/**
 * Far more clients of one cluster than a laptop holds in one ceremony (one per token it carries,
 * each reconnection's, each restart's): so a record of many new clients costs no more to check
 * than a few.
 */
const MAX_CLIENTS = 64;

/**
 * What is wrong with the person an entry the replay does not check (a Vault request or answer, a
 * refused key, an interruption…) names, or undefined: the transcript lists its actor and role as a
 * participant, so the laptop's entries are its own and an administrator or witness is the plan's.
 * Officers are not checked here: a witnessed substitute is one too.
 */
function roleClaim(e: JournalEvent, plan: CeremonyPlan): string | undefined {
  if ((e.role === SYSTEM.role) !== (e.actor === SYSTEM.actor))
    return `is recorded by ${JSON.stringify(e.actor)} as ${e.role}: only the laptop (${SYSTEM.actor}) writes as system`;
  if ((e.role === 'administrator' || e.role === 'witness') && roleOf(plan, e.actor) !== e.role)
    return `names ${JSON.stringify(e.actor)} as ${e.role}, which the plan does not`;
  return undefined;
}

/**
 * How `e` differs from the entry the laptop writes (`expected`): in who, step and type, and for a
 * detected deviation, which the replay gives whole, in its details too. Undefined when it does not.
 */
function entryMismatch(e: JournalEvent, expected: EventInput, withDetails = false): string | undefined {
  // The usual case first, without building the differences (two arrays and closures for each event).
  const same = e.actor === expected.actor && e.role === expected.role && e.step === expected.step;
  if (!withDetails && same && e.type === expected.type) return undefined;
  const fields = (['actor', 'role', 'step', 'type'] as const).filter((f) => e[f] !== expected[f]);
  const differences = fields.map(
    (f) => `is recorded with ${f} ${JSON.stringify(e[f])}, where the laptop writes ${JSON.stringify(expected[f])}`,
  );
  if (withDetails && canonicalJson(e.details) !== canonicalJson(expected.details ?? {}))
    differences.push(`its details are not ${canonicalJson(expected.details ?? {})}`);
  return differences.length > 0 ? differences.join('; ') : undefined;
}

/**
 * Why the record's closing event is one the signatures do not allow, or undefined. The laptop closes
 * the record when signing begins, never while an abort or a waiver awaits signatures (a bundle whose
 * signatures over one were removed ends there), and as aborted exactly when the replay aborted it
 * (its signatures given, the signing begun).
 */
function unsignedClose(outcome: unknown, state: CeremonyState): string | undefined {
  const pending = proposed(state);
  if (pending)
    return `closes the record while ${pending.kind === 'abort' ? 'an abort' : 'a waiver'} (deviation #${pending.id}) still awaits the administrator's and a witness's signatures over its statement`;
  const aborted = abortOf(state) !== undefined;
  if ((outcome === 'aborted') === aborted) return undefined;
  return aborted
    ? `closes the record as ${JSON.stringify(outcome)}, but the ceremony's events abort it`
    : "closes the record as aborted, but the ceremony's events do not abort it: an abort takes the administrator's and a witness's signatures over its statement";
}

/**
 * Each field of the closing event's details that differs from what the laptop writes for the replayed
 * state (closingDetails, the same function): the transcript shows them (outcome, abort, loose ends…),
 * so a record must not close on less, more or other than its events show.
 */
function closingMismatches(details: JsonObject, state: CeremonyState): string[] {
  const replayed = closingDetails(state);
  const shown = (value: JsonValue | undefined) => (value === undefined ? 'nothing' : canonicalJson(value));
  return [...new Set([...Object.keys(replayed), ...Object.keys(details)])]
    .filter((field) => shown(details[field]) !== shown(replayed[field]))
    .map(
      (field) => `gives ${field} as ${shown(details[field])}, but the ceremony's events give ${shown(replayed[field])}`,
    );
}

/**
 * The first event dated before the one it follows, named, or undefined. The journal writer never
 * dates an event earlier than the last (a laptop clock set back mid-ceremony holds the journal's
 * time still), so times that go back are a record reordered or redated after it was written.
 */
function timeGoingBack(events: readonly JournalEvent[]): string | undefined {
  const i = events.findIndex((e, i) => i > 0 && e.time < events[i - 1]!.time);
  if (i < 0) return undefined;
  const [before, e] = [events[i - 1]!, events[i]!];
  return `journal event ${e.seq} (${e.type}) is dated ${e.time}, earlier than event ${before.seq} before it (${before.time}): the laptop never dates an event before the one it follows, even when its clock is set back, so the journal's events were reordered or redated`;
}

/**
 * Why a resume's secrets are not what the laptop resumes with, or undefined. It resumes only on
 * restarting (ceremony-recovery.ts), with a new service whose secret store is empty: whatever it
 * held went with the old process, the interruption lists it as lost, and the ceremony goes back
 * to make it again (a DR operation token lost undeleted stays among the loose ends). A resume
 * that kept a secret would let the record go on as if nothing were lost.
 */
function keptThroughRestart(held: readonly unknown[]): string | undefined {
  if (held.length === 0) return undefined;
  const shown = canonicalJson(held.slice(0, 5) as JsonValue[]).slice(0, 200);
  return `resumes holding ${shown}${held.length > 5 ? ` and ${held.length - 5} more` : ''}, but a restarted laptop holds no secret: what it held went with its memory, its interruption lists that as lost, and the ceremony goes back to make it again`;
}

/**
 * Why the share commitment an entry holds names another officer or key than the share the replay
 * has entered there, or undefined. The laptop commits to a share (ceremony-actions.ts) only in the
 * result of submitting it, for the officer the machine's `submit-share` action names (a witnessed
 * substitute enters that officer's share), and always in an accepted one: the transcript
 * attributes each share by its commitment, which must also be in the laptop's terms.
 */
function misattributedShare(
  e: JournalEvent,
  event: CeremonyEvent,
  actionDue: () => ServiceAction | undefined,
): string | undefined {
  const share = e.details.share;
  if (event.type !== 'serviceResult' && share === undefined) return undefined;
  const action = actionDue();
  if (event.type !== 'serviceResult' || action?.kind !== 'submit-share')
    return share === undefined ? undefined : 'holds a share commitment where the replay has no share being entered';
  if (share === undefined)
    return event.outcome === 'ok'
      ? `records ${JSON.stringify(action.officer)}'s share as accepted without its commitment, which the laptop writes beside every share it sends`
      : undefined;
  const named = typeof share === 'object' && share !== null && !Array.isArray(share) ? (share as JsonObject) : {};
  if (named.officer !== action.officer)
    return `attributes the share it records to ${JSON.stringify(named.officer ?? null)}, but the replay has ${JSON.stringify(action.officer)}'s share entered there (by ${JSON.stringify(action.actor)})`;
  if (named.fingerprint !== undefined && named.fingerprint !== action.fingerprint)
    return `commits to a share for key ${JSON.stringify(named.fingerprint)}, but the plan pins ${action.fingerprint} for ${JSON.stringify(action.officer)}`;
  if (!isWrittenCommitment(named))
    return `commits to ${JSON.stringify(action.officer)}'s share in other terms than the laptop writes: the officer and form "plaintext", or the officer, form "pgp" and the encrypted share's sha256, key fingerprint and key_id, in lowercase hex`;
  return undefined;
}

/**
 * Whether a share commitment is in the terms the laptop writes (ceremony-service.ts's openShare): a
 * plaintext share's officer and form, or an encrypted share's, with the message's SHA-256 and the
 * key it is encrypted to. The transcript shows it whole.
 */
function isWrittenCommitment(c: JsonObject): boolean {
  const fields = Object.keys(c).sort().join();
  if (c.form === 'plaintext') return fields === 'form,officer';
  return (
    c.form === 'pgp' &&
    fields === 'fingerprint,form,key_id,officer,sha256' &&
    typeof c.sha256 === 'string' &&
    SHA256_HEX.test(c.sha256) &&
    typeof c.key_id === 'string' &&
    KEY_ID_HEX.test(c.key_id)
  );
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const KEY_ID_HEX = /^[0-9a-f]{16}$/;

/**
 * Why the interruption at `i` says otherwise than the laptop records on resuming the replayed state
 * (interruptionDetails: what it held and so lost, the attempt it had open…), or undefined. The last
 * event it names is the one before it, or before deviations detected in that one which the resume
 * wrote first (unrecordedDeviations); a torn write it cut follows that event, and its length is
 * the record's word. A bundle's record closes after every interruption.
 */
function interruptionMismatch(
  events: readonly JournalEvent[],
  i: number,
  state: CeremonyState,
  closed: boolean,
): string | undefined {
  const recorded = canonicalJson(events[i]!.details);
  const torn = tornBytesOf(events[i]!.details.torn_tail);
  // The journal reopened after its last whole event, the one the interruption names: a torn write follows it.
  const details = (last: JournalEvent) =>
    canonicalJson(
      interruptionDetails(state, last, closed, torn === undefined ? undefined : { bytes: torn, afterSeq: last.seq }),
    );
  for (let j = i - 1; j > 0; j--) {
    if (details(events[j]!) === recorded) return undefined;
    if (events[j]!.type !== 'deviation' || events[j]!.details.event !== undefined) break;
  }
  return `records ${recorded}, where the laptop, resuming the ceremony its events replay to, records ${details(events[i - 1]!)}`;
}

/** How many bytes of a torn write an interruption records it cut (interruptionDetails), or undefined. */
function tornBytesOf(value: JsonValue | undefined): number | undefined {
  const torn = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
  return typeof torn.bytes === 'number' && Number.isSafeInteger(torn.bytes) && torn.bytes > 0 ? torn.bytes : undefined;
}

/**
 * Why `e` is not where recordedCall writes Vault's answers, or undefined: an answer is the entry
 * right after its request, naming the same step, profile, node, method and path; and a request's
 * answer is missing only when a crash came between them, after which the laptop's next entry is
 * the interruption it records on resuming.
 */
function unansweredCall(e: JournalEvent, before: JournalEvent | undefined): string | undefined {
  const answers = before?.type === VAULT_REQUEST && sameCall(e, before);
  if (e.type === VAULT_RESPONSE && !answers)
    return `records an answer to ${JSON.stringify(e.details.method)} ${JSON.stringify(e.details.path)} at '${e.step}', but the event before it is not that request: the laptop records each answer right after its request`;
  if (before?.type === VAULT_REQUEST && e.type !== VAULT_RESPONSE && e.type !== INTERRUPTION)
    return `follows the ${JSON.stringify(before.details.method)} to ${JSON.stringify(before.details.path)} of event ${before.seq} without being its answer: the laptop records the answer right after the request, and only a crash, recorded as an interruption, leaves one unanswered`;
  return undefined;
}

/** The laptop writes these as strings, so `===` compares them (an object in a doctored entry never matches). */
function sameCall(response: JournalEvent, request: JournalEvent): boolean {
  const a = response.details;
  const b = request.details;
  return (
    response.step === request.step &&
    a.profile === b.profile &&
    a.node === b.node &&
    a.method === b.method &&
    a.path === b.path
  );
}

/**
 * Why a Vault request recorded at `state` is one the laptop does not make there, or undefined. It
 * calls Vault only at the step the ceremony is at: to carry out the action due there (at an
 * irreversible step nothing is due until the administrator and a witness have signed), or to read
 * the cluster right after an interruption, before the ceremony resumes.
 */
function undueRequest(
  e: JournalEvent,
  state: CeremonyState,
  actionDue: () => ServiceAction | undefined,
  resuming: boolean,
): { kind: AuthorisationProblemKind; message: string } | undefined {
  if (e.type !== VAULT_REQUEST) return undefined;
  const { method, path } = e.details;
  const read = method === 'GET';
  if (e.step === state.step && (actionDue() !== undefined || (resuming && read))) return undefined;
  const call = `records a ${JSON.stringify(method)} to ${JSON.stringify(path)} at '${e.step}'`;
  if (!read && isIrreversibleStep(e.step, isDestructivePlan(state.plan)))
    return {
      kind: 'authorisation-missing',
      message: `${call} while the ceremony had nothing due there: the laptop makes that call only once the administrator and a witness have signed its authorisation`,
    };
  return {
    kind: 'record-inconsistent',
    message:
      e.step === state.step
        ? `${call} while the ceremony had nothing due there: the laptop calls Vault only to carry out the action due, or to read the cluster after an interruption`
        : `${call} while the ceremony was at '${state.step}': the laptop calls Vault only at the step the ceremony is at`,
  };
}
