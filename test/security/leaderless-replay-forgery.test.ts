// @tier integration
/**
 * The auditor's adversary on a run where, as a call that changes a 3-node cluster was to be sent
 * (a promotion's attempt start or promote, a failback's demote, secondary-token or update-primary,
 * an operation ceremony's call: one sent on its own, a secondary-token, a mode change), no node
 * led (an election):
 * the laptop sent nothing and recorded the failure with a reason ending in "nothing was sent"
 * (ceremony-actions.ts's NOTHING_SENT), and the retry made the call on the new leader. `verify`
 * replays that run by giving the laptop's code the recorded reason's answer to who leads
 * (action-replay.ts), so the honest bundle verifies; a laptop that claims nothing was sent where it
 * made the call, sent nothing under a reason that does not say so, or claims the call made with no
 * request on the record, or left out the status read it made first, its journal re-chained and
 * re-signed by the real people, fails (exit 1).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTHING_SENT } from '../../electron/services/ceremony/ceremony-actions';
import type { CastMember } from '../../electron/services/rehearsal/rehearsal-cast';
import { rehearsalCast } from '../../electron/services/rehearsal/rehearsal-ceremony';
import { PRIMARY_PROFILE } from '../../electron/services/rehearsal/rehearsal-target';
import type { ClusterRole } from '../../rehearsal-vault/faults';
import type { PlanOperation } from '../../shared/ceremony/ceremony-plan';
import type { JournalEvent } from '../../shared/record/journal-event';
import { ATTEMPT, cleanUp, onCleanUp } from '../drills/drill-support';
import { failbackDrill, playing } from '../drills/failback-drill-support';
import {
  electionWhenAsked,
  finishAndVerify,
  haDrill,
  leaderlessAt,
  NOTHING_SENT_TOLD,
} from '../drills/ha-drill-support';
import { operationRig, type OperationRig } from '../drills/operation-drill-support';
import { readJournal, reauthorised, signedBundle, writeKeyring } from '../support/doctored-bundle';
import { verifyAnchored } from '../support/rehearsed-promotion';

type Mutable = Record<string, unknown>;

/** A finished run with one leaderless moment: a scratch folder, its bundle, signers, and the failed result's seq. */
interface LeaderlessRun {
  readonly dir: string;
  readonly bundle: string;
  readonly people: CastMember[];
  readonly failedSeq: number;
}

/** A promotion played to `at`, leaderless on its DR secondary as its call is to be sent, then finished and exported. */
async function promotionLeaderlessAt(at: string): Promise<LeaderlessRun> {
  const d = await haDrill(`leaderless-forgery-${at}`, { nodes: 3 });
  const failedSeq = (await leaderlessAt(d, (s) => s.step === at)).seq;
  await finishAndVerify(d);
  return { dir: d.dir, bundle: join(d.dir, 'bundle'), people: [d.cast.administrator, ...d.cast.witnesses], failedSeq };
}

/**
 * A failback played to `at`, leaderless on `cluster` as its call is to be sent (at the first
 * question of who leads once `after` was asked for, if given), then finished and exported.
 */
async function failbackLeaderlessAt(at: string, cluster: ClusterRole = 'primary', after?: string) {
  const d = await failbackDrill(`leaderless-forgery-${at}`, 3);
  const log: string[] = [];
  const p = playing(d, log);
  const failedSeq = (await leaderlessAt(p, (s) => s.step === at, cluster, after)).seq;
  expect((await p.play()).step).toBe('finished');
  const report = await d.service.exportBundle(join(d.dir, 'bundle'));
  if (!report.ok) throw new Error(report.error.message);
  expect(report.value.valid).toBe(true);
  return { dir: d.dir, bundle: join(d.dir, 'bundle'), people: [d.cast.administrator, ...d.cast.witnesses], failedSeq };
}

/**
 * An operation ceremony on the primary of a fresh 3-node rehearsal Vault (its scene set by `scene`),
 * leaderless as its call is to be sent (once `after` was asked for, if given), retried, finished
 * and exported.
 */
async function operationLeaderless(
  operation: PlanOperation,
  after?: string,
  scene?: (rig: OperationRig) => Promise<unknown>,
): Promise<LeaderlessRun> {
  const rig = await operationRig({ officers: 3, threshold: 2, nodes: 3, settleMs: 300 });
  onCleanUp(() => rig.close());
  await scene?.(rig);
  const election = electionWhenAsked(rig.vault.ha('primary'), after);
  const { journal, dir } = await rig.operate(
    `leaderless-${operation.id}`,
    PRIMARY_PROFILE,
    operation,
    undefined,
    election,
  );
  expect(election.started).toBe(true);
  expect(election.sent).toEqual([]);
  const failed = journal.find((e) => e.type === 'service-result' && (e.details.event as Mutable).outcome === 'failed')!;
  expect((failed.details.event as Mutable).reason).toMatch(NOTHING_SENT_TOLD);
  const cast = rehearsalCast(rig.target, rig.signers);
  return { dir: rig.root, bundle: dir, people: [cast.administrator, ...cast.witnesses], failedSeq: failed.seq };
}

const PROMOTE = 'sys/replication/dr/secondary/promote';
const DEMOTE = 'sys/replication/dr/primary/demote';
const UPDATE_PRIMARY = 'sys/replication/dr/secondary/update-primary';
const SECONDARY_TOKEN = 'sys/replication/dr/primary/secondary-token';
const REVOKE = 'sys/replication/dr/primary/revoke-secondary';
const PERFORMANCE_ENABLE = 'sys/replication/performance/primary/enable';
const DR_STATUS = 'sys/replication/dr/status';

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
/** A made result of `kind`, as canonical JSON shows it (its facts in key order). */
const madeResult = (kind: string) => `\\{"facts":\\{.*"kind":"${kind}"[^{}]*\\},"outcome":"ok"\\}`;

