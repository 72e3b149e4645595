/**
 * The ceremony state machine: the script is the machine, so no step advances without the
 * acknowledgements its roles owe, and every digression is a deviation on the record.
 *
 * Pure and deterministic: no I/O, no clock, no randomness. Time arrives on every event (`at`),
 * deviation ids are sequence numbers, and the state is plain JSON-safe data that holds no
 * secret. It says only *that* the service holds an OTP, a token or an activation token (the
 * `held` list) and the OTP's length; the values stay in the service's memory.
 *
 * Its vocabulary (events, service actions and facts, deviations) is in ceremony-events.ts,
 * the step tables in ceremony-steps.ts and failback-steps.ts, joined in step-catalogue.ts,
 * and the read model the wizard renders in ceremony-view.ts.
 *
 * How the pieces use it:
 * - `createCeremony(plan, at)` gives the first state. `transition(state, event)` returns the
 *   next state, or an error whose message a person can act on; the given state is never
 *   changed. The journal stores events, so `replay(plan, at, events)` rebuilds the state
 *   after a restart, and a `resume` event then reconciles it with what Vault and the
 *   service's memory actually hold.
 * - The service loops: `nextAction(state)` says what to do (read a status, start the
 *   attempt, submit officer X's share for nonce N, promote with or without force, delete
 *   the token, sign as Y…); it does exactly that and reports a `serviceResult` with the
 *   facts, or `outcome: 'failed'` with a reason (and, for attempt calls, the attempt
 *   status it observed). `undefined` means people must act first, or the ceremony ended.
 *   A failed action stays due; retry on a person's request, never in a tight loop. Once
 *   a secret is no longer in `held`, or the step is terminal, the service wipes it.
 * - The wizard renders `view(state)` (ceremony-view.ts): the step, the line to read aloud, who must
 *   acknowledge what, progress n/m, the pinned nonce, open deviations, what blocks the
 *   ceremony and what a stopped ceremony left behind, and sends people's events
 *   (`acknowledge`, `deviation`, `deviationWitnessed`, `cancel`, `abort`).
 *
 * Rules worth knowing:
 * - While a deviation is open nobody may acknowledge a step and `nextAction` is undefined;
 *   a result for an action already under way is still accepted, because facts are facts.
 *   A deviation is witnessed by a witness other than whoever raised it (the administrator
 *   confirms one raised by a witness).
 * - A changed nonce, progress that goes backwards or jumps, a vanished attempt or someone
 *   else's attempt become detected deviations and send the ceremony to `cancel-attempt`
 *   (administrator and witness authorise), then back to a fresh OTP and every share.
 * - `force` reaches the promote call only through a witnessed `force-promote` deviation,
 *   which also withdraws the earlier authorisation so people authorise the forced call.
 *   Promoting while another cluster still reports primary (promote-before-demote) likewise
 *   needs a witnessed `two-primaries` deviation.
 * - A failed `confirm-then-act` call (promote, demote, cancel…) needs authorising again.
 * - Cancelling is witnessed and still runs the closing steps that apply: cancel the open
 *   attempt, decode and delete a token already generated, retire a batch token, sign.
 *   It is refused once the promotion (or update-primary) is done, while an authorised
 *   irreversible call may be in flight, and while an abort or a waiver awaits signatures.
 * - Token deletion can only be skipped by a `token-not-deleted` deviation (a waiver), after
 *   deletion failed or the token was lost; the step is then recorded as waived.
 * - Aborting and waiving cannot be undone either, so, like the irreversible calls, they are
 *   authorised by the administrator and a witness each signing a statement (authorisation.ts)
 *   that binds the reason typed; a click only proposes them. The proposal is an open deviation:
 *   nothing else happens until it is signed. Abort stops at once *once signed*; it is not a way
 *   round a missing key. That is deliberate (issue 12): an abort leaves loose ends (an open
 *   attempt, an undeleted token) that nobody may leave behind alone. When a key cannot be had,
 *   the ceremony waits, on the record, or the proposal is withdrawn (`withdraw`, a click by
 *   whoever raised it or the administrator) and the ceremony cancelled (witnessed), which
 *   cleans up instead.
 * - A signed abort stops every Vault action (no attempt is cancelled, no token deleted: what the
 *   service held stays listed in `held` as left behind, and it wipes it), then the ceremony goes to
 *   `sign-transcript` so the record of an aborted ceremony is signed like any other, and ends
 *   `aborted`. Meanwhile nothing but the signing happens (a deviation already open may be
 *   witnessed; a restart starts the signing again). Once the record is closed for signing, there
 *   is nothing left to abort.
 * - A restart during the signing (of any outcome) drops the signatures made so far: the restart's
 *   own events follow the head they signed, so everyone signs the record with the restart on it.
 *   So does a note raised during the signing: it and its witness join the record people sign.
 */
import { isVisibleName, nameKey, type CeremonyPlan, type PlanOfficer, type PlanPerson } from './ceremony-plan';
import {
  closingStep,
  groupFingerprint,
  type Role,
  type ScriptContext,
  type SecretName,
  type StepId,
} from './ceremony-steps';
import {
  DELETED_EARLIER,
  type AttemptStatus,
  type CeremonyEvent,
  type DetectedDeviationKind,
  type Deviation,
  type DeviationKind,
  type ServiceAction,
  type ServiceFacts,
} from './ceremony-events';
import { modeAfter, modeBefore, operationOf } from './operation-steps';
import { operationTitle } from '../replication/replication-operations';
import {
  everyoneSigned,
  isDestructivePlan,
  isIrreversibleStep,
  isTerminalStep,
  scriptOf,
  signers,
  STEPS,
} from './step-catalogue';
import {
  isArmoredSignature,
  isJournalHead,
  isStatementNonce,
  statementText,
  type AuthorisationStatement,
} from './authorisation';
import { err, ok, type Result } from '../result';

export type MachineErrorKind =
  | 'ceremony-ended'
  | 'invalid-event'
  | 'wrong-step'
  | 'unknown-actor'
  | 'wrong-role'
  | 'not-required'
  | 'already-acknowledged'
  | 'out-of-order'
  | 'busy'
  | 'deviation-open'
  | 'action-pending'
  | 'action-in-flight'
  | 'unexpected-result'
  | 'invalid-result'
  | 'officer-unavailable'
  | 'already-submitted'
  | 'reason-required'
  | 'not-allowed-now'
  | 'unknown-deviation'
  | 'already-witnessed'
  | 'self-witness'
  | 'too-late'
  | 'signature-required'
  | 'stale-statement'
  | 'wrong-key'
  | 'too-many-deviations';

export interface AckOption {
  readonly name: string;
  readonly role: Role;
  /** What this person affirms when they acknowledge. */
  readonly text: string;
}

/** One acknowledgement still owed: any one of `anyOf` may give it. */
export interface AckRequest {
  readonly anyOf: readonly AckOption[];
}

export interface Ack {
  readonly actor: string;
  readonly role: Role;
  readonly at: string;
}

/** The attempt this ceremony started, from the moment Vault gave it a nonce until it completes or is cancelled. */
export interface AttemptRecord {
  readonly number: number;
  readonly nonce: string;
  readonly required: number;
  readonly progress: number;
  /** Officers (plan names) whose shares Vault accepted, in order. */
  readonly submitted: readonly string[];
  /** The HA node it was started on, when the cluster reports one. */
  readonly node?: string;
}

export interface StepRecord {
  readonly step: StepId;
  readonly at: string;
  /** The deviation that waived the step's action, if one did. */
  readonly waivedBy?: number;
}

/** An abort or a waiver raised and awaiting the administrator's and a witness's signatures over `statement`. */
export interface Proposal {
  /** Its deviation (kind `abort` or `token-not-deleted`). */
  readonly deviation: number;
  /** Who has signed the current statement so far. */
  readonly acks: readonly Ack[];
}

export interface CeremonyState {
  readonly plan: CeremonyPlan;
  /** The steps of a ceremony that goes to plan; restarts and cancellation branch off it. */
  readonly script: readonly StepId[];
  readonly step: StepId;
  /** Acknowledgements on the current step (for share entry and signing: whoever stepped up). */
  readonly acks: readonly Ack[];
  /** The current step's service action succeeded (for steps where the service acts first). */
  readonly acted: boolean;
  readonly failures: number;
  /** The last thing the service observed or reported on this step, in words. */
  readonly lastResult: string | undefined;
  readonly absent: readonly string[];
  readonly substitutes: ReadonlyArray<{ readonly officer: string; readonly substitute: string }>;
  readonly otp: { readonly length: number; readonly legacy: boolean } | undefined;
  readonly attempt: AttemptRecord | undefined;
  readonly attempts: number;
  readonly held: readonly SecretName[];
  readonly force: boolean;
  /**
   * What the administrator and a witness sign, once the laptop asked: the proposal's statement
   * when there is one, else the current irreversible step's.
   */
  readonly statement: AuthorisationStatement | undefined;
  /** The abort or waiver awaiting signatures, if one is; it holds the ceremony until signed. */
  readonly proposal: Proposal | undefined;
  /** The irreversible call is done: promote, update-primary for a failback, an operation's one call. */
  readonly committed: boolean;
  readonly cancelling: boolean;
  /** A signed abort took effect: only the transcript's signatures remain, then the step `aborted`. */
  readonly aborting: boolean;
  readonly signed: readonly string[];
  /** DR operation tokens generated here that could not be deleted (lost or waived). */
  readonly undeletedTokens: number;
  readonly deviations: readonly Deviation[];
  readonly completed: readonly StepRecord[];
  readonly startedAt: string;
  readonly endedAt: string | undefined;
}

/** Steps that talk to Vault's attempt, where an observed attempt status is checked against ours. */
const ATTEMPT_CALLS: readonly StepId[] = ['generate-otp', 'start-attempt', 'share-entry'];
/**
 * Steps whose call a Vault token authorises. The token is asked for in place when it is not held
 * (lost in a restart): going back to `enter-vault-token` would repeat a demotion made since.
 */
