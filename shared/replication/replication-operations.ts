/**
 * Failback and setup operations on replication (docs/vault-protocol.md §3.2), one at a time against one
 * cluster: the catalogue the operations screen offers and the main process enforces. Each entry
 * says which side of replication it runs on, what authorises it (a Vault token, or on a DR
 * secondary the DR operation token) and whether it is destructive, in which case the person
 * types the cluster's name to confirm and the main process checks that they did.
 *
 * Secrets in a request (tokens) go to the main process and never come back; the one secret that
 * does come back is the secondary activation token, which exists to be carried to the secondary.
 */
import * as z from 'zod';

export const replicationKinds = ['dr', 'performance'] as const;
export type ReplicationKind = (typeof replicationKinds)[number];

export const operationIds = [
  'enable-primary',
  'secondary-token',
  'revoke-secondary',
  'demote',
  'disable-primary',
  'enable-secondary',
  'update-primary',
  'disable-secondary',
] as const;
export type OperationId = (typeof operationIds)[number];

/** What Vault accepts as authorisation for a call. */
export type OperationAuth = 'vault-token' | 'dr-operation-token';

export interface OperationSpec {
  readonly title: string;
  /** What it does, in one or two sentences a person reads before choosing it. */
  readonly description: string;
  /** Which cluster it is sent to: the primary, or the secondary being set up or pointed elsewhere. */
  readonly side: 'primary' | 'secondary';
  /** The replication modes (sys/replication/status `mode`) of the cluster it makes sense on. */
  readonly modes: readonly ReplicationMode[];
  /** The mode the cluster reports once the call succeeded: what the ceremony's post-check reads. */
  readonly after: ReplicationMode;
  readonly destructive: boolean;
}

export type ReplicationMode = 'disabled' | 'primary' | 'secondary';

export const OPERATIONS: Readonly<Record<OperationId, OperationSpec>> = {
  'enable-primary': {
    title: 'Enable replication primary',
    description: 'Makes this cluster a replication primary, so secondaries can be attached to it.',
    side: 'primary',
    modes: ['disabled'],
    after: 'primary',
    destructive: false,
  },
  'secondary-token': {
    title: 'Create a secondary activation token',
    description:
      'Creates on this primary a response-wrapped activation token for a secondary with the id you give. It is shown once, here, and never stored: carry it to the secondary before its TTL ends.',
    side: 'primary',
    modes: ['primary'],
    after: 'primary',
    destructive: false,
  },
  'revoke-secondary': {
    title: 'Revoke a secondary',
    description:
      'Revokes the secondary with this id on this primary: it stops receiving replication and must be set up again to rejoin.',
    side: 'primary',
    modes: ['primary'],
    after: 'primary',
    destructive: true,
  },
  demote: {
    title: 'Demote this primary',
    description:
      'Turns this primary into a secondary with no primary. It stops serving clients until it is pointed at a new primary with update-primary.',
    side: 'primary',
    modes: ['primary'],
    after: 'secondary',
    destructive: true,
  },
  'disable-primary': {
    title: 'Disable replication on this primary',
    description: 'Turns replication off on this primary. Its secondaries lose their primary and must be set up again.',
    side: 'primary',
    modes: ['primary'],
    after: 'disabled',
    destructive: true,
  },
  'enable-secondary': {
    title: 'Enable replication secondary',
    description:
      "Makes this cluster a secondary of the primary that issued the activation token. ALL of this cluster's data is replaced by the primary's.",
    side: 'secondary',
    modes: ['disabled'],
    after: 'secondary',
    destructive: true,
  },
  'update-primary': {
    title: 'Update primary (point at a new primary)',
    description:
      'Points this secondary at a new primary, with a new activation token or new primary cluster addresses. With a token, it resynchronises from the new primary, replacing its data.',
    side: 'secondary',
    modes: ['secondary'],
    after: 'secondary',
    destructive: true,
  },
  'disable-secondary': {
    title: 'Disable replication on this secondary',
    description:
      'Turns replication off on this secondary. It keeps its data but no longer follows any primary, and must be set up again to rejoin.',
    side: 'secondary',
    modes: ['secondary'],
    after: 'disabled',
    destructive: true,
  },
};

/** A DR secondary answers only to its DR operation token; everything else takes a Vault token. */
export function operationAuth(operation: OperationId, replication: ReplicationKind): OperationAuth {
  return replication === 'dr' && (operation === 'update-primary' || operation === 'disable-secondary')
    ? 'dr-operation-token'
    : 'vault-token';
}

