import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validatePlan, type CeremonyPlan } from './ceremony-plan';
import type { AttemptStatus, CeremonyEvent, ServiceAction, ServiceFacts } from './ceremony-events';
import {
  authorisationDue,
  createCeremony,
  isEnded,
  MAX_DEVIATIONS,
  nextAction,
  openDeviations,
  replay,
  transition,
  type CeremonyState,
} from './ceremony-machine';
import { closingStep, type Role, type SecretName, type StepId } from './ceremony-steps';
import { view } from './ceremony-view';
import { isDestructivePlan, isIrreversibleStep } from './step-catalogue';
import { statementText } from './authorisation';

// ---------------------------------------------------------------------------------------------
// Plans.

const fp = (c: string) => c.repeat(40);
const AT = '2026-05-01T10:00:00Z';

function makePlan(extra: Record<string, unknown> = {}): CeremonyPlan {
  const data: Record<string, unknown> = {
    format: 1,
    id: 'dr-1',
    title: 'Promote dc2',
    kind: 'promotion',
    rehearsal: true,
    profile: 'dc2',
    vault_version: 1,
    token_path: 'operation-token-quorum',
    threshold: 2,
    administrator: { name: 'Ann', fingerprint: fp('a') },
    witnesses: [
      { name: 'Wes', fingerprint: fp('b') },
      { name: 'Wen', fingerprint: fp('f') },
    ],
    officers: [
      { name: 'Olu', fingerprint: fp('c'), share_index: 1 },
      { name: 'Pia', fingerprint: fp('d'), share_index: 2 },
      { name: 'Quy', fingerprint: fp('e'), share_index: 3 },
    ],
    ...extra,
  };
  for (const [k, v] of Object.entries(data)) if (v === undefined) delete data[k];
  const result = validatePlan(data);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const BATCH = { token_path: 'batch-dr-token', officers: [], threshold: undefined };
const PLANS: Record<string, CeremonyPlan> = {
  'quorum (1.x)': makePlan(),
  'quorum, break-glass (2.x)': makePlan({ vault_version: 2, break_glass_unauthenticated_access: true }),
  'primary root token (2.x)': makePlan({ vault_version: 2, token_path: 'primary-root-token' }),
  'batch DR token': makePlan(BATCH),
  'failback, token, quorum': makePlan({
    kind: 'failback',
    profile: 'dc1',
    failback: { new_primary_profile: 'dc2', method: 'token', secondary_id: 'dc1' },
  }),
  'failback, addrs, batch': makePlan({
    ...BATCH,
    kind: 'failback',
    profile: 'dc1',
    failback: { new_primary_profile: 'dc2', method: 'addrs', update_primary_addrs: ['10.0.0.2:8201'] },
  }),
  'failback, token, root token (2.x)': makePlan({
    vault_version: 2,
    token_path: 'primary-root-token',
    kind: 'failback',
    profile: 'dc1',
    failback: {
      new_primary_profile: 'dc2',
      method: 'token',
      secondary_id: 'dc1',
      primary_api_addr: 'https://dc2.example:8200',
    },
  }),
};
const quorum = PLANS['quorum (1.x)']!;
const VAULT_TOKEN = { token_path: 'vault-token', officers: [], threshold: undefined };
PLANS['operation: demote (vault token)'] = makePlan({
  ...VAULT_TOKEN,
  kind: 'operation',
  profile: 'dc1',
  operation: { id: 'demote', replication: 'dr' },
});
PLANS['operation: secondary-token (performance)'] = makePlan({
  ...VAULT_TOKEN,
  kind: 'operation',
  profile: 'dc1',
  operation: { id: 'secondary-token', replication: 'performance', secondary_id: 'dc3', ttl: '30m' },
});
PLANS['operation: DR update-primary (quorum, token)'] = makePlan({
  kind: 'operation',
  profile: 'dc1',
  operation: { id: 'update-primary', replication: 'dr', method: 'token' },
});

const failbackPlan = PLANS['failback, token, quorum']!;
/** Where the failback plans' new primary listens. */
const NEW = 'https://dc2.example:8200';

// ---------------------------------------------------------------------------------------------
// An honest cast and a faithful Vault: the autopilot plays the next legal event.

/** Vault's side of the attempt, as the autopilot's service sees it. */
interface FakeVault {
  nonce: string;
  started: boolean;
  progress: number;
}

function at(n: number): string {
  return `2026-05-01T10:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}Z`;
}

function required(s: CeremonyState): number {
  return s.attempt?.required ?? s.plan.threshold ?? 1;
}

/** The facts a faithful service reports for an action. */
function factsFor(s: CeremonyState, action: ServiceAction, vault: FakeVault): ServiceFacts {
  switch (action.kind) {
    case 'read-replication-status':
      return { kind: action.kind, mode: action.expectMode, ...(action.expectConnected ? { connectedTo: NEW } : {}) };
    case 'generate-otp':
      return {
        kind: action.kind,
        otpLength: 28,
        legacy: false,
        attempt: {
          started: vault.started,
          nonce: vault.started ? vault.nonce : '',
          progress: vault.progress,
          required: required(s),
        },
      };
    case 'start-attempt':
      vault.started = true;
      vault.progress = 0;
      vault.nonce = `nonce-${s.attempts + 1}`;
      return { kind: action.kind, attempt: { started: true, nonce: vault.nonce, progress: 0, required: required(s) } };
    case 'submit-share': {
      vault.progress += 1;
      const complete = vault.progress === required(s);
      const status = { started: true, nonce: vault.nonce, progress: vault.progress, required: required(s) };
      if (complete) vault.started = false;
      return { kind: action.kind, attempt: status, complete };
    }
    case 'cancel-attempt':
      vault.started = false;
      vault.progress = 0;
      return { kind: action.kind };
    case 'decode-token':
      return { kind: action.kind, tokenLength: 28 };
    case 'create-secondary-token':
      return { kind: action.kind, secondaryId: action.secondaryId };
    case 'replication-operation':
      return action.operation.id === 'secondary-token'
        ? { kind: action.kind, status: 200, activationTokenSha256: 'ab'.repeat(32) }
        : { kind: action.kind, status: 204 };
    case 'sign-transcript':
      return { kind: action.kind, signer: action.signer, fingerprint: action.fingerprint };
    default:
      return { kind: action.kind };
  }
}

/** The next legal event: sign an abort or waiver, witness a deviation, perform the due action, or acknowledge. */
function autopilotEvent(s: CeremonyState, vault: FakeVault, n: number): CeremonyEvent | undefined {
  if (isEnded(s)) return undefined;
  if (s.proposal) {
    if (authorisationDue(s)) return requested(s, at(n));
    const signer = view(s).acknowledgements[0]?.anyOf[0];
    return signer && signature(s, signer.name, n);
  }
  const open = openDeviations(s)[0];
  if (open) {
    const witness = s.plan.witnesses.find((w) => w.name !== open.raisedBy) ?? s.plan.administrator;
    return { type: 'deviationWitnessed', id: open.id, actor: witness.name, at: at(n) };
  }
  const action = nextAction(s);
  if (action)
    return { type: 'serviceResult', step: s.step, outcome: 'ok', facts: factsFor(s, action, vault), at: at(n) };
  if (authorisationDue(s)) return requested(s, at(n));
  const option = view(s).acknowledgements[0]?.anyOf[0];
  if (option && isIrreversibleStep(s.step, isDestructivePlan(s.plan))) return signature(s, option.name, n);
  if (option) return { type: 'acknowledge', step: s.step, actor: option.name, role: option.role, at: at(n) };
  return undefined;
}

function newVault(): FakeVault {
  return { nonce: '', started: false, progress: 0 };
}

/** Plays the autopilot until `stop` says so or the ceremony ends; returns the states visited. */
function drive(
  start: CeremonyState,
  stop: (s: CeremonyState) => boolean = () => false,
  vault = newVault(),
): { state: CeremonyState; visited: StepId[]; events: CeremonyEvent[] } {
  let state = start;
  const visited: StepId[] = [state.step];
  const events: CeremonyEvent[] = [];
  for (let n = 0; n < 500 && !stop(state); n++) {
    const event = autopilotEvent(state, vault, n);
    if (!event) break;
    const next = transition(state, event);
    if (!next.ok) throw new Error(`autopilot event ${JSON.stringify(event)} refused: ${next.error.message}`);
    events.push(event);
    state = next.value;
    if (visited.at(-1) !== state.step) visited.push(state.step);
  }
  return { state, visited, events };
}

function apply(s: CeremonyState, ...events: CeremonyEvent[]): CeremonyState {
  return events.reduce((state, event) => {
    const next = transition(state, event);
    if (!next.ok) throw new Error(`${JSON.stringify(event)} refused: ${next.error.message}`);
    return next.value;
  }, s);
}

function refused(s: CeremonyState, event: CeremonyEvent): string {
  const before = JSON.stringify(s);
  const result = transition(deepFreeze(s), event);
  expect(result.ok, `expected ${JSON.stringify(event)} to be refused at ${s.step}`).toBe(false);
  expect(JSON.stringify(s)).toBe(before);
  return result.ok ? '' : `${result.error.kind}: ${result.error.message}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const ack = (step: StepId, actor: string, role: Role, n = 0): CeremonyEvent => ({
  type: 'acknowledge',
  step,
  actor,
  role,
  at: at(n),
});
const result = (step: StepId, facts: ServiceFacts): CeremonyEvent => ({
  type: 'serviceResult',
  step,
  outcome: 'ok',
  facts,
  at: AT,
});
const NONCE = '0a'.repeat(16);
const HEAD = '5e'.repeat(32);
/** Stands in for an armored detached signature: the machine checks its shape; the service and `verify` its maths. */
const SIGNATURE = '-----BEGIN PGP SIGNATURE-----\n\nwnUEARYKAB0WIQQ=\n-----END PGP SIGNATURE-----\n';
const requested = (s: CeremonyState, time = AT, nonce = NONCE, head = HEAD): CeremonyEvent => ({
  type: 'authorisationRequested',
  step: s.step,
  nonce,
  head,
  at: time,
});
/** `actor`'s signed authorisation of the current statement (or of `over`, to test a stale one). */
function signature(
  s: CeremonyState,
  actor: string,
  n = 0,
  over: { nonce?: string; head?: string; fingerprint?: string } = {},
): CeremonyEvent {
  const person = [s.plan.administrator, ...s.plan.witnesses].find((p) => p.name === actor);
  return {
    type: 'authorise',
    step: s.step,
    actor,
    role: actor === s.plan.administrator.name ? 'administrator' : 'witness',
    fingerprint: over.fingerprint ?? person?.fingerprint ?? fp('9'),
    nonce: over.nonce ?? s.statement?.nonce ?? NONCE,
    head: over.head ?? s.statement?.head ?? HEAD,
    signature: SIGNATURE,
    at: at(n),
  };
}
/** The laptop asks (if it has not yet), then each of `actors` signs the statement. */
function signedBy(s: CeremonyState, ...actors: string[]): CeremonyState {
  let state = authorisationDue(s) ? apply(s, requested(s)) : s;
  for (const actor of actors) state = apply(state, signature(state, actor));
  return state;
}
/** The DR operation token's deletion failed: what a waiver may follow. */
const deletionFailed: CeremonyEvent = {
  type: 'serviceResult',
  step: 'delete-operation-token',
  outcome: 'failed',
  reason: 'connection refused',
  at: AT,
};
const witness = (id: number, actor = 'Wes'): CeremonyEvent => ({ type: 'deviationWitnessed', id, actor, at: AT });
const status = (nonce: string, progress: number, required = 2, started = true): AttemptStatus => ({
  started,
  nonce,
  progress,
  required,
});
const atStep = (step: StepId) => (s: CeremonyState) => s.step === step;

// ---------------------------------------------------------------------------------------------

describe('happy paths', () => {
  for (const [name, plan] of Object.entries(PLANS)) {
    it(`${name}: every scripted step is reached in order and the ceremony finishes clean`, () => {
      const start = createCeremony(plan, AT);
      const { state, visited } = drive(start);
      expect(visited).toEqual(start.script);
      expect(state.step).toBe('finished');
      expect(state.completed.map((r) => r.step)).toEqual(start.script.slice(0, -1));
      expect(state.signed).toEqual(['Ann', 'Wes', 'Wen']);
      expect(state.held).toEqual([]);
      expect(state.committed).toBe(true);
      expect(state.deviations).toEqual([]);
      expect(state.endedAt).toBeDefined();
      expect(view(state).looseEnds).toEqual([]);
      expect(view(state).awaiting).toBe('nothing');
    });
  }

  it('follows the brief for a quorum promotion', () => {
    expect(createCeremony(quorum, AT).script).toEqual([
      'roll-call',
      'check-secondary',
      'attest-primary-fenced',
      'generate-otp',
      'start-attempt',
      'share-entry',
      'decode-token',
      'promote',
      'check-promoted',
      'delete-operation-token',
      'sign-transcript',
      'finished',
    ]);
    expect(createCeremony(PLANS['primary root token (2.x)']!, AT).script.slice(3, 5)).toEqual([
      'enter-root-token',
      'generate-otp',
    ]);
    expect(createCeremony(PLANS['batch DR token']!, AT).script).toEqual([
      'roll-call',
      'check-secondary',
      'attest-primary-fenced',
      'enter-batch-token',
      'promote',
      'check-promoted',
      'retire-batch-token',
      'sign-transcript',
      'finished',
    ]);
    expect(createCeremony(PLANS['failback, token, quorum']!, AT).script).toEqual([
      'roll-call',
      'check-new-primary',
      'check-old-primary',
      'enter-vault-token',
      'demote',
      'generate-otp',
      'start-attempt',
      'share-entry',
      'decode-token',
      'create-secondary-token',
      'update-primary',
      'check-failback',
      'delete-operation-token',
      'sign-transcript',
      'finished',
    ]);
  });

  it('tells the service exactly what to do at each Vault step', () => {
    const s = drive(createCeremony(quorum, AT), atStep('share-entry')).state;
    expect(nextAction(s)).toBeUndefined();
    expect(view(s).acknowledgements[0]?.anyOf.map((o) => o.name)).toEqual(['Olu', 'Pia', 'Quy']);
    const claimed = apply(s, ack('share-entry', 'Pia', 'officer'));
    expect(nextAction(claimed)).toEqual({
      kind: 'submit-share',
      profile: 'dc2',
      officer: 'Pia',
      actor: 'Pia',
      fingerprint: fp('d'),
      shareIndex: 2,
      nonce: 'nonce-1',
    });
    const promote = drive(s, atStep('promote')).state;
    expect(signedBy(promote, 'Ann', 'Wen').step).toBe('promote');
    expect(nextAction(signedBy(promote, 'Ann', 'Wen'))).toEqual({
      kind: 'promote',
      profile: 'dc2',
      primaryClusterAddr: undefined,
      force: false,
      allowTwoPrimaries: false,
    });
    const failback = drive(
      createCeremony(PLANS['failback, token, root token (2.x)']!, AT),
      atStep('update-primary'),
    ).state;
    const authorised = signedBy(failback, 'Ann', 'Wes');
    expect(nextAction(authorised)).toEqual({
      kind: 'update-primary',
      profile: 'dc1',
      method: 'token',
      primaryApiAddr: 'https://dc2.example:8200',
    });
    const addrs = drive(createCeremony(PLANS['failback, addrs, batch']!, AT), atStep('update-primary')).state;
    const addrsAuthorised = signedBy(addrs, 'Ann', 'Wes');
    expect(nextAction(addrsAuthorised)).toEqual({
      kind: 'update-primary',
      profile: 'dc1',
      method: 'addrs',
      updatePrimaryAddrs: ['10.0.0.2:8201'],
    });
  });

  it('shows progress, the pinned nonce, the read-aloud line and what each person affirms', () => {
    const s = drive(
      createCeremony(quorum, AT),
      (x) => x.step === 'share-entry' && (x.attempt?.progress ?? 0) === 1,
    ).state;
    const v = view(s);
    expect(v.progress).toEqual({ entered: 1, required: 2 });
    expect(v.nonce).toBe('nonce-1');
    expect(v.script).toMatch(
      /^REHEARSAL\. Officers enter their shares one at a time: 1 of 2 entered\. .*nonce is still nonce-1/,
    );
    expect(v.acknowledgements[0]?.anyOf.map((o) => [o.name, o.text])).toEqual([
      ['Pia', `I enter my share, encrypted to key ${'DDDD '.repeat(9)}DDDD, for nonce nonce-1.`],
      ['Quy', `I enter my share, encrypted to key ${'EEEE '.repeat(9)}EEEE, for nonce nonce-1.`],
    ]);
    expect(v.otp).toEqual({ length: 28, legacy: false });
  });

  it('rebuilds the same state from the journalled events, and the state survives JSON', () => {
    const { state, events } = drive(createCeremony(quorum, AT), atStep('check-promoted'));
    const rebuilt = replay(quorum, AT, events);
    expect(rebuilt.ok && rebuilt.value).toEqual(state);
    const copy = JSON.parse(JSON.stringify(state)) as CeremonyState;
    expect(drive(copy).state.step).toBe('finished');
  });

  it('replay names the first event that does not apply', () => {
    const bad = replay(quorum, AT, [ack('promote', 'Ann', 'administrator')]);
    expect(bad.ok || bad.error.message).toMatch(/^event 1 \(acknowledge\) does not apply: it is step 'roll-call'/);
  });
});

// ---------------------------------------------------------------------------------------------

const SERVICE_KINDS: ServiceFacts['kind'][] = [
  'read-replication-status',
  'collect-root-token',
  'collect-batch-token',
  'generate-otp',
  'start-attempt',
  'submit-share',
  'decode-token',
  'cancel-attempt',
  'promote',
  'delete-operation-token',
  'demote',
  'create-secondary-token',
  'update-primary',
  'sign-transcript',
];
const ALL_STEPS: StepId[] = [
  'roll-call',
  'check-secondary',
  'attest-primary-fenced',
  'enter-root-token',
  'enter-batch-token',
  'generate-otp',
  'start-attempt',
  'share-entry',
  'decode-token',
  'cancel-attempt',
  'promote',
  'check-promoted',
  'delete-operation-token',
  'retire-batch-token',
  'check-new-primary',
  'check-old-primary',
  'demote',
  'create-secondary-token',
  'update-primary',
  'check-failback',
  'sign-transcript',
  'finished',
  'cancelled',
  'aborted',
];
const ROLES: Role[] = ['administrator', 'witness', 'officer'];

function people(plan: CeremonyPlan): Array<{ name: string; role: Role }> {
  return [
    { name: plan.administrator.name, role: 'administrator' },
    ...plan.witnesses.map((w) => ({ name: w.name, role: 'witness' as const })),
    ...plan.officers.map((o) => ({ name: o.name, role: 'officer' as const })),
  ];
}

/** Every state the autopilot passes through, including mid-step ones (some acks given, action done). */
function statesAlong(plan: CeremonyPlan): CeremonyState[] {
  let state = createCeremony(plan, AT);
  const vault = newVault();
  const out = [state];
  for (let n = 0; n < 500; n++) {
    const event = autopilotEvent(state, vault, n);
    if (!event) break;
    const next = transition(state, event);
    if (!next.ok) throw new Error(next.error.message);
    state = next.value;
    out.push(state);
  }
  return out;
}

/** Events that must be refused at `s`, by construction. */
function illegalEvents(s: CeremonyState): CeremonyEvent[] {
  const out: CeremonyEvent[] = [];
  const cast = people(s.plan);
  const spec = view(s);
  const mayAck = new Set(spec.acknowledgements.flatMap((r) => r.anyOf.map((o) => o.name)));
  const due = nextAction(s);
  for (const p of cast) {
    // Wrong step: every other step, with the person's true role.
    for (const step of ALL_STEPS) if (step !== s.step) out.push(ack(step, p.name, p.role));
    // Wrong role claimed.
    for (const role of ROLES) if (role !== p.role) out.push(ack(s.step, p.name, role));
    // Right step and role, but this person owes nothing now.
    if (!mayAck.has(p.name)) out.push(ack(s.step, p.name, p.role));
    // Only the administrator cancels; only the administrator and witnesses abort.
    if (p.role !== 'administrator') out.push({ type: 'cancel', actor: p.name, reason: 'r', at: AT });
    if (p.role === 'officer') out.push({ type: 'abort', actor: p.name, reason: 'r', at: AT });
    // Only the administrator raises these deviations.
    if (p.role !== 'administrator')
      out.push({ type: 'deviation', kind: 'force-promote', actor: p.name, reason: 'r', at: AT });
  }
  // Strangers cannot act at all.
  for (const role of ROLES) out.push(ack(s.step, 'Mallory', role));
  out.push({ type: 'deviation', kind: 'note', actor: 'Mallory', reason: 'r', at: AT });
  out.push({ type: 'cancel', actor: 'Mallory', reason: 'r', at: AT });
  out.push({ type: 'abort', actor: 'Mallory', reason: 'r', at: AT });
  out.push(witness(999));
  // Empty reasons are refused.
  out.push({ type: 'deviation', kind: 'note', actor: s.plan.administrator.name, reason: '  ', at: AT });
  out.push({ type: 'abort', actor: s.plan.administrator.name, reason: '', at: AT });
  // Service results for other steps, or of a kind not due now.
  for (const step of ALL_STEPS) if (step !== s.step) out.push(result(step, { kind: 'promote' }));
  for (const kind of SERVICE_KINDS) if (kind !== due?.kind) out.push(result(s.step, { kind } as ServiceFacts));
  if (!due) out.push({ type: 'serviceResult', step: s.step, outcome: 'failed', reason: 'x', at: AT });
  return out;
}

describe('illegal events are refused and change nothing', () => {
  for (const [name, plan] of Object.entries(PLANS)) {
    it(`${name}: at every point of the ceremony`, () => {
      let checked = 0;
      for (const s of statesAlong(plan)) {
        if (isEnded(s)) {
          for (const e of illegalEvents(s)) expect(refused(s, e)).toMatch(/^ceremony-ended/);
          continue;
        }
        for (const e of illegalEvents(s)) {
          refused(s, e);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(1000);
    });
  }

  it('explains refusals so a person can act on them', () => {
    const s = createCeremony(quorum, AT);
    expect(refused(s, ack('promote', 'Ann', 'administrator'))).toBe(
      "wrong-step: it is step 'roll-call' (Roll call) now, so 'promote' cannot be acknowledged",
    );
    expect(refused(s, ack('roll-call', 'Wes', 'officer'))).toBe(
      "wrong-role: 'Wes' is a witness in this plan, not an officer",
    );
    expect(refused(s, ack('roll-call', 'Mallory', 'witness'))).toBe(
      "unknown-actor: 'Mallory' is not in plan 'dr-1'; only the people it names (or witnessed substitutes) take part",
    );
    const checking = drive(s, atStep('check-secondary')).state;
    expect(refused(checking, ack('check-secondary', 'Ann', 'administrator'))).toBe(
      "action-pending: the laptop has not finished 'Check the DR secondary' yet; acknowledge once it reports the result",
    );
    const promote = drive(s, atStep('promote')).state;
    expect(refused(promote, result('promote', { kind: 'promote' }))).toBe(
      "unexpected-result: no laptop action is due at 'Promote the DR secondary': people have not yet authorised it",
    );
    expect(refused(promote, ack('promote', 'Olu', 'officer'))).toMatch(/^signature-required: /);
    const asked = apply(promote, requested(promote));
    expect(refused(asked, signature(asked, 'Olu'))).toMatch(/^not-required: .*officers act only when entering shares/);
    const once = signedBy(promote, 'Wes');
    expect(refused(once, signature(once, 'Wen'))).toBe(
      "already-acknowledged: witness 'Wes' has already acknowledged 'Promote the DR secondary'",
    );
  });

  it('refuses an officer entering a share twice, and a second officer while one is entering', () => {
    const s = drive(
      createCeremony(quorum, AT),
      (x) => x.step === 'share-entry' && (x.attempt?.progress ?? 0) === 1,
    ).state;
    expect(s.attempt?.submitted).toEqual(['Olu']);
    expect(refused(s, ack('share-entry', 'Olu', 'officer'))).toBe(
      "already-submitted: Olu's share is already in this attempt (1 of 2); each share counts once",
    );
    const entering = apply(s, ack('share-entry', 'Pia', 'officer'));
    expect(refused(entering, ack('share-entry', 'Quy', 'officer'))).toBe(
      "busy: 'Pia' is entering a share now; wait for the laptop to report it",
    );
  });

  it('has witnesses sign only after the administrator, each with their planned key', () => {
    const s = drive(createCeremony(quorum, AT), atStep('sign-transcript')).state;
    expect(refused(s, ack('sign-transcript', 'Wes', 'witness'))).toBe(
      "out-of-order: the administrator ('Ann') signs first; witnesses countersign after",
    );
    const signing = apply(s, ack('sign-transcript', 'Ann', 'administrator'));
    expect(
      refused(signing, result('sign-transcript', { kind: 'sign-transcript', signer: 'Ann', fingerprint: fp('9') })),
    ).toMatch(
      /^invalid-result: the signature was made with key 9{40} but the plan names AAAA AAAA .* for 'Ann'; sign with the planned key$/,
    );
    const signed = apply(
      signing,
      result('sign-transcript', { kind: 'sign-transcript', signer: 'Ann', fingerprint: fp('A') }),
    );
    expect(signed.signed).toEqual(['Ann']);
    expect(view(signed).acknowledgements[0]?.anyOf.map((o) => o.name)).toEqual(['Wes', 'Wen']);
  });

  it('refuses a read status that is not the expected mode without advancing', () => {
    const s = drive(createCeremony(quorum, AT), atStep('check-secondary')).state;
    const wrong = apply(s, result('check-secondary', { kind: 'read-replication-status', mode: 'primary' }));
    expect(wrong.step).toBe('check-secondary');
    expect(wrong.acted).toBe(false);
    expect(view(wrong).lastResult).toMatch(/^Vault reports DR mode 'primary', not 'secondary'/);
    expect(nextAction(wrong)).toEqual({ kind: 'read-replication-status', profile: 'dc2', expectMode: 'secondary' });
  });
});

// ---------------------------------------------------------------------------------------------

describe('attempt deviations force a witnessed restart', () => {
  /** At share entry with Olu's share in and Pia at the keyboard. */
  function piaEntering(): CeremonyState {
    const s = drive(
      createCeremony(quorum, AT),
      (x) => x.step === 'share-entry' && (x.attempt?.progress ?? 0) === 1,
    ).state;
    return apply(s, ack('share-entry', 'Pia', 'officer'));
  }

  const cases: Array<[string, CeremonyEvent, string]> = [
    [
      'nonce changed',
      result('share-entry', { kind: 'submit-share', attempt: status('other', 2), complete: true }),
      'nonce-changed',
    ],
    [
      'progress went back',
      {
        type: 'serviceResult',
        step: 'share-entry',
        outcome: 'failed',
        reason: 'failed to compute root key',
        observed: status('nonce-1', 0),
        at: AT,
      },
      'progress-regressed',
    ],
    [
      'progress jumped',
      result('share-entry', { kind: 'submit-share', attempt: status('nonce-1', 3, 4), complete: false }),
      'progress-unexpected',
    ],
    [
      'someone else added a share',
      result('share-entry', { kind: 'submit-share', attempt: status('nonce-1', 3, 3), complete: true }),
      'progress-unexpected',
    ],
    [
      'attempt vanished',
      {
        type: 'serviceResult',
        step: 'share-entry',
        outcome: 'failed',
        reason: 'no root generation in progress',
        observed: status('', 0, 2, false),
        at: AT,
      },
      'attempt-lost',
    ],
  ];
  for (const [name, event, kind] of cases) {
    it(`${name}: becomes a '${kind}' deviation, then cancel and a fresh attempt`, () => {
      const s = apply(piaEntering(), event);
      expect(s.step).toBe('cancel-attempt');
      expect(openDeviations(s).map((d) => [d.kind, d.raisedBy])).toEqual([[kind, undefined]]);
      expect(view(s).awaiting).toBe('deviation');
      expect(nextAction(s)).toBeUndefined();
      expect(refused(s, ack('cancel-attempt', 'Ann', 'administrator'))).toMatch(/^deviation-open: deviation #1/);
      const witnessed = apply(s, witness(1, 'Wen'));
      expect(witnessed.deviations[0]?.witnessedBy).toBe('Wen');
      const authorised = apply(
        witnessed,
        ack('cancel-attempt', 'Ann', 'administrator'),
        ack('cancel-attempt', 'Wes', 'witness'),
      );
      expect(nextAction(authorised)).toEqual({ kind: 'cancel-attempt', profile: 'dc2' });
      const restarted = apply(authorised, result('cancel-attempt', { kind: 'cancel-attempt' }));
      expect(restarted.step).toBe('generate-otp');
      expect(restarted.attempt).toBeUndefined();
      expect(restarted.otp).toBeUndefined();
      expect(restarted.held).toEqual([]);
      // Everyone, Olu included, enters again in the new attempt, which then completes.
      const vault = newVault();
      const again = drive(restarted, (x) => x.step === 'share-entry', vault).state;
      expect(again.attempts).toBe(2);
      expect(view(again).acknowledgements[0]?.anyOf.map((o) => o.name)).toEqual(['Olu', 'Pia', 'Quy']);
      expect(drive(again, undefined, vault).state.step).toBe('finished');
    });
  }

  it('a failed share with an unchanged attempt lets the officer (or another) try again', () => {
    const s = apply(piaEntering(), {
      type: 'serviceResult',
      step: 'share-entry',
      outcome: 'failed',
      reason: 'wrong passphrase',
      observed: status('nonce-1', 1),
      at: AT,
    });
    expect(s.step).toBe('share-entry');
    expect(s.acks).toEqual([]);
    expect(s.failures).toBe(1);
    // The step's title, as people see it, not the laptop's internal action name.
    expect(view(s).lastResult).toBe('Officers enter their shares: wrong passphrase');
    expect(apply(s, ack('share-entry', 'Quy', 'officer')).acks[0]?.actor).toBe('Quy');
  });

  it("someone else's attempt found before starting is cancelled first", () => {
    const s = drive(createCeremony(quorum, AT), atStep('generate-otp')).state;
    const found = apply(
      s,
      result('generate-otp', { kind: 'generate-otp', otpLength: 28, legacy: false, attempt: status('theirs', 1) }),
    );
    expect(found.step).toBe('cancel-attempt');
    expect(found.held).toEqual([]);
    expect(openDeviations(found)[0]?.kind).toBe('attempt-in-progress');
    expect(openDeviations(found)[0]?.reason).toMatch(/nonce theirs, 1 of 2/);
  });

  it('a different threshold from Vault is a deviation; the ceremony follows Vault', () => {
    const s = drive(createCeremony(quorum, AT), atStep('start-attempt')).state;
    const started = apply(s, result('start-attempt', { kind: 'start-attempt', attempt: status('n', 0, 3) }));
    expect(started.attempt?.required).toBe(3);
    expect(openDeviations(started)[0]?.kind).toBe('threshold-mismatch');
    expect(view(started).blocker).toBeNull();
    const four = apply(s, result('start-attempt', { kind: 'start-attempt', attempt: status('n', 0, 4) }));
    expect(openDeviations(four)[0]?.reason).toMatch(/Only 3 officer\(s\) are available, so it cannot complete/);
    expect(view(four).blocker).toMatch(/^4 more share\(s\) are needed but only 3/);
  });
});

describe('HA clusters', () => {
  it('an attempt status from another node than the one the attempt started on is a lost attempt that names the leader change', () => {
    const s = drive(createCeremony(quorum, AT), atStep('start-attempt')).state;
    const started = apply(
      s,
      result('start-attempt', { kind: 'start-attempt', attempt: { ...status('n', 0), node: 'https://a:8200' } }),
    );
    expect(started.attempt?.node).toBe('https://a:8200');
    const atShares = drive(createCeremony(quorum, AT), atStep('share-entry')).state;
    const onA = { ...atShares, attempt: { ...atShares.attempt!, nonce: 'n', node: 'https://a:8200' } };
    const entering = apply(onA, ack('share-entry', 'Pia', 'officer'));
    const moved = apply(entering, {
      type: 'serviceResult',
      step: 'share-entry',
      outcome: 'failed',
      reason: 'the attempt on Vault is not the one this ceremony recorded, so the share was not sent',
      observed: { ...status('', 0, 2, false), node: 'https://b:8200' },
      at: AT,
    });
    expect(moved.step).toBe('cancel-attempt');
    expect(openDeviations(moved)[0]).toMatchObject({ kind: 'attempt-lost' });
    expect(openDeviations(moved)[0]?.reason).toMatch(
      /active node changed from https:\/\/a:8200 to https:\/\/b:8200: the attempt with nonce n lived only in/,
    );
  });

  it('promoting while another cluster reports primary needs a witnessed two-primaries deviation, and authorisation again', () => {
    const s = drive(createCeremony(quorum, AT), atStep('promote')).state;
    const authorised = signedBy(s, 'Ann', 'Wes');
    expect(nextAction(authorised)).toMatchObject({ kind: 'promote', allowTwoPrimaries: false });
    const failed = apply(authorised, {
      type: 'serviceResult',
      step: 'promote',
      outcome: 'failed',
      reason: "'dc1' still reports DR primary: promoting now makes two primaries",
      at: AT,
    });
    const twoPrimaries = { type: 'deviation', kind: 'two-primaries', reason: 'dc1 is cut off', at: AT } as const;
    expect(refused(failed, { ...twoPrimaries, actor: 'Wes' })).toMatch(/^wrong-role/);
    // Asked again after the failure; the override is raised over that request.
    const askedAgain = apply(failed, requested(failed, AT, '0c'.repeat(16), '7d'.repeat(32)));
    const raised = apply(askedAgain, { ...twoPrimaries, actor: 'Ann' });
    expect(refused(raised, signature(raised, 'Ann'))).toMatch(/^deviation-open/);
    const accepted = apply(raised, witness(1, 'Wen'));
    // The statement asked before the override no longer counts: a fresh one, over the journal with it, is due.
    expect(accepted.statement).toBeUndefined();
    expect(authorisationDue(accepted)).toBe('promote');
    expect(nextAction(accepted)).toBeUndefined();
    const fresh = apply(accepted, requested(accepted, AT, '0d'.repeat(16), '8e'.repeat(32)));
    expect(refused(fresh, signature(askedAgain, 'Ann'))).toMatch(/^stale-statement/);
    const again = signedBy(fresh, 'Ann', 'Wes');
    expect(nextAction(again)).toMatchObject({ kind: 'promote', allowTwoPrimaries: true, force: false });
    expect(refused(again, { ...twoPrimaries, actor: 'Ann' })).toMatch(/^not-allowed-now/);
  });
});

describe('people-raised deviations', () => {
  it('force reaches promote only through a witnessed deviation, and asks for authorisation again', () => {
    const s = drive(createCeremony(quorum, AT), atStep('promote')).state;
    const authorisedOnce = signedBy(s, 'Ann', 'Wes');
    const failedOnce = apply(authorisedOnce, {
      type: 'serviceResult',
      step: 'promote',
      outcome: 'failed',
      reason: 'replication is still catching up; try again later or provide the "force" argument',
      at: AT,
    });
    expect(failedOnce.acks).toEqual([]);
    expect(nextAction(failedOnce)).toBeUndefined();
    expect(
      refused(failedOnce, { type: 'deviation', kind: 'force-promote', actor: 'Wes', reason: 'r', at: AT }),
    ).toMatch(/^wrong-role/);
    const raised = apply(failedOnce, {
      type: 'deviation',
      kind: 'force-promote',
      actor: 'Ann',
      reason: 'primary destroyed; loss accepted',
      at: AT,
    });
    expect(refused(raised, witness(1, 'Ann'))).toMatch(/^self-witness/);
    expect(refused(raised, witness(1, 'Olu'))).toMatch(/^wrong-role/);
    const forced = apply(raised, witness(1, 'Wen'));
    expect(forced.force).toBe(true);
    expect(view(forced).script).toMatch(/WITH FORCE/);
    const authorised = signedBy(forced, 'Ann', 'Wes');
    expect(nextAction(authorised)).toMatchObject({ kind: 'promote', force: true });
    expect(
      refused(authorised, { type: 'deviation', kind: 'force-promote', actor: 'Ann', reason: 'again', at: AT }),
    ).toMatch(/^not-allowed-now/);
  });

  it('force is refused anywhere but promote, and while a promotion is authorised', () => {
    const early = drive(createCeremony(quorum, AT), atStep('check-secondary')).state;
    expect(refused(early, { type: 'deviation', kind: 'force-promote', actor: 'Ann', reason: 'r', at: AT })).toMatch(
      /^not-allowed-now/,
    );
    const s = drive(createCeremony(quorum, AT), atStep('promote')).state;
    const authorised = signedBy(s, 'Ann', 'Wes');
    expect(
      refused(authorised, { type: 'deviation', kind: 'force-promote', actor: 'Ann', reason: 'r', at: AT }),
    ).toMatch(/^action-in-flight/);
  });

  it('an absent officer is recorded, skipped at roll call and barred from share entry', () => {
    let s = createCeremony(quorum, AT);
    s = apply(
      s,
      ack('roll-call', 'Ann', 'administrator'),
      ack('roll-call', 'Wes', 'witness'),
      ack('roll-call', 'Wen', 'witness'),
    );
    s = apply(s, ack('roll-call', 'Olu', 'officer'), ack('roll-call', 'Pia', 'officer'));
    expect(s.step).toBe('roll-call');
    s = apply(s, {
      type: 'deviation',
      kind: 'officer-absent',
      officer: 'Quy',
      actor: 'Ann',
      reason: 'flight cancelled',
      at: AT,
    });
    expect(refused(s, ack('roll-call', 'Quy', 'officer'))).toMatch(/^deviation-open/);
    s = apply(s, witness(1));
    expect(s.step).toBe('check-secondary');
    expect(s.absent).toEqual(['Quy']);
    const entry = drive(s, atStep('share-entry')).state;
    expect(refused(entry, ack('share-entry', 'Quy', 'officer'))).toMatch(/^officer-unavailable/);
    expect(view(entry).blocker).toBeNull();
    const second = apply(
      entry,
      { type: 'deviation', kind: 'officer-absent', officer: 'Pia', actor: 'Ann', reason: 'fell ill', at: AT },
      witness(2),
    );
    expect(view(second).blocker).toBe(
      '2 more share(s) are needed but only 1 officer(s) who have not entered one are available: bring a substitute (a witnessed deviation) or cancel.',
    );
  });

  it('a witnessed substitute acts for the officer, whose own name no longer acts', () => {
    let s = createCeremony(quorum, AT);
    const sub: CeremonyEvent = {
      type: 'deviation',
      kind: 'officer-substituted',
      officer: 'Olu',
      substitute: 'Sam',
      actor: 'Ann',
      reason: "Olu's deputy, with Olu's card",
      at: AT,
    };
    expect(refused(s, { ...sub, substitute: 'Wes' })).toMatch(/^not-allowed-now: 'Wes' already has a role/);
    expect(refused(s, { ...sub, officer: 'Zed' })).toMatch(/^unknown-actor/);
    for (const substitute of ['S\u202eam', 'Sam\u200b', 'Sam  Smith', ''])
      expect(refused(s, { ...sub, substitute })).toMatch(
        /^invalid-event: the substitute needs a name of 1 to 100 visible/,
      );
    s = apply(s, sub);
    expect(refused(s, ack('roll-call', 'Sam', 'officer'))).toMatch(
      /^unknown-actor: 'Sam' becomes a substitute only once a witness confirms/,
    );
    s = apply(s, witness(1));
    expect(refused(s, ack('roll-call', 'Olu', 'officer'))).toMatch(/^officer-unavailable: 'Olu' was replaced by 'Sam'/);
    s = drive(s, atStep('share-entry')).state;
    expect(view(s).acknowledgements[0]?.anyOf.map((o) => o.name)).toContain('Sam');
    const entering = apply(s, ack('share-entry', 'Sam', 'officer'));
    expect(nextAction(entering)).toMatchObject({
      kind: 'submit-share',
      officer: 'Olu',
      actor: 'Sam',
      fingerprint: fp('c'),
    });
    const done = apply(
      entering,
      result('share-entry', { kind: 'submit-share', attempt: status('nonce-1', 1), complete: false }),
    );
    expect(done.attempt?.submitted).toEqual(['Olu']);
  });

  it('a note pauses the ceremony until someone else confirms it; the administrator confirms a witness note', () => {
    const s = apply(createCeremony(quorum, AT), {
      type: 'deviation',
      kind: 'note',
      actor: 'Wes',
      reason: 'fire alarm test, 5 minute break',
      at: AT,
    });
    expect(view(s).awaiting).toBe('deviation');
    expect(refused(s, ack('roll-call', 'Ann', 'administrator'))).toMatch(/^deviation-open/);
    const confirmed = apply(s, witness(1, 'Ann'));
    expect(confirmed.deviations[0]?.witnessedBy).toBe('Ann');
    expect(refused(confirmed, witness(1, 'Wen'))).toMatch(/^already-witnessed/);
    const byOfficer = apply(createCeremony(quorum, AT), {
      type: 'deviation',
      kind: 'note',
      actor: 'Olu',
      reason: 'my card reader is slow',
      at: AT,
    });
    expect(refused(byOfficer, witness(1, 'Ann'))).toMatch(/^wrong-role: deviations are witnessed by a witness/);
  });

  it('records at most MAX_DEVIATIONS deviations; past that only an abort may be proposed, a few times', () => {
    const note = (n: number): CeremonyEvent => ({
      type: 'deviation',
      kind: 'note',
      actor: 'Wes',
      reason: `n${n}`,
      at: AT,
    });
    let s = createCeremony(quorum, AT);
    for (let n = 1; n <= MAX_DEVIATIONS; n++) {
      const next = transition(s, note(n));
      if (!next.ok) throw new Error(next.error.message);
      s = next.value;
    }
    expect(s.deviations).toHaveLength(MAX_DEVIATIONS);
    expect(refused(s, note(0))).toMatch(/^too-many-deviations: this ceremony has recorded 1000 deviations/);
    const abort: CeremonyEvent = { type: 'abort', actor: 'Ann', reason: 'the record is unusable', at: AT };
    const withdraw = (t: CeremonyState): CeremonyEvent => ({
      type: 'withdraw',
      id: t.deviations.length,
      actor: 'Ann',
      at: AT,
    });
    let cycled = apply(s, abort);
    expect(cycled.deviations.at(-1)).toMatchObject({ kind: 'abort' });
    for (let i = 1; i < 10; i++) cycled = apply(apply(cycled, withdraw(cycled)), abort);
    expect(cycled.deviations).toHaveLength(MAX_DEVIATIONS + 10);
    expect(refused(apply(cycled, withdraw(cycled)), abort)).toMatch(/^too-many-deviations/);
  });

  it('token deletion is waived only by a signed authorisation, after it failed', () => {
    const s = drive(createCeremony(quorum, AT), atStep('delete-operation-token')).state;
    const raise: CeremonyEvent = {
      type: 'deviation',
      kind: 'token-not-deleted',
      actor: 'Ann',
      reason: 'Vault unreachable after promotion',
      at: AT,
    };
    expect(refused(s, raise)).toMatch(/^not-allowed-now: let the laptop try/);
    const failedOnce = apply(s, deletionFailed);
    expect(nextAction(failedOnce)).toEqual({ kind: 'delete-operation-token', profile: 'dc2' });
    const raised = apply(failedOnce, raise);
    expect(refused(raised, witness(1))).toMatch(
      /^signature-required: deviation #1 \(token-not-deleted\) cannot be undone/,
    );
    const waived = signedBy(raised, 'Ann', 'Wes');
    expect(waived.step).toBe('sign-transcript');
    expect(waived.deviations[0]).toMatchObject({ kind: 'token-not-deleted', witnessedBy: 'Wes' });
    expect(waived.completed.at(-1)).toMatchObject({ step: 'delete-operation-token', waivedBy: 1 });
    expect(waived.undeletedTokens).toBe(1);
    expect(view(waived).looseEnds[0]).toMatch(
      /^1 DR operation token\(s\) generated in this ceremony could not be deleted/,
    );
  });
});

describe('cancel and abort', () => {
  it('cancel during share entry is witnessed, cancels the attempt, and still signs', () => {
    const s = drive(
      createCeremony(quorum, AT),
      (x) => x.step === 'share-entry' && (x.attempt?.progress ?? 0) === 1,
    ).state;
    expect(refused(s, { type: 'cancel', actor: 'Wes', reason: 'r', at: AT })).toMatch(/^wrong-role/);
    const asked = apply(s, { type: 'cancel', actor: 'Ann', reason: 'officer key compromised', at: AT });
    expect(asked.step).toBe('share-entry');
    expect(refused(asked, { type: 'cancel', actor: 'Ann', reason: 'again', at: AT })).toMatch(/^not-allowed-now/);
    const confirmed = apply(asked, witness(1));
    expect(confirmed.step).toBe('cancel-attempt');
    const { state, visited } = drive(confirmed);
    expect(visited).toEqual(['cancel-attempt', 'sign-transcript', 'cancelled']);
    expect(state.signed).toEqual(['Ann', 'Wes', 'Wen']);
    expect(state.committed).toBe(false);
    expect(view(state).looseEnds).toEqual([]);
  });

  it('cancel after the token exists deletes it before signing', () => {
    const s = drive(createCeremony(quorum, AT), atStep('promote')).state;
    const { visited } = drive(
      apply(s, { type: 'cancel', actor: 'Ann', reason: 'primary came back', at: AT }, witness(1)),
    );
    expect(visited).toEqual(['delete-operation-token', 'sign-transcript', 'cancelled']);
    const encoded = drive(createCeremony(quorum, AT), atStep('decode-token')).state;
    expect(encoded.held).toEqual(['otp', 'encoded-token']);
    const fromEncoded = drive(apply(encoded, { type: 'cancel', actor: 'Ann', reason: 'r', at: AT }, witness(1)));
    expect(fromEncoded.visited).toEqual(['decode-token', 'delete-operation-token', 'sign-transcript', 'cancelled']);
    const batch = drive(createCeremony(PLANS['batch DR token']!, AT), atStep('promote')).state;
    expect(drive(apply(batch, { type: 'cancel', actor: 'Ann', reason: 'r', at: AT }, witness(1))).visited).toEqual([
      'retire-batch-token',
      'sign-transcript',
      'cancelled',
    ]);
  });

  it('cancel is refused once promoted, and while an authorised irreversible call may be running', () => {
    const promoted = drive(createCeremony(quorum, AT), atStep('check-promoted')).state;
    expect(refused(promoted, { type: 'cancel', actor: 'Ann', reason: 'r', at: AT })).toMatch(
      /^too-late: 'dc2' has already been promoted/,
    );
    expect(view(promoted).canCancel).toBe(false);
    const s = drive(createCeremony(quorum, AT), atStep('promote')).state;
    const authorised = signedBy(s, 'Ann', 'Wes');
    expect(refused(authorised, { type: 'cancel', actor: 'Ann', reason: 'r', at: AT })).toMatch(/^action-in-flight/);
  });

  it('a promotion reported while cancellation waits for its witness still counts', () => {
    const s = drive(createCeremony(quorum, AT), atStep('promote')).state;
    // The service read nextAction before the cancel was raised; its result is a fact.
    const authorised = signedBy(s, 'Ann', 'Wes');
    const promoted = apply(authorised, result('promote', { kind: 'promote' }));
    expect(promoted.committed).toBe(true);
    const note = apply(
      drive(createCeremony(quorum, AT), atStep('share-entry')).state,
      ack('share-entry', 'Olu', 'officer'),
      {
        type: 'deviation',
        kind: 'note',
        actor: 'Wes',
        reason: 'door opened',
        at: AT,
      },
    );
    expect(nextAction(note)).toBeUndefined();
    const landed = apply(
      note,
      result('share-entry', { kind: 'submit-share', attempt: status('nonce-1', 1), complete: false }),
    );
    expect(landed.attempt?.submitted).toEqual(['Olu']);
  });

  it('abort stops at once, lists what was left behind, and is signed before it ends', () => {
    const s = drive(
      createCeremony(quorum, AT),
      (x) => x.step === 'share-entry' && (x.attempt?.progress ?? 0) === 1,
    ).state;
    const proposal = apply(s, { type: 'abort', actor: 'Wen', reason: 'laptop tamper seal broken', at: AT });
    expect(proposal.step).toBe('share-entry');
    const aborted = signedBy(proposal, 'Ann', 'Wen');
    expect(aborted.step).toBe('sign-transcript');
    expect(aborted.aborting).toBe(true);
    const leftOpen = [
      "A DR operation token attempt (nonce nonce-1) may still be open on 'dc2': cancel it (DELETE sys/replication/dr/secondary/generate-operation-token/attempt).",
    ];
    expect(view(aborted).looseEnds).toEqual(leftOpen);
    expect(nextAction(aborted)).toBeUndefined();
    const { state: ended, visited } = drive(aborted);
    expect(visited).toEqual(['sign-transcript', 'aborted']);
    expect(ended.signed).toEqual(['Ann', 'Wes', 'Wen']);
    expect(ended.endedAt).not.toBeUndefined();
    expect(view(ended).looseEnds).toEqual(leftOpen);
    const later = drive(createCeremony(quorum, AT), atStep('check-promoted')).state;
    expect(
      view(signedBy(apply(later, { type: 'abort', actor: 'Ann', reason: 'r', at: AT }), 'Ann', 'Wes')).looseEnds,
    ).toEqual([
      "A DR operation token was generated on 'dc2' and not deleted; it never expires.",
      "'dc2' was promoted but its new mode was not confirmed; read its replication status.",
    ]);
  });
});

describe('resume after a crash', () => {
  function atShare(k: number, plan = quorum): CeremonyState {
    return drive(createCeremony(plan, AT), (x) => x.step === 'share-entry' && (x.attempt?.progress ?? 0) === k).state;
  }
  const resume = (attemptStatus: AttemptStatus | undefined, held: SecretName[], mode?: string): CeremonyEvent => ({
    type: 'resume',
    attemptStatus,
    held,
    mode,
    at: AT,
  });

  it('same nonce and progress k, OTP still held: resumes at share entry k after a witness confirms', () => {
    const s = apply(atShare(1), ack('share-entry', 'Pia', 'officer'));
    const resumed = apply(s, resume(status('nonce-1', 1), ['otp']));
    expect(resumed.step).toBe('share-entry');
    expect(resumed.attempt).toMatchObject({ progress: 1, submitted: ['Olu'], nonce: 'nonce-1' });
    expect(resumed.acks).toEqual([]);
    expect(openDeviations(resumed).map((d) => [d.kind, d.reason])).toEqual([
      ['resumed', "Resumed at 'Officers enter their shares'; nothing was lost."],
    ]);
    const vault: FakeVault = { nonce: 'nonce-1', started: true, progress: 1 };
    expect(drive(resumed, undefined, vault).state.step).toBe('finished');
  });

  it('attempt no longer started: the attempt is lost, a new one begins', () => {
    const resumed = apply(atShare(1), resume(status('', 0, 2, false), ['otp']));
    expect(resumed.step).toBe('generate-otp');
    expect(resumed.attempt).toBeUndefined();
    expect(openDeviations(resumed)[0]?.reason).toMatch(
      /^Vault no longer has the attempt with nonce nonce-1.*goes back to 'Generate the one-time password'/,
    );
  });

  it('OTP lost with the process: the open attempt is cancelled and started again', () => {
    const resumed = apply(atShare(1), resume(status('nonce-1', 1), []));
    expect(resumed.step).toBe('cancel-attempt');
    expect(resumed.held).toEqual([]);
    expect(openDeviations(resumed)[0]?.reason).toMatch(/^The restart lost: otp\./);
  });

  it('a different nonce or progress on resume: cancelled and started again', () => {
    expect(apply(atShare(1), resume(status('other', 0), ['otp'])).step).toBe('cancel-attempt');
    expect(apply(atShare(1), resume(status('nonce-1', 2, 3), ['otp'])).step).toBe('cancel-attempt');
    expect(apply(atShare(1), resume(undefined, ['otp'])).step).toBe('generate-otp');
  });

  it('on the 2.x root-token path, a lost root token is entered again first', () => {
    const resumed = apply(atShare(1, PLANS['primary root token (2.x)']), resume(status('nonce-1', 1), []));
    expect(resumed.step).toBe('enter-root-token');
    // Vault still holds the old attempt, so the fresh OTP step finds it and has it cancelled.
    const vault: FakeVault = { nonce: 'nonce-1', started: true, progress: 1 };
    const { visited, state } = drive(resumed, undefined, vault);
    expect(visited.slice(0, 5)).toEqual([
      'enter-root-token',
      'generate-otp',
      'cancel-attempt',
      'generate-otp',
      'start-attempt',
    ]);
    expect(state.step).toBe('finished');
  });

  it('a promotion made just before the crash is recognised from the mode', () => {
    const s = drive(createCeremony(quorum, AT), atStep('promote')).state;
    const resumed = apply(s, resume(undefined, ['operation-token'], 'primary'));
    expect(resumed.step).toBe('check-promoted');
    expect(resumed.committed).toBe(true);
    expect(resumed.completed.at(-1)?.step).toBe('promote');
  });

  it('a generated token lost before promotion means a new one, and the lost one is on the record', () => {
    const s = drive(createCeremony(quorum, AT), atStep('promote')).state;
    const resumed = apply(s, resume(undefined, [], 'secondary'));
    expect(resumed.step).toBe('generate-otp');
    expect(resumed.undeletedTokens).toBe(1);
    const batch = drive(createCeremony(PLANS['batch DR token']!, AT), atStep('promote')).state;
    const again = apply(batch, resume(undefined, [], 'secondary'));
    expect(again.step).toBe('enter-batch-token');
    expect(again.undeletedTokens).toBe(0);
  });

  it('a token lost after promotion must be waived at the deletion step', () => {
    const s = drive(createCeremony(quorum, AT), atStep('check-promoted')).state;
    const resumed = drive(apply(s, resume(undefined, [], 'primary')), atStep('delete-operation-token')).state;
    expect(nextAction(resumed)).toBeUndefined();
    expect(view(resumed).awaiting).toBe('nothing');
    const raised = apply(resumed, {
      type: 'deviation',
      kind: 'token-not-deleted',
      actor: 'Ann',
      reason: 'lost in the crash',
      at: AT,
    });
    const signed = signedBy(raised, 'Ann', 'Wes');
    expect(signed.step).toBe('sign-transcript');
    expect(signed.undeletedTokens).toBe(1);
  });

  it('a cancellation under way continues with the closing steps that still apply', () => {
    const s = drive(createCeremony(quorum, AT), atStep('promote')).state;
    const cancelling = apply(s, { type: 'cancel', actor: 'Ann', reason: 'r', at: AT }, witness(1));
    expect(cancelling.step).toBe('delete-operation-token');
    const resumed = apply(cancelling, resume(undefined, []));
    expect(resumed.step).toBe('sign-transcript');
    expect(resumed.undeletedTokens).toBe(1);
  });

  it('a note raised during the signing drops the signatures made: everyone signs again once it is witnessed', () => {
    const signedOnce = drive(createCeremony(quorum, AT), (x) => x.signed.length === 1).state;
    const noted = apply(signedOnce, { type: 'deviation', kind: 'note', actor: 'Wen', reason: 'seen', at: AT });
    expect(noted.step).toBe('sign-transcript');
    expect(noted.signed).toEqual([]);
    expect(noted.lastResult).toMatch(/made before this note \(Ann\) do not cover it/);
    expect(openDeviations(noted).map((d) => d.kind)).toEqual(['note']);
    expect(refused(noted, ack('sign-transcript', 'Ann', 'administrator'))).toMatch(/deviation/);
    const { state, visited } = drive(noted);
    expect(visited).toEqual(['sign-transcript', 'finished']);
    expect(state.signed).toEqual(['Ann', 'Wes', 'Wen']);
  });

  it('a restart during the signing drops the signatures made: everyone signs again once it is witnessed', () => {
    const signedOnce = drive(createCeremony(quorum, AT), (x) => x.signed.length === 1).state;
    expect(signedOnce.step).toBe('sign-transcript');
    const resumed = apply(signedOnce, resume(undefined, [], 'primary'));
    expect(resumed.step).toBe('sign-transcript');
    expect(resumed.signed).toEqual([]);
    expect(openDeviations(resumed).map((d) => d.kind)).toEqual(['resumed']);
    expect(refused(resumed, ack('sign-transcript', 'Ann', 'administrator'))).toMatch(/deviation/);
    const { state, visited } = drive(resumed);
    expect(visited).toEqual(['sign-transcript', 'finished']);
    expect(state.signed).toEqual(['Ann', 'Wes', 'Wen']);
  });

  it('the failback activation token lost before update-primary is created again', () => {
    const s = drive(createCeremony(PLANS['failback, token, quorum']!, AT), atStep('update-primary')).state;
    expect(s.held).toEqual(['operation-token', 'activation-token']);
    const resumed = apply(s, resume(undefined, ['operation-token'], 'secondary'));
    expect(resumed.step).toBe('create-secondary-token');
    expect(resumed.held).toEqual(['operation-token']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('no secret ever enters the state', () => {
  it('keeps only the fields it knows, even when a service passes more', () => {
    const SECRET = 'hvs.SECRETSECRETSECRETSECRET';
    let state = createCeremony(quorum, AT);
    const vault = newVault();
    for (let n = 0; n < 500 && !isEnded(state); n++) {
      const event = autopilotEvent(state, vault, n);
      if (!event) break;
      // A careless service spreads Vault's whole response into the facts.
      const extra = { otp: SECRET, token: SECRET, encoded_token: SECRET };
      const leak = (facts: ServiceFacts): ServiceFacts => ({
        ...facts,
        ...extra,
        ...('attempt' in facts ? { attempt: { ...facts.attempt, ...extra } } : {}),
      });
      const leaky: CeremonyEvent =
        event.type === 'serviceResult' && event.outcome === 'ok' ? { ...event, facts: leak(event.facts) } : event;
      const next = transition(state, leaky);
      if (!next.ok) throw new Error(next.error.message);
      state = next.value;
      expect(JSON.stringify(state)).not.toContain(SECRET);
      expect(JSON.stringify(view(state))).not.toContain(SECRET);
    }
    expect(state.step).toBe('finished');
  });
});

// ---------------------------------------------------------------------------------------------

describe('property: random event sequences', () => {
  const planNames = Object.keys(PLANS);
  const names = ['Ann', 'Wes', 'Wen', 'Olu', 'Pia', 'Quy', 'Sam', 'Mallory'];
  const SECRETS: SecretName[] = ['otp', 'encoded-token', 'operation-token', 'root-token', 'activation-token'];
  const arbStatus = fc.record({
    started: fc.boolean(),
    nonce: fc.constantFrom('nonce-1', 'nonce-2', 'other', ''),
    progress: fc.integer({ min: -1, max: 4 }),
    required: fc.integer({ min: 0, max: 4 }),
  });
  const arbFacts: fc.Arbitrary<ServiceFacts> = fc.oneof(
    fc.record({
      kind: fc.constant('read-replication-status' as const),
      mode: fc.constantFrom('primary', 'secondary', 'disabled'),
    }),
    fc.record({
      kind: fc.constant('generate-otp' as const),
      otpLength: fc.integer({ min: -1, max: 40 }),
      legacy: fc.boolean(),
      attempt: arbStatus,
    }),
    fc.record({ kind: fc.constant('start-attempt' as const), attempt: arbStatus }),
    fc.record({ kind: fc.constant('submit-share' as const), attempt: arbStatus, complete: fc.boolean() }),
    fc.record({ kind: fc.constant('decode-token' as const), tokenLength: fc.integer({ min: -1, max: 40 }) }),
    fc.record({
      kind: fc.constant('sign-transcript' as const),
      signer: fc.constantFrom(...names),
      fingerprint: fc.constantFrom(fp('a'), fp('b'), fp('f'), fp('0')),
    }),
    fc.record({ kind: fc.constant('create-secondary-token' as const), secondaryId: fc.constantFrom('dc1', 'dc9') }),
    fc.constantFrom(...SERVICE_KINDS).map((kind) => ({ kind }) as ServiceFacts),
  );
  const arbStep = fc.constantFrom(...ALL_STEPS);
  const arbRandom: fc.Arbitrary<CeremonyEvent> = fc.oneof(
    fc.record({
      type: fc.constant('acknowledge' as const),
      step: arbStep,
      actor: fc.constantFrom(...names),
      role: fc.constantFrom(...ROLES),
      at: fc.constant(AT),
    }),
    fc.record({
      type: fc.constant('serviceResult' as const),
      step: arbStep,
      outcome: fc.constant('ok' as const),
      facts: arbFacts,
      at: fc.constant(AT),
    }),
    fc.record({
      type: fc.constant('serviceResult' as const),
      step: arbStep,
      outcome: fc.constant('failed' as const),
      reason: fc.string(),
      observed: fc.option(arbStatus, { nil: undefined }),
      at: fc.constant(AT),
    }),
    fc.record({
      type: fc.constant('deviation' as const),
      kind: fc.constantFrom('note' as const, 'force-promote' as const, 'token-not-deleted' as const),
      actor: fc.constantFrom(...names),
      reason: fc.string(),
      at: fc.constant(AT),
    }),
    fc.record({
      type: fc.constant('deviation' as const),
      kind: fc.constant('officer-absent' as const),
      officer: fc.constantFrom(...names),
      actor: fc.constantFrom(...names),
      reason: fc.string(),
      at: fc.constant(AT),
    }),
    fc.record({
      type: fc.constant('deviation' as const),
      kind: fc.constant('officer-substituted' as const),
      officer: fc.constantFrom(...names),
      substitute: fc.constantFrom(...names, 'Sam', 'Tia'),
      actor: fc.constantFrom(...names),
      reason: fc.string(),
      at: fc.constant(AT),
    }),
    fc.record({
      type: fc.constant('deviationWitnessed' as const),
      id: fc.integer({ min: 0, max: 6 }),
      actor: fc.constantFrom(...names),
      at: fc.constant(AT),
    }),
    fc.record({
      type: fc.constant('cancel' as const),
      actor: fc.constantFrom(...names),
      reason: fc.string(),
      at: fc.constant(AT),
    }),
    fc.record({
      type: fc.constant('abort' as const),
      actor: fc.constantFrom(...names),
      reason: fc.string(),
      at: fc.constant(AT),
    }),
    fc.record({
      type: fc.constant('resume' as const),
      attemptStatus: fc.option(arbStatus, { nil: undefined }),
      held: fc.subarray(SECRETS),
      mode: fc.option(fc.constantFrom('primary', 'secondary'), { nil: undefined }),
      at: fc.constant(AT),
    }),
  );
  // Mostly the honest next move, so sequences get deep; the rest is noise of every kind.
  const arbMove = fc.oneof({ arbitrary: fc.constant('auto' as const), weight: 4 }, { arbitrary: arbRandom, weight: 1 });

  it('never throws, refusals change nothing, and finished implies every closing obligation', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...planNames),
        fc.array(arbMove, { minLength: 60, maxLength: 240, size: 'max' }),
        (planName, moves) => {
          const plan = PLANS[planName]!;
          let state = createCeremony(plan, AT);
          const vault = newVault();
          let deleted = false;
          moves.forEach((move, n) => {
            const event = move === 'auto' ? autopilotEvent(state, vault, n) : move;
            if (!event) return;
            const before = JSON.stringify(state);
            const next = transition(deepFreeze(state), event);
            expect(JSON.stringify(state)).toBe(before);
            if (!next.ok) {
              expect(next.error.message.length).toBeGreaterThan(10);
              return;
            }
            if (
              event.type === 'serviceResult' &&
              event.outcome === 'ok' &&
              event.facts.kind === 'delete-operation-token'
            )
              deleted = true;
            state = next.value;
            view(state);
            if (state.step === 'finished') {
              const completed = state.completed.map((r) => r.step);
              const call = {
                promotion: 'promote',
                failback: 'update-primary',
                operation: 'perform-operation',
              } as const;
              const check = {
                promotion: 'check-promoted',
                failback: 'check-failback',
                operation: 'check-after-operation',
              } as const;
              expect(completed).toContain(call[plan.kind]);
              if (plan.kind === 'failback') expect(completed).toContain('demote');
              expect(completed).toContain(check[plan.kind]);
              if (plan.token_path !== 'vault-token') expect(completed).toContain(closingStep(plan));
              expect(state.committed).toBe(true);
              expect(state.signed).toEqual(expect.arrayContaining(['Ann', 'Wes', 'Wen']));
              // The token was deleted by the service, or the deletion was waived by a witnessed deviation.
              const closing = state.completed.find((r) => r.step === 'delete-operation-token');
              if (closing?.waivedBy !== undefined)
                expect(state.deviations.find((d) => d.id === closing.waivedBy)?.witnessedBy).toBeDefined();
              else if (closing) expect(deleted).toBe(true);
            }
            if (state.step === 'cancelled') expect(state.signed).toEqual(expect.arrayContaining(['Ann', 'Wes', 'Wen']));
          });
        },
      ),
      { numRuns: 400 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('failback script', () => {
  const started = () => createCeremony(failbackPlan, AT);
  const authorise = (s: CeremonyState, step: StepId) => {
    expect(s.step).toBe(step);
    return signedBy(s, 'Ann', 'Wes');
  };
  const read = (step: StepId, mode: string, connectedTo?: string) =>
    result(step, { kind: 'read-replication-status', mode, ...(connectedTo ? { connectedTo } : {}) });

  it('checks both primaries, then asks to demote the old one, and only after authorisation', () => {
    const atDemote = drive(started(), atStep('demote')).state;
    expect(atDemote.completed.map((r) => r.step)).toEqual([
      'roll-call',
      'check-new-primary',
      'check-old-primary',
      'enter-vault-token',
    ]);
    expect(nextAction(atDemote)).toBeUndefined();
    expect(refused(atDemote, result('demote', { kind: 'demote' }))).toMatch(/^unexpected-result: .*not yet authorised/);
    expect(nextAction(authorise(atDemote, 'demote'))).toEqual({ kind: 'demote', profile: 'dc1' });
  });

  it('refuses the later steps out of order: no update-primary, activation token or shares before demote', () => {
    const atDemote = drive(started(), atStep('demote')).state;
    expect(refused(atDemote, ack('update-primary', 'Ann', 'administrator'))).toMatch(
      /^wrong-step: it is step 'demote'/,
    );
    expect(refused(atDemote, result('update-primary', { kind: 'update-primary' }))).toMatch(/^wrong-step:/);
    expect(refused(atDemote, ack('share-entry', 'Olu', 'officer'))).toMatch(/^wrong-step:/);
    expect(refused(atDemote, ack('demote', 'Olu', 'officer'))).toMatch(/^signature-required: /);
    // The wrong kind of result for the authorised step is refused, not taken as the demotion.
    const authorised = authorise(atDemote, 'demote');
    expect(refused(authorised, result('demote', { kind: 'update-primary' }))).toMatch(
      /^invalid-result: the laptop reported 'update-primary' but 'Demote the old primary' awaits 'demote'/,
    );
  });

  it('checks the old primary is still primary before demoting it', () => {
    const atCheck = drive(started(), atStep('check-old-primary')).state;
    const demotedAlready = apply(atCheck, read('check-old-primary', 'secondary'));
    expect(demotedAlready.step).toBe('check-old-primary');
    expect(demotedAlready.lastResult).toMatch(/DR mode 'secondary', not 'primary'/);
    expect(refused(demotedAlready, ack('check-old-primary', 'Ann', 'administrator'))).toMatch(/^action-pending/);
  });

  it("makes the activation token for the plan's id, and update-primary commits the failback", () => {
    const atToken = drive(started(), atStep('create-secondary-token')).state;
    expect(nextAction(atToken)).toEqual({ kind: 'create-secondary-token', profile: 'dc2', secondaryId: 'dc1' });
    expect(
      refused(atToken, result('create-secondary-token', { kind: 'create-secondary-token', secondaryId: 'dc9' })),
    ).toMatch(/made for id 'dc9' but the plan names 'dc1'/);
    const replaced = apply(
      atToken,
      result('create-secondary-token', { kind: 'create-secondary-token', secondaryId: 'dc1', replaced: true }),
    );
    expect(replaced.lastResult).toBe(
      "The token issued before the laptop stopped was never used; it is revoked and a new one issued. Activation token created for id 'dc1'.",
    );
    const odd = { kind: 'create-secondary-token', secondaryId: 'dc1', replaced: 'yes' } as unknown as ServiceFacts;
    expect(refused(atToken, result('create-secondary-token', odd))).toMatch(/'replaced' is true or absent/);
    const atUpdate = drive(started(), atStep('update-primary')).state;
    expect(atUpdate.held).toEqual(expect.arrayContaining(['operation-token', 'activation-token']));
    // Stopped before update-primary: the tokens died with the laptop, and the step that made one is read out again saying so.
    expect(view(atToken).script).not.toMatch(/ran before the laptop stopped/);
    const back = apply(atUpdate, { type: 'resume', attemptStatus: undefined, held: [], mode: 'secondary', at: AT });
    const again = drive(back, atStep('create-secondary-token')).state;
    expect(view(again).script).toMatch(
      /^REHEARSAL\. This step ran before the laptop stopped\. If 'dc2' still knows id 'dc1' from the token made then, and no update-primary carried that token, it was never used: the laptop revokes it first\. The laptop creates on 'dc2'/,
    );
    const updated = apply(authorise(atUpdate, 'update-primary'), result('update-primary', { kind: 'update-primary' }));
    expect(updated.step).toBe('check-failback');
    expect(updated.committed).toBe(true);
    expect(updated.held).toEqual(['operation-token']);
  });

  it('resumed at an authorised update-primary: a cluster following a primary goes on to the post-check, one following none makes the token again', () => {
    const sent = authorise(drive(started(), atStep('update-primary')).state, 'update-primary');
    const resume = (follows: boolean | undefined, mode = 'secondary'): CeremonyEvent => ({
      type: 'resume',
      attemptStatus: undefined,
      held: [],
      mode,
      ...(follows === undefined ? {} : { follows }),
      at: AT,
    });
    const made = apply(sent, resume(true));
    expect(made.step).toBe('check-failback');
    expect(made.committed).toBe(true);
    expect(made.lastResult).toContain(
      "Vault reports 'dc1' a DR secondary following a primary: the update-primary sent before the laptop stopped was made: the old primary follows the new one.",
    );
    const notMade = apply(sent, resume(false));
    expect(notMade.committed).toBe(false);
    expect(notMade.script.indexOf(notMade.step)).toBeLessThan(notMade.script.indexOf('create-secondary-token'));
    expect(notMade.lastResult).toContain('an update-primary sent before the laptop stopped was not made');
    // Not authorised (nothing sent), another mode, or no reading: nothing is taken as made.
    const unsent = apply(drive(started(), atStep('update-primary')).state, resume(true));
    for (const s of [unsent, apply(sent, resume(true, 'primary')), apply(sent, resume(undefined))]) {
      expect(s.committed).toBe(false);
      expect(s.lastResult).not.toMatch(/update-primary sent before/);
    }
    const odd = { ...resume(true), follows: 'yes' } as unknown as CeremonyEvent;
    expect(refused(sent, odd)).toMatch(/^invalid-event: a resume's 'follows' is true, false or absent/);
  });

  it('post-check: the demoted cluster must be a secondary connected to a primary, not merely a secondary', () => {
    const atCheck = drive(started(), atStep('check-failback')).state;
    expect(nextAction(atCheck)).toEqual({
      kind: 'read-replication-status',
      profile: 'dc1',
      expectMode: 'secondary',
      expectConnected: true,
    });
    const idle = apply(atCheck, read('check-failback', 'secondary'));
    expect(idle.step).toBe('check-failback');
    expect(idle.acted).toBe(false);
    expect(idle.lastResult).toMatch(/not connected to a primary yet/);
    expect(refused(idle, ack('check-failback', 'Ann', 'administrator'))).toMatch(/^action-pending/);
    const stillPrimary = apply(atCheck, read('check-failback', 'primary', NEW));
    expect(stillPrimary.acted).toBe(false);
    const following = apply(idle, read('check-failback', 'secondary', NEW));
    expect(following.lastResult).toBe(`Vault reports DR mode 'secondary', connected to the primary at ${NEW}.`);
    expect(view(following).acknowledgements[0]?.anyOf[0]?.text).toBe(
      "I saw Vault report DR mode 'secondary' for 'dc1', connected to the new primary 'dc2'.",
    );
    expect(
      apply(following, ack('check-failback', 'Ann', 'administrator'), ack('check-failback', 'Wen', 'witness')).step,
    ).toBe('delete-operation-token');
  });

  it('cannot finish without deleting the DR operation token, unless a witness confirms it was not', () => {
    const atDelete = drive(started(), atStep('delete-operation-token')).state;
    expect(atDelete.committed).toBe(true);
    expect(refused(atDelete, ack('delete-operation-token', 'Ann', 'administrator'))).toMatch(/^action-pending/);
    expect(refused(atDelete, ack('sign-transcript', 'Ann', 'administrator'))).toMatch(/^wrong-step/);
    expect(
      refused(atDelete, {
        type: 'deviation',
        kind: 'token-not-deleted',
        actor: 'Ann',
        reason: 'skip it',
        at: AT,
      }),
    ).toMatch(/let the laptop try to delete the token first/);
    const failedOnce = apply(atDelete, deletionFailed);
    const raised = apply(failedOnce, {
      type: 'deviation',
      kind: 'token-not-deleted',
      actor: 'Ann',
      reason: 'dc1 refuses the deletion',
      at: AT,
    });
    expect(raised.step).toBe('delete-operation-token');
    const waived = signedBy(raised, 'Ann', 'Wes');
    expect(waived.step).toBe('sign-transcript');
    expect(waived.completed.at(-1)).toEqual({ step: 'delete-operation-token', at: AT, waivedBy: 1 });
    expect(waived.undeletedTokens).toBe(1);
    expect(drive(waived).state.step).toBe('finished');
  });

  it('a cancellation after update-primary comes too late: the closing steps still run', () => {
    const atCheck = drive(started(), atStep('check-failback')).state;
    expect(refused(atCheck, { type: 'cancel', actor: 'Ann', reason: 'changed our minds', at: AT })).toMatch(
      /^too-late: 'dc1' has already been pointed at its new primary/,
    );
  });
});

describe('operation script', () => {
  const demotePlan = PLANS['operation: demote (vault token)']!;
  const tokenPlan = PLANS['operation: secondary-token (performance)']!;
  // A destructive operation's call is authorised by signature, like a promotion; other steps by acknowledgement.
  const authorise = (s: CeremonyState, step: StepId) =>
    isIrreversibleStep(step, isDestructivePlan(s.plan))
      ? signedBy(s, 'Ann', 'Wes')
      : apply(s, ack(step, 'Ann', 'administrator'), ack(step, 'Wes', 'witness'));
  const read = (step: StepId, mode: string) => result(step, { kind: 'read-replication-status', mode });
  const resumed = (s: CeremonyState, held: SecretName[], mode?: string): CeremonyState =>
    apply(s, { type: 'resume', attemptStatus: undefined, held, mode, at: AT });

  it('has its own script: pre-check, authorisation, the one call, post-check, signing', () => {
    expect(createCeremony(demotePlan, AT).script).toEqual([
      'roll-call',
      'check-before-operation',
      'enter-vault-token',
      'perform-operation',
      'check-after-operation',
      'sign-transcript',
      'finished',
    ]);
    // A DR secondary's call takes the plan's DR operation token path, the activation token and the closing step.
    expect(createCeremony(PLANS['operation: DR update-primary (quorum, token)']!, AT).script).toEqual([
      'roll-call',
      'check-before-operation',
      'generate-otp',
      'start-attempt',
      'share-entry',
      'decode-token',
      'enter-activation-token',
      'perform-operation',
      'check-after-operation',
      'delete-operation-token',
      'sign-transcript',
      'finished',
    ]);
  });

  it('pre-check: states the mode Vault must report, and nobody attests until it does', () => {
    const atCheck = drive(createCeremony(demotePlan, AT), atStep('check-before-operation')).state;
    expect(nextAction(atCheck)).toEqual({ kind: 'read-replication-status', profile: 'dc1', expectMode: 'primary' });
    const wrong = apply(atCheck, read('check-before-operation', 'secondary'));
    expect(wrong.step).toBe('check-before-operation');
    expect(wrong.lastResult).toMatch(/DR mode 'secondary', not 'primary'/);
    expect(refused(wrong, ack('check-before-operation', 'Ann', 'administrator'))).toMatch(/^action-pending/);
    const right = apply(atCheck, read('check-before-operation', 'primary'));
    expect(view(right).acknowledgements[0]?.anyOf[0]?.text).toBe(
      "I saw Vault report DR mode 'primary' for 'dc1', the cluster to act on.",
    );
  });

  it('the call waits for the administrator and a witness, commits, and the Vault token is wiped after it', () => {
    const atPerform = drive(createCeremony(demotePlan, AT), atStep('perform-operation')).state;
    expect(atPerform.held).toEqual(['vault-token']);
    expect(nextAction(atPerform)).toBeUndefined();
    expect(refused(atPerform, result('perform-operation', { kind: 'replication-operation', status: 204 }))).toMatch(
      /^unexpected-result: .*not yet authorised/,
    );
    const authorised = authorise(atPerform, 'perform-operation');
    expect(nextAction(authorised)).toEqual({
      kind: 'replication-operation',
      profile: 'dc1',
      operation: { id: 'demote', replication: 'dr' },
    });
    const done = apply(authorised, result('perform-operation', { kind: 'replication-operation', status: 204 }));
    expect(done.step).toBe('check-after-operation');
    expect(done.committed).toBe(true);
    expect(done.held).toEqual([]);
    expect(nextAction(done)).toEqual({ kind: 'read-replication-status', profile: 'dc1', expectMode: 'secondary' });
    expect(refused(done, { type: 'cancel', actor: 'Ann', reason: 'too late', at: AT })).toMatch(
      /^too-late: 'dc1' has already been changed by the operation/,
    );
  });

  it('a failed call names the step, not the internal action, and must be authorised again', () => {
    const authorised = authorise(
      drive(createCeremony(demotePlan, AT), atStep('perform-operation')).state,
      'perform-operation',
    );
    const failedOnce = apply(authorised, {
      type: 'serviceResult',
      step: 'perform-operation',
      outcome: 'failed',
      reason: 'permission denied',
      at: AT,
    });
    expect(failedOnce.lastResult).toBe('Perform the operation: permission denied');
    expect(failedOnce.acks).toEqual([]);
    expect(nextAction(failedOnce)).toBeUndefined();
  });

  it('a Vault token lost in a restart is asked for again in place, never by repeating earlier steps', () => {
    const atPerform = drive(createCeremony(demotePlan, AT), atStep('perform-operation')).state;
    const back = apply(resumed(atPerform, [], 'primary'), witness(1));
    expect(back.step).toBe('perform-operation');
    expect(back.held).toEqual([]);
    expect(back.deviations[0]?.reason).toMatch(/^The restart lost: vault-token\./);
    const authorised = authorise(back, 'perform-operation');
    expect(nextAction(authorised)).toEqual({ kind: 'collect-vault-token', profile: 'dc1' });
    const entered = apply(authorised, result('perform-operation', { kind: 'collect-vault-token' }));
    expect(entered.step).toBe('perform-operation');
    expect(nextAction(entered)?.kind).toBe('replication-operation');
  });

  it('a demotion made just before a restart is recognised from the mode Vault reports', () => {
    const authorised = authorise(
      drive(createCeremony(demotePlan, AT), atStep('perform-operation')).state,
      'perform-operation',
    );
    const back = resumed(authorised, [], 'secondary');
    expect(back.step).toBe('check-after-operation');
    expect(back.committed).toBe(true);
  });

  it("secondary-token: the record gets the token's SHA-256, and the token is held only until the post-check", () => {
    const atPerform = authorise(
      drive(createCeremony(tokenPlan, AT), atStep('perform-operation')).state,
      'perform-operation',
    );
    expect(refused(atPerform, result('perform-operation', { kind: 'replication-operation', status: 200 }))).toMatch(
      /needs the activation token's SHA-256/,
    );
    const made = apply(
      atPerform,
      result('perform-operation', {
        kind: 'replication-operation',
        status: 200,
        activationTokenSha256: 'cd'.repeat(32),
      }),
    );
    expect(made.held).toEqual(['activation-token']);
    expect(nextAction(made)).toEqual({
      kind: 'read-replication-status',
      profile: 'dc1',
      expectMode: 'primary',
      replication: 'performance',
    });
    const seen = apply(made, read('check-after-operation', 'primary'));
    expect(seen.lastResult).toBe("Vault reports performance mode 'primary'.");
    expect(seen.held).toEqual(['activation-token']);
    const confirmed = authorise(seen, 'check-after-operation');
    expect(confirmed.step).toBe('sign-transcript');
    expect(confirmed.held).toEqual([]);
  });

  it('the failback keeps the Vault token from demote to secondary-token, then wipes it', () => {
    const plan = PLANS['failback, token, quorum']!;
    const atToken = drive(createCeremony(plan, AT), atStep('create-secondary-token')).state;
    expect(atToken.held).toContain('vault-token');
    const atUpdate = drive(atToken, atStep('update-primary')).state;
    expect(atUpdate.held).not.toContain('vault-token');
    const addrs = drive(createCeremony(PLANS['failback, addrs, batch']!, AT), atStep('enter-batch-token')).state;
    expect(addrs.completed.map((r) => r.step)).toContain('demote');
    expect(addrs.held).not.toContain('vault-token');
  });
});

describe('signed authorisation of irreversible steps', () => {
  const atPromote = () => drive(createCeremony(quorum, AT), atStep('promote')).state;

  it('is never a click: acknowledging an irreversible step is refused', () => {
    const s = atPromote();
    expect(refused(s, ack('promote', 'Ann', 'administrator'))).toMatch(
      /^signature-required: 'Promote the DR secondary' cannot be undone: .*signing its statement with their own key/,
    );
    const demote = drive(createCeremony(PLANS['failback, token, quorum']!, AT), atStep('demote')).state;
    expect(refused(demote, ack('demote', 'Ann', 'administrator'))).toMatch(/^signature-required/);
  });

  it("covers an operation's call only when the catalogue marks the operation destructive", () => {
    const demote = drive(
      createCeremony(PLANS['operation: demote (vault token)']!, AT),
      atStep('perform-operation'),
    ).state;
    expect(refused(demote, ack('perform-operation', 'Ann', 'administrator'))).toMatch(/^signature-required/);
    expect(authorisationDue(demote)).toBe('perform-operation');
    expect(apply(demote, requested(demote)).statement).toMatchObject({
      step: 'perform-operation',
      action: 'Demote this primary (DR)',
      cluster: 'dc1',
    });
    const token = drive(
      createCeremony(PLANS['operation: secondary-token (performance)']!, AT),
      atStep('perform-operation'),
    ).state;
    expect(authorisationDue(token)).toBeUndefined();
    expect(refused(token, signature(token, 'Ann'))).toMatch(/^not-required/);
    expect(
      nextAction(
        apply(token, ack('perform-operation', 'Ann', 'administrator'), ack('perform-operation', 'Wes', 'witness')),
      )?.kind,
    ).toBe('replication-operation');
  });

  it('binds the statement to the ceremony, step, cluster, the nonce and head the laptop asked with', () => {
    const s = atPromote();
    expect(authorisationDue(s)).toBe('promote');
    expect(refused(s, signature(s, 'Ann'))).toMatch(/^not-allowed-now: the laptop has not yet asked/);
    const asked = apply(s, requested(s));
    expect(authorisationDue(asked)).toBeUndefined();
    expect(refused(asked, requested(asked))).toMatch(/^not-allowed-now/);
    expect(asked.statement).toEqual({
      ceremony: 'dr-1',
      step: 'promote',
      action: 'promote',
      cluster: 'dc2',
      nonce: NONCE,
      head: HEAD,
    });
    expect(view(asked).authorisation?.statement).toBe(
      `vault-ceremony-authorisation/1\nCeremony: "dr-1"\nStep: promote\nAction: promote\nCluster: "dc2"\nNonce: ${NONCE}\nJournal head: ${HEAD}\n`,
    );
    expect(refused(s, requested(s, AT, 'not-hex'))).toMatch(/^invalid-event/);
  });

  it('refuses to act without both the administrator and a witness', () => {
    const s = atPromote();
    const adminOnly = signedBy(s, 'Ann');
    expect(nextAction(adminOnly)).toBeUndefined();
    expect(refused(adminOnly, result('promote', { kind: 'promote' }))).toMatch(
      /^unexpected-result: .*not yet authorised/,
    );
    const witnessesOnly = signedBy(s, 'Wes');
    expect(refused(witnessesOnly, signature(witnessesOnly, 'Wen'))).toMatch(/^already-acknowledged/);
    expect(nextAction(witnessesOnly)).toBeUndefined();
    expect(nextAction(signedBy(s, 'Wes', 'Ann'))).toMatchObject({ kind: 'promote', force: false });
  });

  it('refuses one person authorising twice', () => {
    const once = signedBy(atPromote(), 'Ann');
    expect(refused(once, signature(once, 'Ann'))).toBe(
      "already-acknowledged: the administrator has already acknowledged 'Promote the DR secondary'",
    );
  });

  it('refuses a signature over a stale nonce or head, or by a key the plan does not name', () => {
    const asked = apply(atPromote(), requested(atPromote()));
    expect(refused(asked, signature(asked, 'Ann', 0, { nonce: '0b'.repeat(16) }))).toMatch(/^stale-statement: /);
    expect(refused(asked, signature(asked, 'Ann', 0, { head: '6f'.repeat(32) }))).toMatch(/^stale-statement: /);
    expect(refused(asked, signature(asked, 'Wes', 0, { fingerprint: fp('f') }))).toMatch(
      /^wrong-key: .*the plan names BBBB/,
    );
    expect(refused(asked, { ...signature(asked, 'Ann'), signature: 'I agree' } as CeremonyEvent)).toMatch(
      /^invalid-event: .*armored detached/,
    );
    expect(refused(asked, { ...signature(asked, 'Wes'), role: 'administrator' } as CeremonyEvent)).toMatch(
      /^wrong-role/,
    );
  });

  it('a failed call or approved force withdraws the statement: older signatures no longer count', () => {
    const s = atPromote();
    const authorised = signedBy(s, 'Ann', 'Wes');
    const failed = apply(authorised, {
      type: 'serviceResult',
      step: 'promote',
      outcome: 'failed',
      reason: 'replication is catching up',
      at: AT,
    });
    expect(failed.statement).toBeUndefined();
    expect(authorisationDue(failed)).toBe('promote');
    const again = apply(failed, requested(failed, AT, '0c'.repeat(16), '7d'.repeat(32)));
    expect(refused(again, signature(authorised, 'Ann'))).toMatch(/^stale-statement/);
    const raised = apply(again, { type: 'deviation', kind: 'force-promote', actor: 'Ann', reason: 'r', at: AT });
    expect(authorisationDue(raised)).toBeUndefined();
    const forced = apply(raised, witness(1, 'Wen'));
    expect(forced.statement).toBeUndefined();
    const forcedAsked = apply(forced, requested(forced));
    expect(forcedAsked.statement?.action).toBe('promote with force');
    expect(statementText(forcedAsked.statement!)).toContain('Action: promote with force\n');
  });
});

describe('signed authorisation of aborting and waiving', () => {
  const atShares = () =>
    drive(createCeremony(quorum, AT), (x) => x.step === 'share-entry' && (x.attempt?.progress ?? 0) === 1).state;
  const abortBy = (actor: string, reason = 'laptop tamper seal broken'): CeremonyEvent => ({
    type: 'abort',
    actor,
    reason,
    at: AT,
  });

  it('an abort is only proposed by a click: the ceremony holds until the administrator and a witness sign', () => {
    const s = atShares();
    const proposal = apply(s, abortBy('Wen'));
    expect(proposal.step).toBe('share-entry');
    expect(isEnded(proposal)).toBe(false);
    expect(nextAction(proposal)).toBeUndefined();
    expect(view(proposal).proposal).toEqual({
      id: 1,
      kind: 'abort',
      step: 'share-entry',
      reason: 'laptop tamper seal broken',
      raisedBy: 'Wen',
    });
    expect(view(proposal).acknowledgements.map((r) => r.anyOf.map((o) => o.name))).toEqual([['Ann'], ['Wes', 'Wen']]);
    expect(refused(proposal, witness(1))).toMatch(/^signature-required: deviation #1 \(abort\) cannot be undone/);
    expect(refused(proposal, ack('share-entry', 'Olu', 'officer'))).toMatch(/^deviation-open/);
    expect(refused(proposal, signature(proposal, 'Ann'))).toMatch(/^not-allowed-now: the laptop has not yet asked/);
    expect(authorisationDue(proposal)).toBe('share-entry');
    const adminOnly = signedBy(proposal, 'Ann');
    expect(adminOnly.step).toBe('share-entry');
    expect(refused(adminOnly, signature(adminOnly, 'Ann'))).toMatch(/^already-acknowledged/);
    const aborted = signedBy(adminOnly, 'Wes');
    expect(aborted.step).toBe('sign-transcript');
    expect(aborted.aborting).toBe(true);
    expect(aborted.deviations[0]).toMatchObject({ kind: 'abort', raisedBy: 'Wen', witnessedBy: 'Wes' });
    expect(openDeviations(aborted)).toEqual([]);
  });

  it("binds the reason typed into the statement's action, JSON-quoted, at the step the ceremony was at", () => {
    const s = atShares();
    const asked = apply(s, abortBy('Ann', 'seal broken "Action: promote"'), requested(s));
    expect(asked.statement).toEqual({
      ceremony: 'dr-1',
      step: 'share-entry',
      action: 'abort: "seal broken \\"Action: promote\\""',
      cluster: 'dc2',
      nonce: NONCE,
      head: HEAD,
    });
    expect(statementText(asked.statement!)).toContain('\nAction: abort: "seal broken \\"Action: promote\\""\n');
    expect(view(asked).authorisation?.statement).toBe(statementText(asked.statement!));
  });

  it('refuses officers, strangers, stale statements and keys the plan does not name', () => {
    const asked = signedBy(apply(atShares(), abortBy('Ann')));
    expect(refused(asked, { ...signature(asked, 'Olu'), role: 'officer' } as CeremonyEvent)).toMatch(/^not-required/);
    expect(refused(asked, signature(asked, 'Mallory'))).toMatch(/^unknown-actor/);
    expect(refused(asked, signature(asked, 'Ann', 0, { nonce: '0b'.repeat(16) }))).toMatch(/^stale-statement/);
    expect(refused(asked, signature(asked, 'Wes', 0, { fingerprint: fp('f') }))).toMatch(/^wrong-key/);
    expect(refused(asked, { ...signature(asked, 'Ann'), signature: 'I agree' } as CeremonyEvent)).toMatch(
      /^invalid-event/,
    );
    expect(refused(asked, abortBy('Wes'))).toMatch(/^not-allowed-now: abort #1 already waits/);
    expect(refused(asked, { type: 'cancel', actor: 'Ann', reason: 'r', at: AT })).toMatch(
      /^not-allowed-now: deviation #1 \(abort\) waits for/,
    );
  });

  it("at an irreversible step, the step's statement and signatures lapse; a restart lapses the abort's", () => {
    const atPromote = signedBy(drive(createCeremony(quorum, AT), atStep('promote')).state, 'Ann');
    const proposal = apply(atPromote, abortBy('Wes'));
    expect(proposal.statement).toBeUndefined();
    expect(proposal.acks).toEqual([]);
    const half = signedBy(proposal, 'Ann');
    expect(half.statement?.action).toBe('abort: "laptop tamper seal broken"');
    const resumed = apply(half, {
      type: 'resume',
      attemptStatus: undefined,
      held: [...half.held],
      mode: 'secondary',
      at: AT,
    });
    expect(resumed.statement).toBeUndefined();
    expect(resumed.proposal).toEqual({ deviation: 1, acks: [] });
    const again = apply(resumed, requested(resumed, AT, '0c'.repeat(16), '7d'.repeat(32)));
    expect(refused(again, signature(half, 'Wes'))).toMatch(/^stale-statement/);
    expect(signedBy(again, 'Wes', 'Ann').aborting).toBe(true);
  });

  it('is withdrawn by a click of whoever raised it or the administrator; the step is authorised afresh', () => {
    const atPromote = signedBy(drive(createCeremony(quorum, AT), atStep('promote')).state, 'Ann');
    const proposal = signedBy(apply(atPromote, abortBy('Wes')), 'Ann');
    const withdraw = (actor: string, id = 1): CeremonyEvent => ({ type: 'withdraw', id, actor, at: AT });
    expect(refused(proposal, withdraw('Wen'))).toMatch(/^wrong-role: only 'Wes', who raised #1, or the administrator/);
    expect(refused(proposal, withdraw('Wes', 2))).toMatch(/^unknown-deviation/);
    const withdrawn = apply(proposal, withdraw('Wes'));
    expect(withdrawn.proposal).toBeUndefined();
    expect(withdrawn.deviations[0]).toMatchObject({ kind: 'abort', withdrawnBy: 'Wes' });
    expect(withdrawn.deviations[0]?.witnessedBy).toBeUndefined();
    expect(openDeviations(withdrawn)).toEqual([]);
    expect(refused(withdrawn, witness(1))).toMatch(/^unknown-deviation: deviation #1 was withdrawn/);
    expect(authorisationDue(withdrawn)).toBe('promote');
    expect(nextAction(signedBy(withdrawn, 'Ann', 'Wen'))).toMatchObject({ kind: 'promote' });
    expect(refused(withdrawn, withdraw('Ann'))).toMatch(/^unknown-deviation/);
    expect(apply(proposal, withdraw('Ann')).deviations[0]?.withdrawnBy).toBe('Ann');
  });

  it('a waiver quotes its step and reason; an abort supersedes it', () => {
    const s = drive(createCeremony(quorum, AT), atStep('delete-operation-token')).state;
    const failedOnce = apply(s, deletionFailed);
    const waiver = apply(failedOnce, {
      type: 'deviation',
      kind: 'token-not-deleted',
      actor: 'Ann',
      reason: 'Vault unreachable',
      at: AT,
    });
    expect(view(waiver).proposal).toMatchObject({ kind: 'waive', step: 'delete-operation-token' });
    const asked = signedBy(waiver, 'Wes');
    expect(asked.statement?.action).toBe('waive delete-operation-token: "Vault unreachable"');
    expect(refused(asked, witness(1))).toMatch(/^signature-required/);
    const abort = apply(asked, abortBy('Ann'));
    expect(abort.statement).toBeUndefined();
    expect(view(abort).proposal?.kind).toBe('abort');
    expect(openDeviations(abort).map((d) => d.kind)).toEqual(['abort']);
    // The superseded waiver does not hold up the signing: the abort decided.
    const { state, visited } = drive(signedBy(abort, 'Ann', 'Wen'));
    expect(visited).toEqual(['sign-transcript', 'aborted']);
    expect(state.deviations.find((d) => d.kind === 'token-not-deleted')?.witnessedBy).toBeUndefined();
  });
});

describe('after a signed abort, only the transcript is signed', () => {
  const REASON = 'laptop tamper seal broken';
  const abortedAtShares = () =>
    signedBy(
      apply(
        drive(createCeremony(quorum, AT), (x) => x.step === 'share-entry' && (x.attempt?.progress ?? 0) === 1).state,
        { type: 'abort', actor: 'Wen', reason: REASON, at: AT },
      ),
      'Ann',
      'Wen',
    );

  it('goes to sign-transcript, says who authorised it and why, and ends aborted once everyone signed', () => {
    const s = abortedAtShares();
    expect(s.step).toBe('sign-transcript');
    expect(isEnded(s)).toBe(false);
    expect(s.endedAt).toBeUndefined();
    expect(view(s).aborted).toEqual({
      step: 'share-entry',
      reason: REASON,
      raisedBy: 'Wen',
      authorisedBy: ['Ann', 'Wen'],
    });
    expect(view(s).blocker).toBeNull();
    expect(view(s).canCancel).toBe(false);
    expect(view(s).acknowledgements.map((r) => r.anyOf.map((o) => o.name))).toEqual([['Ann']]);
    const { state, events } = drive(s);
    expect(state.step).toBe('aborted');
    expect(state.completed.at(-1)?.step).toBe('sign-transcript');
    // Nothing but the signing: each signer steps up and the laptop reports the signature, no Vault call.
    expect(events.map((e) => (e.type === 'serviceResult' && e.outcome === 'ok' ? e.facts.kind : e.type))).toEqual([
      'acknowledge',
      'sign-transcript',
      'acknowledge',
      'sign-transcript',
      'acknowledge',
      'sign-transcript',
    ]);
    expect(view(state).aborted?.reason).toBe(REASON);
  });

  it('refuses everything else meanwhile: a second abort, cancel, deviations, withdrawals, other steps', () => {
    const s = abortedAtShares();
    const stillAborted = /^not-allowed-now: the ceremony is aborted: nothing more happens in it but/;
    expect(refused(s, { type: 'abort', actor: 'Ann', reason: 'again', at: AT })).toMatch(stillAborted);
    expect(refused(s, { type: 'cancel', actor: 'Ann', reason: 'r', at: AT })).toMatch(stillAborted);
    expect(refused(s, { type: 'deviation', kind: 'note', actor: 'Wes', reason: 'r', at: AT })).toMatch(stillAborted);
    expect(
      refused(s, { type: 'deviation', kind: 'officer-absent', officer: 'Pia', actor: 'Ann', reason: 'r', at: AT }),
    ).toMatch(stillAborted);
    expect(refused(s, { type: 'withdraw', id: 1, actor: 'Ann', at: AT })).toMatch(stillAborted);
    expect(refused(s, requested(s))).toMatch(stillAborted);
    expect(refused(s, ack('share-entry', 'Pia', 'officer'))).toMatch(/^wrong-step/);
    expect(
      refused(s, result('sign-transcript', { kind: 'submit-share', attempt: status('nonce-1', 2), complete: true })),
    ).toMatch(/^unexpected-result/);
    // Half-way through the signing too.
    const half = apply(s, ack('sign-transcript', 'Ann', 'administrator'));
    expect(refused(half, { type: 'abort', actor: 'Wes', reason: 'again', at: AT })).toMatch(stillAborted);
  });

  it('is refused once the record is closed for signing in a ceremony that was not aborted', () => {
    const signing = drive(createCeremony(quorum, AT), atStep('sign-transcript')).state;
    expect(refused(signing, { type: 'abort', actor: 'Ann', reason: 'r', at: AT })).toMatch(
      /^too-late: the record is closed/,
    );
  });

  it('starts the signing again after a restart without going back to Vault: the restart follows the head signed', () => {
    const s = abortedAtShares();
    const signedOnce = drive(s, (x) => x.signed.length === 1).state;
    const resumed = apply(signedOnce, { type: 'resume', attemptStatus: undefined, held: [], mode: undefined, at: AT });
    expect(resumed.step).toBe('sign-transcript');
    expect(resumed.aborting).toBe(true);
    expect(resumed.signed).toEqual([]);
    expect(resumed.deviations.at(-1)?.reason).toMatch(/made before the restart \(Ann\) do not cover it/);
    expect(resumed.held).toEqual(signedOnce.held);
    expect(resumed.undeletedTokens).toBe(signedOnce.undeletedTokens);
    expect(openDeviations(resumed).map((d) => d.kind)).toEqual(['resumed']);
    expect(view(resumed).looseEnds).toEqual(view(signedOnce).looseEnds);
    const { state, visited } = drive(resumed);
    expect(visited).toEqual(['sign-transcript', 'aborted']);
    expect(state.signed).toEqual(['Ann', 'Wes', 'Wen']);
  });
});
