// @tier integration
/**
 * HA drills: whole promotion ceremonies against 3-node rehearsal clusters over mutual TLS, with
 * the leader changing mid-ceremony, a round-robin balancer in front, or the old primary still
 * primary. Each checks what the journal records and what Vault ends up as.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { playCeremony } from '../../electron/services/rehearsal/headless-driver';
import { cleanUp } from './drill-support';
import { finishAndVerify, haDrill, ofType, startedAttempts } from './ha-drill-support';

afterEach(cleanUp);

describe('HA drills', () => {
  it('the active node steps down after k-1 shares: the leader change is recorded, the lost attempt is a witnessed deviation, the ceremony restarts on the new leader and promotes', async () => {
    const d = await haDrill('step-down', { nodes: 3 });
    const [first, second] = d.vault.drSecondary.nodes.map((n) => n.apiAddr);
    await d.play(() => d.log.some((l) => l.includes('accepted: 2 of 3')));
    d.vault.ha('drSecondary').stepDown();
    await finishAndVerify(d);

    // Which node leads is on the record, and the change of leader with it.
    expect(ofType(d, 'active-node').map((e) => [e.details['previous'] ?? null, e.details['node']])).toEqual([
      [null, first],
      [first, second],
    ]);
    const [lost] = ofType(d, 'deviation');
    expect(lost?.details).toMatchObject({ kind: 'attempt-lost', detected: true });
    expect(lost?.details['reason']).toMatch(/active node changed from .* lived only in/);
    expect(ofType(d, 'deviation-witnessed')).toHaveLength(1);
    // Each attempt is recorded with its node and nonce; the restart is on the new leader.
    const attempts = startedAttempts(d);
    expect(attempts.map((a) => a.node)).toEqual([first, second]);
    expect(attempts[0]!.nonce).not.toBe(attempts[1]!.nonce);
    // Nothing reached a node but the active one.
    const received = d.vault.ha('drSecondary').received.filter((r) => r.path.includes('generate-operation-token'));
    expect(received.every((r) => r.node === r.actedOn)).toBe(true);
    // The token was deleted only once every node reported primary with one leader.
    const settled = ofType(d, 'cluster-settled');
    expect(settled.at(-1)?.details).toMatchObject({ settled: true });
    expect((settled.at(-1)?.details['nodes'] as Array<{ dr_mode: string }>).map((n) => n.dr_mode)).toEqual([
      'primary',
      'primary',
      'primary',
    ]);
  });

  it('a round-robin balancer in front of the DR secondary: the active node is found through it, and every attempt call reaches the active node itself', async () => {
    const d = await haDrill('balancer', { nodes: 3, balancer: 'round-robin' });
    await finishAndVerify(d);
    const ha = d.vault.ha('drSecondary');
    const attemptCalls = ha.received.filter((r) => r.path.includes('generate-operation-token'));
    expect(attemptCalls.length).toBeGreaterThan(4);
    expect(attemptCalls.every((r) => r.node === 'dr-secondary-node-1' && r.actedOn === r.node)).toBe(true);
    const requests = ofType(d, 'vault-request').filter((e) => /generate-/.test(e.details['path'] as string));
    expect(new Set(requests.map((e) => e.details['node']))).toEqual(new Set([d.vault.drSecondary.nodes[0]!.apiAddr]));
  });

  it('promote-before-demote: refused while the primary still reports primary, then made after a witnessed two-primaries deviation', async () => {
    const d = await haDrill('two-primaries', { nodes: 3 }, true);
    expect(d.journal()[1]!.details['plan']).toMatchObject({ peer_profiles: ['primary'] });
    // A refused confirm-then-act call waits for people to authorise it again.
    const refused = await d.play((s) => /two primaries/.test(s.lastResult ?? ''));
    expect(refused.step).toBe('promote');
    expect(refused.lastResult).toMatch(/'primary' still reports DR primary/);
    const promoteSent = () =>
      ofType(d, 'vault-request').some((e) => e.details['path'] === 'sys/replication/dr/secondary/promote');
    expect(promoteSent()).toBe(false);
    expect(d.vault.cluster('drSecondary').replication.dr.mode).toBe('secondary');

    const raised = await d.service.act({
      type: 'deviation',
      kind: 'two-primaries',
      actor: d.cast.administrator.name,
      reason: 'the old primary is cut off from every client and cannot be reached to demote it',
    });
    if (!raised.ok) throw new Error(raised.error.message);
    await finishAndVerify(d);
    expect(promoteSent()).toBe(true);
    const deviation = ofType(d, 'deviation').find(
      (e) => (e.details['event'] as { kind?: string })?.kind === 'two-primaries',
    );
    expect(deviation).toBeDefined();
    expect(ofType(d, 'deviation-witnessed').length).toBeGreaterThanOrEqual(1);
  });

  it('cancelled after the token was decoded: the closing step deletes the token on the cluster still a secondary, and the bundle verifies', async () => {
    const d = await haDrill('ha-cancel-decoded', { nodes: 3 });
    const decoded = await d.play((s) => s.step === 'promote');
    expect(decoded.step).toBe('promote');
    const { administrator, witnesses } = d.cast;
    const cancelled = await d.service.act({ type: 'cancel', actor: administrator.name, reason: 'the primary is back' });
    expect(cancelled.ok).toBe(true);
    const id = d.service.status().openDeviations[0]!.id;
    expect((await d.service.act({ type: 'deviationWitnessed', id, actor: witnesses[0]!.name })).ok).toBe(true);
    const ended = await d.play();
    expect(ended.step).toBe('cancelled');
    expect(d.vault.cluster('drSecondary').replication.dr.mode).toBe('secondary');
    const deleted = d
      .journal()
      .filter((e) => e.type === 'vault-response' && e.step === 'delete-operation-token')
      .map((e) => e.details['status']);
    expect(deleted).toEqual([204]);
    const report = await d.service.exportBundle(join(d.dir, 'bundle'));
    if (!report.ok) throw new Error(report.error.message);
    expect(report.value.valid).toBe(true);
  }, 120_000);

  it('the headless driver stops at the second identical promote refusal instead of re-authorising it', async () => {
    const d = await haDrill('refused-again', { nodes: 3 }, true);
    const played = await playCeremony(d.service, d.cast, { log: (line) => d.log.push(line) });
    expect(played.ok).toBe(false);
    if (played.ok) return;
    expect(played.error.message).toMatch(/'primary' still reports DR primary/);
    const refusals = ofType(d, 'service-result')
      .map((e) => e.details['event'] as { outcome?: string; reason?: string })
      .filter((e) => e.outcome === 'failed' && /still reports DR primary/.test(e.reason ?? ''));
    expect(refusals).toHaveLength(2);
    expect(d.vault.cluster('drSecondary').replication.dr.mode).toBe('secondary');
  });
});
