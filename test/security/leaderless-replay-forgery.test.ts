// @tier integration
/**
 * The auditor's adversary on a run where, as a call that changes a 3-node cluster was to be sent
 * (a promotion's attempt start, a failback's demote or update-primary), no node led (an election):
 * the laptop sent nothing and recorded the failure with a reason ending in "nothing was sent"
 * (ceremony-actions.ts's NOTHING_SENT), and the retry made the call on the new leader. `verify`
 * replays that run by giving the laptop's code the recorded reason's answer to who leads
 * (action-replay.ts), so the honest bundle verifies; a laptop that claims nothing was sent where it
 * made the call, sent nothing under a reason that does not say so, or claims the call made with no
 * request on the record, its journal re-chained and re-signed by the real people, fails (exit 1).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTHING_SENT } from '../../electron/services/ceremony/ceremony-actions';
import type { CastMember } from '../../electron/services/rehearsal/rehearsal-cast';
import type { JournalEvent } from '../../shared/record/journal-event';
import { ATTEMPT, cleanUp } from '../drills/drill-support';
import { failbackDrill, playing } from '../drills/failback-drill-support';
import { finishAndVerify, haDrill, leaderlessAt } from '../drills/ha-drill-support';
import { readJournal, reauthorised, signedBundle, writeKeyring } from '../support/doctored-bundle';
import { verifyAnchored } from '../support/rehearsed-promotion';

type Mutable = Record<string, unknown>;

/** A finished run with one leaderless moment: its folder (the bundle in `bundle`), signers, and the failed result's seq. */
interface LeaderlessRun {
  readonly dir: string;
  readonly people: CastMember[];
  readonly failedSeq: number;
}

async function promotionLeaderlessAtStart(): Promise<LeaderlessRun> {
  const d = await haDrill('leaderless-forgery', { nodes: 3 });
  const failedSeq = (await leaderlessAt(d, (s) => s.step === 'generate-otp')).seq;
  await finishAndVerify(d);
  return { dir: d.dir, people: [d.cast.administrator, ...d.cast.witnesses], failedSeq };
}

/** A failback played to `at`, leaderless on its primary as its call is to be sent, then finished and exported. */
async function failbackLeaderlessAt(at: string): Promise<LeaderlessRun> {
  const d = await failbackDrill(`leaderless-forgery-${at}`, 3);
  const log: string[] = [];
  const p = playing(d, log);
  const failedSeq = (await leaderlessAt(p, (s) => s.step === at, 'primary')).seq;
  expect((await p.play()).step).toBe('finished');
  const report = await d.service.exportBundle(join(d.dir, 'bundle'));
  if (!report.ok) throw new Error(report.error.message);
  expect(report.value.valid).toBe(true);
  return { dir: d.dir, people: [d.cast.administrator, ...d.cast.witnesses], failedSeq };
}

const DEMOTE = 'sys/replication/dr/primary/demote';
const UPDATE_PRIMARY = 'sys/replication/dr/secondary/update-primary';

/** Where a leader of the cluster is on the record before the failure, the laptop given another result than "nothing was sent" sends to it. */
const sendsFirst = (path: string) =>
  new RegExp(
    `\\(service-result\\) is recorded where the laptop, given the Vault answers recorded before it, first records a 'vault-request' \\(\\{.*"path":"${path}"`,
  );
/** Where none is (a failback's first call to its primary), the laptop finds none and sends nothing, saying so in its own words. */
const findsNone = (recorded: string) =>
  new RegExp(
    `\\(service-result\\) records the result ${recorded}, but the laptop, given the Vault answers recorded before it, records \\{"outcome":"failed","reason":"no node leads; nothing was sent"\\}`,
  );