const VAULT_TOKEN_CALLS: readonly StepId[] = ['demote', 'create-secondary-token', 'perform-operation'];
const MAX_TEXT = 500;

type Outcome = Result<CeremonyState, MachineErrorKind>;
type Person = { readonly name: string; readonly role: Role; readonly officer?: PlanOfficer };

/** The state before anything has happened. The plan must come from parsePlan/validatePlan. */
export function createCeremony(plan: CeremonyPlan, at: string): CeremonyState {
  const script = scriptOf(plan);
  return {
    plan,
    script,
    step: script[0] ?? 'finished',
    acks: [],
    acted: false,
    failures: 0,
    lastResult: undefined,
    absent: [],
    substitutes: [],
    otp: undefined,
    attempt: undefined,
    attempts: 0,
    held: [],
    force: false,
    statement: undefined,
    proposal: undefined,
    committed: false,
    cancelling: false,
    aborting: false,
    signed: [],
    undeletedTokens: 0,
    deviations: [],
    completed: [],
    startedAt: at,
    endedAt: undefined,
  };
}

/**
 * What may still happen once an abort is signed: the signers step up and the laptop reports their
 * signatures, a deviation already open is witnessed, and a restart resumes the signing.
 */
const AFTER_ABORT: ReadonlyArray<CeremonyEvent['type']> = [
  'acknowledge',
  'serviceResult',
  'deviationWitnessed',
  'resume',
];

/**
 * The most deviations a ceremony records. Every event scans the deviations (which are open, which
 * await signatures) and each one added copies the list, so without a bound a journal of tens of
 * thousands of notes took a minute to replay (`verify` of a hostile bundle, or a resume). No real
 * ceremony comes near: past the bound only an abort may still be proposed, a few times.
 */
export const MAX_DEVIATIONS = 1000;
const ABORTS_PAST_MAX = 10;

/** Applies one event. On error the caller keeps the state it had; nothing here mutates. */
export function transition(state: CeremonyState, event: CeremonyEvent): Outcome {
  const next = apply(state, event);
  if (!next.ok || next.value.deviations.length <= Math.max(MAX_DEVIATIONS, state.deviations.length)) return next;
  if (event.type === 'abort' && next.value.deviations.length <= MAX_DEVIATIONS + ABORTS_PAST_MAX) return next;
  return err(
    'too-many-deviations',
    `this ceremony has recorded ${state.deviations.length} deviations, more than any ceremony should: propose an abort and start again`,
  );
}

function apply(state: CeremonyState, event: CeremonyEvent): Outcome {
  if (isEnded(state)) return err('ceremony-ended', `the ceremony is ${state.step}; nothing more can happen in it`);
  if (state.aborting && !AFTER_ABORT.includes(event.type))
    return err(
      'not-allowed-now',
      'the ceremony is aborted: nothing more happens in it but the administrator and every witness signing its transcript',
    );
  switch (event.type) {
    case 'acknowledge':
      return acknowledge(state, event);
    case 'serviceResult':
      return serviceResult(state, event);
    case 'deviation':
      return raiseDeviation(state, event);
    case 'deviationWitnessed':
      return witnessDeviation(state, event);
    case 'authorisationRequested':
      return requestAuthorisation(state, event);
    case 'authorise':
      return authorise(state, event);
    case 'cancel':
      return cancel(state, event);
    case 'abort':
      return abort(state, event);
    case 'withdraw':
      return withdraw(state, event);
    case 'resume':
      return resume(state, event);
    default:
      return err('invalid-event', `unknown event type ${JSON.stringify((event as { type?: unknown }).type)}`);
  }
}

/** Rebuilds a state from journalled events; the error names the first event that does not apply. */
export function replay(
  plan: CeremonyPlan,
  at: string,
  events: readonly CeremonyEvent[],
): Result<CeremonyState, MachineErrorKind> {
  let state = createCeremony(plan, at);
  for (const [i, event] of events.entries()) {
    const next = transition(state, event);
    if (!next.ok) return err(next.error.kind, `event ${i + 1} (${event.type}) does not apply: ${next.error.message}`);
    state = next.value;
  }
  return ok(state);
}

// ---------------------------------------------------------------------------------------------
// Queries for the service and the wizard (ceremony-view.ts gathers them for the wizard).

/** What the service must do now; undefined while people must act, a deviation is open, or it has ended. */
export function nextAction(state: CeremonyState): ServiceAction | undefined {
  if (isEnded(state) || openDeviations(state).length > 0) return undefined;
  return dueAction(state);
}

/**
 * Deviations awaiting a witness, or signatures. A waiver an abort superseded is not open: the abort
 * decides (signed, the ceremony is aborted; withdrawn, the waiver may be proposed again).
 */
export function openDeviations(state: CeremonyState): readonly Deviation[] {
  return state.deviations.filter(
    (d) =>
      d.witnessedBy === undefined &&
      d.withdrawnBy === undefined &&
      (!SIGNED_DEVIATIONS.includes(d.kind) || d.id === state.proposal?.deviation),
  );
}

/** Deviations that cannot be undone, so a signed authorisation (not a witness's click) makes them take effect. */
const SIGNED_DEVIATIONS: readonly DeviationKind[] = ['abort', 'token-not-deleted'];

/** The abort or waiver awaiting signatures, if one is. */
export function proposed(state: CeremonyState): Deviation | undefined {
  const id = state.proposal?.deviation;
  return id === undefined ? undefined : state.deviations.find((d) => d.id === id);
}

export function isEnded(state: CeremonyState): boolean {
  return isTerminalStep(state.step);
}

// ---------------------------------------------------------------------------------------------
// Events from people.

function acknowledge(s: CeremonyState, e: Extract<CeremonyEvent, { type: 'acknowledge' }>): Outcome {
  const spec = STEPS[s.step];
  if (e.step !== s.step)
    return err(
      'wrong-step',
      `it is step '${s.step}' (${spec.title}) now, so '${String(e.step)}' cannot be acknowledged`,
    );
  if (irreversible(s))
    return err(
      'signature-required',
      `'${spec.title}' cannot be undone: it is authorised by the administrator and a witness each signing its statement with their own key, not by a click`,
    );
  const who = identify(s, e.actor);
  if (!who.ok) return who;
  const person = who.value;
  if (person.role !== e.role)
    return err('wrong-role', `'${person.name}' is ${article(person.role)} in this plan, not ${article(e.role)}`);
  const open = openDeviations(s)[0];
  if (open)
    return err(
      'deviation-open',
      `deviation #${open.id} (${open.kind}) must be witnessed before anyone acknowledges a step`,
    );
  if (spec.flow === 'act-then-confirm' && !s.acted)
    return err(
      'action-pending',
      `the laptop has not finished '${spec.title}' yet; acknowledge once it reports the result`,
    );
  if (spec.flow === 'confirm-then-act' && spec.acks === 'administrator-and-witness' && acksComplete(s))
    return err(
      'already-acknowledged',
      `'${spec.title}' is already authorised; wait for the laptop to report the result`,
    );

  const refusal = ackRefusal(s, person);
  if (refusal) return refusal;
  return ok(maybeComplete({ ...s, acks: [...s.acks, { actor: person.name, role: person.role, at: e.at }] }, e.at));
}

/** Why this person may not acknowledge the current step, or undefined when they may. */
function ackRefusal(s: CeremonyState, who: Person): Outcome | undefined {
  const spec = STEPS[s.step];
  const already = s.acks.find((a) => a.actor === who.name);
  switch (spec.acks) {
    case 'none':
      return err('not-required', `'${spec.title}' needs no acknowledgement`);
    case 'everyone':
      if (already) return err('already-acknowledged', `'${who.name}' has already answered the roll call`);
      if (who.officer && s.absent.includes(who.officer.name))
        return err(
          'officer-unavailable',
          `'${who.officer.name}' is recorded absent (a witnessed deviation); they cannot answer the roll call`,
        );
      return undefined;
    case 'administrator-and-witness':
      return pairRefusal(s.acks, who, `'${spec.title}'`);
    case 'officer': {
      const officer = who.officer;
      if (!officer)
        return err('not-required', 'only officers act during share entry; the administrator and witnesses watch');
      if (s.absent.includes(officer.name))
        return err('officer-unavailable', `'${officer.name}' is recorded absent (a witnessed deviation)`);
      if (s.attempt?.submitted.includes(officer.name))
        return err(
          'already-submitted',
          `${officer.name}'s share is already in this attempt (${s.attempt.progress} of ${s.attempt.required}); each share counts once`,
        );
      const current = s.acks[0];
      if (current) return err('busy', `'${current.actor}' is entering a share now; wait for the laptop to report it`);
      return undefined;
    }
    case 'signer': {
      if (who.role === 'officer')
        return err('not-required', 'the administrator and the witnesses sign the transcript; officers do not');
      if (s.signed.includes(who.name))
        return err('already-acknowledged', `'${who.name}' has already signed the transcript`);
      if (who.role === 'witness' && !s.signed.includes(s.plan.administrator.name))
        return err(
          'out-of-order',
          `the administrator ('${s.plan.administrator.name}') signs first; witnesses countersign after`,
        );
      const current = s.acks[0];
      if (current) return err('busy', `'${current.actor}' is signing now; wait for the laptop to report it`);
      return undefined;
    }
  }
}

/** Why `who` may not give one of the administrator's-and-a-witness's pair of `acks` on `what`, or undefined. */
function pairRefusal(acks: readonly Ack[], who: Person, what: string): Outcome | undefined {
  if (who.role === 'officer')
    return err(
      'not-required',
      `${what} is acknowledged by the administrator and a witness; officers act only when entering shares`,
    );
  const same = acks.find((a) => a.role === who.role);
  if (same)
    return err(
      'already-acknowledged',
      who.role === 'witness'
        ? `witness '${same.actor}' has already acknowledged ${what}`
        : `the administrator has already acknowledged ${what}`,
    );
  return undefined;
}

