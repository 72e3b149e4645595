// @tier integration
/**
 * The auditor's adversary on a failback resumed after its laptop stopped while update-primary was
 * with Vault: the laptop takes the failback as made, and goes on to the post-check without making
 * a token again, only when its resume read the old primary as a DR secondary following a primary
 * (resume-reading.ts). `verify --keyring` replays that reading over the recorded answer
 * (action-replay.ts resumeMismatch), so a record that finishes the failback with that read showing
 * the old primary following no primary, or without the read, fails (exit 1); the journal
 * re-chained and re-signed by the real people.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CastMember } from '../../electron/services/rehearsal/rehearsal-cast';
import type { JournalEvent } from '../../shared/record/journal-event';
import { playCeremony } from '../../electron/services/rehearsal/headless-driver';
import { cleanUp } from '../drills/drill-support';
import { failbackDrill, restarted } from '../drills/failback-drill-support';
import { readJournal } from '../support/doctored-bundle';
import { verifyChangedCopy } from '../support/rehearsed-promotion';

const UPDATE = 'sys/replication/dr/secondary/update-primary';
const STATUS = 'sys/replication/status';
type Mutable = Record<string, unknown>;

let root: string;
/** Stopped while update-primary was with Vault, which made it; resumed and finished (honest). */
let made: { readonly events: JournalEvent[]; readonly people: CastMember[] };
let copies = 0;

beforeAll(async () => {
  const d = await failbackDrill('forgery-update-sent', 1);
  root = d.dir;
  // The old primary acts on update-primary at once; its answer is held back until the laptop has stopped.
  d.vault.faults.delayResponses('primary', 5_000, { path: /dr\/secondary\/update-primary$/, times: 1 });
  const cut = playCeremony(d.service, d.cast, { log: () => undefined });
  while (!readJournal(d.journalPath).some((e) => e.type === 'vault-request' && e.details['path'] === UPDATE))
    await new Promise((r) => setTimeout(r, 20));
  const resumed = await restarted(d);
  await cut;
  const played = await playCeremony(resumed.service, resumed.cast, { log: () => undefined });
  expect(played.ok && played.value.step).toBe('finished');
  const report = await resumed.service.exportBundle(join(d.dir, 'bundle'));
  if (!report.ok) throw new Error(report.error.message);
  made = {
    events: readJournal(join(d.dir, 'bundle', 'journal.jsonl')),
    people: [d.cast.administrator, ...d.cast.witnesses],
  };
}, 240_000);
afterAll(cleanUp);

/** `verify` of the record with `change` made, its authorisations signed afresh by the real people. */
async function verifyChanged(change: (list: JournalEvent[]) => void) {
  return verifyChangedCopy(join(root, `doctored-${++copies}`), made, change);
}

/** Where the resume's read of the old primary's replication status is: its request, then its answer. */
function resumeRead(list: JournalEvent[]) {
  const resume = list.findIndex((e) => (e.details['event'] as Mutable | undefined)?.['type'] === 'resume');
  const read = list.findLastIndex((e, i) => i < resume && e.type === 'vault-request' && e.details['path'] === STATUS);
  return { resume, read };
}

describe('a failback resumed while its update-primary was with Vault', () => {
  it('verifies re-signed with nothing changed: the resume read the old primary following, and it finished', async () => {
    const { resume, read } = resumeRead(made.events);
    expect((made.events[resume]!.details['event'] as Mutable)['follows']).toBe(true);
    expect(made.events[read]!.step).toBe('update-primary');
    expect(made.events.some((e) => e.details['path'] === 'sys/replication/dr/primary/secondary-token')).toBe(true);
    const r = await verifyChanged(() => undefined);
    expect(r.code, r.output).toBe(0);
  });
});

describe('a failback finished on a resume the record does not justify fails verify (exit 1)', () => {
  it("when the resume's read answers that the old primary follows no primary", async () => {
    const r = await verifyChanged((list) => {
      const { read } = resumeRead(list);
      const dr = (list[read + 1]!.details['data'] as { dr: Mutable }).dr;
      expect(dr['known_primary_cluster_addrs']).not.toEqual([]);
      dr['known_primary_cluster_addrs'] = [];
      dr['primaries'] = [];
    });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /resumes with Vault's reading .*"follows":true,"mode":"secondary"\}, but the laptop, given the Vault answers recorded before it, reads .*"follows":false,/,
    );
  });

  it("when the resume's read of the old primary is left out", async () => {
    const r = await verifyChanged((list) => {
      const { read } = resumeRead(list);
      list.splice(read, 2);
    });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /where the laptop, given the Vault answers recorded before it, first records .*sys\/replication\/status/,
    );
  });
});
