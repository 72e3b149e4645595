/**
 * The ceremony script as data: every step's title, the line the administrator reads aloud,
 * the sentence each acknowledging person affirms, who must acknowledge, and whether the
 * service acts before or after they do. The state machine (ceremony-machine.ts) enforces
 * this table; failback-only steps live in failback-steps.ts, an operation's in operation-steps.ts,
 * and step-catalogue.ts joins them.
 */
import type { CeremonyPlan, PlanOfficer, PlanPerson } from './ceremony-plan';

export type Role = 'administrator' | 'witness' | 'officer';

/** What the service holds in memory at a given point; the state records only the names. */
export type SecretName =
  'otp' | 'encoded-token' | 'operation-token' | 'root-token' | 'activation-token' | 'vault-token';

export type StepId =
  | 'roll-call'
  | 'check-secondary'
  | 'attest-primary-fenced'
  | 'enter-root-token'
  | 'enter-batch-token'
  | 'generate-otp'
  | 'start-attempt'
  | 'share-entry'
  | 'decode-token'
  | 'cancel-attempt'
  | 'promote'
  | 'check-promoted'
  | 'delete-operation-token'
  | 'retire-batch-token'
  | FailbackStepId
  | OperationStepId
  | 'sign-transcript'
  | 'finished'
  | 'cancelled'
  | 'aborted';

/** Steps only a failback ceremony has (their table is in failback-steps.ts). */
export type FailbackStepId =
  'check-new-primary' | 'check-old-primary' | 'demote' | 'create-secondary-token' | 'update-primary' | 'check-failback';

/** Steps of an operation ceremony (their table is in operation-steps.ts; the failback uses `enter-vault-token`). */
export type OperationStepId =
  | 'enter-vault-token'
  | 'check-before-operation'
  | 'enter-activation-token'
  | 'perform-operation'
  | 'check-after-operation';

export type TerminalStep = 'finished' | 'cancelled' | 'aborted';

/**
 * Who must acknowledge a step: `everyone` (roll-call), the administrator and any one witness,
 * one officer per share (`officer`), or one signer per signature (`signer`).
 */
export type AckRule = 'none' | 'everyone' | 'administrator-and-witness' | 'officer' | 'signer';

/**
 * `confirm`: people only. `act-then-confirm`: the service acts first and people confirm what
 * they saw. `confirm-then-act`: people authorise, then the service acts (irreversible or
 * secret-handling steps). `end`: a terminal step.
 */
export type Flow = 'confirm' | 'act-then-confirm' | 'confirm-then-act' | 'end';

/** What the texts may mention; never a secret. */
export interface ScriptContext {
  readonly plan: CeremonyPlan;
  readonly nonce: string | undefined;
  readonly progress: number;
  readonly required: number | undefined;
  readonly otpLength: number | undefined;
  readonly force: boolean;
  readonly officer: PlanOfficer | undefined;
  readonly signer: PlanPerson | undefined;
  /** The step was completed before and is run again: a resume went back past it. */
  readonly again: boolean;
}

export interface StepSpec {
  readonly title: string;
  readonly flow: Flow;
  readonly acks: AckRule;
  /** The secret the service holds once this step succeeds (rewinds and resume use it). */
  readonly produces?: SecretName;
  /** What the administrator reads aloud. */
  readonly script: (c: ScriptContext) => string;
  /** What an acknowledging person affirms, in the first person. */
  readonly confirm: (c: ScriptContext, role: Role) => string;
}

const authorise = (what: string) => () => `I authorise ${what}.`;

