/**
 * The vocabulary the ceremony machine shares with the service and the wizard: the events it
 * accepts, the actions it asks the service to perform and the facts the service reports back,
 * and its deviations. Nothing here may carry a secret: facts say *that* something happened
 * (an OTP of 28 characters, a token decoded), never what it was.
 *
 * People's events reach the main process over IPC, so they also have a strict schema
 * (`personEventSchema`); the service stamps the time (`at`) when it applies one.
 */
import * as z from 'zod';
import type { PlanOperation } from './ceremony-plan';
import type { Role, SecretName, StepId } from './ceremony-steps';
import { STEP_IDS } from './step-catalogue';

/** What Vault's attempt status says (GET …/generate-operation-token/attempt, or an update response). */
export interface AttemptStatus {
  readonly started: boolean;
  readonly nonce: string;
  readonly progress: number;
  readonly required: number;
  /** The HA node that answered (the active node's address): the attempt lives only in its memory. */
  readonly node?: string;
}

/** What the service must do next. Profiles are connection profile names from the plan. */
export type ServiceAction =
  | {
      readonly kind: 'read-replication-status';
      readonly profile: string;
      readonly expectMode: 'primary' | 'secondary' | 'disabled';
      /** Which replication's mode is read: DR unless an operation plan acts on performance replication. */
      readonly replication?: 'performance';
      /** A failback's post-check: the secondary must also be connected to a primary (its new one). */
      readonly expectConnected?: true;
    }
  | { readonly kind: 'collect-root-token'; readonly profile: string }
  | { readonly kind: 'collect-batch-token'; readonly profile: string }
  /** The administrator's Vault token (sudo), for the calls a Vault token authorises. */
  | { readonly kind: 'collect-vault-token'; readonly profile: string }
  | { readonly kind: 'collect-activation-token'; readonly profile: string }
  | { readonly kind: 'generate-otp'; readonly profile: string }
  | { readonly kind: 'start-attempt'; readonly profile: string }
  | {
      readonly kind: 'submit-share';
      readonly profile: string;
      /** The plan's officer whose share it is, and who is at the keyboard (a substitute, or the officer). */
      readonly officer: string;
      readonly actor: string;
      readonly fingerprint: string;
      readonly shareIndex: number | undefined;
      readonly nonce: string;
    }
  | { readonly kind: 'decode-token' }
  | { readonly kind: 'cancel-attempt'; readonly profile: string }
  | {
      readonly kind: 'promote';
      readonly profile: string;
      readonly primaryClusterAddr: string | undefined;
      readonly force: boolean;
      /** A witnessed `two-primaries` deviation accepts that another cluster still reports primary. */
      readonly allowTwoPrimaries: boolean;
    }
  | { readonly kind: 'delete-operation-token'; readonly profile: string }
  | { readonly kind: 'demote'; readonly profile: string }
  | { readonly kind: 'create-secondary-token'; readonly profile: string; readonly secondaryId: string }
  | {
      readonly kind: 'update-primary';
      readonly profile: string;
      readonly method: 'token';
      readonly primaryApiAddr: string | undefined;
    }
  | {
      readonly kind: 'update-primary';
      readonly profile: string;
      readonly method: 'addrs';
      readonly updatePrimaryAddrs: readonly string[];
    }
  /** An operation plan's one call, as the plan gives it; the secrets it needs are in the service's memory. */
  | { readonly kind: 'replication-operation'; readonly profile: string; readonly operation: PlanOperation }
  | { readonly kind: 'sign-transcript'; readonly signer: string; readonly fingerprint: string };

/**
 * A delete-operation-token step done without a delete answered: this laptop's own delete was sent
 * and its answer lost, the retry was refused (403), and Vault refuses the token for a read as well.
 */
export const DELETED_EARLIER = "the token was already revoked by the laptop's earlier request, whose answer was lost";

