// @tier integration
/**
 * Quorum drills: on integrated storage (raft) a node leads only with the votes of a majority of
 * the cluster's voters. With one standby of three cut off and the leader killed, the one node left
 * cannot be elected: no node leads, sys/leader names none, and a request the survivor would forward
 * is refused; the ceremony stops with nothing sent and says why, rather than acting on a leader raft
 * would never have. Once the partition heals, a leader is elected and the ceremony finishes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RehearsalVault } from '../../rehearsal-vault/rehearsal-cluster-set';
import { ACTIVE_NODE_NOT_FOUND } from '../../rehearsal-vault/standby-routing';
import { vaultRequest } from '../support/mtls-client';
import { cleanUp } from './drill-support';
import { drillTarget, finishAndVerify, haDrill, NOTHING_SENT_TOLD, ofType } from './ha-drill-support';

afterEach(cleanUp);

const ATTEMPT = 'sys/replication/dr/secondary/generate-operation-token/attempt';

const at = (v: RehearsalVault, addr: string) => (method: string, path: string) =>
  vaultRequest({ caPem: v.caPem, certPem: v.clientCertPem, keyPem: v.clientKeyPem }, addr, method, path, {});

describe('a DR secondary that loses its quorum', () => {
  for (const membership of ['standby-unhealthy', 'removed'] as const) {
    it(`3 nodes, one standby ${membership} and the leader killed: none leads until the standby is back`, async () => {
      const { vault } = await drillTarget(`quorum-${membership}`, { nodes: 3 });
      const ha = vault.ha('drSecondary');
      ha.isolate('dr-secondary-node-3', membership);
      // A removed node is no voter: 2 voters are left, and 1 of 2 is no majority either.
      expect(await ha.hardKill()).toBeUndefined();
      expect(ha.active).toBeUndefined();
      const survivor = ha.node('dr-secondary-node-2');
      const leader = await at(vault, survivor.apiAddr)('GET', 'sys/leader');
      expect(leader.json).toMatchObject({ ha_enabled: true, is_self: false, leader_address: '' });
      expect(await at(vault, survivor.apiAddr)('GET', ATTEMPT)).toMatchObject({
        status: 500,
        json: { errors: [ACTIVE_NODE_NOT_FOUND] },
      });

      ha.reconnect('dr-secondary-node-3');
      expect(ha.active?.id).toBe('dr-secondary-node-2');
      const elected = await at(vault, survivor.apiAddr)('GET', 'sys/leader');
      expect(elected.json).toMatchObject({ is_self: true, leader_address: survivor.apiAddr });
    });
  }

  it('5 nodes, one standby cut off and the leader killed: 3 of 5 still elect one', async () => {
    const { vault } = await drillTarget('quorum-five', { nodes: 5 });
    const ha = vault.ha('drSecondary');
    ha.isolate('dr-secondary-node-2', 'standby-unhealthy');
    expect((await ha.hardKill())?.id).toBe('dr-secondary-node-3');
  });

  it('a leader whose standbys are both cut off steps down; a killed leader restarted is elected again', async () => {
    const { vault } = await drillTarget('quorum-lost-leader', { nodes: 3 });
    const ha = vault.ha('drSecondary');
    ha.isolate('dr-secondary-node-2', 'standby-unhealthy');
    expect(ha.active?.id).toBe('dr-secondary-node-1');
    ha.isolate('dr-secondary-node-3', 'standby-unhealthy');
    expect(ha.active).toBeUndefined();
    expect(ha.stepDown()).toBeUndefined();
    ha.reconnect('dr-secondary-node-2');
    expect(ha.active?.id).toBe('dr-secondary-node-1');

    ha.reconnect('dr-secondary-node-3');
    ha.isolate('dr-secondary-node-2', 'standby-unhealthy');
    expect(await ha.hardKill()).toBeUndefined();
    await ha.restartNode('dr-secondary-node-1');
    expect(ha.active?.id).toBe('dr-secondary-node-1');
  });
});

describe('a promotion whose DR secondary loses its quorum during share entry', () => {
  it('stops with nothing sent and says why, then finishes once the partition heals', async () => {
    const d = await haDrill('quorum-ceremony', { nodes: 3 });
    const ha = d.vault.ha('drSecondary');
    await d.play((s) => s.step === 'share-entry');
    ha.isolate('dr-secondary-node-3', 'standby-unhealthy');
    expect(await ha.hardKill()).toBeUndefined();
    const sentBefore = ha.received.filter((r) => r.path !== 'sys/leader' && r.path !== 'sys/health').length;

    const stopped = await d.play((s) => s.lastError !== null);
    expect(stopped.lastError?.message).toMatch(NOTHING_SENT_TOLD);
    expect(stopped.lastError?.message).toMatch(/has lost its quorum/);
    // Nothing but the questions of who leads reached the cluster.
    expect(ha.received.filter((r) => r.path !== 'sys/leader' && r.path !== 'sys/health')).toHaveLength(sentBefore);

    ha.reconnect('dr-secondary-node-3');
    if (d.service.status().input === 'retry') expect((await d.service.retry()).ok).toBe(true);
    await finishAndVerify(d);
    expect(ofType(d, 'active-node').at(-1)?.details['node']).toBe(ha.node('dr-secondary-node-2').apiAddr);
  });
});
