/**
 * Schemas of Vault's answers (docs/vault-protocol.md §0–3). Strict about the fields the
 * ceremony relies on, lenient about the rest: unknown fields pass through untouched so a
 * newer Vault does not break the dashboard. Field names stay Vault's, as auditors and the
 * docs spell them.
 */
import * as z from 'zod';
import type { AppError } from '../../../shared/result';
import {
  healthFields,
  replicationBlockFields,
  replicationPeerFields,
  sealStatusFields,
} from '../../../shared/replication/vault-status-fields';
import type { TransportErrorKind } from './transport';

const count = z.number().int().nonnegative();

/** generate-root / generate-operation-token / generate-recovery-token attempt and update (top-level JSON). */
export const generationStatusSchema = z.looseObject({
  nonce: z.string(),
  started: z.boolean(),
  progress: count,
  required: count,
  complete: z.boolean(),
  encoded_token: z.string().default(''),
  encoded_root_token: z.string().default(''),
  pgp_fingerprint: z.string().default(''),
  otp: z.string().default(''),
  // Absent before Vault 0.11, which means legacy (UUID) tokens: read as 0 like the CLI does.
  otp_length: count.default(0),
});
export type GenerationStatus = z.infer<typeof generationStatusSchema>;

const peerSchema = z.looseObject(replicationPeerFields);

/** One replication block (DR or performance) of sys/replication/status. */
export const replicationModeStatusSchema = z.looseObject({
  ...replicationBlockFields,
  primaries: z.array(peerSchema).nullish(),
  secondaries: z.array(peerSchema).nullish(),
});
export type ReplicationModeStatus = z.infer<typeof replicationModeStatusSchema>;

/** Whether a secondary's status names a primary it follows: one it knows, or one connected. */
export function followsAPrimary(status: ReplicationModeStatus): boolean {
  return (
    (status.known_primary_cluster_addrs ?? []).length > 0 ||
    (status.primaries ?? []).some((p) => p.connection_status === 'connected')
  );
}

export const replicationStatusSchema = z.looseObject({
  dr: replicationModeStatusSchema,
  performance: replicationModeStatusSchema,
});
export type ReplicationStatus = z.infer<typeof replicationStatusSchema>;

/** sys/health (raw handler, top-level). */
export const healthSchema = z.looseObject({
  ...healthFields,
  enterprise: z.boolean().optional(),
  cluster_id: z.string().optional(),
});
export type Health = z.infer<typeof healthSchema>;

/** sys/seal-status (raw handler, top-level). */
export const sealStatusSchema = z.looseObject({
  ...sealStatusFields,
  nonce: z.string().default(''),
  migration: z.boolean().optional(),
  cluster_name: z.string().optional(),
  cluster_id: z.string().optional(),
});
export type SealStatus = z.infer<typeof sealStatusSchema>;

/** sys/leader (raw handler, top-level): who leads, as the node asked sees it. */
export const leaderSchema = z.looseObject({
  ha_enabled: z.boolean(),
  is_self: z.boolean(),
  leader_address: z.string().default(''),
  leader_cluster_address: z.string().default(''),
  active_time: z.string().optional(),
  raft_committed_index: count.optional(),
  raft_applied_index: count.optional(),
});
export type Leader = z.infer<typeof leaderSchema>;

/** sys/decode-token `data`. */
export const decodedTokenSchema = z.looseObject({ token: z.string().min(1) });
export type DecodedToken = z.infer<typeof decodedTokenSchema>;

/** The `data` of a replication operation (enable, promote, …): usually null. */
export const operationDataSchema = z.record(z.string(), z.unknown()).nullable();
export type OperationData = z.infer<typeof operationDataSchema>;

/**
 * secondary-token: a response-wrapped token in `wrap_info`, or, when the secondary's public
 * key was given, the token itself in `data.token`.
 */
export const secondaryTokenSchema = z
  .looseObject({
    wrap_info: z
      .looseObject({ token: z.string().min(1), ttl: z.number().optional(), accessor: z.string().optional() })
      .nullish(),
    data: z.looseObject({ token: z.string().min(1) }).nullish(),
  })
  .refine((b) => b.wrap_info || b.data, 'neither wrap_info.token nor data.token is present')
  .transform((b): SecondaryActivationToken =>
    b.wrap_info
      ? { token: b.wrap_info.token, wrapped: true, ttl: b.wrap_info.ttl, accessor: b.wrap_info.accessor }
      : { token: b.data!.token, wrapped: false, ttl: undefined, accessor: undefined },
  );

export interface SecondaryActivationToken {
  /** Secret: the activation token to hand to the secondary's enable call. */
  readonly token: string;
  /** True for a response-wrapping token (the usual case). */
  readonly wrapped: boolean;
  readonly ttl: number | undefined;
  readonly accessor: string | undefined;
}

export type VaultErrorKind = TransportErrorKind | 'vault-error' | 'unexpected-response' | 'invalid-request';

export interface VaultError extends AppError<VaultErrorKind> {
  /** HTTP status, when Vault answered. */
  readonly status?: number;
  /** Vault's own error texts (`{"errors":[…]}`), secrets we sent redacted. */
  readonly errors?: readonly string[];
  readonly requestId?: string;
  /** A redirect's Location, which the client never follows on its own. */
  readonly location?: string;
}

export interface VaultAnswer<T> {
  readonly status: number;
  readonly data: T;
  /** Vault's request id (logical endpoints only), to match the entry in Vault's audit log. */
  readonly requestId: string | undefined;
  readonly warnings: readonly string[];
}

/** A Result whose error carries Vault's status and texts. */
export type VaultResult<T> =
  { readonly ok: true; readonly value: VaultAnswer<T> } | { readonly ok: false; readonly error: VaultError };
