/**
 * The one read model of a running ceremony, in three layers that each add only what they know:
 * - the view: built once from the machine's state (ceremony-view.ts): the plan's people, the
 *   step, what is owed, deviations, what blocks the ceremony;
 * - the status: the view plus the service's own state (busy, stopped, journal, signatures);
 * - the snapshot: the status plus the app session's (the rehearsal kit, where it was exported).
 * The snapshot is what the wizard receives. Only the fields named here cross to the renderer (the
 * IPC contract parses every value on the way out), and none of them can hold a secret.
 */
import * as z from 'zod';
import { TOKEN_PATHS } from './ceremony-plan';
import { STEP_IDS } from './step-catalogue';

const role = z.enum(['administrator', 'witness', 'officer']);
const stepId = z.enum(STEP_IDS);
const person = z.object({ name: z.string(), fingerprint: z.string() });

export const ceremonyViewSchema = z.object({
  plan: z.object({
    id: z.string(),
    title: z.string(),
    kind: z.enum(['promotion', 'failback', 'operation']),
    rehearsal: z.boolean(),
    profile: z.string(),
    vaultVersion: z.number(),
    tokenPath: z.enum(TOKEN_PATHS),
    threshold: z.number().nullable(),
    primaryClusterAddr: z.string().nullable(),
    /** A promotion's peer_profiles: the clusters asked, right before promoting, whether they still report DR primary. */
    peerProfiles: z.array(z.string()),
    /** An operation plan's call: which one, on which replication, and whether it can be undone. */
    operation: z
      .object({ id: z.string(), replication: z.string(), title: z.string(), destructive: z.boolean() })
      .nullable(),
    administrator: person,
    witnesses: z.array(person),
    /** In a rehearsal, each officer's key: their real one ('supplied') or one generated for it. */
    officers: z.array(person.extend({ keySource: z.enum(['supplied', 'generated']).nullable() })),
  }),
  /** The steps of a ceremony that goes to plan, in order (restarts branch back into it). */
  steps: z.array(z.object({ id: stepId, title: z.string() })),
  step: stepId,
  title: z.string(),
  /** The line the administrator reads aloud (marked REHEARSAL in rehearsals). */
  script: z.string(),
  awaiting: z.enum(['acknowledgement', 'service', 'deviation', 'nothing']),
  acknowledgements: z.array(z.object({ anyOf: z.array(z.object({ name: z.string(), role, text: z.string() })) })),
  /** What the laptop does next; for share entry, whose share it waits for. Never a secret. */
  action: z
    .object({
      kind: z.string(),
      officer: z.string().optional(),
      actor: z.string().optional(),
      fingerprint: z.string().optional(),
      force: z.boolean().optional(),
    })
    .nullable(),
  progress: z.object({ entered: z.number(), required: z.number() }).nullable(),
  nonce: z.string().nullable(),
  otp: z.object({ length: z.number(), legacy: z.boolean() }).nullable(),
  openDeviations: z.array(
    z.object({
      id: z.number(),
      kind: z.string(),
      step: stepId,
      reason: z.string(),
      /** Who raised it; null when the machine detected it. */
      raisedBy: z.string().nullable(),
      at: z.string(),
      officer: z.string().optional(),
      substitute: z.string().optional(),
    }),
  ),
  lastResult: z.string().nullable(),
  /** Why the ceremony cannot complete as things stand, if it cannot. */
  blocker: z.string().nullable(),
  canCancel: z.boolean(),
  /** What a stopped ceremony left behind that someone must deal with. */
  looseEnds: z.array(z.string()),
  /** The irreversible call is done: promote, or update-primary for a failback. */
  committed: z.boolean(),
  /** An abort or a waiver raised and awaiting the administrator's and a witness's signatures; else null. */
  proposal: z
    .object({
      id: z.number(),
      kind: z.enum(['abort', 'waive']),
      step: stepId,
      reason: z.string(),
      raisedBy: z.string().nullable(),
    })
    .nullable(),
  /** The signed abort that stopped the ceremony (then only signing remains, or it has ended); else null. */
  aborted: z
    .object({ step: stepId, reason: z.string(), raisedBy: z.string().nullable(), authorisedBy: z.array(z.string()) })
    .nullable(),
  /** The statement people sign (the proposal's, or the current irreversible step's), once the laptop asked; else null. */
  authorisation: z.object({ statement: z.string(), sha256: z.string() }).nullable(),
});

