// @tier integration
/**
 * Failback drills: faults at the failback's own irreversible calls, on the rehearsal Vault over
 * mutual TLS, the scene set by a rehearsed promotion first (as `rehearse --kind failback` does).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { playCeremony } from '../../electron/services/rehearsal/headless-driver';
import { FAILBACK_SECONDARY_ID } from '../../electron/services/rehearsal/rehearsal-ceremony';
import { DELETED_EARLIER } from '../../shared/ceremony/ceremony-events';
import { DR_SECONDARY_PROFILE } from '../../electron/services/rehearsal/rehearsal-target';
import { cleanUp, kindOf, onCleanUp, readJournal } from './drill-support';
import { failbackDrill, playing, restarted, type FailbackDrill } from './failback-drill-support';
import { expectVerifiesAnchored, leaderlessAt } from './ha-drill-support';

afterEach(cleanUp);

const DEMOTE = 'sys/replication/dr/primary/demote';

/** The ceremony's bundle, exported, passes every record check (each extra read on the record included). */
async function expectBundleVerifies(d: FailbackDrill) {
  const report = await d.service.exportBundle(join(d.dir, 'bundle'));
  if (!report.ok) throw new Error(report.error.message);
  expect(report.value.problems).toEqual([]);
  expect(report.value.valid).toBe(true);
}

describe('a failback whose demote answer is lost', () => {
  for (const nodes of [1, 3] as const) {
    it(`on ${nodes} node(s): the DR mode is read, the demotion found made, and demote is not sent again`, async () => {
      const d = await failbackDrill(`demote-lost-${nodes}`, nodes);
      d.vault.faults.dropResponses('primary', { path: /dr\/primary\/demote$/, times: 1 });
      const log: string[] = [];
      // The driver authorises the demote again after its failure, as people would; then the mode decides.
      const ended = await playCeremony(d.service, d.cast, { log: (l) => log.push(l) });
      if (!ended.ok) throw new Error(`${ended.error.message}\n${log.join('\n')}`);
      expect(ended.value.step).toBe('finished');
      expect(d.vault.cluster('primary').replication.dr.mode).toBe('secondary');
      await expectBundleVerifies(d);
      const demotes = readJournal(d.journalPath).filter(
        (e) => e.type === 'vault-request' && e.details['path'] === DEMOTE,
      );
      expect(demotes).toHaveLength(1);
    }, 120_000);
  }
});

describe('a failback whose update-primary answer is lost', () => {
  it('the demoted cluster is found following a primary, and update-primary is not sent again with its used token', async () => {
    const d = await failbackDrill('update-lost', 3);
    d.vault.faults.dropResponses('primary', { path: /dr\/secondary\/update-primary$/, times: 1 });
    const log: string[] = [];
    const ended = await playCeremony(d.service, d.cast, { log: (l) => log.push(l) });
    if (!ended.ok) throw new Error(`${ended.error.message}\n${log.join('\n')}`);
    expect(ended.value.step).toBe('finished');
    await expectBundleVerifies(d);
    const sent = readJournal(d.journalPath).filter(
      (e) => e.type === 'vault-request' && e.details['path'] === 'sys/replication/dr/secondary/update-primary',
    );
    expect(sent).toHaveLength(1);
  }, 120_000);
});

const SECONDARY_TOKEN = 'sys/replication/dr/primary/secondary-token';
const REVOKE = 'sys/replication/dr/primary/revoke-secondary';

/** Plays to the end, a person asking once to retry each failed action, as the room would. */
async function playRetrying(d: FailbackDrill, log: (line: string) => void) {
  for (let retries = 0; ; retries++) {
    const played = await playCeremony(d.service, d.cast, { log, until: (s) => s.input === 'retry' });
    if (!played.ok || d.service.status().input !== 'retry' || retries === 3) return played;
    log(`  a person retries after: ${d.service.status().lastError?.message ?? '?'}`);
    const retried = await d.service.retry();
    if (!retried.ok) throw new Error(retried.error.message);
  }
}

function requests(d: FailbackDrill, path: string) {
  return readJournal(d.journalPath).filter((e) => e.type === 'vault-request' && e.details['path'] === path);
}