describe.each([
  {
    action: 'start',
    run: () => promotionLeaderlessAt('generate-otp'),
    path: ATTEMPT,
    kind: 'start-attempt',
    leaderOnRecord: true,
    readsFirst: false,
  },
  // changeMode: promote asks who leads as it is sent.
  {
    action: 'promote',
    run: () => promotionLeaderlessAt('promote'),
    path: PROMOTE,
    kind: 'promote',
    leaderOnRecord: true,
    readsFirst: false,
  },
  {
    action: 'demote',
    run: () => failbackLeaderlessAt('demote'),
    path: DEMOTE,
    kind: 'demote',
    leaderOnRecord: false,
    readsFirst: false,
  },
  // secondaryTokenOnce: it acts as its step begins, once its primary's status was read.
  {
    action: 'failback secondary-token',
    run: () => failbackLeaderlessAt('decode-token', 'drSecondary', DR_STATUS),
    path: SECONDARY_TOKEN,
    kind: 'create-secondary-token',
    leaderOnRecord: true,
    readsFirst: true,
  },
  {
    action: 'update-primary',
    run: () => failbackLeaderlessAt('update-primary'),
    path: UPDATE_PRIMARY,
    kind: 'update-primary',
    leaderOnRecord: true,
    readsFirst: false,
  },
  {
    action: 'operation secondary-token',
    run: () =>
      operationLeaderless(
        { id: 'secondary-token', replication: 'dr', secondary_id: 'leaderless', ttl: '30m' },
        DR_STATUS,
      ),
    path: SECONDARY_TOKEN,
    kind: 'replication-operation',
    leaderOnRecord: true,
    readsFirst: true,
  },
  // An operation's call sent on its own (sendToLeader), the first the laptop makes to the cluster.
  {
    action: 'operation revoke-secondary',
    run: () =>
      operationLeaderless({ id: 'revoke-secondary', replication: 'dr', secondary_id: 'to-revoke' }, undefined, (rig) =>
        rig.token('to-revoke'),
      ),
    path: REVOKE,
    kind: 'replication-operation',
    leaderOnRecord: false,
    readsFirst: false,
  },
  // changeMode in an operation ceremony.
  {
    action: 'operation enable-primary',
    run: () => operationLeaderless({ id: 'enable-primary', replication: 'performance' }),
    path: PERFORMANCE_ENABLE,
    kind: 'replication-operation',
    leaderOnRecord: false,
    readsFirst: false,
  },
])('a leaderless $action', ({ action, run, path, kind, leaderOnRecord, readsFirst }) => {
  let r: LeaderlessRun;
  let keyring: string;
  let events: JournalEvent[];
  let copies = 0;

  beforeAll(async () => {
    r = await run();
    keyring = writeKeyring(join(r.dir, 'auditor-keys.asc'), r.people);
    events = readJournal(join(r.bundle, 'journal.jsonl'));
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
  /** Where the status read the laptop made before it found no leader begins in `list`, or -1 with none. */
  const readAt = (list: JournalEvent[]) => {
    const i = failedAt(list) - 2;
    const read = list[i];
    return read?.type === 'vault-request' && read.details.method === 'GET' && read.step === list[i + 2]!.step ? i : -1;
  };
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
    expect(readAt(events) >= 0).toBe(readsFirst);
    expect((await verifyAnchored(r.bundle, keyring)).code).toBe(0);
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
        const leaderOf = (e: JournalEvent) =>
          e.type === 'active-node' && e.details.profile === list[i]!.details.profile;
        // The leader the record last names for the cluster before the failure, else (as the laptop
        // records the first leader it finds) the one the retry found, on the record.
        const named = list.slice(0, before).findLast(leaderOf);
        const found = named ? [] : [list.slice(0, i).findLast(leaderOf)!];
        const lastLeader = (named ?? found[0]!).details.node as string;
        // Its request, answer and what the laptop recorded of them, up to the retry's result, on
        // that node (the cluster settling with it active).
        const end = list.findIndex((e, k) => k > i && e.type === 'service-result');
        const onLastLeader = (details: JournalEvent['details']) =>
          'node' in details
            ? { ...details, node: lastLeader }
            : Array.isArray(details.nodes)
              ? {
                  ...details,
                  nodes: details.nodes.map((n) => ({ ...(n as Mutable), active: (n as Mutable).node === lastLeader })),
                }
              : details;
        const sent = [...found, ...list.slice(i, end)].map((e) => ({
          ...structuredClone(e),
          step: at.step,
          time: at.time,
          details: onLastLeader(e.details),
        }));
        return [...list.slice(0, before), ...sent, ...list.slice(before)];
      });
      expect(v.code).toBe(1);
      expect(v.output).toMatch(
        new RegExp(
          `\\(service-result\\) records the result \\{"outcome":"failed","reason":"no node of .*; nothing was sent"\\}, but the laptop, given the Vault answers recorded before it, records ${madeResult(kind)}`,
        ),
      );
    });

    // Only a call that reads the cluster's status before it looks for a leader has that read to leave out.
    if (readsFirst)
      it('when the status read it made before it found no leader is left out', async () => {
        const v = await verifyChanged((list) => {
          const read = readAt(list);
          return [...list.slice(0, read), ...list.slice(read + 2)];
        });
        expect(v.code).toBe(1);
        expect(v.output).toMatch(
          new RegExp(
            `\\(service-result\\) is recorded where the laptop, given the Vault answers recorded before it, first records a 'vault-request' \\(\\{"method":"GET".*"path":"${DR_STATUS}"`,
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
      expect(v.output).toMatch(leaderOnRecord ? sendsFirst(path) : findsNone(madeResult(kind)));
    });
  });
});