/** What the service reports after a successful action; `kind` names the action. Never a secret. */
export type ServiceFacts =
  /**
   * `mode`: the DR replication mode Vault reports (`data.dr.mode` of sys/replication/status);
   * `connectedTo`: for a secondary, the `api_address` of the primary it reports connected.
   */
  | { readonly kind: 'read-replication-status'; readonly mode: string; readonly connectedTo?: string }
  | { readonly kind: 'collect-root-token' }
  | { readonly kind: 'collect-batch-token' }
  | { readonly kind: 'collect-vault-token' }
  | { readonly kind: 'collect-activation-token' }
  /** `attempt` is the status read to learn otp_length; `legacy` when otp_length was 0. */
  | {
      readonly kind: 'generate-otp';
      readonly otpLength: number;
      readonly legacy: boolean;
      readonly attempt: AttemptStatus;
    }
  | { readonly kind: 'start-attempt'; readonly attempt: AttemptStatus }
  | { readonly kind: 'submit-share'; readonly attempt: AttemptStatus; readonly complete: boolean }
  | { readonly kind: 'decode-token'; readonly tokenLength: number }
  | { readonly kind: 'cancel-attempt' }
  | { readonly kind: 'promote' }
  /** `gone`: Vault refused the delete because the token was gone already, and said so (DELETED_EARLIER). */
  | { readonly kind: 'delete-operation-token'; readonly gone?: string }
  | { readonly kind: 'demote' }
  /** `replaced`: a token issued before the laptop stopped, never used, was revoked and this one issued instead. */
  | { readonly kind: 'create-secondary-token'; readonly secondaryId: string; readonly replaced?: true }
  | { readonly kind: 'update-primary' }
  /**
   * `status`: Vault's HTTP status (absent when the answer was lost and the cluster's DR mode showed
   * the call made); `activationTokenSha256`: for a secondary-token call, the SHA-256
   * (hex) of the token Vault returned, its commitment on the record: the token itself never is.
   */
  | { readonly kind: 'replication-operation'; readonly status?: number; readonly activationTokenSha256?: string }
  /** `fingerprint`: the primary key fingerprint of the key that made the signature. */
  | { readonly kind: 'sign-transcript'; readonly signer: string; readonly fingerprint: string };

/** Deviations people raise. The administrator raises all but `note`, which anyone may. */
export type RaisedDeviation =
  | { readonly kind: 'note' | 'force-promote' | 'two-primaries' | 'token-not-deleted' }
  | { readonly kind: 'officer-absent'; readonly officer: string }
  | { readonly kind: 'officer-substituted'; readonly officer: string; readonly substitute: string };

/** Deviations the machine detects in Vault's answers or on resume. */
export type DetectedDeviationKind =
  | 'attempt-in-progress'
  | 'attempt-lost'
  | 'nonce-changed'
  | 'progress-regressed'
  | 'progress-unexpected'
  | 'threshold-mismatch'
  | 'resumed';

export type DeviationKind = RaisedDeviation['kind'] | DetectedDeviationKind | 'cancel' | 'abort';

export interface Deviation {
  readonly id: number;
  readonly kind: DeviationKind;
  readonly step: StepId;
  readonly reason: string;
  /** Who raised it; undefined when the machine detected it. */
  readonly raisedBy: string | undefined;
  readonly at: string;
  readonly officer?: string;
  readonly substitute?: string;
  readonly witnessedBy?: string;
  readonly witnessedAt?: string;
  /** An abort or a waiver taken back before it was signed: by whom, and when. */
  readonly withdrawnBy?: string;
  readonly withdrawnAt?: string;
}

