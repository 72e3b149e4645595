// @tier integration
/**
 * Operation ceremonies that change a cluster's replication mode, on a 3-node cluster: after the
 * call every node reloads replication and none leads for a while, so whatever the ceremony does
 * next on that cluster (the post-check, the token's deletion) must wait for it to settle.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanOperation } from '../../shared/ceremony/ceremony-plan';
import type { JournalEvent } from '../../shared/record/journal-event';
import type { RehearsalVault } from '../../rehearsal-vault/rehearsal-cluster-set';
import { playCeremony } from '../../electron/services/rehearsal/headless-driver';
import type { Signers } from '../../electron/services/rehearsal/rehearsal-cast';
import {
  rehearsalCast,
  rehearsalServiceOptions,
  startRehearsalCeremony,
} from '../../electron/services/rehearsal/rehearsal-ceremony';
import { resumeCeremony } from '../../electron/services/ceremony/ceremony-recovery';
import type { CeremonyService } from '../../electron/services/ceremony/ceremony-service';
import {
  DR_SECONDARY_PROFILE,
  PRIMARY_PROFILE,
  type RehearsalTarget,
} from '../../electron/services/rehearsal/rehearsal-target';
import { electionWhenAsked, expectVerifiesAnchored, NOTHING_SENT_TOLD } from './ha-drill-support';
import { operationRig, type OperationRig } from './operation-drill-support';

let rig: OperationRig;
let vault: RehearsalVault;
let target: RehearsalTarget;
let signers: Signers;

beforeAll(async () => {
  rig = await operationRig({ officers: 3, threshold: 2, nodes: 3, settleMs: 3_000 });
  ({ vault, target, signers } = rig);
});

afterAll(() => rig?.close());

const operate = (...args: Parameters<OperationRig['operate']>) => rig.operate(...args);
const token = (secondaryId: string) => rig.token(secondaryId);
const followPrimaryAfresh = (tag: string) => rig.followPrimaryAfresh(tag);

const UPDATE_PRIMARY = 'sys/replication/dr/secondary/update-primary';
const UPDATE = { id: 'update-primary', replication: 'dr', method: 'token' } as const;

/** Whether the DR secondary now follows the primary as `secondaryId`. */
function isSecondary(secondaryId: string): boolean {
  const dr = vault.cluster('drSecondary').replication.dr;
  return dr.mode === 'secondary' && dr.secondaryId === secondaryId;
}

/** Every node's report once the cluster settled after the call, as the journal holds it. */
function settledModes(journal: readonly JournalEvent[]): string[] {
  const settled = journal.find((e) => e.type === 'cluster-settled' && e.step === 'perform-operation')?.details;
  expect(settled?.['settled']).toBe(true);
  return (settled?.['nodes'] as Array<{ dr_mode: string; excluded?: string }>).map((n) => n.excluded ?? n.dr_mode);
}