function pairComplete(acks: readonly Ack[]): boolean {
  return acks.some((a) => a.role === 'administrator') && acks.some((a) => a.role === 'witness');
}

/**
 * The step a statement must now be asked for (a fresh nonce and the journal head), or undefined:
 * an abort or waiver awaits signatures, or the current step is irreversible, and no statement is
 * out yet. An irreversible step waits while a deviation is open or once it is authorised.
 */
export function authorisationDue(s: CeremonyState): StepId | undefined {
  const step = s.step;
  if (isEnded(s) || s.statement !== undefined) return undefined;
  if (s.proposal) return step;
  if (!isIrreversibleStep(step, isDestructivePlan(s.plan))) return undefined;
  if (openDeviations(s).length > 0 || acksComplete(s)) return undefined;
  return step;
}

/** Whether the current step cannot be undone in this ceremony, so it is authorised by signature. */
function irreversible(s: CeremonyState): boolean {
  return isIrreversibleStep(s.step, isDestructivePlan(s.plan));
}

/**
 * The statement's action in words. An operation's parameters are not repeated: the plan is the
 * journal's first event, which the statement's head chains to.
 */
function actionWords(s: CeremonyState, step: StepId): string {
  if (step === 'perform-operation') {
    const op = operationOf(s.plan);
    return operationTitle(op.id, op.replication);
  }
  return step === 'promote' && s.force ? 'promote with force' : step;
}

/**
 * An abort's or a waiver's action, with the reason as typed (one line, JSON-quoted so no reason
 * can pass for another line of the statement): a signature covers the reason, not just the kind.
 */
function proposalWords(d: Deviation): string {
  const reason = JSON.stringify(d.reason);
  return d.kind === 'abort' ? `abort: ${reason}` : `waive ${d.step}: ${reason}`;
}

function requestAuthorisation(
  s: CeremonyState,
  e: Extract<CeremonyEvent, { type: 'authorisationRequested' }>,
): Outcome {
  const due = authorisationDue(s);
  if (due === undefined || e.step !== due)
    return err('not-allowed-now', `no authorisation is to be asked for at '${STEPS[s.step].title}' now`);
  if (!isStatementNonce(e.nonce) || !isJournalHead(e.head))
    return err('invalid-event', 'an authorisation request needs a hex nonce (32 to 64 digits) and a journal head');
  const proposal = proposed(s);
  const action = proposal ? proposalWords(proposal) : actionWords(s, due);
  return ok({
    ...s,
    statement: { ceremony: s.plan.id, step: due, action, cluster: s.plan.profile, nonce: e.nonce, head: e.head },
  });
}

/** Why `actor` may not authorise the current step now (before anyone unlocks a key), or undefined. */
export function authoriseRefusal(
  s: CeremonyState,
  actor: string,
): { kind: MachineErrorKind; message: string } | undefined {
  if (isEnded(s)) return { kind: 'ceremony-ended', message: `the ceremony is ${s.step}` };
  const proposal = proposed(s);
  if (proposal) {
    const what =
      proposal.kind === 'abort'
        ? `aborting (#${proposal.id})`
        : `waiving '${STEPS[proposal.step].title}' (#${proposal.id})`;
    if (!s.statement)
      return { kind: 'not-allowed-now', message: `the laptop has not yet asked for authorisation of ${what}` };
    const who = identify(s, actor);
    if (!who.ok) return who.error;
    const refusal = pairRefusal(s.proposal?.acks ?? [], who.value, what);
    return refusal && !refusal.ok ? refusal.error : undefined;
  }
  const spec = STEPS[s.step];
  if (!irreversible(s))
    return { kind: 'not-required', message: `'${spec.title}' is acknowledged, not authorised with a signature` };
  const open = openDeviations(s)[0];
  if (open)
    return {
      kind: 'deviation-open',
      message: `deviation #${open.id} (${open.kind}) must be witnessed before anyone authorises '${spec.title}'`,
    };
  if (!s.statement)
    return { kind: 'not-allowed-now', message: `the laptop has not yet asked for authorisation of '${spec.title}'` };
  if (acksComplete(s))
    return {
      kind: 'already-acknowledged',
      message: `'${spec.title}' is already authorised; wait for the laptop to report the result`,
    };
  const who = identify(s, actor);
  if (!who.ok) return who.error;
  const refusal = ackRefusal(s, who.value);
  return refusal && !refusal.ok ? refusal.error : undefined;
}

function authorise(s: CeremonyState, e: Extract<CeremonyEvent, { type: 'authorise' }>): Outcome {
  if (e.step !== s.step)
    return err('wrong-step', `it is step '${s.step}' now, so '${String(e.step)}' cannot be authorised`);
  const refusal = authoriseRefusal(s, e.actor);
  if (refusal) return err(refusal.kind, refusal.message);
  const statement = s.statement!;
  const person = identify(s, e.actor);
  if (!person.ok) return person;
  if (person.value.role !== e.role)
    return err(
      'wrong-role',
      `'${person.value.name}' is ${article(person.value.role)} in this plan, not ${article(e.role)}`,
    );
  if (e.nonce !== statement.nonce || e.head !== statement.head)
    return err(
      'stale-statement',
      `this authorisation was signed over another statement (nonce ${clip(String(e.nonce))}, head ${clip(String(e.head))}); sign the current one:\n${statementText(statement)}`,
    );
  const planned = signers(s.plan).find((p) => p.name === person.value.name)?.fingerprint;
  if (typeof e.fingerprint !== 'string' || e.fingerprint.toLowerCase() !== planned)
    return err(
      'wrong-key',
      `the authorisation is signed with key ${clip(String(e.fingerprint))}, but the plan names ${groupFingerprint(planned ?? '')} for '${person.value.name}'`,
    );
  if (!isArmoredSignature(e.signature))
    return err('invalid-event', 'an authorisation carries an armored detached OpenPGP signature');
  const ack: Ack = { actor: person.value.name, role: person.value.role, at: e.at };
  if (!s.proposal) return ok({ ...s, acks: [...s.acks, ack] });
  const acks = [...s.proposal.acks, ack];
  return ok(pairComplete(acks) ? carryOut(s, acks, e.at) : { ...s, proposal: { ...s.proposal, acks } });
}

/** A signed abort or waiver takes effect; the witness who signed it is its witness on the record. */
function carryOut(s: CeremonyState, acks: readonly Ack[], at: string): CeremonyState {
  const d = proposed(s)!;
  const witnessed: Deviation = { ...d, witnessedBy: acks.find((a) => a.role === 'witness')!.actor, witnessedAt: at };
  const next: CeremonyState = {
    ...s,
    proposal: undefined,
    statement: undefined,
    deviations: s.deviations.map((x) => (x.id === d.id ? witnessed : x)),
  };
  // Aborted: nothing more on Vault, straight to the signatures (the service closes the record there).
  return d.kind === 'abort'
    ? enter({ ...next, aborting: true }, 'sign-transcript')
    : applyDeviation(next, witnessed, at);
}

/** A signed abort that took effect: where, why, who proposed it, and who authorised it (administrator, witness). */
export interface AbortRecord {
  readonly step: StepId;
  readonly reason: string;
  readonly raisedBy: string | null;
  readonly authorisedBy: readonly [string, string];
}

/** The signed abort that stopped this ceremony, once it took effect; its witness is the one who signed it. */
export function abortOf(state: CeremonyState): AbortRecord | undefined {
  if (!state.aborting && state.step !== 'aborted') return undefined;
  const d = state.deviations.find((x) => x.kind === 'abort' && x.witnessedBy !== undefined);
  if (!d) return undefined;
  return {
    step: d.step,
    reason: d.reason,
    raisedBy: d.raisedBy ?? null,
    authorisedBy: [state.plan.administrator.name, d.witnessedBy!],
  };
}

/**
 * Raises an abort or a waiver for signatures. A statement already out for the step lapses, and
 * with it the signatures over it: people now sign this one, and the step is asked for afresh after.
 */
function propose(s: CeremonyState, d: Omit<Deviation, 'id'>): CeremonyState {
  const next = addDeviation(s, d);
  return {
    ...next,
    acks: irreversible(s) ? [] : s.acks,
    statement: undefined,
    proposal: { deviation: next.deviations.length, acks: [] },
  };
}

function raiseDeviation(s: CeremonyState, e: Extract<CeremonyEvent, { type: 'deviation' }>): Outcome {
  const who = identify(s, e.actor);
  if (!who.ok) return who;
  const reason = cleanText(e.reason);
  if (!reason) return err('reason-required', 'say what happened: a deviation needs a reason for the record');
  const adminOnly = (): Outcome | undefined =>
    who.value.role === 'administrator'
      ? undefined
      : err('wrong-role', `only the administrator raises a '${e.kind}' deviation; anyone may raise a 'note'`);
  const duplicate = (match: (d: Deviation) => boolean): Outcome | undefined => {
    const d = openDeviations(s).find((o) => o.kind === e.kind && match(o));
    return d ? err('not-allowed-now', `deviation #${d.id} already records this and waits for a witness`) : undefined;
  };
  const base = { kind: e.kind, step: s.step, reason, raisedBy: who.value.name, at: e.at };

  switch (e.kind) {
    case 'note':
      return ok(addDeviation(signedAnew(s), base));
    case 'officer-absent':
    case 'officer-substituted': {
      const refusal = adminOnly() ?? officerChangeRefusal(s, e) ?? duplicate((d) => d.officer === e.officer);
      if (refusal) return refusal;
      const extra =
        e.kind === 'officer-substituted'
          ? { officer: e.officer, substitute: e.substitute.trim() }
          : { officer: e.officer };
      return ok(addDeviation(s, { ...base, ...extra }));
    }
    case 'force-promote':
    case 'two-primaries': {
      const what = e.kind === 'force-promote' ? 'force' : 'promoting while another cluster reports primary';
      const refusal =
        adminOnly() ??
        (s.step !== 'promote' || s.committed
          ? err('not-allowed-now', `${what} applies only to the promote step, before the promotion is made`)
          : undefined) ??
        ((e.kind === 'force-promote' ? s.force : twoPrimariesAccepted(s))
          ? err('not-allowed-now', `${what} is already approved for this promotion`)
          : undefined) ??
        (acksComplete(s)
          ? err('action-in-flight', 'the promotion is already authorised and may be under way; wait for its result')
          : undefined) ??
        duplicate((d) => d.kind === e.kind);
      return refusal ?? ok(addDeviation(s, base));
    }
    case 'token-not-deleted': {
      const refusal =
        adminOnly() ??
        (s.step !== 'delete-operation-token'
          ? err('not-allowed-now', "this deviation is for the 'delete-operation-token' step only")
          : s.failures === 0 && s.held.includes('operation-token')
            ? err(
                'not-allowed-now',
                'let the laptop try to delete the token first; this deviation is only for when deletion fails',
              )
            : undefined) ??
        duplicate(() => true) ??
        proposalRefusal(s);
      return refusal ?? ok(propose(s, base));
    }
    default:
      return err('invalid-event', `unknown deviation kind ${JSON.stringify((e as { kind?: unknown }).kind)}`);
  }
}

