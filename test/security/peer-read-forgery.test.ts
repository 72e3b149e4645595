// @tier integration
/**
 * The auditor's adversary on a promotion whose plan names the old primary in peer_profiles: before
 * promoting, the laptop asks it whether it still reports DR primary (here it is down, so the read
 * fails and the promotion goes on). `verify` replays the promote with the plan's peers, not those
 * the record reads (issue #12: a record could be thinned), so the honest bundle, re-signed by the
 * real people, verifies, and exits 1 when the peer's read is left out (a laptop that never asked)
 * or a read of a cluster the plan does not name is added.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CastMember } from '../../electron/services/rehearsal/rehearsal-cast';
import { PRIMARY_PROFILE } from '../../electron/services/rehearsal/rehearsal-target';
import type { JournalEvent } from '../../shared/record/journal-event';
import { cleanUp } from '../drills/drill-support';
import { finishAndVerify, haDrill } from '../drills/ha-drill-support';
import { readJournal, reauthorised, signedBundle, writeKeyring } from '../support/doctored-bundle';
import { verifyAnchored } from '../support/rehearsed-promotion';

const DR_STATUS = 'sys/replication/dr/status';

let dir: string;
let bundle: string;
let people: CastMember[];
let keyring: string;
let events: JournalEvent[];
let copies = 0;

beforeAll(async () => {
  const d = await haDrill('peer-read-forgery', { nodes: 1 }, true);
  // The old primary's site is lost: asked before promoting, it does not answer, and the promotion is made.
  await d.vault.faults.takeDown('primary');
  await finishAndVerify(d);
  dir = d.dir;
  bundle = join(d.dir, 'bundle');
  people = [d.cast.administrator, ...d.cast.witnesses];
  keyring = writeKeyring(join(d.dir, 'auditor-keys.asc'), people);
  events = readJournal(join(bundle, 'journal.jsonl'));
}, 120_000);
afterAll(cleanUp);

/** `verify` of the bundle with `change` made to its journal, its authorisations signed afresh by the real people. */
async function verifyChanged(change: (list: JournalEvent[]) => JournalEvent[]) {
  const doctored = join(dir, `doctored-${++copies}`);
  await signedBundle(doctored, await reauthorised(change(events.map((e) => structuredClone(e))), people), people);
  return verifyAnchored(doctored, keyring);
}

/** Where the promote step's read of the peer's DR status begins (its request; its answer follows). */
const peerReadAt = (list: JournalEvent[]) =>
  list.findIndex(
    (e) =>
      e.type === 'vault-request' &&
      e.step === 'promote' &&
      e.details.path === DR_STATUS &&
      e.details.profile === PRIMARY_PROFILE,
  );

/** The laptop, replayed, records the peer's read where the record has something else. */
const ASKS_PEER = new RegExp(
  `, where the laptop writes \\{"method":"GET","path":"${DR_STATUS}","profile":"${PRIMARY_PROFILE}"\\}`,
);

it('the plan names the peer, its read is on the record before the promote, and the bundle verifies re-signed unchanged', async () => {
  expect((events[1]!.details.plan as { peer_profiles?: string[] }).peer_profiles).toEqual([PRIMARY_PROFILE]);
  // Signed with the plan: the transcript shows it among the plan's fields.
  expect(readFileSync(join(bundle, 'transcript.txt'), 'utf8')).toMatch(
    new RegExp(`^ +plan\\.peer_profiles\\[0\\]: "${PRIMARY_PROFILE}"$`, 'm'),
  );
  const read = peerReadAt(events);
  expect(read).toBeGreaterThan(0);
  expect(events[read + 1]).toMatchObject({ type: 'vault-response', details: { path: DR_STATUS } });
  const promote = events.findIndex(
    (e) => e.type === 'vault-request' && e.details.path === 'sys/replication/dr/secondary/promote',
  );
  expect(promote).toBeGreaterThan(read);
  expect((await verifyAnchored(bundle, keyring)).code).toBe(0);
  expect((await verifyChanged((list) => list)).code).toBe(0);
});

describe('a promotion whose record does not ask the clusters its plan names fails verify (exit 1)', () => {
  it("when the peer's read is left out", async () => {
    const v = await verifyChanged((list) => {
      const read = peerReadAt(list);
      return [...list.slice(0, read), ...list.slice(read + 2)];
    });
    expect(v.code).toBe(1);
    expect(v.output).toMatch(ASKS_PEER);
  });

  it('when a cluster the plan does not name is read too', async () => {
    const v = await verifyChanged((list) => {
      const read = peerReadAt(list);
      const unnamed = list
        .slice(read, read + 2)
        .map((e) => ({ ...structuredClone(e), details: { ...e.details, profile: 'dc3' } }));
      return [...list.slice(0, read + 2), ...unnamed, ...list.slice(read + 2)];
    });
    expect(v.code).toBe(1);
    expect(v.output).toMatch(/event \d+ \(vault-request\) holds .*"profile":"dc3".*, where the laptop writes /);
  });
});