/**
 * One Vault answer recorded in the journal, as people attest to it: the call, its HTTP outcome and
 * time, and the few status fields the steps cite (replication mode and lag, the attempt). Built from
 * the journal's redacted events, so it holds nothing secret.
 */
export const vaultAnswerSchema = z.object({
  step: stepId,
  /** The cluster asked, by connection profile: the plan's, or a peer's before promoting. */
  profile: z.string().nullable(),
  time: z.string(),
  call: z.string(),
  ok: z.boolean(),
  status: z.number().nullable(),
  requestId: z.string().nullable(),
  warnings: z.array(z.string()),
  error: z.string().nullable(),
  replication: z
    .object({
      mode: z.string(),
      state: z.string().nullable(),
      connectionState: z.string().nullable(),
      lastHeartbeat: z.string().nullable(),
      canaryAgeMs: z.number().nullable(),
      lastRemoteWal: z.number().nullable(),
      lastDrWal: z.number().nullable(),
      primaryClusterAddr: z.string().nullable(),
    })
    .nullable(),
  attempt: z
    .object({ started: z.boolean(), nonce: z.string().nullable(), progress: z.number(), required: z.number() })
    .nullable(),
});

export const serviceStatusSchema = ceremonyViewSchema.extend({
  busy: z.boolean(),
  /** The journal could not be written: nothing more happens in this ceremony. */
  stopped: z.boolean(),
  lastError: z.object({ kind: z.string(), message: z.string() }).nullable(),
  /** What the service waits for through a dedicated call. */
  input: z
    .enum([
      'share',
      'signature',
      'authorisation',
      'root-token',
      'batch-token',
      'vault-token',
      'activation-token',
      'retry',
    ])
    .nullable(),
  journal: z.object({ path: z.string(), events: z.number(), head: z.string() }),
  signatures: z.array(z.object({ signer: z.string(), fingerprint: z.string() })),
  /** What Vault answered in the current step and the one before it, oldest first. */
  reported: z.array(vaultAnswerSchema),
});

/**
 * A fault an in-app rehearsal on an HA cluster can put on its cluster mid-ceremony, so officers
 * practise a leader change: the active node steps down (keeping the attempt in its memory), or
 * its process is killed (the attempt dies with it).
 */
export const rehearsalDrillSchema = z.enum(['step-down', 'hard-kill']);
export type RehearsalDrill = z.output<typeof rehearsalDrillSchema>;

export const ceremonySnapshotSchema = serviceStatusSchema.extend({
  /** Rehearsals: the folder holding the rehearsal's keys, shares and plan. */
  kitDir: z.string().nullable(),
  /** Where the signed bundle was exported, once it was. */
  exportedTo: z.string().nullable(),
  /**
   * An operation's activation token, while it is handed over (the post-check): its SHA-256 (the
   * journal's record of it), whether it was copied (once only) and where it was saved. Never the token.
   */
  activationToken: z.object({ sha256: z.string(), copied: z.boolean(), savedTo: z.string().nullable() }).nullable(),
  /** The drills this ceremony offers: none outside an in-app rehearsal on a cluster of several nodes. */
  drills: z.array(rehearsalDrillSchema),
});

export type CeremonyView = z.output<typeof ceremonyViewSchema>;
export type ServiceStatus = z.output<typeof serviceStatusSchema>;
export type ServiceInput = NonNullable<ServiceStatus['input']>;
export type CeremonySnapshot = z.output<typeof ceremonySnapshotSchema>;
export type VaultAnswer = z.output<typeof vaultAnswerSchema>;
export type DeviationView = CeremonyView['openDeviations'][number];