/** Refuses what would change course while an abort or a waiver awaits signatures. */
function proposalRefusal(s: CeremonyState): Outcome | undefined {
  const d = proposed(s);
  return d
    ? err('not-allowed-now', `deviation #${d.id} (${d.kind}) waits for the administrator's and a witness's signatures`)
    : undefined;
}

function officerChangeRefusal(
  s: CeremonyState,
  e: { kind: 'officer-absent' | 'officer-substituted'; officer: string; substitute?: string },
): Outcome | undefined {
  const officer = s.plan.officers.find((o) => o.name === e.officer);
  if (!officer) return err('unknown-actor', `'${e.officer}' is not an officer in plan '${s.plan.id}'`);
  if (s.committed) return err('too-late', 'shares are no longer needed in this ceremony');
  if (s.absent.includes(officer.name)) return err('not-allowed-now', `'${officer.name}' is already recorded absent`);
  if (s.substitutes.some((x) => x.officer === officer.name))
    return err('not-allowed-now', `'${officer.name}' already has a substitute`);
  const entering = s.step === 'share-entry' ? s.acks[0] : undefined;
  if (entering && officerOf(s, entering.actor) === officer.name)
    return err('busy', `'${officer.name}' is entering a share now; wait for the laptop to report it`);
  if (e.kind === 'officer-substituted') {
    // A replayed journal's event may hold anything there.
    const name = typeof e.substitute === 'string' ? e.substitute.trim() : '';
    if (!isVisibleName(name))
      return err(
        'invalid-event',
        'the substitute needs a name of 1 to 100 visible characters: no invisible or direction-changing ones, no blank symbol, single spaces, and no Latin, Cyrillic, Greek or Armenian letters mixed',
      );
    const taken =
      [...signers(s.plan), ...s.plan.officers].some((p) => nameKey(p.name) === nameKey(name)) ||
      s.substitutes.some((x) => nameKey(x.substitute) === nameKey(name));
    if (taken)
      return err('not-allowed-now', `'${name}' already has a role in this ceremony; a substitute must be someone else`);
  }
  return undefined;
}

function witnessDeviation(s: CeremonyState, e: Extract<CeremonyEvent, { type: 'deviationWitnessed' }>): Outcome {
  const d = s.deviations.find((x) => x.id === e.id);
  if (!d) return err('unknown-deviation', `there is no open deviation #${e.id}; open ones: ${openList(s)}`);
  if (d.witnessedBy !== undefined)
    return err('already-witnessed', `deviation #${d.id} was already witnessed by '${d.witnessedBy}'`);
  if (d.withdrawnBy !== undefined)
    return err(
      'unknown-deviation',
      `deviation #${d.id} was withdrawn by '${d.withdrawnBy}'; open ones: ${openList(s)}`,
    );
  if (SIGNED_DEVIATIONS.includes(d.kind))
    return err(
      'signature-required',
      `deviation #${d.id} (${d.kind}) cannot be undone: the administrator and a witness each authorise it by signing its statement with their own key, not by a click`,
    );
  const who = identify(s, e.actor);
  if (!who.ok) return who;
  if (who.value.name === d.raisedBy)
    return err('self-witness', `'${who.value.name}' raised deviation #${d.id}; someone else must witness it`);
  const raiserIsWitness = s.plan.witnesses.some((w) => w.name === d.raisedBy);
  if (who.value.role !== 'witness' && !(who.value.role === 'administrator' && raiserIsWitness))
    return err(
      'wrong-role',
      `deviations are witnessed by a witness; '${who.value.name}' is ${article(who.value.role)}`,
    );

  const witnessed: Deviation = { ...d, witnessedBy: who.value.name, witnessedAt: e.at };
  const next: CeremonyState = { ...s, deviations: s.deviations.map((x) => (x.id === d.id ? witnessed : x)) };
  return ok(applyDeviation(next, witnessed, e.at));
}

/** A witnessed deviation takes effect (detected ones took effect when they were detected). */
function applyDeviation(s: CeremonyState, d: Deviation, at: string): CeremonyState {
  switch (d.kind) {
    case 'officer-absent':
      return maybeComplete({ ...s, absent: [...s.absent, d.officer ?? ''] }, at);
    case 'officer-substituted':
      return maybeComplete(
        { ...s, substitutes: [...s.substitutes, { officer: d.officer ?? '', substitute: d.substitute ?? '' }] },
        at,
      );
    case 'force-promote':
      // Authorisation given without force does not cover a forced call: ask again.
      return s.step === 'promote' && !s.committed ? { ...lapseStep(s), force: true } : s;
    case 'two-primaries':
      // Nor does it cover making a second primary: the statement's journal head now includes the override.
      return s.step === 'promote' && !s.committed ? lapseStep(s) : s;
    case 'token-not-deleted':
      if (s.step !== 'delete-operation-token') return s;
      return completeStep(
        { ...s, undeletedTokens: s.undeletedTokens + 1, held: without(s.held, 'operation-token') },
        at,
        d.id,
      );
    case 'cancel': {
      if (s.committed)
        return {
          ...s,
          lastResult: 'The cancellation came too late: the irreversible step is done. Finish the closing steps.',
        };
      const next = { ...s, cancelling: true };
      return s.step === 'cancel-attempt' ? { ...next, acks: [] } : enter(next, cancelTail(next));
    }
    default:
      return s;
  }
}

function cancel(s: CeremonyState, e: Extract<CeremonyEvent, { type: 'cancel' }>): Outcome {
  const who = identify(s, e.actor);
  if (!who.ok) return who;
  if (who.value.role !== 'administrator')
    return err('wrong-role', 'only the administrator cancels the ceremony; a witness confirms it');
  const reason = cleanText(e.reason);
  if (!reason) return err('reason-required', 'say why the ceremony is cancelled, for the record');
  const refusal = cancelRefusal(s);
  if (refusal) return refusal;
  return ok(addDeviation(s, { kind: 'cancel', step: s.step, reason, raisedBy: who.value.name, at: e.at }));
}

const COMMITTED: Record<CeremonyPlan['kind'], string> = {
  promotion: 'promoted',
  failback: 'pointed at its new primary',
  operation: 'changed by the operation',
};

function cancelRefusal(s: CeremonyState): Outcome | undefined {
  if (isEnded(s)) return err('ceremony-ended', `the ceremony is ${s.step}`);
  if (s.committed)
    return err(
      'too-late',
      `'${s.plan.profile}' has already been ${COMMITTED[s.plan.kind]}; finish the closing steps instead`,
    );
  if (s.cancelling || openDeviations(s).some((d) => d.kind === 'cancel'))
    return err('not-allowed-now', 'the ceremony is already being cancelled');
  const pending = proposalRefusal(s);
  if (pending) return pending;
  const spec = STEPS[s.step];
  if (spec.flow === 'confirm-then-act' && spec.acks === 'administrator-and-witness' && acksComplete(s))
    return err(
      'action-in-flight',
      `'${spec.title}' is authorised and may be under way; cancel after the laptop reports its result`,
    );
  return undefined;
}

function abort(s: CeremonyState, e: Extract<CeremonyEvent, { type: 'abort' }>): Outcome {
  const who = identify(s, e.actor);
  if (!who.ok) return who;
  if (who.value.role === 'officer') return err('wrong-role', 'the administrator or a witness aborts the ceremony');
  const reason = cleanText(e.reason);
  if (!reason) return err('reason-required', 'say why the ceremony is aborted, for the record');
  if (s.step === 'sign-transcript')
    return err(
      'too-late',
      'the record is closed and nothing more is done on Vault: there is nothing left to abort, only the transcript to sign',
    );
  const pending = proposed(s);
  if (pending?.kind === 'abort')
    return err(
      'not-allowed-now',
      `abort #${pending.id} already waits for the administrator's and a witness's signatures`,
    );
  // An abort supersedes a waiver still awaiting signatures: it ends the ceremony either way.
  return ok(propose(s, { kind: 'abort', step: s.step, reason, raisedBy: who.value.name, at: e.at }));
}

/**
 * Takes back an abort or a waiver before it is signed (raised by mistake, or someone will not sign
 * it): on the record, by whoever raised it or the administrator. A click suffices, since it
 * changes nothing that cannot be undone; the step's own authorisation is then asked for afresh.
 */
function withdraw(s: CeremonyState, e: Extract<CeremonyEvent, { type: 'withdraw' }>): Outcome {
  const d = proposed(s);
  if (!d || d.id !== e.id)
    return err(
      'unknown-deviation',
      `there is no abort or waiver #${e.id} awaiting signatures; open ones: ${openList(s)}`,
    );
  const who = identify(s, e.actor);
  if (!who.ok) return who;
  if (who.value.name !== d.raisedBy && who.value.role !== 'administrator')
    return err('wrong-role', `only '${d.raisedBy ?? '?'}', who raised #${d.id}, or the administrator withdraws it`);
  const withdrawn: Deviation = { ...d, withdrawnBy: who.value.name, withdrawnAt: e.at };
  return ok({
    ...s,
    proposal: undefined,
    statement: undefined,
    deviations: s.deviations.map((x) => (x.id === d.id ? withdrawn : x)),
  });
}

