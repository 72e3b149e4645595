// @tier integration
/**
 * `vault-ceremony rehearse` with hostile paths, in-process: each ends promptly with exit 1 or 2 and
 * one line naming the thing and what is wrong, never a hang, a stack trace or the OS's error code.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureIo } from '../../test/support/capture-io';
import { startRehearsalVault, type RehearsalVault } from '../../rehearsal-vault/rehearsal-cluster-set';
import { writeBundle } from './rehearsal-vault';
import { rehearseCommand } from './rehearse';

const root = mkdtempSync(join(tmpdir(), 'vc-rehearse-paths-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function rehearse(...argv: string[]) {
  const c = captureIo();
  const code = await rehearseCommand(argv, c.io);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

/** An external 3-node rehearsal Vault behind round-robin balancers, its cluster.json written in `name`. */
async function withBalancedVault(name: string, use: (cluster: string, vault: RehearsalVault) => Promise<void>) {
  const started = await startRehearsalVault({ officers: 2, threshold: 2, nodes: 3, balancer: 'round-robin' });
  if (!started.ok) throw new Error(started.error.message);
  try {
    const dir = join(root, name);
    mkdirSync(dir);
    await writeBundle(dir, started.value);
    await use(join(dir, 'cluster.json'), started.value);
  } finally {
    await started.value.close();
  }
}

function expectOneLineReason(r: { code: number; stderr: string }, reason: RegExp) {
  expect([1, 2]).toContain(r.code);
  expect(r.stderr).toMatch(/^vault-ceremony rehearse: [^\n]+\n/);
  expect(r.stderr.split('\n')[0]).toMatch(reason);
  expect(r.stderr).not.toMatch(/\(UNKNOWN\)|\(E[A-Z]+\)|\n\s+at /);
}

describe('rehearse with hostile paths', () => {
  it('refuses --out under /proc promptly instead of spinning in mkdir', async () => {
    expectOneLineReason(
      await rehearse('--out', '/proc/x', '--officers', '2', '--threshold', '2'),
      /cannot create \/proc\/x: its parent folder \/proc does not exist or cannot hold new folders/,
    );
  }, 20_000);

  it('says a file given as --out is a file, not that its folder is missing', async () => {
    const file = join(root, 'file');
    writeFileSync(file, '');
    expectOneLineReason(await rehearse('--out', file), /file is a file, not a folder/);
  });

  it('says which parent is missing', async () => {
    expectOneLineReason(
      await rehearse('--out', join(root, 'no', 'such', 'out'), '--officers', '2', '--threshold', '2'),
      /its parent folder .*no\/such does not exist/,
    );
  }, 20_000);

  it('says a folder given as --cluster is a folder, and a cut-short cluster.json is not valid JSON', async () => {
    const dir = join(root, 'cluster-dir');
    mkdirSync(dir);
    expectOneLineReason(
      await rehearse('--out', join(root, 'o1'), '--cluster', dir),
      /cluster-dir: it is a folder, not a file/,
    );
    writeFileSync(join(dir, 'cluster.json'), '{"primary": {"api_addr": "https://127.');
    expectOneLineReason(
      await rehearse('--out', join(root, 'o2'), '--cluster', join(dir, 'cluster.json')),
      /cluster.json: it is not valid JSON/,
    );
  });

  it('names the passphrase file it cannot read', async () => {
    expectOneLineReason(
      await rehearse(
        '--out',
        join(root, 'o3'),
        '--cluster',
        join(root, 'c.json'),
        '--officer-passphrase-file',
        join(root, 'missing'),
      ),
      /cannot read --officer-passphrase-file .*missing: /,
    );
  });

  it("names --officer-passphrase-file when the officers' keys are protected and it was not given", async () => {
    const started = await startRehearsalVault({ officers: 2, threshold: 2, passphrase: 'correct horse battery' });
    if (!started.ok) throw new Error(started.error.message);
    try {
      const dir = join(root, 'protected');
      mkdirSync(dir);
      await writeBundle(dir, started.value);
      expectOneLineReason(
        await rehearse('--out', join(root, 'o4'), '--cluster', join(dir, 'cluster.json')),
        /protected by a passphrase: .*--officer-passphrase-file/,
      );
    } finally {
      await started.value.close();
    }
  }, 30_000);
});

