import { describe, expect, it } from 'vitest';
import type { JournalEvent, JsonObject } from '../../../shared/record/journal-event';
import { baselineOf, deletedByOwnRequest, ownIssuedToken, registeredByOwnRequest } from './call-history';

const STEP = 'create-secondary-token';
const STATUS = 'sys/replication/dr/status';
const TOKEN = 'sys/replication/dr/primary/secondary-token';
const UPDATE = 'sys/replication/dr/secondary/update-primary';

/** A journal entry as recorded-call.ts writes it (the chain fields do not matter here). */
function entry(type: 'vault-request' | 'vault-response', details: JsonObject, step = STEP): JournalEvent {
  return {
    seq: 1,
    time: '2025-01-31T12:00:00.000Z',
    actor: 'vault-ceremony',
    role: 'system',
    step,
    type,
    details: { profile: 'primary', ...details },
    prev: '0'.repeat(64),
    hash: '0'.repeat(64),
  };
}

const read = (known: string[], step?: string) => [
  entry('vault-request', { method: 'GET', path: STATUS }, step),
  entry(
    'vault-response',
    { method: 'GET', path: STATUS, ok: true, data: { mode: 'primary', known_secondaries: known } },
    step,
  ),
];
const ask = (id = 'dc1') => entry('vault-request', { method: 'POST', path: TOKEN, body: { id } });
const issued = () => entry('vault-response', { method: 'POST', path: TOKEN, ok: true, data: {} });
/** No answer came: a timeout or a dropped connection (no HTTP status), or a 5xx from a node that stepped down. */
const lost = (status?: number) =>
  entry('vault-response', {
    method: 'POST',
    path: TOKEN,
    ok: false,
    error: { kind: 'unreachable', message: 'lost', ...(status ? { status } : {}) },
  });
const refused = () =>
  entry('vault-response', {
    method: 'POST',
    path: TOKEN,
    ok: false,
    error: { kind: 'refused', message: 'a secondary with ID "dc1" already exists', status: 400 },
  });

const ours = (events: JournalEvent[], id = 'dc1') =>
  registeredByOwnRequest(events, { step: STEP, profile: 'primary', replication: 'dr', id });

describe('registeredByOwnRequest: whether this ceremony may revoke a secondary id it finds registered', () => {
  it("is true when the id was absent, then this ceremony's request for it went unanswered", () => {
    expect(ours([...read([]), ask(), lost()])).toBe(true);
    expect(ours([...read([]), ask(), lost(503)])).toBe(true);
    // A crash between the request and its answer: the request stands alone.
    expect(ours([...read([]), ask()])).toBe(true);
  });

  it('is false for an id that was there before this ceremony asked: it may be a real secondary', () => {
    expect(ours([...read(['dc1']), ask(), lost()])).toBe(false);
    expect(ours([ask(), lost()])).toBe(false);
  });

  it('is false once a request was refused before any was lost: someone else took the id in between', () => {
    expect(ours([...read([]), ask(), refused(), ask(), lost()])).toBe(false);
    // A refusal after the loss is the lost request's own doing.
    expect(ours([...read([]), ask(), lost(), ask(), refused()])).toBe(true);
  });

  it('is false once a request was answered with a token, and for another id, step or profile', () => {
    expect(ours([...read([]), ask(), issued()])).toBe(false);
    // Issued, the id is that token's: a later request lost without a fresh read proves nothing about it.
    expect(ours([...read([]), ask(), issued(), ask(), lost()])).toBe(false);
    expect(ours([...read([]), ask(), lost()], 'dc2')).toBe(false);
    expect(ours([...read([], 'another-step'), ask(), lost()])).toBe(false);
    expect(
      registeredByOwnRequest([...read([]), ask(), lost()], { step: STEP, profile: 'dr', replication: 'dr', id: 'dc1' }),
    ).toBe(false);
  });

  it('judges from the latest read without the id: a revoked id asked for again and issued is not revoked twice', () => {
    expect(ours([...read([]), ask(), lost(), ...read([]), ask(), issued()])).toBe(false);
    expect(ours([...read([]), ask(), issued(), ...read([]), ask(), lost()])).toBe(true);
  });
});