describe.each([
  { action: 'start', run: promotionLeaderlessAtStart, path: ATTEMPT, kind: 'start-attempt', leaderOnRecord: true },
  { action: 'demote', run: () => failbackLeaderlessAt('demote'), path: DEMOTE, kind: 'demote', leaderOnRecord: false },
  {
    action: 'update-primary',
    run: () => failbackLeaderlessAt('update-primary'),
    path: UPDATE_PRIMARY,
    kind: 'update-primary',
    leaderOnRecord: true,
  },
])('a leaderless $action', ({ action, run, path, kind, leaderOnRecord }) => {
  let r: LeaderlessRun;
  let keyring: string;
  let events: JournalEvent[];
  let copies = 0;

  beforeAll(async () => {
    r = await run();
    keyring = writeKeyring(join(r.dir, 'auditor-keys.asc'), r.people);
    events = readJournal(join(r.dir, 'bundle', 'journal.jsonl'));
  }, 120_000);
  afterAll(cleanUp);

  /** `verify` of the bundle with `change` made to its journal, its authorisations signed afresh by the real people. */
  async function verifyChanged(change: (list: JournalEvent[]) => JournalEvent[]) {
    const dir = join(r.dir, `doctored-${++copies}`);
    const list = change(events.map((e) => structuredClone(e)));
    await signedBundle(dir, await reauthorised(list, r.people), r.people);
    return verifyAnchored(dir, keyring);
  }

  const failedAt = (list: JournalEvent[]) => list.findIndex((e) => e.seq === r.failedSeq);
  /** The event of the failed result's entry in `list`, to doctor in place. */
  const failedEvent = (list: JournalEvent[]) => list[failedAt(list)]!.details.event as Mutable;
  /** The retry's request of the call (and its answer) in `list`. */
  const sentAt = (list: JournalEvent[]) =>
    list.findIndex((e) => e.type === 'vault-request' && e.details.method !== 'GET' && e.details.path === path);

  it(`${action}: verifies re-signed with nothing changed: the failure says nothing was sent, and nothing was`, async () => {
    expect(failedEvent(events)).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(/nothing was sent$/),
    });
    expect(sentAt(events)).toBeGreaterThan(failedAt(events));
    const profile = events[sentAt(events)]!.details.profile;
    const named = events
      .slice(0, failedAt(events))
      .some((e) => e.type === 'active-node' && e.details.profile === profile);
    expect(named).toBe(leaderOnRecord);
    expect((await verifyAnchored(join(r.dir, 'bundle'), keyring)).code).toBe(0);
    expect((await verifyChanged((list) => list)).code).toBe(0);
  });

  describe(`a leaderless ${action} whose record is not what the laptop did fails verify (exit 1)`, () => {
    it('when its reason no longer says nothing was sent', async () => {
      const v = await verifyChanged((list) => {
        const event = failedEvent(list);
        event.reason = (event.reason as string).slice(0, -NOTHING_SENT.length);
        return list;
      });
      expect(v.code).toBe(1);
      expect(v.output).toMatch(
        leaderOnRecord ? sendsFirst(path) : findsNone('\\{"outcome":"failed","reason":"no node of [^}]*\\}'),
      );
    });

    it("when the call was sent to the last leader's node before it, and answered", async () => {
      const v = await verifyChanged((list) => {
        const before = failedAt(list);
        const at = list[before]!;
        const i = sentAt(list);
        const retry = list[i]!.details;
        // The leader the record last names for the cluster before the failure, else the one the retry found.
        const lastLeader = (list
          .slice(0, before)
          .findLast((e) => e.type === 'active-node' && e.details.profile === retry.profile)?.details.node ??
          retry.node) as string;
        // Its request, answer and what the laptop recorded of them, up to the retry's result.
        const end = list.findIndex((e, k) => k > i && e.type === 'service-result');
        const sent = list.slice(i, end).map((e) => ({
          ...structuredClone(e),
          step: at.step,
          time: at.time,
          details: 'node' in e.details ? { ...e.details, node: lastLeader } : e.details,
        }));
        return [...list.slice(0, before), ...sent, ...list.slice(before)];
      });
      expect(v.code).toBe(1);
      expect(v.output).toMatch(
        new RegExp(
          `\\(service-result\\) records the result \\{"outcome":"failed","reason":"no node of .*; nothing was sent"\\}, but the laptop, given the Vault answers recorded before it, records \\{"facts":\\{.*"kind":"${kind}"\\},"outcome":"ok"\\}`,
        ),
      );
    });

    it('when it claims the call made, with no request of it on the record', async () => {
      const v = await verifyChanged((list) => {
        const made = list.find(
          (e) =>
            e.seq > r.failedSeq &&
            e.type === 'service-result' &&
            e.step === list[failedAt(list)]!.step &&
            (e.details.event as Mutable).outcome !== 'failed',
        )!;
        (list[failedAt(list)]!.details as Mutable).event = structuredClone(made.details.event);
        return list;
      });
      expect(v.code).toBe(1);
      expect(v.output).toMatch(
        leaderOnRecord ? sendsFirst(path) : findsNone(`\\{"facts":\\{"kind":"${kind}"\\},"outcome":"ok"\\}`),
      );
    });
  });
});
