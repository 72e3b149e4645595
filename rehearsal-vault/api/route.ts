/** The shape of a route in the rehearsal Vault's HTTP API. */
import type { Cluster } from '../cluster';
import type { ReplicationNetwork } from '../replication';
import type { TokenEntry } from '../token-store';
import type { ApiRequest, ApiResponse } from './envelope';
import type { LogicalFields } from './request-body';

export interface RawContext {
  readonly cluster: Cluster;
  readonly network: ReplicationNetwork;
  readonly request: ApiRequest;
  /** The pattern's capture groups. */
  readonly params: readonly string[];
}

/** A raw HTTP handler (top-level JSON): it does its own method, seal and auth checks. */
export interface RawRoute {
  readonly kind: 'raw';
  readonly pattern: RegExp;
  /** Served on a DR secondary; everything else answers "path disabled…" there. */
  readonly onDrSecondary: boolean;
  handle(ctx: RawContext): ApiResponse | Promise<ApiResponse>;
}

export type Operation = 'read' | 'list' | 'update' | 'delete';

export interface LogicalContext extends RawContext {
  readonly operation: Operation;
  readonly fields: LogicalFields;
  /** The authenticated caller, for routes that need a token. */
  readonly caller: TokenEntry | undefined;
}

export type LogicalHandler = (ctx: LogicalContext) => ApiResponse | Promise<ApiResponse>;

/** A logical path (standard envelope). */
export interface LogicalRoute {
  readonly kind: 'logical';
  readonly pattern: RegExp;
  readonly onDrSecondary: boolean;
  /**
   * none: unauthenticated (status endpoints, and DR endpoints authorised by dr_operation_token);
   * token: an X-Vault-Token whose policies allow the operation; sudo: and `sudo` as well.
   */
  readonly auth: 'none' | 'token' | 'sudo';
  readonly operations: Partial<Record<Operation, LogicalHandler>>;
}

export type Route = RawRoute | LogicalRoute;
