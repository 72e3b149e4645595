// @tier integration
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRehearsalVault, type RehearsalVault } from '../../rehearsal-vault/rehearsal-cluster-set';
import { captureIo } from '../../test/support/capture-io';
import {
  createTestPki,
  json,
  startTestServer,
  type TestPki,
  type TestServer,
} from '../../test/support/mtls-test-server';
import { vaultRequest } from '../../test/support/mtls-client';
import { CORPUS, loadSample } from '../../test/support/vault-corpus';
import { RAFT_TRAILING_ENTRIES } from '../../shared/replication/cluster-nodes';
import { statusCommandFor } from './status';

const ESC = '\u001b';
const RLO = '\u202e';
const dir = mkdtempSync(join(tmpdir(), 'vc-status-'));
let pki: TestPki;
let server: TestServer;
/** The corpus samples the test server answers with, by path. */
let serving: Record<string, { status: number; body: unknown }> = {};
let vault: RehearsalVault;

const sample = (file: string) => {
  const s = CORPUS.find((c) => c.file === file)!;
  return { status: s.status, body: loadSample(s) };
};

beforeAll(async () => {
  pki = await createTestPki();
  server = await startTestServer(pki, (req, res) => {
    const answer = serving[(req.url.split('?')[0] ?? '').replace(/^\/v1\//, '')];
    if (answer) json(res, answer.status, answer.body);
    else json(res, 404, { errors: [] });
  });
  for (const [name, pem] of [
    ['ca.pem', pki.ca.certPem],
    ['client.pem', pki.client.certPem],
    ['client-key.pem', pki.client.keyPem],
    ['foreign.pem', pki.foreignClient.certPem],
    ['foreign-key.pem', pki.foreignClient.keyPem],
  ] as const)
    writeFileSync(join(dir, name), pem);
  const started = await startRehearsalVault({ officers: 1 });
  if (!started.ok) throw new Error(started.error.message);
  vault = started.value;
  writeFileSync(join(dir, 'rehearsal-ca.pem'), vault.caPem);
  writeFileSync(join(dir, 'rehearsal-client.pem'), vault.clientCertPem);
  writeFileSync(join(dir, 'rehearsal-client-key.pem'), vault.clientKeyPem);
});
afterAll(async () => {
  await server.close();
  await vault?.close();
  rmSync(dir, { recursive: true, force: true });
});

const corpusEnv = () => ({
  VAULT_ADDR: server.address,
  VAULT_CACERT: 'ca.pem',
  VAULT_CLIENT_CERT: 'client.pem',
  VAULT_CLIENT_KEY: 'client-key.pem',
});

async function status(env: Record<string, string>, ...argv: string[]) {
  const c = captureIo();
  const code = await statusCommandFor(env, dir)(argv, c.io);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

describe('vault-ceremony status against the docs’ samples, over mutual TLS', () => {
  it('reads the DR secondary sample (string-typed ms fields) and prints it as JSON', async () => {
    serving = {
      'sys/replication/status': {
        status: 200,
        body: {
          data: {
            dr: (sample('dr-secondary-status.json').body as { data: unknown }).data,
            performance: { mode: 'disabled' },
          },
        },
      },
      'sys/health': sample('health-dr-secondary.json'),
      'sys/seal-status': sample('seal-status-unsealed.json'),
    };
    const r = await status(corpusEnv(), '--json');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      dr: { mode: 'secondary', state: 'stream-wals', connection_state: 'ready', last_remote_wal: 223 },
      performance: { mode: 'disabled', state: null },
      health: { status: 472, replication_dr_mode: 'secondary' },
      verdict: { level: 'good' },
    });
    expect(report.dr.primaries[0].replication_primary_canary_age_ms).toBe(697);
  });

  it('reads the DR primary sample and words it in plain language', async () => {
    serving = {
      'sys/replication/status': sample('replication-status-dr-primary-perf-primary.json'),
      'sys/health': sample('health-active.json'),
      'sys/seal-status': sample('seal-status-unsealed.json'),
    };
    const r = await status(corpusEnv());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Verdict: good');
    expect(r.stdout).toContain('info: This cluster is a DR primary with 1 known secondary.');
    expect(r.stdout).toContain('DR replication: primary, state running');
    expect(r.stdout).toContain('WAL last_wal 223, last_dr_wal 223');
    expect(r.stdout).toContain(
      '4ca6b639-046b-5bb1-8043-6788ddf09121 (https://127.0.0.1:65531): connected, last heartbeat 2024-03-04T10:05:56-05:00, newest replicated data 696 ms old, clock skew 0 ms',
    );
    expect(r.stdout).toContain('Health: HTTP 200 (active), version 0.9.2');
  });

  it('names a standby cut off from its active node (474) as critical, and still exits 0', async () => {
    serving = { 'sys/health': sample('health-ha-unhealthy-474.json') };
    const r = await status(corpusEnv(), '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.verdict.level).toBe('critical');
    expect(report.dr).toMatchObject({ mode: 'unknown', state: null });
  });

  it('exits 1 with the named cause when the server refuses the client certificate', async () => {
    const r = await status({ ...corpusEnv(), VAULT_CLIENT_CERT: 'foreign.pem', VAULT_CLIENT_KEY: 'foreign-key.pem' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^vault-ceremony status: could not read the node: .*certificate/i);
  });

  it("prints Vault's strings through the visible-text filter, in text and in JSON that still parses", async () => {
    const health = sample('health-active.json');
    serving = { 'sys/health': { ...health, body: { ...(health.body as object), version: '1.15\u001b[2J\u202e' } } };
    const text = await status(corpusEnv());
    expect(text.stdout).toContain('version 1.15\\u001b[2J\\u202e');
    expect([...text.stdout].filter((ch) => ch === ESC || ch === RLO)).toEqual([]);
    const json = await status(corpusEnv(), '--json');
    expect([...json.stdout].filter((ch) => ch === ESC || ch === RLO)).toEqual([]);
    expect(JSON.parse(json.stdout).health.version).toBe('1.15\u001b[2J\u202e');
  });

  it('exits 2 for a missing variable or an unknown option', async () => {
    const missing = await status({ VAULT_ADDR: server.address });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('VAULT_CACERT');
    expect((await status(corpusEnv(), '--yaml')).code).toBe(2);
  });

  it('exits 2 naming the node at fault in --node', async () => {
    const r = await status(corpusEnv(), '--node', 'http://10.0.0.1:8200');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nodes\.0: node address must start with https:\/\/.*\(with --node\/--balancer\)/);
  });
});

describe('vault-ceremony status on a 3-node DR secondary, over mutual TLS', () => {
  const rehearsalEnv = (address: string) => ({
    VAULT_ADDR: address,
    VAULT_CACERT: 'ha-ca.pem',
    VAULT_CLIENT_CERT: 'ha-client.pem',
    VAULT_CLIENT_KEY: 'ha-client-key.pem',
  });
  const writeHaPems = (v: RehearsalVault) => {
    writeFileSync(join(dir, 'ha-ca.pem'), v.caPem);
    writeFileSync(join(dir, 'ha-client.pem'), v.clientCertPem);
    writeFileSync(join(dir, 'ha-client-key.pem'), v.clientKeyPem);
  };

  /** A 3-node rehearsal DR secondary, its node addresses, and `--node` for each. */
  async function withThreeNodes(
    options: { settleMs?: number },
    use: (v: RehearsalVault, addresses: [string, string, string], nodes: string[]) => Promise<void>,
  ) {
    const started = await startRehearsalVault({ officers: 1, nodes: 3, ...options });
    if (!started.ok) throw new Error(started.error.message);
    const v = started.value;
    try {
      writeHaPems(v);
      const addresses = v.drSecondary.nodes.map((n) => n.apiAddr) as [string, string, string];
      await use(
        v,
        addresses,
        addresses.flatMap((a) => ['--node', a]),
      );
    } finally {
      await v.close();
    }
  }

  it('shows every node, which one is active after a step-down, and calls out an unreachable standby', () =>
    withThreeNodes({ settleMs: 100 }, async (v, [a, b, c], nodes) => {
      const first = await status(rehearsalEnv(a), '--json', ...nodes);
      expect(first.code).toBe(0);
      const report = JSON.parse(first.stdout);
      expect(report.dr.mode).toBe('secondary');
      expect(
        report.cluster.nodes.map((n: { address: string; active: boolean; healthCode: number }) => [
          n.address,
          n.active,
          n.healthCode,
        ]),
      ).toEqual([
        [a, true, 472],
        [b, false, 472],
        [c, false, 472],
      ]);
      expect(report.cluster.nodes[0].raftCommittedIndex).toEqual(expect.any(Number));
      expect(report.cluster.verdict).toEqual({
        level: 'good',
        summary: `3 nodes, active: node 1 (${a}), all unsealed`,
        problems: [],
      });

      v.ha('drSecondary').stepDown();
      await v.ha('drSecondary').node(v.drSecondary.nodes[2]!.id).stop();
      // VAULT_ADDR names a standby: the state is still read from the active node.
      const after = await status(rehearsalEnv(c), ...nodes);
      expect(after.code).toBe(0);
      expect(after.stdout).toContain(`Cluster: attention: 3 nodes, active: node 2 (${b}), 1 unreachable`);
      expect(after.stdout).toMatch(new RegExp(`node 3 \\(${c.replace(/\./g, '\\.')}\\) is unreachable: `));
      expect(after.stdout).toContain(
        `* node 2 (${b}): active, health 472, unsealed, DR mode secondary, raft committed index`,
      );
      expect(after.stdout).toContain(`  node 1 (${a}): standby, health 472, unsealed, DR mode secondary`);
      expect(after.stdout).toContain('DR replication: secondary');
      expect(after.stdout.split('\n')[0]).toMatch(new RegExp(`^Vault at ${b.replace(/\./g, '\\.')} `));
    }));

  it('shows both raft indices of every node and calls out a standby far behind the active node', () =>
    withThreeNodes({}, async (v, [a, b, c], nodes) => {
      // Node 3 restarts and is still catching up while the primary writes on (replicated to node 1).
      v.ha('drSecondary').holdRaftBack(v.drSecondary.nodes[2]!.id);
      for (let i = 0; i < RAFT_TRAILING_ENTRIES + 5; i++) v.faults.writeOnPrimary();

      const json = await status(rehearsalEnv(a), '--json', ...nodes);
      expect(json.code).toBe(0);
      const cluster = JSON.parse(json.stdout).cluster as {
        nodes: { raftCommittedIndex: number; raftAppliedIndex: number }[];
        verdict: { level: string; problems: string[] };
      };
      const [first, second, third] = cluster.nodes.map((n) => [n.raftCommittedIndex, n.raftAppliedIndex]) as [
        [number, number],
        [number, number],
        [number, number],
      ];
      expect(first[0]).toBeGreaterThan(RAFT_TRAILING_ENTRIES);
      expect(second).toEqual(first);
      expect(third).toEqual([first[0] - RAFT_TRAILING_ENTRIES - 5, first[1] - RAFT_TRAILING_ENTRIES - 5]);
      expect(cluster.verdict.level).toBe('attention');
      expect(cluster.verdict.problems).toEqual([
        `node 3 (${c}) is ${RAFT_TRAILING_ENTRIES + 5} raft entries behind the active node (applied ${third[1]} of ${first[0]}): still catching up, e.g. after a restart, so it cannot take over with current data yet`,
      ]);

      const text = await status(rehearsalEnv(a), ...nodes);
      expect(text.stdout).toContain(`Cluster: attention: 3 nodes, active: node 1 (${a}), all unsealed`);
      expect(text.stdout).toContain(`  node 3 (${c}) is ${RAFT_TRAILING_ENTRIES + 5} raft entries behind`);
      expect(text.stdout).toContain(
        `  node 2 (${b}): standby, health 472, unsealed, DR mode secondary, raft committed index ${first[0]}, applied ${first[1]}`,
      );
      expect(text.stdout).toContain(`raft committed index ${third[0]}, applied ${third[1]}`);

      // Caught up, it is a standby like the others again.
      v.ha('drSecondary').catchUp(v.drSecondary.nodes[2]!.id);
      const after = JSON.parse((await status(rehearsalEnv(a), '--json', ...nodes)).stdout).cluster;
      expect(after.verdict).toMatchObject({ level: 'good', problems: [] });
    }));

  it('behind a balancer: finds the active node through its sys/leader and does not show the balancer as a node', async () => {
    const started = await startRehearsalVault({ officers: 1, nodes: 3, balancer: 'round-robin' });
    if (!started.ok) throw new Error(started.error.message);
    const v = started.value;
    try {
      writeHaPems(v);
      const balancer = v.drSecondary.balancerAddr!;
      const r = await status(rehearsalEnv(balancer), '--json', '--balancer');
      expect(r.code).toBe(0);
      const cluster = JSON.parse(r.stdout).cluster;
      expect(cluster.balancer).toBe(balancer);
      expect(cluster.nodes.map((n: { address: string }) => n.address)).toEqual([v.drSecondary.nodes[0]!.apiAddr]);
      expect(cluster.verdict.summary).toMatch(
        /^1 node, behind balancer .* \(standbys not listed in the profile\), active: node 1/,
      );
    } finally {
      await v.close();
    }
  });
});

describe('vault-ceremony status against the rehearsal Vault', () => {
  it('reads the DR secondary as the dashboard does', async () => {
    const r = await status(
      {
        VAULT_ADDR: vault.drSecondary.apiAddr,
        VAULT_CACERT: 'rehearsal-ca.pem',
        VAULT_CLIENT_CERT: 'rehearsal-client.pem',
        VAULT_CLIENT_KEY: 'rehearsal-client-key.pem',
        VAULT_TOKEN: vault.rootToken,
      },
      '--json',
    );
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      dr: { mode: 'secondary', state: 'stream-wals', connection_state: 'ready' },
      performance: { mode: 'disabled' },
      health: { status: 472 },
      seal: { sealed: false },
    });
    expect(typeof report.dr.primaries[0].replication_primary_canary_age_ms).toBe('number');
  });
});

