// @tier integration
/**
 * The auditor's adversary on an HA promotion's record: which node each call went to and answered
 * from, and who led before it. On a 3-node cluster an election as the attempt was to start made
 * the laptop send nothing, then find the new leader, record the change and go on there. The laptop
 * asks who leads before every call that changes the cluster and records every change of leader its
 * clients learn, and after the promote waits for the cluster to settle on one leader, every node
 * that speaks primary (ceremony-actions.ts). So a call recorded on a node none of its clients knew
 * as leader, a change of leader left off the record or recorded where nobody asked, an answer from
 * another node than its request went to, a read recorded twice, or the cluster recorded settled
 * with nodes the laptop does not wait for, its journal re-chained and re-signed by the real
 * people, fails `verify` (exit 1), while the honest record verifies. So does a failback's call
 * recorded on the other cluster, or a leader of one cluster recorded as the other's.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CastMember } from '../../electron/services/rehearsal/rehearsal-cast';
import type { JournalEvent } from '../../shared/record/journal-event';
import { startRehearsalVault } from '../../rehearsal-vault/rehearsal-cluster-set';
import { runRehearsal } from '../../electron/services/rehearsal/headless-rehearsal';
import { ATTEMPT, cleanUp, onCleanUp, UPDATE } from '../drills/drill-support';
import { failbackDrill, playing } from '../drills/failback-drill-support';
import { finishAndVerify, haDrill, leaderlessAt } from '../drills/ha-drill-support';
import { readJournal, reauthorised, signedBundle, writeKeyring } from '../support/doctored-bundle';
import { verifyAnchored } from '../support/rehearsed-promotion';

const PROMOTE = 'sys/replication/dr/secondary/promote';

/** An honest run's folder (its bundle in `bundle`), signers, the auditor's keyring, and its journal. */
interface Honest {
  readonly dir: string;
  readonly people: CastMember[];
  readonly keyring: string;
  readonly events: JournalEvent[];
}

function honest(dir: string, people: CastMember[]): Honest {
  const keyring = writeKeyring(join(dir, 'auditor-keys.asc'), people);
  return { dir, people, keyring, events: readJournal(join(dir, 'bundle', 'journal.jsonl')) };
}

let promotion: Honest;
/** The first leader the record names, the one the election made, and a node it never names as leader. */
let first: string;
let elected: string;
let standby: string;
let copies = 0;

beforeAll(async () => {
  const d = await haDrill('ha-node-forgery', { nodes: 3 });
  await leaderlessAt(d, (s) => s.step === 'generate-otp');
  await finishAndVerify(d);
  promotion = honest(d.dir, [d.cast.administrator, ...d.cast.witnesses]);
  const changes = promotion.events.filter((e) => e.type === 'active-node');
  expect(changes.map((e) => e.details.previous)).toEqual([undefined, expect.any(String)]);
  [first, elected] = changes.map((e) => e.details.node as string) as [string, string];
  const settled = promotion.events.find((e) => e.type === 'cluster-settled')!.details.nodes as Array<{ node: string }>;
  standby = settled.map((n) => n.node).find((n) => n !== first && n !== elected)!;
  expect(standby).toBeDefined();
}, 120_000);
afterAll(cleanUp);

/** `verify` of `run`'s bundle with `change` made to its journal, its authorisations signed afresh by the real people. */
async function verifyChanged(change: (list: JournalEvent[]) => JournalEvent[], run = promotion) {
  const copy = join(run.dir, `doctored-${++copies}`);
  const list = change(run.events.map((e) => structuredClone(e)));
  await signedBundle(copy, await reauthorised(list, run.people), run.people);
  return verifyAnchored(copy, run.keyring);
}

/** Whether `e` is the request or answer of a call to `path` (with `method`, if given). */
const call = (e: JournalEvent, path: string, method?: string) =>
  (e.type === 'vault-request' || e.type === 'vault-response') &&
  e.details.path === path &&
  (method === undefined || e.details.method === method);
/** `list` with the node of every entry `which` picks set to `node`. */
const movedTo = (list: JournalEvent[], which: (e: JournalEvent) => boolean, node: string) =>
  list.map((e) => (which(e) ? { ...e, details: { ...e.details, node } } : e));