/** Steps shared by every ceremony, plus the promotion-only ones. */
export const PROMOTION_STEPS = {
  'roll-call': {
    title: 'Roll call',
    flow: 'confirm',
    acks: 'everyone',
    script: ({ plan }) =>
      `We begin ${plan.kind} ceremony '${plan.title}' (${plan.id}) on connection profile '${plan.profile}'. ` +
      `Administrator: ${plan.administrator.name}. Witnesses: ${names(plan.witnesses)}.` +
      (plan.officers.length ? ` Officers: ${names(plan.officers)}.` : '') +
      ' Each person present confirms their name and role.',
    confirm: (_, role) => `I am present and take part as ${role}.`,
  },
  'check-secondary': {
    title: 'Check the DR secondary',
    flow: 'act-then-confirm',
    acks: 'administrator-and-witness',
    script: ({ plan }) =>
      `The laptop reads the replication status of '${plan.profile}'. It must report DR mode 'secondary'.`,
    confirm: ({ plan }) => `I saw Vault report DR mode 'secondary' for '${plan.profile}'.`,
  },
  'attest-primary-fenced': {
    title: 'Attest the old primary is down or fenced',
    flow: 'confirm',
    acks: 'administrator-and-witness',
    script: () =>
      'Two primaries must never run at once. The old primary must be down, or fenced so that it can neither serve clients nor replicate. ' +
      'The administrator and a witness attest that it is.',
    confirm: () => 'I attest that the old primary is down or fenced.',
  },
  'enter-root-token': {
    title: "Enter the primary's root token",
    flow: 'confirm-then-act',
    acks: 'administrator-and-witness',
    produces: 'root-token',
    script: ({ plan }) =>
      `Vault 2 requires a Vault token to generate a DR operation token on '${plan.profile}'. ` +
      "The administrator enters the primary cluster's root token. The laptop keeps it in memory only; it is never shown or stored.",
    confirm: authorise("entering the primary cluster's root token"),
  },
  'enter-batch-token': {
    title: 'Enter the batch DR operation token',
    flow: 'confirm-then-act',
    acks: 'administrator-and-witness',
    produces: 'operation-token',
    script: () =>
      'The administrator enters the batch DR operation token prepared in advance on the primary. ' +
      'The laptop keeps it in memory only; it is never shown or stored.',
    confirm: authorise('entering the batch DR operation token'),
  },
  'generate-otp': {
    title: 'Generate the one-time password',
    flow: 'act-then-confirm',
    acks: 'administrator-and-witness',
    produces: 'otp',
    script: () =>
      'The laptop generates a one-time password locally, of the length Vault expects. It stays in memory only; it is never shown or stored.',
    confirm: ({ otpLength }) => `I saw the laptop report a ${otpLength ?? '?'}-character one-time password generated.`,
  },
  'start-attempt': {
    title: 'Start the attempt and pin its nonce',
    flow: 'act-then-confirm',
    acks: 'administrator-and-witness',
    script: ({ plan, nonce }) =>
      `The laptop starts a DR operation token attempt on '${plan.profile}'. Its nonce is ${nonce ?? '(not yet known)'}. ` +
      'Every officer will see this nonce again before entering a share; any change stops the ceremony.',
    confirm: ({ nonce }) => `I confirm the nonce shown is ${nonce ?? '(not yet known)'}.`,
  },
  'share-entry': {
    title: 'Officers enter their shares',
    flow: 'confirm-then-act',
    acks: 'officer',
    script: ({ nonce, progress, required }) =>
      `Officers enter their shares one at a time: ${progress} of ${required ?? '?'} entered. ` +
      `Each officer checks that the nonce is still ${nonce ?? '?'} before entering.`,
    confirm: ({ officer, nonce }) =>
      `I enter my share, encrypted to key ${officer ? groupFingerprint(officer.fingerprint) : '?'}, for nonce ${nonce ?? '?'}.`,
  },
  'decode-token': {
    title: 'Decode the DR operation token',
    flow: 'act-then-confirm',
    acks: 'administrator-and-witness',
    produces: 'operation-token',
    script: () =>
      'The laptop decodes the DR operation token locally with the one-time password, then forgets the password. The token is not shown.',
    confirm: () => 'I saw the laptop report the DR operation token decoded.',
  },
  'cancel-attempt': {
    title: 'Cancel the attempt',
    flow: 'confirm-then-act',
    acks: 'administrator-and-witness',
    script: ({ plan, nonce }) =>
      `The laptop cancels the DR operation token attempt on '${plan.profile}'${nonce ? ` (nonce ${nonce})` : ''}. ` +
      'Shares entered so far are discarded; a new attempt needs a fresh one-time password and every share again.',
    confirm: authorise('cancelling the attempt'),
  },
  promote: {
    title: 'Promote the DR secondary',
    flow: 'confirm-then-act',
    acks: 'administrator-and-witness',
    script: ({ plan, force }) =>
      askedFirst(plan.peer_profiles) +
      `The laptop promotes '${plan.profile}' to primary` +
      (plan.primary_cluster_addr ? ` with primary_cluster_addr ${plan.primary_cluster_addr}` : '') +
      (force ? ', WITH FORCE: writes not yet replicated from the old primary may be lost' : '') +
      '. This cannot be undone.',
    confirm: ({ plan, force }) => `I authorise promoting '${plan.profile}'${force ? ' with force' : ''}.`,
  },
  'check-promoted': {
    title: 'Check the promotion',
    flow: 'act-then-confirm',
    acks: 'administrator-and-witness',
    script: ({ plan }) =>
      `The laptop reads the replication status of '${plan.profile}'. It must now report DR mode 'primary'.`,
    confirm: ({ plan }) => `I saw Vault report DR mode 'primary' for '${plan.profile}'.`,
  },
  'delete-operation-token': {
    title: 'Delete the DR operation token',
    flow: 'act-then-confirm',
    acks: 'administrator-and-witness',
    script: ({ plan }) => `A DR operation token never expires, so the laptop deletes it on '${plan.profile}' now.`,
    confirm: () => 'I saw the laptop report the DR operation token deleted.',
  },
  'retire-batch-token': {
    title: 'Retire the batch DR operation token',
    flow: 'confirm',
    acks: 'administrator-and-witness',
    script: () =>
      'A batch token cannot be revoked; it expires at the end of its TTL. The laptop forgets it now, ' +
      'and the administrator destroys the escrowed copy in front of the witness.',
    confirm: () => "I attest that the batch token's escrowed copy is destroyed.",
  },
  'sign-transcript': {
    title: 'Sign the transcript',
    flow: 'confirm-then-act',
    acks: 'signer',
    script: () => 'The administrator, then each witness, reads the transcript and signs it with their own key.',
    confirm: ({ signer }) =>
      `I have read the transcript and sign it with key ${signer ? groupFingerprint(signer.fingerprint) : '?'}.`,
  },
  finished: endStep('Finished', 'The ceremony is complete.'),
  cancelled: endStep('Cancelled', 'The ceremony was cancelled and its closing steps are done.'),
  aborted: endStep('Aborted', 'The ceremony was aborted and its transcript signed.'),
} satisfies Record<Exclude<StepId, FailbackStepId | OperationStepId>, StepSpec>;