describe('rehearse --nodes', () => {
  it('refuses a node count raft cannot use, and --nodes with an external rehearsal Vault', async () => {
    const even = await rehearse('--out', join(root, 'n1'), '--nodes', '2');
    expect(even.code).toBe(2);
    expect(even.stderr).toMatch(
      /^vault-ceremony rehearse: --nodes must be 1, 3 or 5 \(raft needs an odd number\), not '2'/,
    );
    const external = await rehearse('--out', join(root, 'n2'), '--nodes', '3', '--cluster', join(root, 'cluster.json'));
    expect(external.code).toBe(2);
    expect(external.stderr).toMatch(/--nodes set up the in-process rehearsal Vault/);
  });

  it('promotes a 3-node DR secondary, recording the active node the attempt was started on', async () => {
    const out = join(root, 'ha');
    const r = await rehearse('--out', out, '--nodes', '3', '--officers', '3', '--threshold', '2');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('DR secondary promoted: yes');
    expect(r.stdout).toMatch(/bundle verified: yes/);
    const journal = readFileSync(join(out, 'journal.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; details: Record<string, unknown> });
    const active = journal.filter((e) => e.type === 'active-node');
    expect(active.length).toBeGreaterThanOrEqual(1);
    expect(active[0]!.details['node']).toMatch(/^https:\/\/127\.0\.\d+\.1:\d+$/);
    expect(journal.some((e) => e.type === 'cluster-settled' && e.details['settled'] === true)).toBe(true);
  }, 120_000);

  it('fails back a 3-node old primary, waiting after the demotion for it to settle as a secondary', async () => {
    const out = join(root, 'ha-failback');
    const r = await rehearse('--kind', 'failback', '--out', out, '--nodes', '3');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/old primary follows the new primary: yes/);
    expect(r.stdout).toMatch(/bundle verified: yes/);
    const settled = readFileSync(join(out, 'journal.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; step: string; details: Record<string, unknown> })
      .find((e) => e.type === 'cluster-settled' && e.step === 'demote');
    expect(settled?.details['settled']).toBe(true);
    expect((settled?.details['nodes'] as Array<{ dr_mode: string }>).map((n) => n.dr_mode)).toEqual([
      'secondary',
      'secondary',
      'secondary',
    ]);
  }, 180_000);

  it('fails back on a Vault before 0.11, whose sudo token is a UUID like all its tokens', async () => {
    const out = join(root, 'legacy-failback');
    const r = await rehearse('--kind', 'failback', '--out', out, '--otp-length', '0', '--officers', '2');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/old primary follows the new primary: yes/);
    expect(r.stdout).toMatch(/bundle verified: yes/);
  }, 120_000);

  it("fails back through an external rehearsal Vault's balancers, finding each cluster's leader behind them", async () => {
    await withBalancedVault('balanced-failback', async (cluster) => {
      const r = await rehearse(
        '--kind',
        'failback',
        '--out',
        join(root, 'balanced-failback-out'),
        '--cluster',
        cluster,
      );
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/old primary follows the new primary: yes/);
      expect(r.code).toBe(0);
    });
  }, 60_000);

  it("promotes through an external rehearsal Vault's round-robin balancer, finding the active node through its sys/leader", async () => {
    await withBalancedVault('balanced', async (cluster, vault) => {
      const out = join(root, 'balanced-out');
      const r = await rehearse('--out', out, '--cluster', cluster);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const active = readFileSync(join(out, 'journal.jsonl'), 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; details: Record<string, unknown> })
        .filter((e) => e.type === 'active-node');
      // The node itself, never the balancer.
      expect(active[0]?.details['node']).toBe(vault.drSecondary.nodes[0]!.apiAddr);
    });
  }, 120_000);
});
