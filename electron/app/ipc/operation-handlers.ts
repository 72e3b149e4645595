/**
 * `operations.run`: one failback or setup operation (shared/replication/replication-operations.ts) against
 * one cluster. The main process, not the page, decides whether a call may go out: a destructive
 * operation needs the cluster's name typed as confirmation, and the authorisation must be the
 * kind Vault takes for it. Tokens are used for this one call and dropped; Vault's answer comes
 * back with its secrets replaced, except the activation token a secondary-token call exists for.
 */
import type { ClusterTarget } from '../../../shared/ipc/ipc-contract';
import type { JsonValue } from '../../../shared/record/journal-event';
import { redact } from '../../../shared/record/redaction';
import {
  confirmationName,
  OPERATIONS,
  operationAuth,
  operationPath,
  operationTitle,
  type OperationAuthInput,
  type OperationOutcome,
  type OperationRequest,
} from '../../../shared/replication/replication-operations';
import { err, ok, type Result } from '../../../shared/result';
import type { VaultClient } from '../../services/vault/client';
import { replicationOperationCall } from '../../services/vault/replication-operation-call';
import type { SecondaryActivationToken, VaultAnswer, VaultError } from '../../services/vault/types';
import type { ChannelHandlers } from './handler-registry';

export type OperationErrorKind = 'not-confirmed' | 'wrong-authorisation';

/** A cluster the person chose, reachable with or without a Vault token. */
export interface ResolvedTarget {
  readonly label: string;
  readonly address: string;
  readonly connect: (token?: string) => Promise<Result<VaultClient>>;
}

export interface OperationServices {
  resolve(target: ClusterTarget): Promise<Result<ResolvedTarget>>;
  /** The running rehearsal Vault's root token, standing in for an operator's token in rehearsal. */
  rehearsalRootToken(): Promise<Result<string>>;
}

type Answer = VaultAnswer<unknown> & { readonly activationToken?: OperationOutcome['activationToken'] };

export function operationHandlers(services: OperationServices): Pick<ChannelHandlers, 'operations.run'> {
  return {
    'operations.run': async ({ target, request, auth, confirmation }) => {
      const { operation, replication } = request;
      const title = operationTitle(operation, replication);
      const expected = confirmationName(target);
      if (OPERATIONS[operation].destructive && confirmation?.trim() !== expected)
        return err(
          'not-confirmed',
          `${title} cannot be undone from here: type '${expected}' to confirm it. Nothing was sent to Vault.`,
        );

      const token = await tokenFor(services, target, operation, replication, auth, title);
      if (!token.ok) return token;
      const resolved = await services.resolve(target);
      if (!resolved.ok) return resolved;
      const { label, address } = resolved.value;
      const client = await resolved.value.connect(token.value.kind === 'vault-token' ? token.value.token : undefined);
      if (!client.ok) return client;
      try {
        const answer = await perform(
          client.value,
          request,
          token.value.kind === 'dr-operation-token' ? token.value.token : '',
        );
        if (!answer.ok) return err(answer.error.kind, answer.error.message);
        const { status, requestId, warnings, data, activationToken } = answer.value;
        return ok({
          operation,
          replication,
          label,
          address,
          path: operationPath(operation, replication),
          status,
          requestId: requestId ?? null,
          warnings: [...warnings],
          data: isRecord(data) ? (redact(data as JsonValue) as Record<string, unknown>) : null,
          activationToken: activationToken ?? null,
        });
      } finally {
        client.value.close();
      }
    },
  };
}

/** The token this call sends, checked to be the kind Vault takes for it. */
async function tokenFor(
  services: OperationServices,
  target: ClusterTarget,
  operation: OperationRequest['operation'],
  replication: OperationRequest['replication'],
  auth: OperationAuthInput,
  title: string,
): Promise<Result<{ kind: 'vault-token' | 'dr-operation-token'; token: string }, string>> {
  const needed = operationAuth(operation, replication);
  if (auth.kind === 'rehearsal-root-token') {
    if (target.kind !== 'rehearsal')
      return err(
        'wrong-authorisation',
        `The rehearsal root token exists only in rehearsal; ${title} on '${target.name}' needs your own Vault token. Nothing was sent.`,
      );
    if (needed !== 'vault-token')
      return err(
        'wrong-authorisation',
        `${title} is authorised by a DR operation token, not a Vault token: enter the DR operation token. Nothing was sent.`,
      );
    const root = await services.rehearsalRootToken();
    return root.ok ? ok({ kind: 'vault-token', token: root.value }) : root;
  }
  if (auth.kind !== needed)
    return err(
      'wrong-authorisation',
      needed === 'dr-operation-token'
        ? `${title} runs on a DR secondary, which answers only to its DR operation token (a generated one, or a batch DR token): enter that instead of a Vault token. Nothing was sent.`
        : `${title} needs a Vault token with the right policy (sudo for secondary tokens), sent as X-Vault-Token; a DR operation token does not authorise it. Nothing was sent.`,
    );
  return ok({ kind: auth.kind, token: auth.token });
}

/** Vault's answer, with a secondary-token's activation token taken out of its data and returned on its own. */
async function perform(
  client: VaultClient,
  request: OperationRequest,
  drOperationToken: string,
): Promise<{ ok: true; value: Answer } | { ok: false; error: VaultError }> {
  const answer = await replicationOperationCall(client, request, drOperationToken).send();
  if (!answer.ok || request.operation !== 'secondary-token') return answer;
  const { token, wrapped, ttl, accessor } = answer.value.data as SecondaryActivationToken;
  return {
    ok: true,
    value: {
      ...answer.value,
      data: {
        wrap_info: wrapped ? { token, ttl: ttl ?? null, accessor: accessor ?? null } : null,
        data: wrapped ? null : { token },
      },
      activationToken: { id: request.id, token, wrapped, ttlSeconds: ttl ?? null },
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