// ---------------------------------------------------------------------------------------------
// Results from the service.

function serviceResult(s: CeremonyState, e: Extract<CeremonyEvent, { type: 'serviceResult' }>): Outcome {
  if (e.step !== s.step)
    return err('wrong-step', `the laptop reported a result for '${String(e.step)}' but the ceremony is at '${s.step}'`);
  const action = dueAction(s);
  if (!action)
    return err('unexpected-result', `no laptop action is due at '${STEPS[s.step].title}': ${whyNoAction(s)}`);
  if (e.outcome === 'failed') return ok(failed(s, e));
  // Replayed events come from a journal file: their contents are checked here, whatever their type says.
  const reported = e as { readonly outcome: unknown; readonly facts?: { readonly kind?: unknown } };
  if (reported.outcome !== 'ok' || reported.facts?.kind !== action.kind)
    return err(
      'invalid-result',
      `the laptop reported '${String(reported.facts?.kind)}' but '${STEPS[s.step].title}' awaits '${action.kind}'`,
    );
  return applyFacts(s, e.facts, action, e.at);
}

function failed(s: CeremonyState, e: { reason: string; observed?: AttemptStatus; at: string }): CeremonyState {
  if (e.observed && ATTEMPT_CALLS.includes(s.step)) {
    const detected = attemptDeviation(s, e.observed, s.attempt?.progress ?? 0);
    if (detected) return restartAttempt(s, detected, e.at);
  }
  const next = {
    ...s,
    failures: s.failures + 1,
    lastResult: `${STEPS[s.step].title}: ${cleanText(e.reason) || 'no reason given'}`,
  };
  // Authorisation and a stepped-up officer or signer cover one try; a retry is asked for again.
  return STEPS[s.step].flow === 'confirm-then-act' ? lapseStep(next) : next;
}

function applyFacts(s: CeremonyState, facts: ServiceFacts, action: ServiceAction, at: string): Outcome {
  switch (facts.kind) {
    case 'read-replication-status': {
      const expected = action.kind === 'read-replication-status' ? action.expectMode : undefined;
      const mustConnect = action.kind === 'read-replication-status' && action.expectConnected === true;
      const mode = cleanText(String(facts.mode)).slice(0, 40);
      const primary = facts.connectedTo === undefined ? undefined : clip(String(facts.connectedTo));
      const which = action.kind === 'read-replication-status' && action.replication ? 'performance' : 'DR';
      const seen = `Vault reports ${which} mode '${mode}'${primary ? `, connected to the primary at ${primary}` : ''}.`;
      if (mode === expected && (!mustConnect || primary))
        return ok(maybeComplete({ ...s, acted: true, lastResult: seen }, at));
      return ok({
        ...s,
        failures: s.failures + 1,
        lastResult:
          mode === expected
            ? `${seen} It is not connected to a primary yet: read the status again in a moment; do not continue until it reports the new primary connected.`
            : `Vault reports ${which} mode '${mode}', not '${expected ?? '?'}'. Check the connection profile and read the status again; do not continue until it matches.`,
      });
    }
    case 'collect-root-token':
      return ok(completeStep({ ...s, held: withSecret(s.held, 'root-token') }, at));
    case 'collect-batch-token':
      return ok(completeStep({ ...s, held: withSecret(s.held, 'operation-token') }, at));
    case 'collect-vault-token': {
      const next = { ...s, held: withSecret(s.held, 'vault-token') };
      // Entered at its own step, or asked for again where a call needs it: that step goes on.
      return ok(s.step === 'enter-vault-token' ? completeStep(next, at) : next);
    }
    case 'collect-activation-token':
      return ok(completeStep({ ...s, held: withSecret(s.held, 'activation-token') }, at));
    case 'replication-operation': {
      const op = operationOf(s.plan);
      const commitment = facts.activationTokenSha256;
      if (op.id === 'secondary-token' && (typeof commitment !== 'string' || !/^[0-9a-f]{64}$/.test(commitment)))
        return err('invalid-result', "a secondary-token call's result needs the activation token's SHA-256");
      // A new activation token is handed over at the post-check; one that was entered is used up.
      const held =
        op.id === 'secondary-token' ? withSecret(s.held, 'activation-token') : without(s.held, 'activation-token');
      return ok(completeStep({ ...s, committed: true, held }, at));
    }
    case 'generate-otp': {
      const { otpLength, legacy, attempt } = facts;
      if (!isCount(otpLength) || otpLength < 1 || otpLength > 128 || (legacy && otpLength !== 24))
        return err(
          'invalid-result',
          `an OTP of ${String(otpLength)} characters is not one Vault uses (legacy OTPs are 24)`,
        );
      const badStatus = statusProblem(attempt);
      if (badStatus) return badStatus;
      if (attempt.started) {
        const detected = attemptDeviation(s, attempt, 0);
        if (detected) return ok(restartAttempt(s, detected, at));
      }
      const next = {
        ...s,
        otp: { length: otpLength, legacy: Boolean(legacy) },
        held: withSecret(s.held, 'otp'),
        acted: true,
      };
      return ok(
        maybeComplete(
          {
            ...next,
            lastResult: `A ${otpLength}-character one-time password was generated${legacy ? ' (legacy form)' : ''}.`,
          },
          at,
        ),
      );
    }
    case 'start-attempt': {
      const a = facts.attempt;
      const badStatus = statusProblem(a);
      if (badStatus) return badStatus;
      if (!a.started || !a.nonce || a.required < 1)
        return err(
          'invalid-result',
          'an attempt Vault started has started: true, a nonce and a required count of at least 1',
        );
      if (a.progress !== 0)
        return ok(
          restartAttempt(
            s,
            {
              kind: 'progress-unexpected',
              reason: `The new attempt already shows ${a.progress} share(s): someone else is entering shares.`,
            },
            at,
          ),
        );
      const attempt: AttemptRecord = {
        number: s.attempts + 1,
        nonce: a.nonce,
        required: a.required,
        progress: 0,
        submitted: [],
        ...(a.node ? { node: a.node } : {}),
      };
      let next: CeremonyState = {
        ...s,
        attempt,
        attempts: attempt.number,
        acted: true,
        lastResult: `Attempt ${attempt.number} started; nonce ${a.nonce}; 0 of ${a.required} shares.`,
      };
      const threshold = s.plan.threshold;
      if (threshold !== undefined && a.required !== threshold) {
        const available = availableOfficers(s).length;
        next = addDeviation(next, {
          kind: 'threshold-mismatch',
          step: s.step,
          reason:
            `Vault requires ${a.required} shares but the plan says ${threshold}; the ceremony follows Vault.` +
            (a.required > available ? ` Only ${available} officer(s) are available, so it cannot complete.` : ''),
          raisedBy: undefined,
          at,
        });
      }
      return ok(maybeComplete(next, at));
    }
    case 'submit-share': {
      const attempt = s.attempt;
      const badStatus = statusProblem(facts.attempt);
      if (badStatus) return badStatus;
      const officer = s.acks[0] ? officerOf(s, s.acks[0].actor) : undefined;
      if (!attempt || !officer) return err('unexpected-result', 'no officer stepped up for this share');
      const detected = attemptDeviation(s, facts.attempt, attempt.progress + 1);
      if (detected) return ok(restartAttempt(s, detected, at));
      if (Boolean(facts.complete) !== (facts.attempt.progress === attempt.required))
        return err(
          'invalid-result',
          `Vault's answer is inconsistent: complete is ${String(facts.complete)} at ${facts.attempt.progress} of ${attempt.required}`,
        );
      const recorded: AttemptRecord = {
        ...attempt,
        progress: facts.attempt.progress,
        submitted: [...attempt.submitted, officer],
      };
      const next = {
        ...s,
        attempt: recorded,
        acks: [],
        failures: 0,
        lastResult: `${officer}'s share was accepted: ${recorded.progress} of ${recorded.required}.`,
      };
      if (!facts.complete) return ok(next);
      // A complete attempt no longer exists on Vault, so the root token (needed only for attempt
      // calls on 2.x) can go; the encoded token now waits in the service.
      const held = withSecret(without(next.held, 'root-token'), 'encoded-token');
      return ok(completeStep({ ...next, attempt: undefined, held }, at));
    }
    case 'decode-token': {
      if (!isCount(facts.tokenLength) || facts.tokenLength < 1 || facts.tokenLength > 4096)
        return err('invalid-result', `a decoded token of ${String(facts.tokenLength)} characters is not plausible`);
      const held = withSecret(without(s.held, 'otp', 'encoded-token'), 'operation-token');
      const next = {
        ...s,
        held,
        otp: undefined,
        acted: true,
        lastResult: `The DR operation token was decoded (${facts.tokenLength} characters).`,
      };
      return ok(maybeComplete(next, at));
    }
    case 'cancel-attempt':
      return ok(
        completeStep({ ...s, attempt: undefined, otp: undefined, held: without(s.held, 'otp', 'encoded-token') }, at),
      );
    case 'promote':
    case 'update-primary':
      return ok(completeStep({ ...s, committed: true, held: without(s.held, 'activation-token') }, at));
    case 'demote':
      return ok(completeStep(s, at));
    case 'delete-operation-token':
      if (facts.gone !== undefined && facts.gone !== DELETED_EARLIER)
        return err('invalid-result', "a deletion reported without a delete answered must give the laptop's own reason");
      return ok(
        maybeComplete(
          {
            ...s,
            held: without(s.held, 'operation-token'),
            acted: true,
            lastResult: facts.gone
              ? `The DR operation token is deleted: ${DELETED_EARLIER}.`
              : 'The DR operation token was deleted.',
          },
          at,
        ),
      );
    case 'create-secondary-token': {
      const expected = action.kind === 'create-secondary-token' ? action.secondaryId : undefined;
      if (facts.secondaryId !== expected)
        return err(
          'invalid-result',
          `the activation token was made for id '${String(facts.secondaryId)}' but the plan names '${expected ?? '?'}'`,
        );
      // A replayed journal's result may hold anything there.
      const replacedFact: unknown = facts.replaced;
      if (replacedFact !== undefined && replacedFact !== true)
        return err('invalid-result', "a secondary-token result's 'replaced' is true or absent");
      const replaced = replacedFact
        ? 'The token issued before the laptop stopped was never used; it is revoked and a new one issued. '
        : '';
      return ok(
        maybeComplete(
          {
            ...s,
            held: withSecret(s.held, 'activation-token'),
            acted: true,
            lastResult: `${replaced}Activation token created for id '${expected}'.`,
          },
          at,
        ),
      );
    }
    case 'sign-transcript': {
      if (action.kind !== 'sign-transcript') return err('invalid-result', 'no signature is due');
      if (facts.signer !== action.signer)
        return err('invalid-result', `'${action.signer}' stepped up to sign, not '${String(facts.signer)}'`);
      if (String(facts.fingerprint).replace(/\s+/g, '').toLowerCase() !== action.fingerprint)
        return err(
          'invalid-result',
          `the signature was made with key ${clip(String(facts.fingerprint))} but the plan names ${groupFingerprint(action.fingerprint)} for '${action.signer}'; sign with the planned key`,
        );
      const signed = [...s.signed, action.signer];
      const next = { ...s, signed, acks: [], failures: 0, lastResult: `'${action.signer}' signed the transcript.` };
      return ok(everyoneSigned(s.plan, signed) ? completeStep(next, at) : next);
    }
    default:
      return err('invalid-result', `unknown result kind ${JSON.stringify((facts as { kind?: unknown }).kind)}`);
  }
}

