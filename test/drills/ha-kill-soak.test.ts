// @tier integration
/**
 * HA kill soak: `vault-ceremony rehearse --cluster` in a child process against an HA rehearsal
 * Vault served here (3 or 5 nodes, balancer or none, Vault 1.x or 2.x, promotion or failback),
 * with a leader fault made on the Nth request a cluster receives and the process killed (SIGKILL)
 * once its journal holds K entries (mid-call included), then resumed. The bundle must verify
 * anchored in its signers' keys (exit 0).
 *
 * KILL_SOAK_SEEDS=a-b runs those seeds.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeBundle } from '../../cli/commands/rehearsal-vault';
import { startRehearsalVault } from '../../rehearsal-vault/rehearsal-cluster-set';
import type { ClusterRole } from '../../rehearsal-vault/faults';
import { builtCli } from '../support/built-programs';
import { verifyAnchored } from '../support/rehearsed-promotion';
import { writeBundleKeyring } from '../support/doctored-bundle';
import { makeLeaderFault, seeded, seedsFrom } from './soak-support';

const ROOT = join(import.meta.dirname, '../..');
const BIN = builtCli();
const root = mkdtempSync(join(tmpdir(), 'vc-kill-soak-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const seeds = seedsFrom(process.env['KILL_SOAK_SEEDS'], '1');

function lines(path: string): number {
  try {
    return readFileSync(path, 'utf8').split('\n').length - 1;
  } catch {
    return 0;
  }
}

function rehearse(args: string[], killWhen?: () => boolean) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'rehearse', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    let killed = false;
    const poll = setInterval(() => {
      if (!killed && killWhen?.()) {
        killed = true;
        child.kill('SIGKILL');
      }
    }, 5);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      resolve({ code, signal, out });
    });
  });
}

describe('HA kill soak', () => {
  it.each(seeds)(
    'seed %i: killed and resumed, the bundle verifies anchored',
    async (seed) => {
      const r = seeded(seed);
      const kind = r.next() < 0.6 ? 'promotion' : 'failback';
      const nodes = r.pick([3, 5] as const);
      const balancer = r.pick([undefined, 'round-robin', 'active-only'] as const);
      const vaultVersion = r.pick([1, 2] as const);
      const fault = r.pick(['none', 'step-down', 'election', 'hard-kill', 'old-leader-back'] as const);
      const on: ClusterRole = kind === 'failback' && r.next() < 0.5 ? 'primary' : 'drSecondary';
      const atRequest = r.int(30);
      // The leader fault is made before the kill, or in the resumed process (whose clients know no leader yet).
      const afterResume = r.next() < 0.4;
      const killAt = 3 + r.int(kind === 'failback' ? 70 : 55);
      const delayed = r.next() < 0.3;
      const dir = join(root, `seed-${seed}`);
      mkdirSync(join(dir, 'vault'), { recursive: true });
      const started = await startRehearsalVault({
        officers: 3,
        threshold: 2,
        nodes,
        vaultVersion,
        settleMs: 300,
        ...(balancer ? { balancer } : {}),
      });
      if (!started.ok) throw new Error(started.error.message);
      const vault = started.value;
      const desc = `seed=${seed} ${kind} nodes=${nodes} lb=${balancer ?? 'none'} v${vaultVersion} fault=${fault}@${on}:r${atRequest}${afterResume ? '-resumed' : ''} kill@${killAt}${delayed ? ' delayed' : ''}`;
      try {
        await writeBundle(join(dir, 'vault'), vault);
        const ha = vault.ha(on);
        let n = 0;
        let made = false;
        const arm = () => {
          if (fault === 'none') return;
          n = 0;
          ha.onRequest = () => {
            if (n++ !== atRequest) return;
            ha.onRequest = undefined;
            made = true;
            makeLeaderFault(ha, fault);
          };
        };
        if (!afterResume) arm();
        // Held answers make the kill land while a call is with Vault more often.
        if (delayed) vault.faults.delayResponses(on, 300, { times: 3 });
        const out = join(dir, 'out');
        const args = [
          ...(kind === 'failback' ? ['--kind', 'failback'] : []),
          '--out',
          out,
          '--cluster',
          join(dir, 'vault', 'cluster.json'),
        ];
        const journal = join(out, 'ceremony', 'journal.jsonl');
        const first = await rehearse([...args, '--pace', '20'], () => lines(journal) >= killAt);
        ha.onRequest = undefined;
        vault.faults.clearResponseFaults();
        for (const role of ['primary', 'drSecondary'] as const)
          for (const node of vault.ha(role).nodes) if (!node.up) await vault.ha(role).restartNode(node.id);
        let final = first;
        if (afterResume) arm();
        if (first.signal === 'SIGKILL') final = await rehearse([...args, '--resume']);
        const line = `KSOAK ${desc} made=${made} killed=${first.signal === 'SIGKILL'} firstcode=${first.code} resumed=${final.code}`;
        if (final.code !== 0) {
          console.log(`${line} -> STUCK\n${final.out.split('\n').slice(-15).join('\n')}`);
          expect.fail(`${line}: the ceremony did not finish`);
        }
        const keyring = writeBundleKeyring(join(dir, 'keyring.asc'), out);
        const verified = await verifyAnchored(out, keyring);
        console.log(`${line} -> verify exit ${verified.code}`);
        if (verified.code !== 0) console.log(`KSOAKFAIL ${desc}\n${verified.output}`);
        expect(verified.code, verified.output).toBe(0);
      } finally {
        await vault.close();
      }
    },
    240_000,
  );
});
