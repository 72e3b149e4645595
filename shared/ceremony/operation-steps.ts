/**
 * The operation ceremony's own steps: one state-changing replication call
 * (shared/replication/replication-operations.ts) run the way a promotion is. The cluster's status
 * is read and its mode stated (pre-check), the administrator and a witness authorise the call
 * (destructive ones on the irreversible-step card), the laptop makes the one call, reads the status
 * again to show the change (post-check), and the transcript is signed.
 *
 * `enter-vault-token` is shared with the failback, whose demote and secondary-token are sudo calls:
 * the administrator's own Vault token, held in memory only and wiped after its last use.
 */
import { OPERATIONS, operationTitle, type ReplicationMode } from '../replication/replication-operations';
import type { CeremonyPlan, PlanOperation } from './ceremony-plan';
import { closingStep, tokenSteps, type OperationStepId, type StepId, type StepSpec } from './ceremony-steps';

export const OPERATION_STEPS = {
  'enter-vault-token': {
    title: 'Enter the Vault token',
    flow: 'confirm-then-act',
    acks: 'administrator-and-witness',
    produces: 'vault-token',
    script: ({ plan }) =>
      `The administrator enters their own Vault token, with sudo on sys/replication, for ${usesOfVaultToken(plan)}. ` +
      'The laptop keeps it in memory only; it is never shown or stored, and it is forgotten after its last use.',
    confirm: () => 'I authorise entering the Vault token.',
  },
  'check-before-operation': {
    title: 'Check the cluster before the operation',
    flow: 'act-then-confirm',
    acks: 'administrator-and-witness',
    script: ({ plan }) =>
      `The laptop reads the replication status of '${plan.profile}'. Before '${title(plan)}' it must report ` +
      `${replicationName(plan)} mode '${modeBefore(plan)}'.`,
    confirm: ({ plan }) =>
      `I saw Vault report ${replicationName(plan)} mode '${modeBefore(plan)}' for '${plan.profile}', the cluster to act on.`,
  },
  'enter-activation-token': {
    title: 'Enter the secondary activation token',
    flow: 'confirm-then-act',
    acks: 'administrator-and-witness',
    produces: 'activation-token',
    script: () =>
      'The administrator enters the activation token the primary issued for this cluster. ' +
      'The laptop keeps it in memory only; the journal records only its SHA-256.',
    confirm: () => 'I authorise entering the secondary activation token.',
  },
  'perform-operation': {
    title: 'Perform the operation',
    flow: 'confirm-then-act',
    acks: 'administrator-and-witness',
    script: ({ plan }) => {
      const op = operationOf(plan);
      return (
        `The laptop calls ${title(plan)} on '${plan.profile}'${details(op)}. ${OPERATIONS[op.id].description}` +
        (OPERATIONS[op.id].destructive ? ' This cannot be undone.' : '')
      );
    },
    confirm: ({ plan }) => `I authorise ${title(plan)} on '${plan.profile}'.`,
  },
  'check-after-operation': {
    title: 'Check the change',
    flow: 'act-then-confirm',
    acks: 'administrator-and-witness',
    script: ({ plan }) =>
      `The laptop reads the replication status of '${plan.profile}' again. It must now report ` +
      `${replicationName(plan)} mode '${modeAfter(plan)}'.` +
      (operationOf(plan).id === 'secondary-token'
        ? ' The activation token is handed over now: reveal, copy or save it once; it is forgotten when this step is confirmed.'
        : ''),
    confirm: ({ plan }) =>
      `I saw Vault report ${replicationName(plan)} mode '${modeAfter(plan)}' for '${plan.profile}' after ${title(plan)}.`,
  },
} satisfies Record<OperationStepId, StepSpec>;

/** The steps of an operation that goes to plan, in order. */
export function operationScript(plan: CeremonyPlan): readonly StepId[] {
  const op = operationOf(plan);
  const byDrToken = plan.token_path !== 'vault-token';
  const activation = op.id === 'enable-secondary' || (op.id === 'update-primary' && op.method === 'token');
  return [
    'roll-call',
    'check-before-operation',
    ...(byDrToken ? tokenSteps(plan) : (['enter-vault-token'] as const)),
    ...(activation ? (['enter-activation-token'] as const) : []),
    'perform-operation',
    'check-after-operation',
    ...(byDrToken ? [closingStep(plan)] : []),
    'sign-transcript',
    'finished',
  ];
}

/** The plan's operation; validatePlan guarantees one on every `kind: operation` plan. */
export function operationOf(plan: CeremonyPlan): PlanOperation {
  if (!plan.operation) throw new TypeError(`plan '${plan.id}' is not an operation plan`);
  return plan.operation;
}

export function modeBefore(plan: CeremonyPlan): ReplicationMode {
  return OPERATIONS[operationOf(plan).id].modes[0] ?? 'disabled';
}

export function modeAfter(plan: CeremonyPlan): ReplicationMode {
  return OPERATIONS[operationOf(plan).id].after;
}

function title(plan: CeremonyPlan): string {
  const op = operationOf(plan);
  return `'${operationTitle(op.id, op.replication)}'`;
}

function replicationName(plan: CeremonyPlan): string {
  return operationOf(plan).replication === 'dr' ? 'DR' : 'performance';
}

function details(op: PlanOperation): string {
  const parts = [
    op.secondary_id && `for secondary id '${op.secondary_id}'`,
    op.ttl && `with TTL ${op.ttl}`,
    op.primary_cluster_addr && `with primary_cluster_addr ${op.primary_cluster_addr}`,
    op.primary_api_addr && `with primary_api_addr ${op.primary_api_addr}`,
    op.ca_file && `with ca_file ${op.ca_file}`,
    op.update_primary_addrs && `with update_primary_addrs ${op.update_primary_addrs.join(', ')}`,
    op.method === 'token' && 'with the activation token entered',
  ].filter(Boolean);
  return parts.length ? ` ${parts.join(', ')}` : '';
}

function usesOfVaultToken(plan: CeremonyPlan): string {
  return plan.kind === 'failback'
    ? `demoting '${plan.profile}' and creating the activation token on '${plan.failback?.new_primary_profile ?? '?'}'`
    : `${title(plan)} on '${plan.profile}'`;
}
