import { describe, expect, it } from 'vitest';
import type { JournalEvent, JsonObject } from '../../../shared/record/journal-event';
import { stepAnswers } from './step-answers';

let seq = 0;
function event(step: string, type: string, details: JsonObject = {}): JournalEvent {
  seq += 1;
  return {
    seq,
    time: `2025-01-31T12:00:0${seq % 10}.000Z`,
    actor: 'x',
    role: 'system',
    step,
    type,
    details,
    prev: '',
    hash: '',
  };
}

const status = (mode: string, extra: JsonObject = {}) =>
  event('check-secondary', 'vault-response', {
    method: 'GET',
    path: 'sys/replication/status',
    ok: true,
    status: 200,
    request_id: 'req-1',
    data: {
      dr: {
        mode,
        state: 'stream-wals',
        connection_state: 'ready',
        last_remote_wal: 42,
        primaries: [{ last_heartbeat: '2025-01-31T11:59:59Z', replication_primary_canary_age_ms: '1200' }],
        ...extra,
      },
    },
  });

describe('stepAnswers', () => {
  it('picks the replication fields people attest to, reading Vault’s string-typed ages as numbers', () => {
    const [answer] = stepAnswers([event('roll-call', 'step-acknowledged'), status('secondary')]);
    expect(answer).toMatchObject({
      step: 'check-secondary',
      call: 'GET sys/replication/status',
      ok: true,
      status: 200,
      requestId: 'req-1',
      replication: {
        mode: 'secondary',
        connectionState: 'ready',
        lastRemoteWal: 42,
        lastHeartbeat: '2025-01-31T11:59:59Z',
        canaryAgeMs: 1200,
      },
    });
  });

  it('keeps only the current step and the one before it', () => {
    const answers = stepAnswers([
      status('secondary'),
      event('attest-primary-fenced', 'step-acknowledged'),
      event('promote', 'vault-response', { method: 'POST', path: 'p', ok: true, status: 200, warnings: ['brief'] }),
      event('check-promoted', 'vault-response', { method: 'GET', path: 'q', ok: false, error: { message: 'down' } }),
    ]);
    expect(answers.map((a) => [a.step, a.warnings, a.error])).toEqual([
      ['promote', ['brief'], null],
      ['check-promoted', [], 'down'],
    ]);
  });

  it('names the cluster asked, and reads the DR block sys/replication/dr/status gives flat (a peer before promoting)', () => {
    const [peer, own] = stepAnswers([
      event('promote', 'vault-response', {
        profile: 'dc1',
        method: 'GET',
        path: 'sys/replication/dr/status',
        ok: true,
        status: 200,
        data: { mode: 'primary', state: 'running', last_dr_wal: 223, secondaries: [] },
      }),
      event('promote', 'vault-response', { profile: 'dc2', method: 'POST', path: 'p', ok: true, status: 200 }),
    ]);
    expect(peer).toMatchObject({ profile: 'dc1', replication: { mode: 'primary', state: 'running', lastDrWal: 223 } });
    expect(own).toMatchObject({ profile: 'dc2', replication: null });
    // A status read's own `data.mode` is not a DR block: only dr/status is read flat.
    const [other] = stepAnswers([
      event('check-secondary', 'vault-response', {
        method: 'GET',
        path: 'sys/replication/status',
        ok: true,
        data: { mode: 'primary', dr: { mode: 'secondary' } },
      }),
    ]);
    expect(other).toMatchObject({ profile: null, replication: { mode: 'secondary' } });
  });

  it('shows an attempt status with its nonce and progress', () => {
    const [answer] = stepAnswers([
      event('share-entry', 'vault-response', {
        method: 'GET',
        path: 'a',
        ok: true,
        status: 200,
        data: { started: true, nonce: 'n-1', progress: 2, required: 3 },
      }),
    ]);
    expect(answer?.attempt).toEqual({ started: true, nonce: 'n-1', progress: 2, required: 3 });
  });
});