describe('a failback whose secondary-token answer is lost', () => {
  it('the id its own lost request registered is revoked and the token issued again, on the record', async () => {
    const d = await failbackDrill('token-lost', 1);
    d.vault.faults.dropResponses('drSecondary', { path: /dr\/primary\/secondary-token$/, times: 1 });
    const log: string[] = [];
    const ended = await playRetrying(d, (l) => log.push(l));
    if (!ended.ok) throw new Error(`${ended.error.message}\n${log.join('\n')}`);
    expect(ended.value.step).toBe('finished');
    expect(d.vault.cluster('primary').replication.dr.mode).toBe('secondary');
    expect(requests(d, SECONDARY_TOKEN)).toHaveLength(2);
    expect(requests(d, REVOKE).map((e) => e.details['body'])).toEqual([{ id: FAILBACK_SECONDARY_ID }]);
    await expectBundleVerifies(d);
  }, 120_000);

  it('an id registered before the ceremony asked (a real secondary) is neither revoked nor asked for', async () => {
    const d = await failbackDrill('token-taken', 1);
    const admin = await d.target.connect(d.vault.rootToken, DR_SECONDARY_PROFILE);
    if (!admin.ok) throw new Error(admin.error.message);
    onCleanUp(() => admin.value.close());
    expect((await admin.value.dr.primary.secondaryToken({ id: FAILBACK_SECONDARY_ID })).ok).toBe(true);
    const ended = await playRetrying(d, () => undefined);
    expect(ended.ok && d.service.status().input).toBe('retry');
    expect(d.service.status().lastError?.message).toMatch(
      /already knows a DR secondary with ID 'old-primary'.*nothing was changed/,
    );
    expect(requests(d, SECONDARY_TOKEN)).toHaveLength(0);
    expect(requests(d, REVOKE)).toHaveLength(0);
    const status = await admin.value.dr.status();
    expect(status.ok && status.value.data.known_secondaries).toEqual([FAILBACK_SECONDARY_ID]);
  }, 120_000);
});

describe('a failback whose laptop stopped after its secondary-token was answered', () => {
  const UPDATE = 'sys/replication/dr/secondary/update-primary';

  it('revokes the token that died with it, issues a new one, fails back, and the bundle verifies anchored', async () => {
    const first = await failbackDrill('token-died', 3);
    const log: string[] = [];
    // The token is in the stopped laptop's memory only: no update-primary carried it.
    expect((await playing(first, log).play((s) => s.step === 'update-primary')).step).toBe('update-primary');
    expect(requests(first, SECONDARY_TOKEN)).toHaveLength(1);
    const d = await restarted(first);
    const p = playing(d, log);
    const reissued = await p.play(
      (s) => s.step === 'create-secondary-token' && (s.lastResult ?? '').includes('Activation token created'),
    );
    expect(reissued.lastResult).toBe(
      `The token issued before the laptop stopped was never used; it is revoked and a new one issued. Activation token created for id '${FAILBACK_SECONDARY_ID}'.`,
    );
    expect((await p.play()).step).toBe('finished');
    expect(d.vault.cluster('primary').replication.dr.mode).toBe('secondary');
    expect(requests(d, REVOKE).map((e) => e.details['body'])).toEqual([{ id: FAILBACK_SECONDARY_ID }]);
    expect(requests(d, SECONDARY_TOKEN)).toHaveLength(2);
    expect(requests(d, UPDATE)).toHaveLength(1);
    await expectBundleVerifies(d);
    await expectVerifiesAnchored(join(d.dir, 'bundle'), d.cast);
  }, 180_000);

  /** Plays until update-primary's request is with Vault, acted on, its answer held back, and the laptop stops there. */
  async function stoppedWithUpdateSent(id: string, nodes: 1 | 3, log: string[]) {
    const first = await failbackDrill(id, nodes);
    // The old primary acts on update-primary at once; its answer is held back until the laptop has stopped.
    first.vault.faults.delayResponses('primary', 5_000, { path: /dr\/secondary\/update-primary$/, times: 1 });
    const cut = playing(first, log)
      .play()
      .catch(() => undefined);
    while (requests(first, UPDATE).length === 0) await new Promise((r) => setTimeout(r, 20));
    // The laptop journals the request before it reaches Vault: wait until Vault has acted on it, or
    // the restart could read the old primary before it does (and a drill forget it before it does).
    const attached = () => {
      const dr = first.vault.cluster('primary').replication.dr;
      return dr.mode === 'secondary' && dr.secondaryId !== '';
    };
    while (!attached()) await new Promise((r) => setTimeout(r, 20));
    return { first, cut };
  }

  function resumeNote(d: FailbackDrill) {
    const resumed = readJournal(d.journalPath).findLast((e) => e.type === 'deviation' && kindOf(e) === 'resumed');
    return JSON.stringify(resumed?.details);
  }

  for (const nodes of [1, 3] as const) {
    it(`on ${nodes} node(s): an update-primary made while the laptop was stopped is found so on resume, and nothing is redone`, async () => {
      const log: string[] = [];
      const { first, cut } = await stoppedWithUpdateSent(`update-made-${nodes}`, nodes, log);
      const d = await restarted(first);
      await cut;
      expect(resumeNote(d)).toContain(
        'the update-primary sent before the laptop stopped was made: the old primary follows the new one',
      );
      const ended = await playRetrying(d, (l) => log.push(l));
      if (!ended.ok) throw new Error(`${ended.error.message}\n${log.join('\n')}`);
      expect(ended.value.step).toBe('finished');
      expect(d.vault.cluster('primary').replication.dr.mode).toBe('secondary');
      expect(requests(d, SECONDARY_TOKEN)).toHaveLength(1);
      expect(requests(d, REVOKE)).toHaveLength(0);
      expect(requests(d, UPDATE)).toHaveLength(1);
      await expectBundleVerifies(d);
      await expectVerifiesAnchored(join(d.dir, 'bundle'), d.cast);
    }, 180_000);
  }

  it('an update-primary Vault did not act on: its token is revoked, a new one issued, and the failback made', async () => {
    const log: string[] = [];
    const { first, cut } = await stoppedWithUpdateSent('update-not-made', 1, log);
    first.vault.faults.forgetPrimary('primary');
    const d = await restarted(first);
    await cut;
    expect(resumeNote(d)).toContain('an update-primary sent before the laptop stopped was not made');
    const ended = await playRetrying(d, (l) => log.push(l));
    if (!ended.ok) throw new Error(`${ended.error.message}\n${log.join('\n')}`);
    expect(ended.value.step).toBe('finished');
    expect(d.vault.cluster('primary').replication.dr.mode).toBe('secondary');
    expect(requests(d, REVOKE).map((e) => e.details['body'])).toEqual([{ id: FAILBACK_SECONDARY_ID }]);
    expect(requests(d, SECONDARY_TOKEN)).toHaveLength(2);
    expect(requests(d, UPDATE)).toHaveLength(2);
    await expectBundleVerifies(d);
    await expectVerifiesAnchored(join(d.dir, 'bundle'), d.cast);
  }, 180_000);
});