const QUORUM: readonly StepId[] = ['generate-otp', 'start-attempt', 'share-entry', 'decode-token'];

/** What the laptop asks the plan's peer_profiles before promoting, read aloud with the promote. */
function askedFirst(peers: readonly string[] | undefined): string {
  if (!peers) return '';
  const one = peers.length === 1;
  return `The laptop first asks ${peers.map((p) => `'${p}'`).join(' and ')} whether ${one ? 'it still reports' : 'they still report'} DR primary, and stops if ${one ? 'it does' : 'any does'}. `;
}

/** How this plan obtains the DR operation token. */
export function tokenSteps(plan: CeremonyPlan): readonly StepId[] {
  switch (plan.token_path) {
    case 'vault-token':
      return ['enter-vault-token'];
    case 'batch-dr-token':
      return ['enter-batch-token'];
    case 'primary-root-token':
      return ['enter-root-token', ...QUORUM];
    case 'operation-token-quorum':
      return QUORUM;
  }
}

/** The mandatory closing step for the token: delete it, or retire a batch token (which Vault cannot revoke). */
export function closingStep(plan: CeremonyPlan): StepId {
  return plan.token_path === 'batch-dr-token' ? 'retire-batch-token' : 'delete-operation-token';
}

/** The steps of a promotion that goes to plan, in order. Restarts and cancellation branch off it. */
export function promotionScript(plan: CeremonyPlan): readonly StepId[] {
  return [
    'roll-call',
    'check-secondary',
    'attest-primary-fenced',
    ...tokenSteps(plan),
    'promote',
    'check-promoted',
    closingStep(plan),
    'sign-transcript',
    'finished',
  ];
}

/** gpg's grouping, so people can compare a fingerprint against their card or `gpg -K` output. */
export function groupFingerprint(fingerprint: string): string {
  return fingerprint.toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');
}

function names(people: ReadonlyArray<{ name: string }>): string {
  return people.map((p) => p.name).join(', ');
}

function endStep(title: string, line: string): StepSpec {
  return { title, flow: 'end', acks: 'none', script: () => line, confirm: () => '' };
}