describe("ownIssuedToken: what became of a token this ceremony's own request was issued", () => {
  const fate = (events: JournalEvent[], id = 'dc1') =>
    ownIssuedToken(events, { step: STEP, profile: 'primary', replication: 'dr', id });
  /** The failback's next step sends update-primary to the old primary, with the token. */
  const update = () =>
    entry('vault-request', { method: 'POST', path: UPDATE, body: { token: '<redacted>' } }, 'update-primary');

  it('is unused once issued with no update-primary sent since, though the id was read known afterwards', () => {
    expect(fate([...read([]), ask(), issued()])).toBe('unused');
    expect(fate([...read([]), ask(), issued(), ...read(['dc1'])])).toBe('unused');
    // Revoked and asked for again, that request lost: the id is still this ceremony's.
    expect(fate([...read([]), ask(), issued(), ...read(['dc1']), ask(), lost()])).toBe('unused');
  });

  it('is sent once an update-primary request followed the token, at any step: it may be in use', () => {
    expect(fate([...read([]), ask(), issued(), update()])).toBe('sent');
    expect(fate([...read([]), ask(), issued(), update(), ...read(['dc1'])])).toBe('sent');
    // A token issued after the update-primary is a new one, not yet used.
    expect(fate([...read([]), ask(), issued(), update(), ask(), issued()])).toBe('unused');
  });

  it('is unused again once the cluster the update-primary went to is read following no primary, unless answered as made', () => {
    const dr = (follows: boolean) => ({
      mode: 'secondary',
      known_primary_cluster_addrs: follows ? ['https://dc2:8201'] : [],
    });
    const oldPrimaryRead = (path: string, data: JsonObject, profile = 'primary') =>
      entry('vault-response', { method: 'GET', path, ok: true, data, profile }, 'update-primary');
    const sent = [...read([]), ask(), issued(), update()];
    // The resume's read of the whole replication status, or a read of the DR status.
    expect(fate([...sent, oldPrimaryRead('sys/replication/status', { dr: dr(false) })])).toBe('unused');
    expect(fate([...sent, oldPrimaryRead('sys/replication/dr/status', dr(false))])).toBe('unused');
    expect(fate([...sent, oldPrimaryRead('sys/replication/status', { dr: dr(true) })])).toBe('sent');
    expect(fate([...sent, oldPrimaryRead('sys/replication/status', { dr: { mode: 'primary' } })])).toBe('sent');
    // Another cluster's read says nothing of it; nor does a read after an answer that it was made.
    expect(fate([...sent, oldPrimaryRead('sys/replication/dr/status', dr(false), 'other')])).toBe('sent');
    const made = entry('vault-response', { method: 'POST', path: UPDATE, ok: true, data: {} }, 'update-primary');
    expect(fate([...sent, made, oldPrimaryRead('sys/replication/dr/status', dr(false))])).toBe('sent');
    // A request sent again after the read carries the token again.
    expect(fate([...sent, oldPrimaryRead('sys/replication/dr/status', dr(false)), update()])).toBe('sent');
  });

  it('is nothing without an issued token, once a read shows the id gone, or once a request for it was refused', () => {
    expect(fate([...read([]), ask(), lost()])).toBeUndefined();
    expect(fate([...read([]), ask(), issued(), ...read([])])).toBeUndefined();
    expect(fate([...read([]), ask(), issued(), ask(), refused()])).toBeUndefined();
    expect(fate([update(), ...read([]), ask(), lost()])).toBeUndefined();
  });

  it('counts only requests for this id, at this step, on this profile', () => {
    expect(fate([...read([]), ask(), issued()], 'dc2')).toBeUndefined();
    expect(fate([...read([]), ask('dc2'), issued()])).toBeUndefined();
    const elsewhere = [...read([]), ask(), issued()].map((e) => ({ ...e, step: 'another-step' }));
    expect(fate(elsewhere)).toBeUndefined();
    expect(
      ownIssuedToken([...read([]), ask(), issued()], { step: STEP, profile: 'dr', replication: 'dr', id: 'dc1' }),
    ).toBeUndefined();
  });
});

describe('baselineOf: the status an update-primary is judged against', () => {
  const at = { step: STEP, profile: 'primary', statusPath: STATUS, callPath: UPDATE };
  const update = () => entry('vault-request', { method: 'POST', path: UPDATE, body: {} });

  it('is the last status read before the first call, once a call was made', () => {
    const found = baselineOf([...read(['x']), ...read(['y']), update(), ...read(['z'])], at);
    expect(found).toEqual({ tried: true, status: { mode: 'primary', known_secondaries: ['y'] } });
  });

  it('says no call was made yet, and ignores reads at another step', () => {
    expect(baselineOf(read(['x']), at)).toEqual({ tried: false });
    expect(baselineOf([...read(['x'], 'another-step'), update()], at)).toEqual({ tried: true });
  });
});

describe("deletedByOwnRequest: whether a token found gone may be this ceremony's own lost delete's doing", () => {
  const DELETE = 'sys/replication/dr/secondary/operation-token/delete';
  const at = { step: 'delete-operation-token', profile: 'primary' };
  const del = () => entry('vault-request', { method: 'POST', path: DELETE }, at.step);
  const answer = (status?: number) =>
    entry(
      'vault-response',
      { method: 'POST', path: DELETE, ok: false, error: { kind: 'k', message: 'm', ...(status ? { status } : {}) } },
      at.step,
    );
  const decoded = () => entry('vault-response', { path: 'none' }, 'decode-token');

  it('is true when an earlier delete of its own lost its answer, or a crash cut it off, before the 403', () => {
    expect(deletedByOwnRequest([del(), answer(), del(), answer(403)], at)).toBe(true);
    expect(deletedByOwnRequest([del(), del(), answer(403)], at)).toBe(true);
  });

  it('is false for a 403 with no lost delete before it, a 403 before the loss, or a loss before the token was decoded again', () => {
    expect(deletedByOwnRequest([del(), answer(403)], at)).toBe(false);
    expect(deletedByOwnRequest([del(), answer(400), del(), answer(403)], at)).toBe(false);
    expect(deletedByOwnRequest([del(), answer(403), del(), answer(), del(), answer(403)], at)).toBe(false);
    expect(deletedByOwnRequest([del(), answer(), decoded(), del(), answer(403)], at)).toBe(false);
    expect(deletedByOwnRequest([del(), answer(), del(), answer(403)], { ...at, profile: 'other' })).toBe(false);
  });
});
