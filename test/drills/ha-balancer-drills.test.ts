// @tier integration
/**
 * HA drills behind a load balancer, where each request may reach another node: sealed standbys
 * whose "Vault is sealed" says nothing of who leads, an isolated standby whose answers through
 * the balancer must not hold the settling up, and an active-only balancer that closes connections
 * while no node leads (not a refused certificate), on a 3-node DR secondary over mutual TLS.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isHaClient, type HaVaultClient } from '../../electron/services/vault/ha-client';
import { cleanUp } from './drill-support';
import { drillTarget, expectVerifiesAnchored, finishAndVerify, haDrill, ofType } from './ha-drill-support';

afterEach(cleanUp);

function haClientOf(client: unknown): HaVaultClient {
  if (!isHaClient(client as never)) throw new Error('a 3-node cluster gets an HA client');
  return client as HaVaultClient;
}

describe('sealed standbys behind a round-robin balancer', () => {
  it('the active node is found through the balancer whichever node answers first', async () => {
    const { vault, target } = await drillTarget('sealed-rr', { nodes: 3, balancer: 'round-robin' });
    const ha = vault.ha('drSecondary');
    for (const standby of ha.nodes.slice(1)) standby.sealApart();
    const client = haClientOf(target.client);
    // Each shift puts the balancer's next connection on another node, sealed or not.
    for (let shift = 0; shift < 3; shift++) {
      await client.health();
      const resolved = await client.resolveActive();
      expect(resolved.ok && resolved.value, `shift ${shift}`).toBe(ha.nodes[0]!.apiAddr);
    }
  });

  it('a ceremony promotes and verifies with both standbys sealed', async () => {
    const d = await haDrill('sealed-rr-ceremony', { nodes: 3, balancer: 'round-robin' });
    for (const standby of d.vault.ha('drSecondary').nodes.slice(1)) standby.sealApart();
    await finishAndVerify(d);
    expect(ofType(d, 'active-node').map((e) => e.details['node'])).toEqual([d.vault.drSecondary.nodes[0]!.apiAddr]);
  });

  it('gives up after a bounded number of sealed answers, saying how many came from a sealed node', async () => {
    const { vault, target } = await drillTarget('sealed-rr-all', { nodes: 3, balancer: 'round-robin' });
    const ha = vault.ha('drSecondary');
    for (const node of ha.nodes.slice(1)) node.sealApart();
    // No node leads and the unsealed one is down: every answer comes from a sealed node.
    await ha.hardKill();
    const resolved = await haClientOf(target.client).resolveActive();
    expect(!resolved.ok && resolved.error.message).toMatch(/3 of 3 answers came from a sealed node/);
    const asked = ha.received.filter((r) => r.path === 'sys/leader');
    expect(asked).toHaveLength(3);
  });
});
describe('an isolated standby behind a round-robin balancer', () => {
  for (const membership of ['standby-unhealthy', 'removed'] as const)
    it(`the cluster settles at once, whichever node the balancer asks (${membership})`, async () => {
      const { vault, target } = await drillTarget(`isolated-rr-${membership}`, { nodes: 3, balancer: 'round-robin' });
      const ha = vault.ha('drSecondary');
      ha.isolate(ha.nodes[1]!.id, membership);
      const client = haClientOf(target.client);
      for (let shift = 0; shift < 3; shift++) {
        await client.health();
        const started = Date.now();
        const settled = await client.settle(undefined, 5_000);
        expect(settled.ok, `shift ${shift}: ${settled.ok ? '' : settled.error.message}`).toBe(true);
        expect(client.activeAddress).toBe(ha.nodes[0]!.apiAddr);
        expect(Date.now() - started).toBeLessThan(2_000);
      }
    });

  it('a ceremony promotes and verifies with two standbys of five isolated, settling on the active node', async () => {
    // Two of five: the leader keeps its quorum (raft's majority), and the balancer still picks them.
    const d = await haDrill('isolated-rr-ceremony', { nodes: 5, balancer: 'round-robin' });
    const ha = d.vault.ha('drSecondary');
    await d.play((s) => s.step === 'share-entry');
    for (const standby of ha.nodes.slice(1, 3)) ha.isolate(standby.id, 'standby-unhealthy');
    const started = Date.now();
    await finishAndVerify(d);
    expect(Date.now() - started).toBeLessThan(30_000);
    const settled = ofType(d, 'cluster-settled').at(-1)?.details;
    expect(settled).toMatchObject({ settled: true });
    // A settle on the balancer's answer from a cut-off standby is on the record, and verify, which
    // replays the settle rule over the recorded reports, takes the record as the laptop's own.
    const reports = ofType(d, 'cluster-settled').flatMap((e) => e.details['nodes'] as Array<{ excluded?: string }>);
    expect(reports.some((n) => n.excluded === 'partitioned')).toBe(true);
    await expectVerifiesAnchored(join(d.dir, 'bundle'), d.cast);
    // The promote reached the active node itself, and only it acted on it.
    const promotes = ha.received.filter((r) => r.path === 'sys/replication/dr/secondary/promote');
    expect(promotes.map((r) => r.actedOn)).toEqual([ha.nodes[0]!.id]);
  });
});

describe('an active-only balancer while no node leads', () => {
  it('the laptop says the balancer closed the connection, not that its certificate was refused', async () => {
    const { vault, target } = await drillTarget('active-only-none', { nodes: 3, balancer: 'active-only' });
    vault.ha('drSecondary').stepDown({ leaderlessMs: 2_000 });
    const resolved = await haClientOf(target.client).resolveActive();
    const message = !resolved.ok ? resolved.error.message : '';
    expect(message).toMatch(/^no node of 'dr-secondary' reports itself active \(https:\/\/127\.0\.0\.1:\d+: https/);
    expect(message).toContain(
      'the load balancer closed the connection: no node may be active behind it; check sys/leader on each node',
    );
    expect(message).not.toMatch(/client certificate is issued|refused this laptop's client certificate/);
  });

  it('a ceremony told so as the attempt is to start sends nothing, and promotes once a leader is elected', async () => {
    const d = await haDrill('active-only-election', { nodes: 3, balancer: 'active-only' });
    await d.play((s) => s.step === 'start-attempt');
    const ha = d.vault.ha('drSecondary');
    const before = ha.received.length;
    ha.stepDown({ leaderlessMs: 1_000 });
    const failed = await d.play((s) => s.lastError !== null);
    expect(failed.lastError?.message).toMatch(/the load balancer closed the connection: .*; nothing was sent$/);
    // The balancer passed nothing on: no node received a request while none led.
    expect(ha.received.slice(before)).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_000));
    if (failed.input === 'retry') expect((await d.service.retry()).ok).toBe(true);
    await finishAndVerify(d);
  });
});