describe('mode-changing operations on a 3-node cluster', () => {
  it('disable-primary, enable-primary, demote and disable-secondary each wait for the cluster to settle', async () => {
    const steps: Array<[PlanOperation['id'], string]> = [
      ['disable-primary', 'disabled'],
      ['enable-primary', 'primary'],
      ['demote', 'secondary'],
      ['disable-secondary', 'disabled'],
    ];
    for (const [id, mode] of steps) {
      const { journal } = await operate(`op-${id}`, PRIMARY_PROFILE, { id, replication: 'dr' });
      expect(vault.cluster('primary').replication.dr.mode).toBe(mode);
      expect(settledModes(journal)).toEqual([mode, mode, mode]);
    }
  }, 120_000);

  it('enable-secondary settles with its standbys sealed, and update-primary follows on that cluster', async () => {
    await operate('op-enable-primary-2', PRIMARY_PROFILE, { id: 'enable-primary', replication: 'dr' });
    // The primary's replication set is new, so the DR secondary follows nothing until enabled afresh.
    await operate('op-disable-secondary-2', DR_SECONDARY_PROFILE, { id: 'disable-secondary', replication: 'dr' });
    expect(vault.cluster('drSecondary').replication.dr.mode).toBe('disabled');
    const enabled = await operate(
      'op-enable-secondary',
      DR_SECONDARY_PROFILE,
      { id: 'enable-secondary', replication: 'dr' },
      await token('dc2-anew'),
    );
    expect(vault.cluster('drSecondary').replication.dr.mode).toBe('secondary');
    // Its standbys wait for the primary's unseal keys: reported, not waited for (that would take 120 s).
    expect(settledModes(enabled.journal)).toEqual(['secondary', 'sealed', 'sealed']);
    await operate(
      'op-update-primary',
      DR_SECONDARY_PROFILE,
      { id: 'update-primary', replication: 'dr', method: 'token' },
      await token('dc2-again'),
    );
    expect(vault.cluster('drSecondary').replication.dr.mode).toBe('secondary');
  }, 180_000);
  it('performance enable-primary and disable-primary wait for a leader before their post-check', async () => {
    for (const [id, mode] of [
      ['enable-primary', 'primary'],
      ['disable-primary', 'disabled'],
    ] as const) {
      const { journal } = await operate(`op-perf-${id}`, PRIMARY_PROFILE, { id, replication: 'performance' });
      expect(vault.cluster('primary').replication.performance.mode).toBe(mode);
      // sys/health tells each node's DR mode only: the wait is for one leader and agreement on that.
      expect(settledModes(journal)).toEqual(['primary', 'primary', 'primary']);
    }
  }, 120_000);
  it.each([
    { id: 'enable-primary', replication: 'performance', from: 'disabled', to: 'primary', drModes: 'primary' },
    { id: 'disable-primary', replication: 'dr', from: 'primary', to: 'disabled', drModes: 'disabled' },
  ] as const)(
    '$replication $id whose answer is lost: the mode read shows it made, and it is not sent again',
    async ({ id, replication, from, to, drModes }) => {
      const path = `sys/replication/${replication}/primary/${id.replace('-primary', '')}`;
      expect(vault.cluster('primary').replication[replication].mode).toBe(from);
      vault.faults.dropResponses('primary', { path: new RegExp(`${path}$`), times: 1 });
      const { journal } = await operate(`op-${replication}-${id}-lost`, PRIMARY_PROFILE, { id, replication });
      expect(vault.cluster('primary').replication[replication].mode).toBe(to);
      const sent = journal.filter((e) => e.type === 'vault-request' && e.details['path'] === path);
      expect(sent).toHaveLength(1);
      expect(settledModes(journal)).toEqual([drModes, drModes, drModes]);
    },
    120_000,
  );
  it.each(['performance', 'dr'] as const)(
    '%s secondary-token whose answer is lost: the id its lost request registered is revoked and a token issued',
    async (replication) => {
      if (vault.cluster('primary').replication[replication].mode !== 'primary')
        await operate(`op-${replication}-primary-again`, PRIMARY_PROFILE, { id: 'enable-primary', replication });
      const path = `sys/replication/${replication}/primary/secondary-token`;
      vault.faults.dropResponses('primary', { path: new RegExp(`${path}$`), times: 1 });
      const id = `lost-${replication}`;
      const operation = { id: 'secondary-token', replication, secondary_id: id, ttl: '30m' } as const;
      const { issued, journal } = await operate(`op-${replication}-token-lost`, PRIMARY_PROFILE, operation);
      const sent = (p: string) => journal.filter((e) => e.type === 'vault-request' && e.details['path'] === p);
      expect(sent(path)).toHaveLength(2);
      expect(sent(`sys/replication/${replication}/primary/revoke-secondary`).map((e) => e.details['body'])).toEqual([
        { id },
      ]);
      expect(issued).toMatch(/^eyJ/);
      expect(journal.some((e) => JSON.stringify(e).includes(issued!))).toBe(false);
      expect(vault.cluster('primary').replication[replication].mode).toBe('primary');
    },
    120_000,
  );
  it('update-primary with an activation token whose answer is lost: the status shows it made, and it is not sent again', async () => {
    await followPrimaryAfresh('before-lost');
    vault.faults.dropResponses('drSecondary', { path: new RegExp(`${UPDATE_PRIMARY}$`), times: 1 });
    const activation = await token('dc2-after');
    const { journal } = await operate('op-update-lost', DR_SECONDARY_PROFILE, UPDATE, activation);
    expect(journal.filter((e) => e.type === 'vault-request' && e.details['path'] === UPDATE_PRIMARY)).toHaveLength(1);
    expect(vault.cluster('drSecondary').replication.dr).toMatchObject({ mode: 'secondary', secondaryId: 'dc2-after' });
    // The same token again (used up): nothing in the status changed, so the failure says what to do.
    await expect(operate('op-update-used', DR_SECONDARY_PROFILE, UPDATE, activation)).rejects.toThrow(
      /failed to unwrap activation token.*ask that primary for a new one \(a 'secondary-token' operation/,
    );
  }, 180_000);
  it('update-primary with an activation token, the laptop stopping mid-call: the resumed ceremony finds it made', async () => {
    await followPrimaryAfresh('before-crash');
    const activation = await token('dc2-resumed');
    if (activation === undefined) throw new Error('no activation token was issued');
    const harness = {
      target,
      signers,
      journalPath: join(rig.root, 'op-update-crash.jsonl'),
      clients: { [DR_SECONDARY_PROFILE]: await rig.connect(DR_SECONDARY_PROFILE) },
    };
    const started = await startRehearsalCeremony({
      ...harness,
      id: 'op-update-crash',
      operation: { profile: DR_SECONDARY_PROFILE, operation: UPDATE },
    });
    if (!started.ok) throw new Error(started.error.message);
    const cast = rehearsalCast(target, signers);
    const log: string[] = [];
    const enterToken = async (service: CeremonyService) => {
      const asked = await playCeremony(service, cast, {
        log: (l) => log.push(l),
        until: (s) => s.input === 'activation-token',
      });
      if (!asked.ok) throw new Error(`${asked.error.message}\n${log.join('\n')}`);
      const entered = await service.provideToken(activation);
      if (!entered.ok) throw new Error(entered.error.message);
    };
    await enterToken(started.value);
    // Vault acts at once but holds the answer back; the laptop stops before it is journaled.
    vault.faults.delayResponses('drSecondary', 5_000, { path: new RegExp(`${UPDATE_PRIMARY}$`), times: 1 });
    const playing = playCeremony(started.value, cast, { log: (l) => log.push(l) });
    for (let waited = 0; !isSecondary('dc2-resumed'); waited += 20) {
      if (waited > 30_000) throw new Error(`update-primary never reached Vault\n${log.join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await started.value.close();
    await playing;

    const resumed = await resumeCeremony(rehearsalServiceOptions(harness));
    if (!resumed.ok) throw new Error(resumed.error.message);
    try {
      // The activation token did not survive the restart: the administrator enters it again (already used).
      await enterToken(resumed.value);
      const ended = await playCeremony(resumed.value, cast, { log: (l) => log.push(l) });
      if (!ended.ok) throw new Error(`${ended.error.message}\n${log.join('\n')}`);
      expect(ended.value.step).toBe('finished');
      const dir = join(rig.root, 'op-update-crash-bundle');
      const report = await resumed.value.exportBundle(dir);
      if (!report.ok) throw new Error(report.error.message);
      expect(report.value.problems).toEqual([]);
    } finally {
      await resumed.value.close();
    }
    const journal = readFileSync(harness.journalPath, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as JournalEvent);
    expect(journal.filter((e) => e.type === 'interruption')).toHaveLength(1);
    expect(journal.filter((e) => e.type === 'vault-request' && e.details['path'] === UPDATE_PRIMARY)).toHaveLength(1);
  }, 180_000);
  it("update-primary with an activation token while the token's primary is down: the failure is recorded, the retry updates, and the bundle verifies", async () => {
    await followPrimaryAfresh('before-down');
    const primary = vault.ha('primary');
    const down = { make: () => primary.stop(), clear: () => primary.start() };
    const { journal } = await operate('op-update-down', DR_SECONDARY_PROFILE, UPDATE, await token('dc2-down'), down);
    expect(vault.cluster('drSecondary').replication.dr).toMatchObject({ mode: 'secondary', secondaryId: 'dc2-down' });
    const results = journal.filter((e) => e.type === 'service-result' && e.step === 'perform-operation');
    expect(results.map((e) => (e.details['event'] as { outcome: string }).outcome)).toEqual(['failed', 'ok']);
    expect((results[0]!.details['event'] as { reason: string }).reason).toMatch(
      /failed to unwrap activation token: .*connection refused.*does not show it following the primary the activation token names/,
    );
  }, 180_000);
  // Who leads is asked first for a status read (which goes where the last did, retrying a 503: a
  // read is safe to repeat, and rides the election out), then just before the call, which is never
  // sent while no node leads.
  const leaderless: ReadonlyArray<{
    readonly operation: PlanOperation;
    readonly profile: typeof PRIMARY_PROFILE | typeof DR_SECONDARY_PROFILE;
    /** The election starts at the first question of who leads after this path was asked for. */
    readonly after?: string;
    /** What the laptop asks who leads for as the election starts. */
    readonly moment: 'a status read' | 'the call';
    /** Sets the scene; returns the activation token to enter, if any. */
    readonly scene?: () => Promise<string | undefined>;
  }> = [
    {
      operation: { id: 'secondary-token', replication: 'dr', secondary_id: 'leaderless-read', ttl: '30m' },
      profile: PRIMARY_PROFILE,
      moment: 'a status read',
    },
    {
      operation: { id: 'secondary-token', replication: 'dr', secondary_id: 'leaderless-call', ttl: '30m' },
      profile: PRIMARY_PROFILE,
      after: 'sys/replication/dr/status',
      moment: 'the call',
    },
    {
      operation: UPDATE,
      profile: DR_SECONDARY_PROFILE,
      after: 'sys/replication/dr/status',
      moment: 'the call',
      // It follows the primary already (the drill before): a new token moves it to a new secondary id.
      scene: () => token('dc2-leaderless'),
    },
    { operation: { id: 'disable-primary', replication: 'performance' }, profile: PRIMARY_PROFILE, moment: 'the call' },
  ];
  it.each(leaderless)(
    'no node leads as $operation.replication $operation.id asks who leads for $moment: no call is sent while none does, the room is told why, and the bundle verifies',
    async ({ operation, profile, after, moment, scene }) => {
      const activation = await scene?.();
      const role = profile === PRIMARY_PROFILE ? 'primary' : 'drSecondary';
      const election = electionWhenAsked(vault.ha(role), after);
      const id = `op-leaderless-${operation.id}-${moment.replace(/\W/g, '')}`;
      const { journal, dir } = await operate(id, profile, operation, activation, election);
      await expectVerifiesAnchored(dir, rehearsalCast(target, signers));
      expect(election.started).toBe(true);
      expect(election.sent.filter((r) => !r.startsWith('GET '))).toEqual([]);
      const results = journal
        .filter((e) => e.type === 'service-result' && e.step === 'perform-operation')
        .map((e) => e.details['event'] as { outcome: string; reason?: string });
      for (const failed of results.slice(0, -1)) expect(failed.reason).toMatch(NOTHING_SENT_TOLD);
      expect(results.map((r) => r.outcome)).toEqual(moment === 'the call' ? ['failed', 'ok'] : ['ok']);
    },
    120_000,
  );
});
