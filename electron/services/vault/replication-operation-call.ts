/**
 * The one implementation of a replication operation's Vault call (shared/replication/replication-operations.ts):
 * which endpoint, with which body, on which side. The operation ceremony's perform step makes it, on
 * the record; `body` is what the journal is given (it redacts `token` and `dr_operation_token`).
 *
 * The activation token a `secondary-token` call returns comes back as `activationToken`; the caller
 * keeps it as a secret, never in a record.
 */
import type { JsonObject } from '../../../shared/record/journal-event';
import { operationPath, type OperationRequest } from '../../../shared/replication/replication-operations';
import type { VaultClient } from './client';
import type { VaultResult } from './types';

export interface OperationCall {
  readonly method: 'POST';
  /** The path after /v1/, as Vault's audit log shows it. */
  readonly path: string;
  readonly body: JsonObject;
  readonly send: () => Promise<VaultResult<unknown>>;
  /** secondary-token only: the token in a successful answer. */
  readonly activationToken?: (answer: VaultResult<unknown>) => string | undefined;
}

/** The call for `request`; `drOperationToken` authorises a DR secondary's update-primary and disable. */
export function replicationOperationCall(
  client: VaultClient,
  request: OperationRequest,
  drOperationToken: string,
): OperationCall {
  const side = request.replication === 'dr' ? client.dr : client.performance;
  const path = operationPath(request.operation, request.replication);
  const dr = request.replication === 'dr';
  const call = (body: JsonObject, send: () => Promise<VaultResult<unknown>>): OperationCall => ({
    method: 'POST',
    path,
    body,
    send,
  });
  switch (request.operation) {
    case 'enable-primary': {
      const addr = request.primaryClusterAddr;
      return call(addr === undefined ? {} : { primary_cluster_addr: addr }, () =>
        side.primary.enable(addr === undefined ? {} : { primaryClusterAddr: addr }),
      );
    }
    case 'secondary-token':
      return {
        ...call({ id: request.id, ttl: request.ttl }, () =>
          side.primary.secondaryToken({ id: request.id, ttl: request.ttl }),
        ),
        activationToken: (answer) =>
          answer.ok ? (answer.value.data as { readonly token?: string } | undefined)?.token : undefined,
      };
    case 'revoke-secondary':
      return call({ id: request.id }, () => side.primary.revokeSecondary({ id: request.id }));
    case 'demote':
      return call({}, () => side.primary.demote());
    case 'disable-primary':
      return call({}, () => side.primary.disable());
    case 'enable-secondary': {
      const options = {
        token: request.activationToken,
        ...(request.primaryApiAddr === undefined ? {} : { primaryApiAddr: request.primaryApiAddr }),
        ...(request.caFile === undefined ? {} : { caFile: request.caFile }),
      };
      const body = {
        token: request.activationToken,
        ...(request.primaryApiAddr === undefined ? {} : { primary_api_addr: request.primaryApiAddr }),
        ...(request.caFile === undefined ? {} : { ca_file: request.caFile }),
      };
      return call(body, () => side.secondary.enable(options));
    }
    case 'update-primary': {
      const using = request.using;
      const options =
        using.method === 'token'
          ? {
              token: using.activationToken,
              ...(using.primaryApiAddr === undefined ? {} : { primaryApiAddr: using.primaryApiAddr }),
            }
          : { updatePrimaryAddrs: using.updatePrimaryAddrs };
      const body: JsonObject =
        using.method === 'token'
          ? {
              token: using.activationToken,
              ...(using.primaryApiAddr === undefined ? {} : { primary_api_addr: using.primaryApiAddr }),
            }
          : { update_primary_addrs: [...using.updatePrimaryAddrs] };
      return dr
        ? call({ dr_operation_token: drOperationToken, ...body }, () =>
            client.dr.secondary.updatePrimary({ ...options, drOperationToken }),
          )
        : call(body, () => client.performance.secondary.updatePrimary(options));
    }
    case 'disable-secondary':
      return dr
        ? call({ dr_operation_token: drOperationToken }, () => client.dr.secondary.disable({ drOperationToken }))
        : call({}, () => client.performance.secondary.disable());
  }
}