describe('a failback on 3 nodes whose cluster has no leader as its call is to be sent', () => {
  it.each([
    { step: 'demote', cluster: 'primary', at: 'demote' },
    // Act-then-confirm: it acts as its step begins. Its primary's status is read first (a read rides an election out).
    { step: 'create-secondary-token', cluster: 'drSecondary', at: 'decode-token', after: 'sys/replication/dr/status' },
    { step: 'update-primary', cluster: 'primary', at: 'update-primary' },
  ] as const)(
    '$step: nothing is sent, the room is told why, the retry after the election goes on, and the bundle verifies',
    async ({ step, cluster, at, ...rest }) => {
      const d = await failbackDrill(`leaderless-${step}`, 3);
      const log: string[] = [];
      const p = playing(d, log);
      const after = 'after' in rest ? rest.after : undefined;
      const failed = await leaderlessAt(p, (s) => s.step === at, cluster, after);
      expect(failed.step).toBe(step);
      expect((await p.play()).step).toBe('finished');
      expect(d.vault.cluster('primary').replication.dr.mode).toBe('secondary');
      await expectBundleVerifies(d);
      await expectVerifiesAnchored(join(d.dir, 'bundle'), d.cast);
    },
    120_000,
  );
});

const DELETE_TOKEN = 'sys/replication/dr/secondary/operation-token/delete';
const RAFT_CONFIGURATION = 'sys/storage/raft/configuration';

describe("a failback whose DR operation token's delete answer is lost", () => {
  for (const nodes of [1, 3] as const) {
    it(`on ${nodes} node(s): the retry's 403 is confirmed by Vault refusing the token for a read, and the step is done`, async () => {
      const d = await failbackDrill(`delete-lost-${nodes}`, nodes);
      d.vault.faults.dropResponses('primary', { path: /operation-token\/delete$/, times: 1 });
      const log: string[] = [];
      const ended = await playRetrying(d, (l) => log.push(l));
      if (!ended.ok) throw new Error(`${ended.error.message}\n${log.join('\n')}`);
      expect(ended.value.step).toBe('finished');
      expect(requests(d, DELETE_TOKEN)).toHaveLength(2);
      expect(requests(d, RAFT_CONFIGURATION)).toHaveLength(1);
      const result = readJournal(d.journalPath).findLast(
        (e) => e.type === 'service-result' && e.step === 'delete-operation-token',
      );
      expect(result?.details['event']).toMatchObject({ outcome: 'ok', facts: { gone: DELETED_EARLIER } });
      await expectBundleVerifies(d);
      await expectVerifiesAnchored(join(d.dir, 'bundle'), d.cast);
    }, 120_000);
  }

  it('a 403 with no earlier request of its own lost stops the step with the refusal, and nothing is read', async () => {
    const d = await failbackDrill('delete-refused', 1);
    const at = await playing(d, []).play((s) => s.step === 'check-failback');
    expect(at.step).toBe('check-failback');
    // Someone else revoked the token: no request of this ceremony's can have.
    d.vault.cluster('primary').drOperationTokens.clear();
    const ended = await playRetrying(d, () => undefined);
    expect(ended.ok && d.service.status().input).toBe('retry');
    expect(d.service.status().lastError?.message).toMatch(/operation-token\/delete with HTTP 403.*permission denied/);
    expect(requests(d, DELETE_TOKEN).length).toBeGreaterThan(1);
    expect(requests(d, RAFT_CONFIGURATION)).toHaveLength(0);
  }, 120_000);
});