export function operationTitle(operation: OperationId, replication: ReplicationKind): string {
  return `${OPERATIONS[operation].title} (${replication === 'dr' ? 'DR' : 'performance'})`;
}

/** The endpoint, as an auditor would search Vault's audit log for it. */
export function operationPath(operation: OperationId, replication: ReplicationKind): string {
  const side = OPERATIONS[operation].side;
  const name =
    operation === 'enable-primary' || operation === 'enable-secondary'
      ? 'enable'
      : operation === 'disable-primary' || operation === 'disable-secondary'
        ? 'disable'
        : operation;
  return `sys/replication/${replication}/${side}/${name}`;
}

// Vault's own rules for these fields are loose; these keep obvious mistakes (a pasted URL as an
// id, a space in a TTL) from reaching a cluster, with messages that say what to type.
export const secondaryId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    error: 'the secondary id must be 1 to 64 letters, digits, dots, dashes or underscores',
  });
export const ttl = z
  .string()
  .trim()
  .regex(/^[1-9][0-9]{0,6}[smh]?$/, { error: 'the TTL must be a duration such as 30m, 2h or 1800s' });
export const httpsAddr = z
  .string()
  .trim()
  .regex(/^https:\/\/\S{1,250}$/, { error: 'the address must start with https:// and have no spaces' });
export const clusterAddr = z
  .string()
  .trim()
  .regex(/^\S{1,255}$/, { error: 'a cluster address has no spaces, e.g. https://vault-dc1.example.com:8201' });
export const absolutePath = z
  .string()
  .trim()
  .regex(/^\/\S*$|^[A-Za-z]:[\\/]/, { error: "the CA file must be an absolute path on the secondary's servers" });
/** A token the person pastes; it goes to Vault, never back. */
export const pastedSecret = z.string().trim().min(1, { error: 'this field is empty' }).max(8192);

const replication = z.enum(replicationKinds);

export const operationRequestSchema = z.discriminatedUnion('operation', [
  z.strictObject({ operation: z.literal('enable-primary'), replication, primaryClusterAddr: clusterAddr.optional() }),
  z.strictObject({ operation: z.literal('secondary-token'), replication, id: secondaryId, ttl }),
  z.strictObject({ operation: z.literal('revoke-secondary'), replication, id: secondaryId }),
  z.strictObject({ operation: z.literal('demote'), replication }),
  z.strictObject({ operation: z.literal('disable-primary'), replication }),
  z.strictObject({
    operation: z.literal('enable-secondary'),
    replication,
    activationToken: pastedSecret,
    primaryApiAddr: httpsAddr.optional(),
    caFile: absolutePath.optional(),
  }),
  z.strictObject({
    operation: z.literal('update-primary'),
    replication,
    using: z.discriminatedUnion('method', [
      z.strictObject({
        method: z.literal('token'),
        activationToken: pastedSecret,
        primaryApiAddr: httpsAddr.optional(),
      }),
      z.strictObject({
        method: z.literal('addrs'),
        updatePrimaryAddrs: z.array(clusterAddr).min(1, { error: 'give at least one primary cluster address' }).max(16),
      }),
    ]),
  }),
  z.strictObject({ operation: z.literal('disable-secondary'), replication }),
]);
export type OperationRequest = z.output<typeof operationRequestSchema>;

/** A plan's `operation` (shared/ceremony/ceremony-plan.ts): which call, and its fields as the plan file spells them. */
export const planOperationSchema = z.strictObject({
  id: z.enum(operationIds, { error: `must be one of ${operationIds.map((o) => `'${o}'`).join(', ')}` }),
  replication: z.enum(replicationKinds, { error: "must be 'dr' or 'performance'" }),
  secondary_id: secondaryId.optional(),
  ttl: ttl.optional(),
  primary_cluster_addr: clusterAddr.optional(),
  primary_api_addr: httpsAddr.optional(),
  ca_file: absolutePath.optional(),
  method: z.enum(['token', 'addrs'], { error: "must be 'token' (activation token) or 'addrs'" }).optional(),
  update_primary_addrs: z.array(clusterAddr).min(1, { error: 'must list at least one cluster address' }).optional(),
});
export type PlanOperation = z.output<typeof planOperationSchema>;
