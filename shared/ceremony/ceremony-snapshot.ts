/**
 * What the wizard receives about the running ceremony: the machine's view (ceremony-view.ts),
 * the service's status and the plan's people, as one plain object. Only the fields named here
 * cross to the renderer (the IPC contract parses every value on the way out), and none of them
 * can hold a secret: the view and the service status are built to hold none.
 */
import * as z from 'zod';
import { PROMOTION_STEPS, type StepId } from './ceremony-steps';
import { FAILBACK_STEPS } from './failback-steps';

const role = z.enum(['administrator', 'witness', 'officer']);
const stepId = z.enum(Object.keys({ ...PROMOTION_STEPS, ...FAILBACK_STEPS }) as [StepId, ...StepId[]]);
const person = z.object({ name: z.string(), fingerprint: z.string() });

export const ceremonySnapshotSchema = z.object({
  plan: z.object({
    id: z.string(),
    title: z.string(),
    kind: z.enum(['promotion', 'failback']),
    rehearsal: z.boolean(),
    profile: z.string(),
    vaultVersion: z.number(),
    tokenPath: z.string(),
    threshold: z.number().nullable(),
    primaryClusterAddr: z.string().nullable(),
    administrator: person,
    witnesses: z.array(person),
    officers: z.array(person),
  }),
  /** The steps of a ceremony that goes to plan, in order (restarts branch back into it). */
  steps: z.array(z.object({ id: stepId, title: z.string() })),
  step: stepId,
  title: z.string(),
  /** The line the administrator reads aloud. */
  script: z.string(),
  awaiting: z.enum(['acknowledgement', 'service', 'deviation', 'nothing']),
  acknowledgements: z.array(z.object({ anyOf: z.array(z.object({ name: z.string(), role, text: z.string() })) })),
  /** What the laptop does next; for share entry, whose share it waits for. */
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
      raisedBy: z.string().nullable(),
      at: z.string(),
      officer: z.string().optional(),
      substitute: z.string().optional(),
    }),
  ),
  lastResult: z.string().nullable(),
  blocker: z.string().nullable(),
  canCancel: z.boolean(),
  looseEnds: z.array(z.string()),
  busy: z.boolean(),
  /** The journal could not be written: nothing more happens in this ceremony. */
  stopped: z.boolean(),
  lastError: z.object({ kind: z.string(), message: z.string() }).nullable(),
  /** What the service waits for through a dedicated call. */
  input: z.enum(['share', 'signature', 'root-token', 'batch-token', 'retry']).nullable(),
  journal: z.object({ path: z.string(), events: z.number(), head: z.string() }),
  signatures: z.array(z.object({ signer: z.string(), fingerprint: z.string() })),
  committed: z.boolean(),
  /** Rehearsals: the folder holding the rehearsal's keys, shares and plan. */
  kitDir: z.string().nullable(),
  /** Where the signed bundle was exported, once it was. */
  exportedTo: z.string().nullable(),
});
export type CeremonySnapshot = z.output<typeof ceremonySnapshotSchema>;
export type DeviationView = CeremonySnapshot['openDeviations'][number];
export type AckOptionView = CeremonySnapshot['acknowledgements'][number]['anyOf'][number];
