/**
 * The one catalogue of ceremony steps: every step's spec (promotion, failback and operation tables joined),
 * which steps end a ceremony, the script a plan follows, and who signs the transcript. The
 * machine, the service, the IPC schema and the wizard all ask here rather than keep a copy.
 */
import type { CeremonyPlan, PlanPerson } from './ceremony-plan';
import { PROMOTION_STEPS, promotionScript, type StepId, type StepSpec, type TerminalStep } from './ceremony-steps';
import { FAILBACK_STEPS, failbackScript } from './failback-steps';
import { OPERATION_STEPS, operationScript } from './operation-steps';
import { OPERATIONS } from '../replication/replication-operations';

export const STEPS: Readonly<Record<StepId, StepSpec>> = {
  ...PROMOTION_STEPS,
  ...FAILBACK_STEPS,
  ...OPERATION_STEPS,
};

/** Every step id, as the non-empty tuple zod's enum wants. */
export const STEP_IDS = Object.keys(STEPS) as [StepId, ...StepId[]];

const TERMINAL_STEPS: readonly TerminalStep[] = ['finished', 'cancelled', 'aborted'];

/** Whether a ceremony at this step has ended: finished, cancelled or aborted. */
export function isTerminalStep(step: string): step is TerminalStep {
  return (TERMINAL_STEPS as readonly string[]).includes(step);
}

/** The steps this plan's ceremony takes when it goes to plan: the promotion, failback or operation script. */
export function scriptOf(plan: CeremonyPlan): readonly StepId[] {
  switch (plan.kind) {
    case 'promotion':
      return promotionScript(plan);
    case 'failback':
      return failbackScript(plan);
    case 'operation':
      return operationScript(plan);
  }
}

/** Everyone who signs the transcript, in order: the administrator, then each witness. */
export function signers<P extends PlanPerson>(plan: {
  readonly administrator: P;
  readonly witnesses: readonly P[];
}): P[] {
  return [plan.administrator, ...plan.witnesses];
}

/** Whether every signer of the plan is among `signed` (names). */
export function everyoneSigned(
  plan: { readonly administrator: PlanPerson; readonly witnesses: readonly PlanPerson[] },
  signed: readonly string[],
): boolean {
  return signers(plan).every((p) => signed.includes(p.name));
}

/**
 * The steps whose call cannot be undone: promote, demote, update-primary, and an operation's call when
 * the operations catalogue marks it destructive. People authorise them deliberately, never by habit.
 */
export type IrreversibleStep = 'promote' | 'demote' | 'update-primary' | 'perform-operation';

/**
 * Whether `step` cannot be undone in a ceremony whose operation, if it has one, is `destructive`
 * (OPERATIONS[id].destructive; the snapshot carries it as plan.operation.destructive).
 */
export function isIrreversibleStep(step: string, destructive: boolean): step is IrreversibleStep {
  return (
    step === 'promote' ||
    step === 'demote' ||
    step === 'update-primary' ||
    (step === 'perform-operation' && destructive)
  );
}

/** Whether the plan's operation, if it has one, is one the operations catalogue marks destructive. */
export function isDestructivePlan(plan: CeremonyPlan): boolean {
  return plan.operation !== undefined && OPERATIONS[plan.operation.id].destructive;
}