const leaderChange = (e: JournalEvent) => e.type === 'active-node' && e.details.previous !== undefined;

it('verifies re-signed with nothing changed: each call on the node that led, each change of leader on the record', async () => {
  expect((await verifyAnchored(join(promotion.dir, 'bundle'), promotion.keyring)).code).toBe(0);
  expect((await verifyChanged((list) => list)).code).toBe(0);
});

/** `text` as it matches itself in a RegExp. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** verify's problem where a run's entry has the laptop's client know `node` as leader, which the record never named so. */
const unnamedLeader = (type: string, node: () => string, profile = 'dr-secondary') =>
  new RegExp(
    `ends a run whose event \\d+ \\(${type}\\) has the laptop's client of '${profile}' know ${literal(node())} as its leader, which the record does not name as one before it`,
  );
/** verify's problem where a run's entry is not the one the laptop writes there. */
const notWritten = (recorded: string, written: string) =>
  new RegExp(
    `ends a run whose entries are not the laptop's: event \\d+ ${recorded}.*, where the laptop writes ${written}`,
  );
/** `list` with `entries` inserted at `at`, dated as the entry before them (the laptop's clock never goes back). */
const inserted = (list: JournalEvent[], at: number, entries: JournalEvent[]) => [
  ...list.slice(0, at),
  ...entries.map((e) => ({ ...structuredClone(e), time: list[at - 1]!.time })),
  ...list.slice(at),
];

/** verify's problem where the cluster is recorded settled with reports the laptop does not take as settled, and `why`. */
const unsettled = (why: string) =>
  new RegExp(
    `ends a run whose event \\d+ \\(cluster-settled\\) records 'dr-secondary' settled with nodes the laptop does not take as settled${why}`,
  );
/** A node as a `cluster-settled` entry records it. */
interface SettledNode {
  readonly node: string;
  active: boolean;
  dr_mode: string;
}
/** `list` with the nodes the cluster settled with after the promote as `change` makes them. */
const settledAs = (list: JournalEvent[], change: (nodes: SettledNode[]) => void) => {
  const settled = list.find((e) => e.type === 'cluster-settled' && e.step === 'promote')!;
  change(settled.details.nodes as unknown as SettledNode[]);
  return list;
};

/**
 * `list` with a change of leader to `node` from `previous` recorded as the cluster settles after the
 * promote: the cluster settles with `node` active, and the calls after it go there.
 */
const electedAsSettling = (list: JournalEvent[], node: string, previous: string) => {
  const at = list.findIndex((e) => e.type === 'cluster-settled' && e.step === 'promote');
  const change = list.find(leaderChange)!;
  const noted = { ...change, step: 'promote', details: { ...change.details, node, previous } };
  const moved = movedTo(list.slice(at), (e) => e.details.node !== undefined, node);
  for (const e of moved.filter((e) => e.type === 'cluster-settled'))
    for (const n of e.details.nodes as unknown as SettledNode[]) n.active = n.node === node;
  return [...list.slice(0, at), { ...noted, time: list[at - 1]!.time }, ...moved];
};

it('verifies with a change of leader recorded as the cluster settles after the promote, from the leader its client knew (an election the laptop may see)', async () => {
  expect((await verifyChanged((list) => electedAsSettling(list, standby, elected))).code).toBe(0);
});

