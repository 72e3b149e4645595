// @tier integration
/**
 * The auditor's adversary on a promotion over a 3-node DR secondary where, as the attempt was to be
 * started, no node led (an election): the laptop sent nothing and recorded the failure with a
 * reason ending in "nothing was sent" (ceremony-actions.ts's NOTHING_SENT), and the retry started
 * it on the new leader. `verify` replays that run by giving the laptop's code the recorded reason's
 * answer to who leads (action-replay.ts), so the honest bundle verifies; a laptop that claims
 * nothing was sent where it made the call, or sent nothing under a reason that does not say so,
 * its journal re-chained and re-signed by the real people, fails (exit 1).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTHING_SENT } from '../../electron/services/ceremony/ceremony-actions';
import type { CastMember } from '../../electron/services/rehearsal/rehearsal-cast';
import type { JournalEvent } from '../../shared/record/journal-event';
import { ATTEMPT, cleanUp } from '../drills/drill-support';
import { finishAndVerify, haDrill, leaderlessAt, type HaDrill } from '../drills/ha-drill-support';
import { readJournal, reauthorised, signedBundle, writeKeyring } from '../support/doctored-bundle';
import { verifyAnchored } from '../support/rehearsed-promotion';

type Mutable = Record<string, unknown>;

let d: HaDrill;
let people: CastMember[];
let keyring: string;
let events: JournalEvent[];
/** The failed start's entry: its seq in `events`. */
let failedSeq: number;
let copies = 0;

beforeAll(async () => {
  d = await haDrill('leaderless-forgery', { nodes: 3 });
  failedSeq = (await leaderlessAt(d, (s) => s.step === 'generate-otp')).seq;
  await finishAndVerify(d);
  people = [d.cast.administrator, ...d.cast.witnesses];
  keyring = writeKeyring(join(d.dir, 'auditor-keys.asc'), people);
  events = readJournal(join(d.dir, 'bundle', 'journal.jsonl'));
}, 120_000);
afterAll(cleanUp);

/** `verify` of the bundle with `change` made to its journal, its authorisations signed afresh by the real people. */
async function verifyChanged(change: (list: JournalEvent[]) => JournalEvent[]) {
  const dir = join(d.dir, `doctored-${++copies}`);
  const list = change(events.map((e) => structuredClone(e)));
  await signedBundle(dir, await reauthorised(list, people), people);
  return verifyAnchored(dir, keyring);
}

/** The event of the failed start's entry in `list`, to doctor in place. */
const failedEvent = (list: JournalEvent[]) => list.find((e) => e.seq === failedSeq)!.details.event as Mutable;

/** The retry's start of the attempt (its request and answer), as if sent to `node` just before `at`. */
function startSentTo(list: JournalEvent[], node: string, at: JournalEvent): JournalEvent[] {
  const i = list.findIndex(
    (e) => e.type === 'vault-request' && e.details.method === 'PUT' && e.details.path === ATTEMPT,
  );
  return list
    .slice(i, i + 2)
    .map((e) => ({ ...structuredClone(e), step: at.step, time: at.time, details: { ...e.details, node } }));
}

describe('a promotion whose attempt start found no leader', () => {
  it('verifies re-signed with nothing changed: the failure says nothing was sent, and nothing was', async () => {
    expect(failedEvent(events)).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(/nothing was sent$/),
    });
    expect(events.find((e) => e.seq === failedSeq - 1)?.step).not.toBe('start-attempt');
    expect((await verifyAnchored(join(d.dir, 'bundle'), keyring)).code).toBe(0);
    expect((await verifyChanged((list) => list)).code).toBe(0);
  });
});

describe('a leaderless start whose record is not what the laptop did fails verify (exit 1)', () => {
  it('when its reason no longer says nothing was sent', async () => {
    const r = await verifyChanged((list) => {
      const event = failedEvent(list);
      event.reason = (event.reason as string).slice(0, -NOTHING_SENT.length);
      return list;
    });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /\(service-result\) is recorded where the laptop, given the Vault answers recorded before it, first records a 'vault-request' \(\{"body":\{"otp":"[^"]+"\},"method":"PUT","node":"[^"]+","path":"sys\/replication\/dr\/secondary\/generate-operation-token\/attempt"/,
    );
  });

  it("when the start was sent to the last leader's node before it, and answered", async () => {
    const r = await verifyChanged((list) => {
      const before = list.findIndex((e) => e.seq === failedSeq);
      const lastLeader = list.find((e) => e.type === 'active-node')!.details.node as string;
      return [...list.slice(0, before), ...startSentTo(list, lastLeader, list[before]!), ...list.slice(before)];
    });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /\(service-result\) records the result \{"outcome":"failed","reason":"no node of .*; nothing was sent"\}, but the laptop, given the Vault answers recorded before it, records \{"facts":\{"attempt":\{/,
    );
  });
});
