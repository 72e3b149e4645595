/**
 * What Vault answered in the step people are at (and the step before it, whose irreversible call
 * may have just run), read back from the journal's `vault-response` events. People attest to what
 * Vault reported, so the wizard shows it above their attestations. The events are already
 * redacted, and only the named fields are picked out, so nothing secret is in the answer.
 */
import type { VaultAnswer } from '../../../shared/ceremony/ceremony-snapshot';
import { STEPS } from '../../../shared/ceremony/step-catalogue';
import type { JournalEvent, JsonObject, JsonValue } from '../../../shared/record/journal-event';
import { VAULT_RESPONSE } from './ceremony-record';

/** The answers recorded in the last two runs of consecutive events that share a step, oldest first. */
export function stepAnswers(events: readonly JournalEvent[]): VaultAnswer[] {
  const runs: JournalEvent[][] = [];
  for (let i = events.length - 1; i >= 0 && runs.length <= 2; i--) {
    const event = events[i]!;
    const run = runs[runs.length - 1];
    if (run && run[0]!.step === event.step) run.unshift(event);
    else runs.push([event]);
  }
  return runs
    .slice(0, 2)
    .reverse()
    .flat()
    .flatMap((e) => {
      const answer = e.type === VAULT_RESPONSE ? answerOf(e) : undefined;
      return answer ? [answer] : [];
    });
}

function answerOf(event: JournalEvent): VaultAnswer | undefined {
  if (!(event.step in STEPS)) return undefined;
  const d = event.details;
  const error = object(d['error']);
  const data = object(d['data']);
  return {
    step: event.step as VaultAnswer['step'],
    profile: text(d['profile']) ?? null,
    time: event.time,
    call: `${text(d['method']) ?? '?'} ${text(d['path']) ?? '?'}`,
    ok: d['ok'] === true,
    status: num(d['status']) ?? num(error?.['status']) ?? null,
    requestId: text(d['request_id']) ?? text(error?.['request_id']) ?? null,
    warnings: list(d['warnings']),
    error: text(error?.['message']) ?? null,
    // sys/replication/status nests the DR block under `dr`; sys/replication/dr/status gives it flat.
    replication: replicationOf(d['path'] === 'sys/replication/dr/status' ? data : object(data?.['dr'])),
    attempt: attemptOf(data),
  };
}

function replicationOf(dr: JsonObject | undefined): VaultAnswer['replication'] {
  const mode = text(dr?.['mode']);
  if (!dr || mode === undefined) return null;
  const primary = object(Array.isArray(dr['primaries']) ? (dr['primaries'] as JsonValue[])[0] : undefined);
  return {
    mode,
    state: text(dr['state']) ?? null,
    connectionState: text(dr['connection_state']) ?? null,
    lastHeartbeat: text(primary?.['last_heartbeat']) ?? null,
    canaryAgeMs: num(primary?.['replication_primary_canary_age_ms']) ?? null,
    lastRemoteWal: num(dr['last_remote_wal']) ?? null,
    lastDrWal: num(dr['last_dr_wal']) ?? null,
    primaryClusterAddr: text(dr['primary_cluster_addr']) ?? null,
  };
}

function attemptOf(data: JsonObject | undefined): VaultAnswer['attempt'] {
  if (typeof data?.['started'] !== 'boolean') return null;
  return {
    started: data['started'],
    nonce: text(data['nonce']) || null,
    progress: num(data['progress']) ?? 0,
    required: num(data['required']) ?? 0,
  };
}

function object(v: JsonValue | undefined): JsonObject | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

function text(v: JsonValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Vault sends some counters as numbers and some (the `_ms` ages) as decimal strings. */
function num(v: JsonValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  return typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
}

function list(v: JsonValue | undefined): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