describe('an HA record whose nodes are not where the laptop sent its calls fails verify (exit 1)', () => {
  it.each([
    {
      forgery: 'the promote sent to a node the record never names as leader',
      change: (list: JournalEvent[]) => movedTo(list, (e) => call(e, PROMOTE), standby),
      problem: () => unnamedLeader('vault-request', () => standby),
    },
    {
      forgery: 'the promote sent to the leader the record says the election replaced',
      change: (list: JournalEvent[]) => movedTo(list, (e) => call(e, PROMOTE), first),
      problem: () => unnamedLeader('vault-request', () => first),
    },
    {
      forgery: 'the change of leader after the election left off the record',
      change: (list: JournalEvent[]) => list.filter((e) => !leaderChange(e)),
      problem: () => unnamedLeader('vault-request', () => elected),
    },
    {
      forgery: 'the change of leader naming another node than the calls after it went to',
      change: (list: JournalEvent[]) => movedTo(list, leaderChange, standby),
      problem: () =>
        notWritten(`\\(vault-request\\) holds \\{.*"node":"${literal(elected)}"`, `\\{.*"node":"${literal(standby)}"`),
    },
    {
      forgery:
        "a change of leader recorded between a share's attempt read and its update, where nobody asked who leads",
      change: (list: JournalEvent[]) => {
        const update = list.findIndex((e) => call(e, UPDATE, 'PUT'));
        const change = list.find(leaderChange)!;
        const moved = {
          ...change,
          step: list[update]!.step,
          details: { ...change.details, node: standby, previous: elected },
        };
        return movedTo(
          inserted(list, update, [moved]),
          (e) => e.seq === list[update]!.seq || e.seq === list[update + 1]!.seq,
          standby,
        );
      },
      problem: () => notWritten('\\(active-node\\) is recorded with type "active-node"', '"vault-request"'),
    },
    {
      forgery: 'the promote answered by another node than the one it was sent to',
      change: (list: JournalEvent[]) =>
        movedTo(list, (e) => e.type === 'vault-response' && e.details.path === PROMOTE, standby),
      problem: () => notWritten(`\\(vault-response\\) holds \\{.*"node":"${literal(standby)}"`, '\\{'),
    },
    {
      forgery: "a share's attempt read, retried on the same node, recorded twice",
      change: (list: JournalEvent[]) => {
        const update = list.findIndex((e) => call(e, UPDATE, 'PUT'));
        expect(call(list[update - 2]!, ATTEMPT, 'GET')).toBe(true);
        return inserted(list, update, list.slice(update - 2, update));
      },
      problem: () => notWritten('\\(vault-request\\) holds \\{"method":"GET"', '\\{"body":\\{"key":"\\[redacted\\]"'),
    },
    {
      forgery: 'the cluster recorded settled after the promote with a node still reporting DR secondary',
      change: (list: JournalEvent[]) =>
        settledAs(list, (nodes) => (nodes.find((n) => !n.active)!.dr_mode = 'secondary')),
      problem: () => unsettled(` \\(one active node, and those that can speak in DR mode 'primary'\\)`),
    },
    {
      forgery: 'the cluster recorded settled after the promote with two nodes active',
      change: (list: JournalEvent[]) => settledAs(list, (nodes) => nodes.forEach((n) => (n.active = true))),
      problem: () => unsettled(' \\(one active node'),
    },
    {
      forgery: 'the cluster recorded settled after the promote with no node active',
      change: (list: JournalEvent[]) => settledAs(list, (nodes) => nodes.forEach((n) => (n.active = false))),
      problem: () => unsettled(' \\(one active node'),
    },
    {
      forgery: 'the cluster recorded settled after the promote with another node active than the leader it knows',
      change: (list: JournalEvent[]) =>
        settledAs(list, (nodes) => nodes.forEach((n) => (n.active = n.node === standby))),
      problem: () =>
        unsettled(` on the leader it knows \\(${literal(standby)} is active, where it knows ${literal(elected)}\\)`),
    },
    {
      forgery:
        'a change of leader recorded as the cluster settles after the promote, from the leader the election replaced',
      change: (list: JournalEvent[]) => electedAsSettling(list, standby, first),
      problem: () =>
        new RegExp(
          `ends a run whose event \\d+ \\(active-node\\) records the leader of 'dr-secondary' changing from ${literal(first)}, where the laptop's client knew ${literal(elected)}`,
        ),
    },
    {
      forgery: 'the promote answered 503 by its node, stepped down after the leader check, its result still made',
      change: (list: JournalEvent[]) =>
        list.map((e) =>
          e.type === 'vault-response' && e.details.path === PROMOTE
            ? {
                ...e,
                details: {
                  profile: e.details.profile,
                  node: e.details.node,
                  method: 'POST',
                  path: PROMOTE,
                  ok: false,
                  error: { kind: 'vault-error', message: 'Vault answered 503: node is not active', status: 503 },
                },
              }
            : e,
        ) as JournalEvent[],
      // After a failed promote the laptop reads the cluster's mode, where the record has it settling.
      problem: () => notWritten('\\(cluster-settled\\) is recorded with type "cluster-settled"', '"vault-request"'),
    },
  ])('$forgery', async ({ change, problem }) => {
    const v = await verifyChanged(change);
    expect(v.code).toBe(1);
    expect(v.output).toMatch(problem());
  });
});

