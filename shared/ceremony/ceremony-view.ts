/**
 * The ceremony as the wizard shows it and the service reads it, built once per state from the
 * machine's rules (ceremony-machine.ts): the read model's first layer (ceremony-snapshot.ts),
 * holding nothing secret.
 */
import {
  abortOf,
  blocker,
  isEnded,
  nextAction,
  openDeviations,
  owedAcks,
  proposed,
  stepText,
  transition,
  type CeremonyState,
} from './ceremony-machine';
import { statementDigest, statementText } from './authorisation';
import type { ServiceAction } from './ceremony-events';
import type { CeremonyView } from './ceremony-snapshot';
import type { StepId } from './ceremony-steps';
import { scriptOf, STEPS } from './step-catalogue';
import { OPERATIONS, operationTitle } from '../replication/replication-operations';

export function view(state: CeremonyState): CeremonyView {
  const { plan } = state;
  const action = nextAction(state);
  const open = openDeviations(state);
  const acknowledgements = owedAcks(state);
  const { title, script } = stepText(state);
  // The machine alone decides whether a cancel would be accepted; ask it rather than repeat its rules.
  const cancel = transition(state, {
    type: 'cancel',
    actor: plan.administrator.name,
    reason: 'asking whether cancel is possible',
    at: '',
  });
  const person = (p: { name: string; fingerprint: string }) => ({ name: p.name, fingerprint: p.fingerprint });
  return {
    plan: {
      id: plan.id,
      title: plan.title,
      kind: plan.kind,
      rehearsal: plan.rehearsal,
      profile: plan.profile,
      vaultVersion: plan.vault_version,
      tokenPath: plan.token_path,
      threshold: plan.threshold ?? null,
      primaryClusterAddr: plan.primary_cluster_addr ?? null,
      peerProfiles: [...(plan.peer_profiles ?? [])],
      operation: plan.operation
        ? {
            id: plan.operation.id,
            replication: plan.operation.replication,
            title: operationTitle(plan.operation.id, plan.operation.replication),
            destructive: OPERATIONS[plan.operation.id].destructive,
          }
        : null,
      administrator: person(plan.administrator),
      witnesses: plan.witnesses.map(person),
      officers: plan.officers.map((o) => ({ ...person(o), keySource: o.key_source ?? null })),
    },
    steps: scriptOf(plan).map((id) => ({ id, title: STEPS[id].title })),
    step: state.step,
    title,
    script,
    awaiting: isEnded(state)
      ? 'nothing'
      : open.length
        ? 'deviation'
        : action
          ? 'service'
          : acknowledgements.length
            ? 'acknowledgement'
            : 'nothing',
    acknowledgements: acknowledgements.map((r) => ({
      anyOf: r.anyOf.map((o) => ({ name: o.name, role: o.role, text: o.text })),
    })),
    action: action ? actionView(action) : null,
    progress: state.attempt ? { entered: state.attempt.progress, required: state.attempt.required } : null,
    nonce: state.attempt?.nonce ?? null,
    otp: state.otp ? { ...state.otp } : null,
    openDeviations: open.map((d) => ({
      id: d.id,
      kind: d.kind,
      step: d.step,
      reason: d.reason,
      raisedBy: d.raisedBy ?? null,
      at: d.at,
      ...(d.officer === undefined ? {} : { officer: d.officer }),
      ...(d.substitute === undefined ? {} : { substitute: d.substitute }),
    })),
    lastResult: state.lastResult ?? null,
    blocker: blocker(state) ?? null,
    canCancel: cancel.ok,
    looseEnds: [...looseEnds(state)],
    committed: state.committed,
    proposal: proposalView(state),
    aborted: abortedView(state),
    authorisation: state.statement
      ? { statement: statementText(state.statement), sha256: statementDigest(state.statement) }
      : null,
  };
}

/** The abort or waiver awaiting signatures: what it does and why, as the statement quotes it. */
function proposalView(state: CeremonyState): CeremonyView['proposal'] {
  const d = proposed(state);
  if (!d) return null;
  return {
    id: d.id,
    kind: d.kind === 'abort' ? 'abort' : 'waive',
    step: d.step,
    reason: d.reason,
    raisedBy: d.raisedBy ?? null,
  };
}

/** The signed abort that stopped the ceremony: why, where, and who authorised it (the administrator and a witness). */
function abortedView(state: CeremonyState): CeremonyView['aborted'] {
  const a = abortOf(state);
  return a ? { ...a, authorisedBy: [...a.authorisedBy] } : null;
}

/** What the wizard may know of the next action: its kind and the people and flags in it, never a secret. */
function actionView(action: ServiceAction): NonNullable<CeremonyView['action']> {
  switch (action.kind) {
    case 'submit-share':
      return { kind: action.kind, officer: action.officer, actor: action.actor, fingerprint: action.fingerprint };
    case 'promote':
      return { kind: action.kind, force: action.force };
    case 'sign-transcript':
      return { kind: action.kind, actor: action.signer, fingerprint: action.fingerprint };
    default:
      return { kind: action.kind };
  }
}

/** What a stopped (or finished) ceremony leaves for someone to deal with. */
export function looseEnds(state: CeremonyState): readonly string[] {
  const { plan } = state;
  const out: string[] = [];
  if (state.undeletedTokens > 0)
    out.push(
      `${state.undeletedTokens} DR operation token(s) generated in this ceremony could not be deleted and never expire; ` +
        'record this for the auditors and treat them as exposed root credentials.',
    );
  if (!isEnded(state) && !state.aborting) return out;
  if (state.attempt)
    out.push(
      `A DR operation token attempt (nonce ${state.attempt.nonce}) may still be open on '${plan.profile}': ` +
        'cancel it (DELETE sys/replication/dr/secondary/generate-operation-token/attempt).',
    );
  if (state.held.includes('encoded-token') || (state.held.includes('operation-token') && plan.officers.length > 0))
    out.push(`A DR operation token was generated on '${plan.profile}' and not deleted; it never expires.`);
  if (state.held.includes('operation-token') && plan.token_path === 'batch-dr-token')
    out.push(
      'The batch DR operation token stays valid until its TTL ends; destroy its escrowed copy if it is no longer needed.',
    );
  if (state.held.includes('activation-token') && plan.kind === 'operation')
    out.push(
      plan.operation?.id === 'secondary-token'
        ? `The activation token for secondary id '${plan.operation.secondary_id ?? '?'}' was made and not handed over; revoke that secondary on '${plan.profile}'.`
        : 'The activation token entered was not used; it expires with its TTL.',
    );
  else if (state.held.includes('activation-token'))
    out.push(
      `The secondary activation token for id '${plan.failback?.secondary_id ?? '?'}' was not used; it expires with its TTL. ` +
        `Revoke the secondary on '${plan.failback?.new_primary_profile ?? '?'}' if it will not be set up.`,
    );
  if (plan.kind === 'failback' && done(state, 'demote') && !state.committed)
    out.push(
      `'${plan.profile}' is demoted and has no primary; point it at the new primary in a new failback ceremony.`,
    );
  if (plan.kind === 'promotion' && state.committed && !done(state, 'check-promoted'))
    out.push(`'${plan.profile}' was promoted but its new mode was not confirmed; read its replication status.`);
  return out;
}

function done(s: CeremonyState, step: StepId): boolean {
  return s.completed.some((r) => r.step === step);
}
