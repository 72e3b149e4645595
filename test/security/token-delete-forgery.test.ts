// @tier integration
/**
 * The auditor's adversary on a failback whose DR operation token delete lost its answer: the retry
 * was refused (403), and the laptop called the step done only because the record shows its own
 * earlier delete sent and unanswered, and Vault refused the token for a read as well
 * (ceremony-actions.ts's tokenGone). `verify` replays that through the laptop's own code
 * (action-replay.ts): the honest record verifies (exit 0); the same 403 and read accepted with no
 * earlier request of the laptop's lost, its journal re-chained and re-signed by the real people,
 * fails (exit 1).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playCeremony } from '../../electron/services/rehearsal/headless-driver';
import type { CastMember } from '../../electron/services/rehearsal/rehearsal-cast';
import { BUNDLE_JOURNAL } from '../../electron/services/transcript/bundle-layout';
import type { JournalEvent } from '../../shared/record/journal-event';
import { cleanUp, readJournal } from '../drills/drill-support';
import { failbackDrill, type FailbackDrill } from '../drills/failback-drill-support';
import { verifyChangedCopy } from '../support/rehearsed-promotion';

const DELETE_TOKEN = 'sys/replication/dr/secondary/operation-token/delete';
const STEP = 'delete-operation-token';

let drill: FailbackDrill;
let people: CastMember[];
let events: JournalEvent[];
let copies = 0;

beforeAll(async () => {
  drill = await failbackDrill('delete-forgery', 1);
  drill.vault.faults.dropResponses('primary', { path: /operation-token\/delete$/, times: 1 });
  // The driver stops at the failed delete; a person retries it once, as the room would.
  const failed = await playCeremony(drill.service, drill.cast, { log: () => undefined });
  expect(failed.ok).toBe(false);
  const retried = await drill.service.retry();
  if (!retried.ok) throw new Error(retried.error.message);
  const ended = await playCeremony(drill.service, drill.cast, { log: () => undefined });
  if (!ended.ok || ended.value.step !== 'finished') throw new Error('the ceremony did not finish');
  const bundle = join(drill.dir, 'bundle');
  const exported = await drill.service.exportBundle(bundle);
  if (!exported.ok) throw new Error(exported.error.message);
  people = [drill.cast.administrator, ...drill.cast.witnesses];
  events = readJournal(join(bundle, BUNDLE_JOURNAL));
}, 180_000);
afterAll(cleanUp);

/** `verify` of the bundle with `change` made to its journal, its authorisations signed afresh by the real people. */
async function verifyChanged(change: (list: JournalEvent[]) => void) {
  return verifyChangedCopy(join(drill.dir, `doctored-${++copies}`), { events, people }, change);
}

describe("a failback whose token delete lost its answer, the retry's 403 confirmed by a refused read", () => {
  it('verifies anchored as recorded, the step done in plain words', async () => {
    const done = events.findLast((e) => e.type === 'service-result' && e.step === STEP);
    expect(done?.details['event']).toMatchObject({ outcome: 'ok', facts: { gone: expect.stringMatching(/lost/) } });
    const r = await verifyChanged(() => undefined);
    expect(r.code, r.output).toBe(0);
  });

  it('fails verify (exit 1) when the record holds no earlier delete of its own whose answer was lost', async () => {
    const r = await verifyChanged((list) => {
      // The first delete, its lost answer and the failed result made of it: gone, so the 403 is the first answer.
      const first = list.findIndex(
        (e) => e.type === 'vault-request' && e.step === STEP && e.details.path === DELETE_TOKEN,
      );
      expect(list[first + 1]?.details['ok']).toBe(false);
      expect(list[first + 2]?.type).toBe('service-result');
      list.splice(first, 3);
    });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/laptop, given the Vault answers recorded before it/);
  });
});
