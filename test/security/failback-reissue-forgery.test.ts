// @tier integration
/**
 * The auditor's adversary on a failback resumed after its laptop stopped: the laptop revokes the
 * old primary's secondary id and issues a new activation token only when the record shows its own
 * token for that id issued and never carried by an update-primary (the token died with it: only
 * the laptop ever holds a failback's token). `verify --keyring` replays the resumed step through
 * the laptop's own action code (action-replay.ts), which reads that judgement from the record
 * before it (call-history.ts ownIssuedToken), so a revoke and reissue recorded where the record
 * shows the token carried by an update-primary (it may be in use), or a reissue without the
 * revoke, fails (exit 1); the journal re-chained and re-signed by the real people.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CastMember } from '../../electron/services/rehearsal/rehearsal-cast';
import { FAILBACK_SECONDARY_ID } from '../../electron/services/rehearsal/rehearsal-ceremony';
import { DR_SECONDARY_PROFILE } from '../../electron/services/rehearsal/rehearsal-target';
import type { JournalEvent } from '../../shared/record/journal-event';
import { playCeremony } from '../../electron/services/rehearsal/headless-driver';
import { cleanUp, onCleanUp } from '../drills/drill-support';
import { failbackDrill, restarted, type FailbackDrill } from '../drills/failback-drill-support';
import { readJournal } from '../support/doctored-bundle';
import { verifyChangedCopy } from '../support/rehearsed-promotion';

const STEP = 'create-secondary-token';
const STATUS = 'sys/replication/dr/status';
const TOKEN = 'sys/replication/dr/primary/secondary-token';
const REVOKE = 'sys/replication/dr/primary/revoke-secondary';
const UPDATE = 'sys/replication/dr/secondary/update-primary';
type Mutable = Record<string, unknown>;

let root: string;
/** Stopped after the token was issued, resumed: the token revoked and issued anew (honest). */
let died: Signed;
/**
 * Stopped while update-primary carried the token, resumed without reading whether it was made, the id
 * revoked out of band: a new token issued (honest).
 */
let carried: Signed;
let copies = 0;

/** Plays to the end, a person retrying a failed step once, as the room would. */
async function finished(d: FailbackDrill) {
  for (let tries = 0; tries < 3; tries++) {
    const played = await playCeremony(d.service, d.cast, { log: () => undefined, until: (s) => s.input === 'retry' });
    if (played.ok && played.value.step === 'finished') break;
    if (d.service.status().input === 'retry') await d.service.retry();
  }
  expect(d.service.status().step).toBe('finished');
  const report = await d.service.exportBundle(join(d.dir, 'bundle'));
  if (!report.ok) throw new Error(report.error.message);
  // The record as signed, up to its closing event.
  return {
    events: readJournal(join(d.dir, 'bundle', 'journal.jsonl')),
    people: [d.cast.administrator, ...d.cast.witnesses],
  };
}

/** A bundle's record and the real people who signed it. */
interface Signed {
  readonly events: JournalEvent[];
  readonly people: CastMember[];
}

const sent = (events: readonly JournalEvent[], path: string) =>
  events.filter((e) => e.type === 'vault-request' && e.details['path'] === path);