/** Compares Vault's view of the attempt with ours; any difference is a deviation that forces a restart. */
function attemptDeviation(
  s: CeremonyState,
  seen: AttemptStatus,
  expectedProgress: number,
): { kind: DetectedDeviationKind; reason: string } | undefined {
  const a = s.attempt;
  if (!a)
    return seen.started
      ? {
          kind: 'attempt-in-progress',
          reason: `Vault already has an attempt this ceremony did not start (nonce ${clip(seen.nonce)}, ${seen.progress} of ${seen.required}); it must be cancelled before a new one begins.`,
        }
      : undefined;
  if (a.node && seen.node && seen.node !== a.node)
    return {
      kind: seen.started ? 'nonce-changed' : 'attempt-lost',
      reason: `The active node changed from ${a.node} to ${clip(seen.node)}: the attempt with nonce ${a.nonce} lived only in ${a.node}'s memory. Tell the key holders, cancel any attempt left behind, and start again with a new one-time password and every share.`,
    };
  if (!seen.started)
    return {
      kind: 'attempt-lost',
      reason: `Vault no longer has the attempt with nonce ${a.nonce}: it was cancelled or completed elsewhere, or Vault restarted. Start again with every share.`,
    };
  if (seen.nonce !== a.nonce)
    return {
      kind: 'nonce-changed',
      reason: `The nonce changed from ${a.nonce} to ${clip(seen.nonce)}: someone cancelled this attempt and started another. Cancel it and start again with every share.`,
    };
  if (seen.required !== a.required)
    return {
      kind: 'progress-unexpected',
      reason: `Vault now requires ${seen.required} shares instead of ${a.required}: the seal configuration changed mid-attempt.`,
    };
  if (seen.progress < expectedProgress)
    return {
      kind: 'progress-regressed',
      reason: `Vault reports ${seen.progress} of ${seen.required} shares where ${expectedProgress} were expected: shares were discarded (a failed combination or someone else). Start again with every share.`,
    };
  if (seen.progress > expectedProgress)
    return {
      kind: 'progress-unexpected',
      reason: `Vault reports ${seen.progress} of ${seen.required} shares where ${expectedProgress} were expected: a share this ceremony did not enter was added.`,
    };
  return undefined;
}

/** Sends the ceremony to cancel the attempt, with a detected deviation a witness must confirm. */
function restartAttempt(
  s: CeremonyState,
  detected: { kind: DetectedDeviationKind; reason: string },
  at: string,
): CeremonyState {
  const next = addDeviation(s, { ...detected, step: s.step, raisedBy: undefined, at });
  return enter({ ...next, held: without(next.held, 'encoded-token') }, 'cancel-attempt');
}

/** A witnessed `two-primaries` deviation, raised at this promote step. */
function twoPrimariesAccepted(s: CeremonyState): boolean {
  return s.deviations.some((d) => d.kind === 'two-primaries' && d.witnessedBy !== undefined);
}

