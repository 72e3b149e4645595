// @tier integration
/**
 * A profile listing an HA cluster's nodes, against a real 3-node rehearsal DR secondary over mutual
 * TLS: every node is read as the dashboard shows it, each with its own server name when it has one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRehearsalVault, type RehearsalVault } from '../../../rehearsal-vault/rehearsal-cluster-set';
import type { ConnectionProfile } from '../../../shared/profiles/connection-profile';
import { describeNodes } from '../../../shared/replication/cluster-nodes';
import { connectProfile } from './connect';
import { readReplicationOverview } from './read-replication-overview';

const dir = mkdtempSync(join(tmpdir(), 'vc-connect-ha-'));
let vault: RehearsalVault;
let tls: Pick<ConnectionProfile, 'caCertPath' | 'clientCertPath' | 'clientKeyPath'>;

beforeAll(async () => {
  const started = await startRehearsalVault({ officers: 1, nodes: 3, settleMs: 100 });
  if (!started.ok) throw new Error(started.error.message);
  vault = started.value;
  tls = { caCertPath: join(dir, 'ca.pem'), clientCertPath: join(dir, 'c.pem'), clientKeyPath: join(dir, 'k.pem') };
  writeFileSync(tls.caCertPath, vault.caPem);
  writeFileSync(tls.clientCertPath, vault.clientCertPem);
  writeFileSync(tls.clientKeyPath, vault.clientKeyPem);
});
afterAll(async () => {
  await vault?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function overview(profile: ConnectionProfile) {
  const client = await connectProfile(profile);
  if (!client.ok) throw new Error(client.error.message);
  try {
    return await readReplicationOverview(client.value, {
      label: profile.name,
      address: profile.address,
      now: new Date(),
    });
  } finally {
    client.value.close();
  }
}

describe('an HA profile over mutual TLS', () => {
  it("reads every node, checking each node's certificate against its own server name", async () => {
    const [a, b, c] = vault.drSecondary.nodes.map((n) => n.apiAddr) as [string, string, string];
    const read = await overview({
      name: 'dc2',
      address: a,
      ...tls,
      nodes: [a, { address: b, tlsServerName: 'localhost' }, { address: c, tlsServerName: 'vault-3.example.com' }],
    });
    const nodes = read.cluster!.nodes;
    expect(nodes.map((n) => [n.address, n.reachable, n.active])).toEqual([
      [a, true, true],
      [b, true, false],
      // Its certificate does not name vault-3.example.com: refused, as it would be on the day.
      [c, false, false],
    ]);
    expect(nodes[2]!.problem).toMatch(/vault-3\.example\.com/);
    expect(describeNodes(read.cluster!).summary).toBe(`3 nodes, active: node 1 (${a}), 1 unreachable`);
  });

  it('after a step-down, reads the replication state from the new active node', async () => {
    const [a, b, c] = vault.drSecondary.nodes.map((n) => n.apiAddr) as [string, string, string];
    vault.ha('drSecondary').stepDown();
    const read = await overview({ name: 'dc2', address: a, ...tls, nodes: [a, b, c] });
    expect(read.cluster!.nodes.filter((n) => n.active).map((n) => n.address)).toEqual([b]);
    expect(read.replication.ok && read.replication.value.dr.mode).toBe('secondary');
    expect(read.health.ok && read.health.value.status).toBe(472);
  });

  it('a single-address profile reads as before, without a node list', async () => {
    const read = await overview({ name: 'one', address: vault.primary.apiAddr, ...tls });
    expect(read.cluster).toBeUndefined();
    expect(read.replication.ok && read.replication.value.dr.mode).toBe('primary');
  });
});
