/**
 * The failback ceremony's own steps: after a promotion, the old primary comes back believing
 * it is still primary. It is demoted, then pointed at the new primary as its DR secondary
 * (with a secondary activation token from the new primary, or with update_primary_addrs).
 * update-primary needs a DR operation token on the demoted cluster, obtained the plan's way; demote
 * and secondary-token need a Vault token with sudo, entered at `enter-vault-token` (operation-steps.ts).
 */
import type { CeremonyPlan } from './ceremony-plan';
import { closingStep, tokenSteps, type FailbackStepId, type StepId, type StepSpec } from './ceremony-steps';

export const FAILBACK_STEPS = {
  'check-new-primary': {
    title: 'Check the new primary',
    flow: 'act-then-confirm',
    acks: 'administrator-and-witness',
    script: ({ plan }) =>
      `The laptop reads the replication status of '${newPrimary(plan)}'. It must report DR mode 'primary'.`,
    confirm: ({ plan }) => `I saw Vault report DR mode 'primary' for '${newPrimary(plan)}'.`,
  },
  'check-old-primary': {
    title: 'Check the old primary',
    flow: 'act-then-confirm',
    acks: 'administrator-and-witness',
    script: ({ plan }) =>
      `The laptop reads the replication status of '${plan.profile}', the old primary. ` +
      "It reports DR mode 'primary': two primaries are running, so it must be demoted next.",
    confirm: ({ plan }) => `I saw Vault report DR mode 'primary' for '${plan.profile}'.`,
  },
  demote: {
    title: 'Demote the old primary',
    flow: 'confirm-then-act',
    acks: 'administrator-and-witness',
    script: ({ plan }) =>
      `The laptop demotes '${plan.profile}' to a DR secondary with no primary. It stops serving clients.`,
    confirm: ({ plan }) => `I authorise demoting '${plan.profile}'.`,
  },
  'create-secondary-token': {
    title: 'Create the secondary activation token',
    flow: 'act-then-confirm',
    acks: 'administrator-and-witness',
    produces: 'activation-token',
    script: ({ plan, again }) =>
      (again
        ? `This step ran before the laptop stopped. If '${newPrimary(plan)}' still knows id '${plan.failback?.secondary_id ?? '?'}' from the token made then, and no update-primary carried that token, it was never used: the laptop revokes it first. `
        : '') +
      `The laptop creates on '${newPrimary(plan)}' a DR secondary activation token for id '${plan.failback?.secondary_id ?? '?'}'. ` +
      'It stays in memory only; it is never shown or stored.',
    confirm: ({ plan }) =>
      `I saw the laptop report an activation token created for id '${plan.failback?.secondary_id ?? '?'}'.`,
  },
  'update-primary': {
    title: 'Point the demoted cluster at the new primary',
    flow: 'confirm-then-act',
    acks: 'administrator-and-witness',
    script: ({ plan }) =>
      `The laptop points '${plan.profile}' at '${newPrimary(plan)}' ` +
      (plan.failback?.method === 'addrs'
        ? `with update_primary_addrs ${plan.failback.update_primary_addrs?.join(', ') ?? ''}.`
        : 'with the secondary activation token.') +
      ' It then resynchronises from the new primary, replacing its own data.',
    confirm: ({ plan }) => `I authorise update-primary on '${plan.profile}'.`,
  },
  'check-failback': {
    title: 'Check the demoted cluster',
    flow: 'act-then-confirm',
    acks: 'administrator-and-witness',
    script: ({ plan }) =>
      `The laptop reads the replication status of '${plan.profile}'. It must now report DR mode 'secondary', ` +
      `connected to the new primary '${newPrimary(plan)}'.`,
    confirm: ({ plan }) =>
      `I saw Vault report DR mode 'secondary' for '${plan.profile}', connected to the new primary '${newPrimary(plan)}'.`,
  },
} satisfies Record<FailbackStepId, StepSpec>;

/** The steps of a failback that goes to plan, in order. */
export function failbackScript(plan: CeremonyPlan): readonly StepId[] {
  return [
    'roll-call',
    'check-new-primary',
    'check-old-primary',
    // demote and secondary-token are sudo calls: the administrator's own Vault token.
    'enter-vault-token',
    'demote',
    ...tokenSteps(plan),
    // Last before use: an activation token is short-lived, and officers take time.
    ...(plan.failback?.method === 'addrs' ? [] : (['create-secondary-token'] as const)),
    'update-primary',
    'check-failback',
    closingStep(plan),
    'sign-transcript',
    'finished',
  ];
}

function newPrimary(plan: CeremonyPlan): string {
  return plan.failback?.new_primary_profile ?? '?';
}