beforeAll(async () => {
  const first = await failbackDrill('forgery-died', 1);
  root = first.dir;
  await playCeremony(first.service, first.cast, { log: () => undefined, until: (s) => s.step === 'update-primary' });
  died = await finished(await restarted(first));
  expect(sent(died.events, REVOKE)).toHaveLength(1);

  const other = await failbackDrill('forgery-carried', 1);
  // The old primary acts on update-primary at once; its answer is held back until the laptop has stopped.
  other.vault.faults.delayResponses('primary', 5_000, { path: /dr\/secondary\/update-primary$/, times: 1 });
  const cut = playCeremony(other.service, other.cast, { log: () => undefined });
  while (sent(readJournal(other.journalPath), UPDATE).length === 0) await new Promise((r) => setTimeout(r, 20));
  // The resume cannot read whether the old primary follows the new one: the token steps are run again.
  other.vault.faults.dropResponses('primary', { path: /^sys\/replication\/status$/, times: 1 });
  const resumed = await restarted(other);
  await cut;
  // Someone revokes the id on the new primary, as the refusal's message says to: the laptop then asks afresh.
  const admin = await other.target.connect(other.vault.rootToken, DR_SECONDARY_PROFILE);
  if (!admin.ok) throw new Error(admin.error.message);
  onCleanUp(() => admin.value.close());
  expect((await admin.value.dr.primary.revokeSecondary({ id: FAILBACK_SECONDARY_ID })).ok).toBe(true);
  carried = await finished(resumed);
  expect(sent(carried.events, REVOKE)).toHaveLength(0);
  expect(sent(carried.events, TOKEN)).toHaveLength(2);
}, 240_000);
afterAll(cleanUp);

/** `verify` of `events` with `change` made, its authorisations signed afresh by the real people. */
async function verifyChanged(record: Signed, change: (list: JournalEvent[]) => void) {
  return verifyChangedCopy(join(root, `doctored-${++copies}`), record, change);
}

/** The entries of the last run at the token step: from its last status read to its result. */
function lastTokenRun(list: JournalEvent[]) {
  const result = list.findLastIndex((e) => e.type === 'service-result' && e.step === STEP);
  const read = list.findLastIndex((e, i) => i < result && e.type === 'vault-request' && e.details['path'] === STATUS);
  return { read, result };
}

describe('a failback resumed after its laptop stopped', () => {
  it('verifies re-signed with nothing changed: the token that died revoked and issued anew', async () => {
    const result = died.events.findLast((e) => e.type === 'service-result' && e.step === STEP)!;
    expect((result.details['event'] as { facts: Mutable }).facts).toMatchObject({ replaced: true });
    const r = await verifyChanged(died, () => undefined);
    expect(r.code, r.output).toBe(0);
  });

  it('verifies re-signed with nothing changed: the id revoked out of band, a new token asked for', async () => {
    const r = await verifyChanged(carried, () => undefined);
    expect(r.code, r.output).toBe(0);
  });
});

describe("a failback's revoke and reissue the record does not justify fails verify (exit 1)", () => {
  it('when the token an update-primary carried is recorded revoked and issued anew, as if it had died', async () => {
    // The revoke and its answer, as the laptop records them, from the honest run.
    const revoke = died.events.filter((e) => e.step === STEP && e.details['path'] === REVOKE);
    expect(revoke.map((e) => e.type)).toEqual(['vault-request', 'vault-response']);
    const r = await verifyChanged(carried, (list) => {
      const { read, result } = lastTokenRun(list);
      // The primary read as still knowing the id, the revoke made, and the result saying the token was replaced.
      const data = list[read + 1]!.details['data'] as Mutable;
      data['known_secondaries'] = [FAILBACK_SECONDARY_ID];
      (list[result]!.details['event'] as { facts: Mutable }).facts['replaced'] = true;
      // Dated as the read they follow: the laptop never dates an event before the one before it.
      list.splice(read + 2, 0, ...revoke.map((e) => ({ ...structuredClone(e), time: list[read + 1]!.time })));
    });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /\(service-result\) follows event \d+ \(vault-request: \{"body":\{"id":"old-primary"\},"method":"POST","path":"sys\/replication\/dr\/primary\/revoke-secondary".*\), which the laptop, given the Vault answers recorded before it, does not record there/,
    );
  });

  it('when the token that died is issued anew without the revoke', async () => {
    const r = await verifyChanged(died, (list) => {
      const { read, result } = lastTokenRun(list);
      const at = list.findIndex((e, i) => i > read && i < result && e.details['path'] === REVOKE);
      list.splice(at, 2);
    });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/where the laptop writes \{.*"path":"sys\/replication\/dr\/primary\/revoke-secondary"/);
  });
});