describe('vault-ceremony status while a DR secondary bootstraps after secondary/enable', () => {
  it('shows bootstrapping, then merkle-sync, then stream-wals, as officers waiting on it see', async () => {
    const started = await startRehearsalVault({
      officers: 1,
      // Long enough that a slow, shared machine still sees each stage.
      secondaryBootstrap: { bootstrappingMs: 1_500, merkleSyncMs: 1_500 },
    });
    if (!started.ok) throw new Error(started.error.message);
    const v = started.value;
    try {
      const id = { caPem: v.caPem, certPem: v.clientCertPem, keyPem: v.clientKeyPem };
      const primary = (m: string, p: string, body?: unknown) =>
        vaultRequest(id, v.primary.apiAddr, m, p, { token: v.rootToken, body });
      const secondary = (m: string, p: string, body?: unknown) =>
        vaultRequest(id, v.drSecondary.apiAddr, m, p, { token: v.rootToken, body });
      // Detach the DR secondary, then enable it again with a new activation token, as a re-seed would.
      const operationToken = v.cluster('drSecondary').mintToken('dr-operation-token').token;
      await secondary('POST', 'sys/replication/dr/secondary/disable', { dr_operation_token: operationToken });
      const token = (await primary('POST', 'sys/replication/dr/primary/secondary-token', { id: 'dc2-reseed' })).json
        .wrap_info.token;
      expect((await secondary('POST', 'sys/replication/dr/secondary/enable', { token })).status).toBe(200);

      const env = {
        VAULT_ADDR: v.drSecondary.apiAddr,
        VAULT_CACERT: 'reseed-ca.pem',
        VAULT_CLIENT_CERT: 'reseed-client.pem',
        VAULT_CLIENT_KEY: 'reseed-client-key.pem',
      };
      for (const [name, pem] of [
        ['reseed-ca.pem', v.caPem],
        ['reseed-client.pem', v.clientCertPem],
        ['reseed-client-key.pem', v.clientKeyPem],
      ] as const)
        writeFileSync(join(dir, name), pem);
      const seen: string[] = [];
      const texts: string[] = [];
      for (let i = 0; i < 80 && seen.at(-1) !== 'secondary/stream-wals'; i++) {
        const report = JSON.parse((await status(env, '--json')).stdout);
        const now = `${report.dr.mode}/${report.dr.state}`;
        if (seen.at(-1) !== now) {
          seen.push(now);
          texts.push(...report.verdict.findings.map((f: { text: string }) => f.text));
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen).toEqual(['bootstrapping/bootstrapping', 'secondary/merkle-sync', 'secondary/stream-wals']);
      expect(texts).toContain('DR replication is still being set up on this cluster (bootstrapping).');
      expect(texts).toContain(
        'The DR secondary is re-synchronising with its primary (merkle-sync): its data may be behind.',
      );
    } finally {
      await v.close();
    }
  });
});
