/**
 * One Vault call, on the record: the request is journaled before it is sent (a request that
 * cannot be recorded is never sent), and the answer or the failure after it arrives.
 *
 * Bodies are handed to the journal as sent; the journal redacts them (shared/record/redaction.ts:
 * `otp`, `key`, `dr_operation_token`, `token`, `encoded_token` become commitments or opaque
 * markers) and its forbid guard refuses any line that still holds a registered secret. Vault's
 * request ids, warnings and the attempt's nonce stay, so the transcript can be matched to
 * Vault's audit log. `guard` runs before the answer is recorded, so a secret Vault returns (an
 * encoded token, an activation token) is registered with the journal first.
 */
import { isJsonValue, type JsonObject, type JsonValue } from '../../../shared/record/journal-event';
import { err, ok, type Result } from '../../../shared/result';
import type { Journal, JournalErrorKind } from '../journal/journal';
import { SYSTEM, VAULT_REQUEST, VAULT_RESPONSE } from './ceremony-record';
import type { VaultResult } from '../vault/types';

export interface VaultRequestRecord {
  readonly profile: string;
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** The path after /v1/. */
  readonly path: string;
  readonly body?: JsonObject;
  /** The HA node the request went to (the active node's address), when the cluster has several. */
  readonly node?: string;
}

export type RecordedCallErrorKind = 'journal-failed';

/** Performs `call` between its two journal events. An error means the ceremony must stop. */
export async function recordedCall<T>(
  journal: Pick<Journal, 'append'>,
  step: string,
  request: VaultRequestRecord,
  call: () => Promise<VaultResult<T>>,
  guard?: (answer: VaultResult<T>) => void,
): Promise<Result<VaultResult<T>, RecordedCallErrorKind>> {
  // Spelled out, not spread: see SYSTEM.
  const sent = await journal.append({
    actor: SYSTEM.actor,
    role: SYSTEM.role,
    step,
    type: VAULT_REQUEST,
    details: {
      profile: request.profile,
      ...(request.node ? { node: request.node } : {}),
      method: request.method,
      path: request.path,
      ...(request.body ? { body: request.body } : {}),
    },
  });
  if (!sent.ok)
    return err(
      'journal-failed',
      `the request ${request.method} ${request.path} was not sent, because it could not be recorded: ${sent.error.message}`,
    );

  const answer = await call();
  guard?.(answer);
  const received = await journal.append({
    actor: SYSTEM.actor,
    role: SYSTEM.role,
    step,
    type: VAULT_RESPONSE,
    details: responseDetails(request, answer),
  });
  if (!received.ok) return err('journal-failed', unrecordedAnswer(request, received.error));
  return ok(answer);
}

function responseDetails<T>(request: VaultRequestRecord, answer: VaultResult<T>): JsonObject {
  const base = {
    profile: request.profile,
    ...(request.node ? { node: request.node } : {}),
    method: request.method,
    path: request.path,
  };
  // The answer's fields are assigned to `base`, not spread after it: see SYSTEM.
  if (!answer.ok) {
    const { kind, message, status, errors, requestId } = answer.error;
    return Object.assign(base, {
      ok: false,
      error: compact({ kind, message, status, errors: errors ? [...errors] : undefined, request_id: requestId }),
    });
  }
  const { status, data, requestId, warnings } = answer.value;
  return Object.assign(
    base,
    { ok: true },
    compact({ status, request_id: requestId, warnings: warnings.length ? [...warnings] : undefined }),
    { data: jsonOf(data) },
  );
}

/** What an answer's data is recorded as when it cannot be held as JSON (see jsonOf). */
export const NOT_JSON = '(not JSON)';

function unrecordedAnswer(request: VaultRequestRecord, error: { kind: JournalErrorKind; message: string }): string {
  return `Vault answered ${request.method} ${request.path}, but the answer could not be recorded: ${error.message}`;
}

/** Vault's parsed answer as plain JSON (undefined fields dropped); anything else is described, not stored. */
function jsonOf(value: unknown): JsonValue {
  if (value === undefined) return null;
  let plain: unknown;
  try {
    // JSON.stringify gives undefined (its types say string) for a function or a symbol.
    const text = JSON.stringify(value) as string | undefined;
    plain = JSON.parse(text ?? 'null');
  } catch {
    // An unknown field nested thousands deep (which the client's loose schemas let through)
    // overflows JSON.stringify; the answer must still be recorded, and the ceremony go on.
    return NOT_JSON;
  }
  return isJsonValue(plain) ? plain : NOT_JSON;
}

function compact(fields: Record<string, JsonValue | undefined>): JsonObject {
  // Field by field, not through entries filtered and joined again: this runs for every answer
  // recorded, and verify's replay of a 10,000-event record spent ~15 ms (cold) on the arrays.
  const kept: Record<string, JsonValue> = {};
  const keys = Object.keys(fields);
  for (let i = 0; i < keys.length; i++) {
    const value = fields[keys[i]!];
    if (value !== undefined) kept[keys[i]!] = value;
  }
  return kept;
}