function statusProblem(a: AttemptStatus | undefined): Outcome | undefined {
  if (
    !a ||
    (a.node !== undefined && (typeof a.node !== 'string' || a.node.length > 200)) ||
    typeof a.started !== 'boolean' ||
    typeof a.nonce !== 'string' ||
    a.nonce.length > 200 ||
    !isCount(a.progress) ||
    !isCount(a.required)
  )
    return err('invalid-result', 'the attempt status needs started, nonce, and whole-number progress and required');
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Resume after a crash or restart.

function resume(s: CeremonyState, e: Extract<CeremonyEvent, { type: 'resume' }>): Outcome {
  // The service lists what it holds; a replayed journal's event may hold anything there.
  if (!Array.isArray(e.held)) return err('invalid-event', 'a resume lists the secrets the laptop still holds');
  if (e.attemptStatus) {
    const badStatus = statusProblem(e.attemptStatus);
    if (badStatus) return badStatus;
  }
  if (s.aborting) {
    // Nothing on Vault is read or done again; what was left behind stays listed; the signing starts again.
    const reason = `Resumed at '${STEPS[s.step].title}': the ceremony is aborted, so nothing is done on Vault; only the transcript's signatures remain.${resignNote(s)}`;
    return ok(
      addDeviation(
        { ...lapse(s), signed: [], acks: [], lastResult: reason },
        { kind: 'resumed', step: s.step, reason, raisedBy: undefined, at: e.at },
      ),
    );
  }
  const stillHeld = new Set(e.held);
  const lost = s.held.filter((x) => !stillHeld.has(x));
  const notes: string[] = lost.length ? [`The restart lost: ${lost.join(', ')}.`] : [];
  // A quorum-generated token that is lost can never be deleted: Vault deletes it only when shown it.
  const lostGenerated =
    s.plan.token_path !== 'batch-dr-token' && (lost.includes('encoded-token') || lost.includes('operation-token'));
  let next: CeremonyState = {
    ...lapse(s),
    held: s.held.filter((x) => stillHeld.has(x)),
    signed: [],
    acks: [],
    lastResult: undefined,
  };
  const countLoss = () => {
    if (!lostGenerated) return;
    notes.push('A DR operation token was generated and lost before it could be deleted.');
    next = { ...next, undeletedTokens: next.undeletedTokens + 1 };
  };

  if (e.follows !== undefined && typeof e.follows !== 'boolean')
    return err('invalid-event', "a resume's 'follows' is true, false or absent");
  // A demoted cluster follows nobody until an update-primary points it at a primary: the one authorised here.
  const judged = s.step === 'update-primary' && s.plan.kind === 'failback' && acksComplete(s) && e.mode === 'secondary';
  const updated = judged && e.follows === true;
  if (judged && e.follows === false)
    notes.push(
      `Vault reports '${s.plan.profile}' a DR secondary following no primary: an update-primary sent before the laptop stopped was not made.`,
    );
  const madeBeforeRestart =
    (s.step === 'promote' && s.plan.kind === 'promotion' && e.mode === 'primary') ||
    (s.step === 'demote' && e.mode === 'secondary') ||
    (s.step === 'perform-operation' && operationChangedMode(s.plan, e.mode)) ||
    updated;
  if (madeBeforeRestart) {
    // The call went through just before the restart; its result never reached the journal.
    notes.push(
      updated
        ? `Vault reports '${s.plan.profile}' a DR secondary following a primary: the update-primary sent before the laptop stopped was made: the old primary follows the new one.`
        : `Vault reports DR mode '${e.mode}' for '${s.plan.profile}': '${STEPS[s.step].title}' was done before the restart.`,
    );
    next = completeStep({ ...next, committed: s.step !== 'demote' }, e.at);
  } else if (s.committed) {
    if (lost.includes('operation-token'))
      notes.push(
        "The DR operation token can no longer be deleted; record that with a 'token-not-deleted' deviation at the deletion step.",
      );
  } else if (s.cancelling) {
    countLoss();
    if (s.attempt && e.attemptStatus && !e.attemptStatus.started) next = { ...next, attempt: undefined };
    next = enter(next, cancelTail(next));
  } else {
    const target = rewindTarget(next, lost, e.attemptStatus, notes);
    if (target) {
      countLoss();
      next = rewind(next, target);
      notes.push(`The ceremony goes back to '${STEPS[target].title}'.`);
    }
  }
  if (!notes.length) notes.push(`Resumed at '${STEPS[next.step].title}'; nothing was lost.`);
  const reason = notes.join(' ') + resignNote(s);
  return ok(
    addDeviation(
      { ...next, lastResult: reason },
      { kind: 'resumed', step: next.step, reason, raisedBy: undefined, at: e.at },
    ),
  );
}

/**
 * A restart while the transcript is signed adds its own events (the interruption, this resume, its
 * witness) after the head signed so far, so those signatures no longer cover the record: everyone
 * signs again, over the record with the restart on it.
 */
function resignNote(s: CeremonyState): string {
  if (s.signed.length === 0) return '';
  return ` The signatures made before the restart (${s.signed.join(', ')}) do not cover it: everyone signs the transcript again.`;
}

/**
 * A note raised while the transcript is signed is a person's statement about the ceremony: it
 * joins the record after the head signed so far, so those signatures no longer cover it and
 * everyone signs again once it is witnessed (the laptop reopens the record for it).
 */
function signedAnew(s: CeremonyState): CeremonyState {
  if (s.step !== 'sign-transcript' || s.signed.length === 0) return s;
  const lastResult = `The signatures made before this note (${s.signed.join(', ')}) do not cover it: once it is witnessed, everyone signs the transcript again.`;
  return { ...s, signed: [], acks: [], lastResult };
}

/** Whether the DR mode read on resume shows this operation's call was made (only calls that change the mode tell). */
function operationChangedMode(plan: CeremonyPlan, mode: string | undefined): boolean {
  const op = operationOf(plan);
  return op.replication === 'dr' && modeBefore(plan) !== modeAfter(plan) && mode === modeAfter(plan);
}

/** Where a ceremony that lost secrets, or whose attempt changed, must pick up again (undefined: where it is). */
function rewindTarget(
  s: CeremonyState,
  lost: readonly SecretName[],
  status: AttemptStatus | undefined,
  notes: string[],
): StepId | undefined {
  const targets = lost.filter((secret) => secret !== 'vault-token').map((secret) => producer(s.plan, secret));
  if (s.attempt) {
    const detected = status
      ? attemptDeviation(s, status, s.attempt.progress)
      : { reason: 'Vault did not report the attempt status.' };
    if (detected) {
      notes.push(detected.reason);
      targets.push('generate-otp');
    }
  } else if (s.step === 'start-attempt' && status?.started) {
    notes.push('Vault shows an attempt that this ceremony had not recorded starting.');
    targets.push('generate-otp');
  }
  // A lost OTP, encoded token or generated token means a whole new attempt.
  const order = (step: StepId) => s.script.indexOf(step);
  const restart = (step: StepId) =>
    step === 'start-attempt' || step === 'share-entry' || step === 'decode-token' ? 'generate-otp' : step;
  const earliest = targets.map(restart).sort((a, b) => order(a) - order(b))[0];
  if (earliest !== 'generate-otp') return earliest;
  // Attempt calls on the 2.x path need the root token; an attempt still open on Vault is cancelled first.
  if (s.plan.token_path === 'primary-root-token' && !s.held.includes('root-token')) return 'enter-root-token';
  return status?.started ? 'cancel-attempt' : 'generate-otp';
}

/** Goes back to `target`, forgetting what the steps from there on produced (the service wipes those). */
function rewind(s: CeremonyState, target: StepId): CeremonyState {
  const from = s.script.indexOf(target === 'cancel-attempt' ? 'generate-otp' : target);
  const held = s.held.filter((x) => s.script.indexOf(producer(s.plan, x)) < from);
  const restarting = s.script.indexOf('generate-otp') >= from;
  const next: CeremonyState = {
    ...s,
    held,
    otp: restarting ? undefined : s.otp,
    // cancel-attempt keeps the record, to show which nonce it cancels.
    attempt: restarting && target !== 'cancel-attempt' ? undefined : s.attempt,
  };
  return enter(next, target);
}

/** The step whose success gives the service this secret. */
function producer(plan: CeremonyPlan, secret: SecretName): StepId {
  switch (secret) {
    case 'otp':
      return 'generate-otp';
    case 'encoded-token':
      return 'share-entry';
    case 'operation-token':
      return plan.token_path === 'batch-dr-token' ? 'enter-batch-token' : 'decode-token';
    case 'root-token':
      return 'enter-root-token';
    case 'activation-token':
      return plan.kind === 'failback'
        ? 'create-secondary-token'
        : operationOf(plan).id === 'secondary-token'
          ? 'perform-operation'
          : 'enter-activation-token';
    case 'vault-token':
      return 'enter-vault-token';
  }
}

// ---------------------------------------------------------------------------------------------
// Step bookkeeping.

function dueAction(s: CeremonyState): ServiceAction | undefined {
  const spec = STEPS[s.step];
  if (spec.flow === 'act-then-confirm' && s.acted) return undefined;
  if (spec.flow === 'confirm-then-act' && !acksComplete(s)) return undefined;
  if (spec.flow === 'confirm' || spec.flow === 'end') return undefined;
  return actionFor(s);
}

function actionFor(s: CeremonyState): ServiceAction | undefined {
  const { plan } = s;
  const profile = plan.profile;
  const byVaultToken = plan.kind === 'failback' || plan.token_path === 'vault-token';
  if (byVaultToken && VAULT_TOKEN_CALLS.includes(s.step) && !s.held.includes('vault-token'))
    return {
      kind: 'collect-vault-token',
      profile: s.step === 'create-secondary-token' ? (plan.failback?.new_primary_profile ?? profile) : profile,
    };
  const read = (p: string, expectMode: 'primary' | 'secondary', expectConnected?: true): ServiceAction => ({
    kind: 'read-replication-status',
    profile: p,
    expectMode,
    ...(expectConnected ? { expectConnected } : {}),
  });
  switch (s.step) {
    case 'check-secondary':
      return read(profile, 'secondary');
    case 'check-failback':
      return read(profile, 'secondary', true);
    case 'check-promoted':
    case 'check-old-primary':
      return read(profile, 'primary');
    case 'check-new-primary':
      return read(plan.failback?.new_primary_profile ?? profile, 'primary');
    case 'check-before-operation':
    case 'check-after-operation': {
      const mode = s.step === 'check-before-operation' ? modeBefore(plan) : modeAfter(plan);
      const performance = operationOf(plan).replication === 'performance';
      return {
        kind: 'read-replication-status',
        profile,
        expectMode: mode,
        ...(performance ? { replication: 'performance' } : {}),
      };
    }
    case 'enter-vault-token':
      return { kind: 'collect-vault-token', profile };
    case 'enter-activation-token':
      return { kind: 'collect-activation-token', profile };
    case 'enter-root-token':
      return { kind: 'collect-root-token', profile };
    case 'enter-batch-token':
      return { kind: 'collect-batch-token', profile };
    case 'generate-otp':
      return { kind: 'generate-otp', profile };
    case 'start-attempt':
      return { kind: 'start-attempt', profile };
    case 'share-entry': {
      const actor = s.acks[0]?.actor;
      const officer = plan.officers.find((o) => o.name === (actor === undefined ? undefined : officerOf(s, actor)));
      if (!actor || !officer || !s.attempt) return undefined;
      return {
        kind: 'submit-share',
        profile,
        officer: officer.name,
        actor,
        fingerprint: officer.fingerprint,
        shareIndex: officer.share_index,
        nonce: s.attempt.nonce,
      };
    }
    case 'decode-token':
      return s.held.includes('encoded-token') ? { kind: 'decode-token' } : undefined;
    case 'cancel-attempt':
      return { kind: 'cancel-attempt', profile };
    case 'promote':
      return {
        kind: 'promote',
        profile,
        primaryClusterAddr: plan.primary_cluster_addr,
        force: s.force,
        allowTwoPrimaries: twoPrimariesAccepted(s),
      };
    case 'delete-operation-token':
      return s.held.includes('operation-token') ? { kind: 'delete-operation-token', profile } : undefined;
    case 'demote':
      return { kind: 'demote', profile };
    case 'perform-operation':
      return { kind: 'replication-operation', profile, operation: operationOf(plan) };
    case 'create-secondary-token':
      return {
        kind: 'create-secondary-token',
        profile: plan.failback?.new_primary_profile ?? profile,
        secondaryId: plan.failback?.secondary_id ?? '',
      };
    case 'update-primary':
      return plan.failback?.method === 'addrs'
        ? {
            kind: 'update-primary',
            profile,
            method: 'addrs',
            updatePrimaryAddrs: plan.failback.update_primary_addrs ?? [],
          }
        : { kind: 'update-primary', profile, method: 'token', primaryApiAddr: plan.failback?.primary_api_addr };
    case 'sign-transcript': {
      const signer = signers(plan).find((p) => p.name === s.acks[0]?.actor);
      return signer ? { kind: 'sign-transcript', signer: signer.name, fingerprint: signer.fingerprint } : undefined;
    }
    default:
      return undefined;
  }
}

function whyNoAction(s: CeremonyState): string {
  const spec = STEPS[s.step];
  if (spec.flow === 'confirm' || spec.flow === 'end') return 'this step is for people only';
  if (spec.flow === 'act-then-confirm' && s.acted) return 'its action already succeeded and people now confirm it';
  if (spec.flow === 'confirm-then-act' && !acksComplete(s)) return 'people have not yet authorised it';
  return 'nothing the laptop holds lets it act here';
}

/** Everyone who must still answer the roll call, by the name they act under. */
function rollCallNames(s: CeremonyState): Array<{ name: string; role: Role; officer?: PlanOfficer }> {
  return [
    { name: s.plan.administrator.name, role: 'administrator' as const },
    ...s.plan.witnesses.map((w) => ({ name: w.name, role: 'witness' as const })),
    ...availableOfficers(s).map((o) => ({ name: actingName(s, o.name), role: 'officer' as const, officer: o })),
  ];
}

function acksComplete(s: CeremonyState): boolean {
  switch (STEPS[s.step].acks) {
    case 'none':
      return true;
    case 'everyone':
      return rollCallNames(s).every((p) => s.acks.some((a) => a.actor === p.name));
    case 'administrator-and-witness':
      return s.acks.some((a) => a.role === 'administrator') && s.acks.some((a) => a.role === 'witness');
    case 'officer':
    case 'signer':
      return s.acks.length === 1;
  }
}

function maybeComplete(s: CeremonyState, at: string): CeremonyState {
  const flow = STEPS[s.step].flow;
  if (flow === 'confirm' && acksComplete(s)) return completeStep(s, at);
  if (flow === 'act-then-confirm' && s.acted && acksComplete(s)) return completeStep(s, at);
  return s;
}

function completeStep(s: CeremonyState, at: string, waivedBy?: number): CeremonyState {
  const record: StepRecord = waivedBy === undefined ? { step: s.step, at } : { step: s.step, at, waivedBy };
  const next: CeremonyState = { ...s, held: released(s), completed: [...s.completed, record] };
  const step = following(next);
  return { ...enter(next, step), endedAt: isTerminalStep(step) ? at : next.endedAt };
}

/** The step after the current one: the script's next, a restart's fresh OTP, or the cancellation's next closing step. */
/** What the service may forget once the current step is done. */
function released(s: CeremonyState): readonly SecretName[] {
  const later = s.script.slice(s.script.indexOf(s.step) + 1);
  let held = s.held;
  // The administrator destroys the batch token's escrowed copy in this step, and the laptop forgets it.
  if (s.step === 'retire-batch-token') held = without(held, 'operation-token');
  if (!later.some((step) => VAULT_TOKEN_CALLS.includes(step))) held = without(held, 'vault-token');
  // An operation's new activation token is handed over during the post-check, then forgotten.
  if (s.step === 'check-after-operation') held = without(held, 'activation-token');
  return held;
}

function following(s: CeremonyState): StepId {
  if (s.aborting) return 'aborted';
  if (s.cancelling) return cancelTail(s);
  if (s.step === 'cancel-attempt') return 'generate-otp';
  return s.script[s.script.indexOf(s.step) + 1] ?? 'finished';
}

/** The first closing step a cancelled ceremony still owes, given what it holds. */
function cancelTail(s: CeremonyState): StepId {
  if (s.attempt) return 'cancel-attempt';
  if (s.held.includes('encoded-token')) return 'decode-token';
  if (s.held.includes('operation-token')) return closingStep(s.plan);
  if (!everyoneSigned(s.plan, s.signed)) return 'sign-transcript';
  return 'cancelled';
}

function enter(s: CeremonyState, step: StepId): CeremonyState {
  return { ...lapse(s), step, acks: [], acted: false, failures: 0, lastResult: undefined };
}

/** The statement out lapses (a new step, a restart), and with it every signature over it. */
function lapse(s: CeremonyState): CeremonyState {
  return { ...s, statement: undefined, proposal: s.proposal && { deviation: s.proposal.deviation, acks: [] } };
}

/** The step's authorisation lapses (a failed call, force approved); a proposal's statement stays out. */
function lapseStep(s: CeremonyState): CeremonyState {
  return s.proposal ? { ...s, acks: [] } : { ...s, acks: [], statement: undefined };
}

function addDeviation(s: CeremonyState, d: Omit<Deviation, 'id'>): CeremonyState {
  return { ...s, deviations: [...s.deviations, { ...d, id: s.deviations.length + 1 }] };
}

// ---------------------------------------------------------------------------------------------
// People.

function identify(s: CeremonyState, actor: string): Result<Person, MachineErrorKind> {
  const { plan } = s;
  if (typeof actor !== 'string') return err('unknown-actor', 'an event needs the name of the person acting');
  if (actor === plan.administrator.name) return ok({ name: actor, role: 'administrator' });
  if (plan.witnesses.some((w) => w.name === actor)) return ok({ name: actor, role: 'witness' });
  const sub = s.substitutes.find((x) => x.substitute === actor);
  const officer = plan.officers.find((o) => o.name === (sub ? sub.officer : actor));
  if (officer) {
    const replacedBy = sub ? undefined : s.substitutes.find((x) => x.officer === officer.name)?.substitute;
    if (replacedBy)
      return err(
        'officer-unavailable',
        `'${officer.name}' was replaced by '${replacedBy}' (a witnessed deviation); '${replacedBy}' acts for them`,
      );
    return ok({ name: actor, role: 'officer', officer });
  }
  const pending = s.deviations.some(
    (d) => d.kind === 'officer-substituted' && d.substitute === actor && d.witnessedBy === undefined,
  );
  return err(
    'unknown-actor',
    pending
      ? `'${actor}' becomes a substitute only once a witness confirms the substitution`
      : `'${clip(actor)}' is not in plan '${plan.id}'; only the people it names (or witnessed substitutes) take part`,
  );
}

function officerOf(s: CeremonyState, actor: string): string | undefined {
  return (
    s.substitutes.find((x) => x.substitute === actor)?.officer ?? s.plan.officers.find((o) => o.name === actor)?.name
  );
}

function actingName(s: CeremonyState, officer: string): string {
  return s.substitutes.find((x) => x.officer === officer)?.substitute ?? officer;
}

function availableOfficers(s: CeremonyState): readonly PlanOfficer[] {
  return s.plan.officers.filter((o) => !s.absent.includes(o.name));
}

/** The acknowledgements still owed on the current step, with what each person affirms. */
export function owedAcks(s: CeremonyState): AckRequest[] {
  const spec = STEPS[s.step];
  if (isEnded(s)) return [];
  const proposal = proposed(s);
  if (proposal) return owedSignatures(s, proposal);
  if (spec.flow === 'act-then-confirm' && !s.acted) return [];
  if (spec.flow === 'confirm-then-act' && acksComplete(s)) return [];
  const option = (name: string, role: Role, c: ScriptContext = context(s)): AckOption => ({
    name,
    role,
    text: spec.confirm(c, role),
  });
  const acked = (name: string) => s.acks.some((a) => a.actor === name);
  switch (spec.acks) {
    case 'none':
      return [];
    case 'everyone':
      return rollCallNames(s)
        .filter((p) => !acked(p.name))
        .map((p) => ({ anyOf: [option(p.name, p.role)] }));
    case 'administrator-and-witness': {
      const out: AckRequest[] = [];
      if (!s.acks.some((a) => a.role === 'administrator'))
        out.push({ anyOf: [option(s.plan.administrator.name, 'administrator')] });
      if (!s.acks.some((a) => a.role === 'witness'))
        out.push({ anyOf: s.plan.witnesses.map((w) => option(w.name, 'witness')) });
      return out;
    }
    case 'officer': {
      const waiting = availableOfficers(s).filter((o) => !s.attempt?.submitted.includes(o.name));
      return waiting.length
        ? [{ anyOf: waiting.map((o) => option(actingName(s, o.name), 'officer', context(s, o))) }]
        : [];
    }
    case 'signer': {
      const unsigned = signers(s.plan).filter((p) => !s.signed.includes(p.name));
      const next = unsigned[0] === s.plan.administrator ? [s.plan.administrator] : unsigned;
      const role = (p: PlanPerson): Role => (p === s.plan.administrator ? 'administrator' : 'witness');
      return next.length ? [{ anyOf: next.map((p) => option(p.name, role(p), context(s, undefined, p))) }] : [];
    }
  }
}

/** The signatures an abort or a waiver still needs, with what each signer affirms. */
function owedSignatures(s: CeremonyState, d: Deviation): AckRequest[] {
  const what =
    d.kind === 'abort'
      ? `the ceremony is aborted at once, at '${STEPS[d.step].title}': nothing more is done on Vault, what it leaves behind is listed for someone to clean up, and everyone then signs the transcript`
      : `'${STEPS[d.step].title}' is waived: the DR operation token is recorded as not deleted, and it never expires`;
  const text = `I authorise this with my own key: ${what}. The reason, as recorded: ${d.reason}`;
  const acks = s.proposal?.acks ?? [];
  const out: AckRequest[] = [];
  if (!acks.some((a) => a.role === 'administrator'))
    out.push({ anyOf: [{ name: s.plan.administrator.name, role: 'administrator', text }] });
  if (!acks.some((a) => a.role === 'witness'))
    out.push({ anyOf: s.plan.witnesses.map((w) => ({ name: w.name, role: 'witness' as const, text })) });
  return out;
}

/** Why the ceremony cannot complete as things stand (too few officers for the shares still needed). */
export function blocker(s: CeremonyState): string | undefined {
  const sharesStillNeeded =
    s.plan.officers.length > 0 &&
    !s.committed &&
    !s.cancelling &&
    !s.aborting &&
    !isEnded(s) &&
    !s.held.includes('encoded-token') &&
    !s.held.includes('operation-token');
  if (!sharesStillNeeded) return undefined;
  const needed = (s.attempt?.required ?? s.plan.threshold ?? 0) - (s.attempt?.progress ?? 0);
  const able = availableOfficers(s).filter((o) => !s.attempt?.submitted.includes(o.name)).length;
  if (able >= needed) return undefined;
  return `${needed} more share(s) are needed but only ${able} officer(s) who have not entered one are available: bring a substitute (a witnessed deviation) or cancel.`;
}

/** The current step's title and the line the administrator reads aloud. */
export function stepText(s: CeremonyState): { title: string; script: string } {
  const spec = STEPS[s.step];
  return { title: spec.title, script: (s.plan.rehearsal ? 'REHEARSAL. ' : '') + spec.script(context(s)) };
}

function context(s: CeremonyState, officer?: PlanOfficer, signer?: PlanPerson): ScriptContext {
  return {
    plan: s.plan,
    nonce: s.attempt?.nonce,
    progress: s.attempt?.progress ?? 0,
    required: s.attempt?.required ?? s.plan.threshold,
    otpLength: s.otp?.length,
    force: s.force,
    officer,
    signer,
    again: s.completed.some((r) => r.step === s.step),
  };
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

function withSecret(held: readonly SecretName[], secret: SecretName): readonly SecretName[] {
  return held.includes(secret) ? held : [...held, secret];
}

function without(held: readonly SecretName[], ...secrets: SecretName[]): readonly SecretName[] {
  return held.filter((x) => !secrets.includes(x));
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** People's free text, one line, bounded, so a journal line stays a line. */
function cleanText(text: unknown): string {
  return typeof text === 'string'
    ? text
        .replace(/\p{Cc}+/gu, ' ')
        .trim()
        .slice(0, MAX_TEXT)
    : '';
}

function clip(text: string): string {
  const clean = cleanText(text);
  return clean.length > 64 ? `${clean.slice(0, 61)}...` : clean;
}

function article(role: Role): string {
  return role === 'administrator' ? 'the administrator' : `${role === 'officer' ? 'an' : 'a'} ${role}`;
}

function openList(s: CeremonyState): string {
  const open = openDeviations(s);
  return open.length ? open.map((d) => `#${d.id}`).join(', ') : 'none';
}
