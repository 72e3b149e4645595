/**
 * What this ceremony's own record says about its earlier Vault calls at a step, read back from the
 * journal (recorded-call.ts writes each request, then its answer or failure): so a retry, or a
 * resume after a crash, can tell a call whose answer was lost from one never made.
 */
import type { JournalEvent, JsonObject, JsonValue } from '../../../shared/record/journal-event';
import type { ReplicationKind } from '../../../shared/replication/replication-operations';
import { followsAPrimary, replicationModeStatusSchema, type ReplicationModeStatus } from '../vault/types';
import { VAULT_REQUEST, VAULT_RESPONSE } from './ceremony-record';

/**
 * Whether the record shows the primary reading without `id` at this step, then this ceremony's
 * requests for it there, at least one never answered (lost, or cut off by a crash) and none
 * answered with a token nor refused before one was lost: so whatever registered it was one of them.
 */
export function registeredByOwnRequest(
  events: readonly JournalEvent[],
  at: { step: string; profile: string; replication: ReplicationKind; id: string },
): boolean {
  const statusPath = `sys/replication/${at.replication}/status`;
  const tokenPath = `sys/replication/${at.replication}/primary/secondary-token`;
  let absentRead = false;
  let pending = false;
  let lost = false;
  let refused = false;
  for (const e of events) {
    if (e.step !== at.step || e.details['profile'] !== at.profile) continue;
    const path = e.details['path'];
    if (e.type === VAULT_RESPONSE && path === statusPath && e.details['ok'] === true) {
      const known = fieldOf(e.details['data'], 'known_secondaries');
      if (!Array.isArray(known) || !known.includes(at.id)) [absentRead, lost, refused] = [true, false, false];
    } else if (e.type === VAULT_REQUEST && path === tokenPath) {
      pending = absentRead && fieldOf(e.details['body'], 'id') === at.id;
    } else if (e.type === VAULT_RESPONSE && path === tokenPath && pending) {
      pending = false;
      const status = fieldOf(e.details['error'], 'status');
      // Issued: whatever holds the id now is not a lost request's doing. A 4xx before any loss: someone else's id.
      if (e.details['ok'] === true) absentRead = false;
      else if (typeof status === 'number' && status < 500) refused ||= !lost;
      else lost = true;
    }
  }
  return absentRead && (lost || pending) && !refused;
}

/**
 * What became of the last activation token the record shows this ceremony's own secondary-token
 * request for `id` at this step answered with: 'unused' when no update-primary request was sent
 * after it (so it lived only in the memory of the run that asked, or in someone's hands), or when
 * the cluster it was sent to was read since as a DR secondary following no primary (Vault did not
 * act on it: it would follow the token's primary); 'sent' when one was, unanswered or answered,
 * and not read so since (the token may be in use). Undefined when none was issued, or since then a
 * read showed the id gone or a request for it was refused (someone else's id).
 */
export function ownIssuedToken(
  events: readonly JournalEvent[],
  at: { step: string; profile: string; replication: ReplicationKind; id: string },
): 'unused' | 'sent' | undefined {
  const statusPath = `sys/replication/${at.replication}/status`;
  const tokenPath = `sys/replication/${at.replication}/primary/secondary-token`;
  const updatePath = `sys/replication/${at.replication}/secondary/update-primary`;
  let issued: 'unused' | 'sent' | undefined;
  let pending = false;
  let sentTo: JsonValue | undefined;
  for (const e of events) {
    const path = e.details['path'];
    if (e.type === VAULT_REQUEST && path === updatePath) {
      if (issued) [issued, sentTo] = ['sent', e.details['profile']];
      continue;
    }
    // Answered as made: the token was used, whatever a later read shows.
    if (e.type === VAULT_RESPONSE && path === updatePath && e.details['ok'] === true) sentTo = undefined;
    if (issued === 'sent' && e.type === VAULT_RESPONSE && e.details['profile'] === sentTo && e.details['ok'] === true) {
      const dr = drStatusIn(path, e.details['data']);
      if (dr?.mode === 'secondary' && !followsAPrimary(dr)) issued = 'unused';
    }
    if (e.step !== at.step || e.details['profile'] !== at.profile) continue;
    if (e.type === VAULT_RESPONSE && path === statusPath && e.details['ok'] === true) {
      const known = fieldOf(e.details['data'], 'known_secondaries');
      if (!Array.isArray(known) || !known.includes(at.id)) issued = undefined;
    } else if (e.type === VAULT_REQUEST && path === tokenPath) {
      pending = fieldOf(e.details['body'], 'id') === at.id;
    } else if (e.type === VAULT_RESPONSE && path === tokenPath && pending) {
      pending = false;
      const status = fieldOf(e.details['error'], 'status');
      if (e.details['ok'] === true) issued = 'unused';
      else if (typeof status === 'number' && status < 500) issued = undefined;
    }
  }
  return issued;
}

/** The DR status a successful status read's answer holds (either status path), if it parses. */
function drStatusIn(path: JsonValue | undefined, data: JsonValue | undefined): ReplicationModeStatus | undefined {
  const dr =
    path === 'sys/replication/status' ? fieldOf(data, 'dr') : path === 'sys/replication/dr/status' ? data : undefined;
  const parsed = replicationModeStatusSchema.safeParse(dr);
  return dr !== undefined && parsed.success ? parsed.data : undefined;
}

function fieldOf(value: JsonValue | undefined, name: string): JsonValue | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject)[name] : undefined;
}

/**
 * Whether the record holds an update-primary call at this step, and the cluster's status as last
 * read there before the first one (the baseline a lost answer is judged against).
 */
export function baselineOf(
  events: readonly JournalEvent[],
  at: { step: string; profile: string; statusPath: string; callPath: string },
): { tried: boolean; status?: ReplicationModeStatus } {
  let status: ReplicationModeStatus | undefined;
  for (const e of events) {
    if (e.step !== at.step || e.details['profile'] !== at.profile) continue;
    if (e.type === VAULT_REQUEST && e.details['path'] === at.callPath)
      return { tried: true, ...(status ? { status } : {}) };
    if (e.type === VAULT_RESPONSE && e.details['path'] === at.statusPath && e.details['ok'] === true) {
      const parsed = replicationModeStatusSchema.safeParse(e.details['data']);
      if (parsed.success) status = parsed.data;
    }
  }
  return { tried: false };
}

/**
 * Whether the record shows, since the DR operation token was decoded, this ceremony's own request
 * at this step to delete it whose answer was lost (no HTTP status came back, or a crash cut it off),
 * and no 403 before that loss: so a token gone now is that request's doing, not someone else's.
 */
export function deletedByOwnRequest(events: readonly JournalEvent[], at: { step: string; profile: string }): boolean {
  const path = 'sys/replication/dr/secondary/operation-token/delete';
  let [pending, lost, refused] = [false, false, false];
  for (const e of events) {
    // A token decoded again is another token: what became of the last one says nothing of it.
    if (e.step === 'decode-token') [pending, lost, refused] = [false, false, false];
    if (e.step !== at.step || e.details['profile'] !== at.profile || e.details['path'] !== path) continue;
    if (e.type === VAULT_REQUEST) {
      lost ||= pending;
      pending = true;
    } else if (e.type === VAULT_RESPONSE && pending) {
      pending = false;
      const status = fieldOf(e.details['error'], 'status');
      if (status === undefined && e.details['ok'] !== true) lost = true;
      else if (status === 403) refused ||= !lost;
    }
  }
  return lost && !refused;
}