export type CeremonyEvent =
  | {
      readonly type: 'acknowledge';
      readonly step: StepId;
      readonly actor: string;
      readonly role: Role;
      readonly at: string;
    }
  | {
      readonly type: 'serviceResult';
      readonly step: StepId;
      readonly outcome: 'ok';
      readonly facts: ServiceFacts;
      readonly at: string;
    }
  | {
      readonly type: 'serviceResult';
      readonly step: StepId;
      readonly outcome: 'failed';
      /** What went wrong, for people; never a secret. */
      readonly reason: string;
      /** The attempt status read after a failed attempt call, so changes are still detected. */
      readonly observed?: AttemptStatus;
      readonly at: string;
    }
  | ({
      readonly type: 'deviation';
      readonly actor: string;
      readonly reason: string;
      readonly at: string;
    } & RaisedDeviation)
  | { readonly type: 'deviationWitnessed'; readonly id: number; readonly actor: string; readonly at: string }
  | {
      /**
       * The laptop asks for signed authorisation (authorisation.ts) of the abort or waiver awaiting
       * signatures, else of the irreversible step; `step` is the current step either way.
       */
      readonly type: 'authorisationRequested';
      readonly step: StepId;
      readonly nonce: string;
      /** The journal head the statement binds: the hash of the event before this one. */
      readonly head: string;
      readonly at: string;
    }
  | {
      /** A person's signed authorisation: an armored detached signature over the current statement. */
      readonly type: 'authorise';
      readonly step: StepId;
      readonly actor: string;
      readonly role: Role;
      /** The signing key's primary fingerprint, which must be the one the plan names for `actor`. */
      readonly fingerprint: string;
      readonly nonce: string;
      readonly head: string;
      readonly signature: string;
      readonly at: string;
    }
  | { readonly type: 'cancel'; readonly actor: string; readonly reason: string; readonly at: string }
  /** Proposes aborting: it takes effect once the administrator and a witness sign its statement. */
  | { readonly type: 'abort'; readonly actor: string; readonly reason: string; readonly at: string }
  /** Takes back the abort or waiver `id` awaiting signatures: whoever raised it, or the administrator. */
  | { readonly type: 'withdraw'; readonly id: number; readonly actor: string; readonly at: string }
  | {
      /** After a crash or restart: what Vault says now, and which secrets the service still holds. */
      readonly type: 'resume';
      readonly attemptStatus: AttemptStatus | undefined;
      readonly held: readonly SecretName[];
      /** The ceremony cluster's DR replication mode, when it could be read. */
      readonly mode: string | undefined;
      /**
       * At a failback's update-primary only: whether that read shows the demoted cluster, a DR secondary,
       * following a primary (which only an update-primary makes it do); absent when unread or elsewhere.
       */
      readonly follows?: boolean;
      readonly at: string;
    };

/** The events people cause (the rest come from the service), without the time the service adds. */
export type PersonEvent = DistributiveOmit<
  Extract<
    CeremonyEvent,
    { type: 'acknowledge' | 'deviation' | 'deviationWitnessed' | 'cancel' | 'abort' | 'withdraw' }
  >,
  'at'
>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const actor = z.string().trim().min(1).max(100);
const reason = z.string().trim().min(1, { error: 'say what happened, for the record' }).max(500);

/** Validates a person's event arriving over IPC: strict, bounded, and typed as `PersonEvent`. */
export const personEventSchema = z.union([
  z.strictObject({
    type: z.literal('acknowledge'),
    step: z.enum(STEP_IDS),
    actor,
    role: z.enum(['administrator', 'witness', 'officer']),
  }),
  z.strictObject({
    type: z.literal('deviation'),
    kind: z.enum(['note', 'force-promote', 'two-primaries', 'token-not-deleted']),
    actor,
    reason,
  }),
  z.strictObject({ type: z.literal('deviation'), kind: z.literal('officer-absent'), officer: actor, actor, reason }),
  z.strictObject({
    type: z.literal('deviation'),
    kind: z.literal('officer-substituted'),
    officer: actor,
    substitute: actor,
    actor,
    reason,
  }),
  z.strictObject({ type: z.literal('deviationWitnessed'), id: z.number().int().min(1), actor }),
  z.strictObject({ type: z.literal('withdraw'), id: z.number().int().min(1), actor }),
  z.strictObject({ type: z.enum(['cancel', 'abort']), actor, reason }),
]) satisfies z.ZodType<PersonEvent>;
