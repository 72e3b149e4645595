/**
 * The ceremony as the wizard shows it and the service reads it: one plain object per state,
 * computed from the machine's rules (ceremony-machine.ts), holding nothing secret.
 */
import {
  blocker,
  isEnded,
  nextAction,
  openDeviations,
  owedAcks,
  stepText,
  transition,
  type AckRequest,
  type CeremonyState,
} from './ceremony-machine';
import type { Deviation, ServiceAction } from './ceremony-events';
import type { StepId } from './ceremony-steps';

export interface CeremonyView {
  readonly step: StepId;
  readonly title: string;
  /** The line the administrator reads aloud (marked REHEARSAL in rehearsals). */
  readonly script: string;
  readonly rehearsal: boolean;
  readonly awaiting: 'acknowledgement' | 'service' | 'deviation' | 'nothing';
  readonly acknowledgements: readonly AckRequest[];
  readonly action: ServiceAction | undefined;
  readonly progress: { readonly entered: number; readonly required: number } | undefined;
  readonly nonce: string | undefined;
  readonly otp: { readonly length: number; readonly legacy: boolean } | undefined;
  readonly openDeviations: readonly Deviation[];
  readonly lastResult: string | undefined;
  /** Why the ceremony cannot complete as things stand, if it cannot. */
  readonly blocker: string | undefined;
  readonly canCancel: boolean;
  /** What a stopped ceremony left behind that someone must deal with. */
  readonly looseEnds: readonly string[];
}

export function view(state: CeremonyState): CeremonyView {
  const action = nextAction(state);
  const open = openDeviations(state);
  const acknowledgements = owedAcks(state);
  const { title, script } = stepText(state);
  // The machine alone decides whether a cancel would be accepted; ask it rather than repeat its rules.
  const cancel = transition(state, {
    type: 'cancel',
    actor: state.plan.administrator.name,
    reason: 'asking whether cancel is possible',
    at: '',
  });
  return {
    step: state.step,
    title,
    script,
    rehearsal: state.plan.rehearsal,
    awaiting: isEnded(state)
      ? 'nothing'
      : open.length
        ? 'deviation'
        : action
          ? 'service'
          : acknowledgements.length
            ? 'acknowledgement'
            : 'nothing',
    acknowledgements,
    action,
    progress: state.attempt ? { entered: state.attempt.progress, required: state.attempt.required } : undefined,
    nonce: state.attempt?.nonce,
    otp: state.otp,
    openDeviations: open,
    lastResult: state.lastResult,
    blocker: blocker(state),
    canCancel: cancel.ok,
    looseEnds: looseEnds(state),
  };
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
  if (!isEnded(state)) return out;
  if (state.attempt)
    out.push(
      `A DR operation token attempt (nonce ${state.attempt.nonce}) may still be open on '${plan.profile}': ` +
        'cancel it (DELETE sys/replication/dr/secondary/generate-operation-token/attempt).',
    );
  if (
    state.held.includes('encoded-token') ||
    (state.held.includes('operation-token') && plan.token_path !== 'batch-dr-token')
  )
    out.push(`A DR operation token was generated on '${plan.profile}' and not deleted; it never expires.`);
  if (state.held.includes('operation-token') && plan.token_path === 'batch-dr-token')
    out.push(
      'The batch DR operation token stays valid until its TTL ends; destroy its escrowed copy if it is no longer needed.',
    );
  if (state.held.includes('activation-token'))
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
