/**
 * Vault's two response shapes and its error body. Raw handlers (sys/init, seal-status,
 * generate-root…) answer top-level JSON; logical paths answer the standard envelope; errors
 * are always `{"errors":[…]}`, and any message mentioning "Vault is sealed" becomes 503
 * (`AdjustErrorStatusCode`). An empty success is 204 with no body.
 */
import { randomUUID } from 'node:crypto';

export interface ApiRequest {
  readonly method: string;
  /** After `/v1/`, without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** X-Vault-Token, or the Bearer token of an Authorization header. */
  readonly token: string | undefined;
  readonly body: string;
}

export interface ApiResponse {
  readonly status: number;
  /** Serialized as JSON plus a newline (Go's json.Encoder); absent for 204. */
  readonly body?: unknown;
  /** A body that is not JSON (metrics text, a snapshot archive), sent as is; instead of `body`. */
  readonly raw?: { readonly contentType: string; readonly bytes: Uint8Array };
  readonly headers?: Readonly<Record<string, string>>;
}

export const PERMISSION_DENIED = 'permission denied';

export function rawOk(body: unknown, status = 200): ApiResponse {
  return { status, body };
}

export function noContent(): ApiResponse {
  return { status: 204 };
}

export function vaultError(status: number, ...messages: string[]): ApiResponse {
  const sealed = messages.some((m) => m.includes('Vault is sealed'));
  return { status: sealed ? 503 : status, body: { errors: messages } };
}

/** Vault's answer to almost anything on a DR secondary, whatever the token. */
export const DR_SECONDARY_PATH_DISABLED = 'path disabled in replication DR secondary mode';

export function permissionDenied(): ApiResponse {
  return vaultError(403, PERMISSION_DENIED);
}

export function methodNotAllowed(): ApiResponse {
  return { status: 405, body: { errors: [] } };
}

export interface LogicalParts {
  readonly data?: Record<string, unknown> | null;
  readonly warnings?: readonly string[];
  readonly wrapInfo?: Record<string, unknown>;
  readonly auth?: Record<string, unknown>;
  readonly mountType?: string;
}

/** The logical envelope; a response with nothing in it is 204, as in Vault's `request()`. */
export function logical(parts: LogicalParts): ApiResponse {
  const hasData = parts.data != null && Object.keys(parts.data).length > 0;
  if (!hasData && !parts.warnings?.length && !parts.wrapInfo && !parts.auth) return noContent();
  return rawOk({
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data: hasData ? parts.data : null,
    wrap_info: parts.wrapInfo ?? null,
    warnings: parts.warnings?.length ? parts.warnings : null,
    auth: parts.auth ?? null,
    mount_type: parts.mountType ?? 'system',
  });
}