// Its attempt calls carry the primary's root token on a client of their own, which knows the leader
// apart from the plain client's: each one's leaders are on the record, and so it verifies.
it('verifies a 3-node Vault 2.x promotion, its root-token client seeing a leader change mid-shares', async () => {
  const started = await startRehearsalVault({ officers: 3, threshold: 2, vaultVersion: 2, nodes: 3, settleMs: 300 });
  if (!started.ok) throw new Error(started.error.message);
  const vault = started.value;
  onCleanUp(() => vault.close());
  let updates = 0;
  vault.ha('drSecondary').onRequest = (_node, request) => {
    if (request.path === UPDATE && ++updates === 1) vault.ha('drSecondary').stepDown();
  };
  const out = join(promotion.dir, 'v2');
  const r = await runRehearsal({ out, target: { kind: 'in-process', vault }, log: () => undefined });
  if (!r.ok) throw new Error(r.error.message);
  const changes = readJournal(join(out, 'journal.jsonl')).filter((e) => e.type === 'active-node');
  // The root-token client's first leader, its change, and the plain client's first leader.
  expect(changes.map((e) => e.details.previous === undefined)).toEqual([true, false, true]);
  expect(r.value.report.problems).toEqual([]);
  expect(r.value.report.valid).toBe(true);
}, 120_000);

describe('a failback over two 3-node clusters whose calls are recorded on the other cluster fails verify (exit 1)', () => {
  const DEMOTE = 'sys/replication/dr/primary/demote';
  let failback: Honest;
  /** The demote's cluster, and the other one with the first leader the record names for it. */
  let demoted: string;
  let other: { profile: string; leader: string };

  beforeAll(async () => {
    const d = await failbackDrill('ha-node-forgery', 3);
    expect((await playing(d, []).play()).step).toBe('finished');
    const report = await d.service.exportBundle(join(d.dir, 'bundle'));
    if (!report.ok) throw new Error(report.error.message);
    failback = honest(d.dir, [d.cast.administrator, ...d.cast.witnesses]);
    demoted = failback.events.find((e) => call(e, DEMOTE))!.details.profile as string;
    const leader = failback.events.find((e) => e.type === 'active-node' && e.details.profile !== demoted)!;
    other = { profile: leader.details.profile as string, leader: leader.details.node as string };
  }, 120_000);

  it('verifies re-signed with nothing changed', async () => {
    expect((await verifyChanged((list) => list, failback)).code).toBe(0);
  });

  it('when the demote is recorded as sent to the leader of the other cluster', async () => {
    const v = await verifyChanged((list) => movedTo(list, (e) => call(e, DEMOTE), other.leader), failback);
    expect(v.code).toBe(1);
    // Its run begins by finding its own cluster's leader, which the request must go to.
    expect(v.output).toMatch(
      notWritten(
        `\\(vault-request\\) holds \\{"method":"POST","node":"${literal(other.leader)}"`,
        '\\{"method":"POST"',
      ),
    );
  });

  it("when the demoted cluster's first leader is recorded under the other cluster's profile", async () => {
    const v = await verifyChanged((list) => {
      const noted = list.find((e) => e.type === 'active-node' && e.details.profile === demoted)!;
      return list.map((e) => (e === noted ? { ...e, details: { ...e.details, profile: other.profile } } : e));
    }, failback);
    expect(v.code).toBe(1);
    expect(v.output).toMatch(
      new RegExp(
        `follows event \\d+ \\(active-node: \\{"node":"[^"]+","profile":"${other.profile}"\\}\\), which the laptop, given the Vault answers recorded before it, does not record there`,
      ),
    );
  });
});
