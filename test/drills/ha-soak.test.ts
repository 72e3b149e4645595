// @tier integration
/**
 * HA soak: honest promotion and failback ceremonies on 3- and 5-node rehearsal clusters (direct,
 * round-robin or active-only balancer; Vault 1.x or 2.x), with faults made at seeded random
 * moments: step-downs (with or without an election), killed leaders, an old leader back in office,
 * isolated, sealed or lagging standbys, a dropped answer, and the laptop restarted from its
 * journal. Whatever happens, a ceremony that finishes must leave a bundle `verify` accepts anchored
 * (exit 0): a real ceremony must never be called forged.
 *
 * SOAK_SEEDS=a-b (or a,b,c) runs those seeds; by default a couple, to keep it quick. SOAK_LOG=1 prints
 * each run's whole log (else only the last lines of a run that stuck).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../shared/ceremony/ceremony-snapshot';
import type { CeremonyService } from '../../electron/services/ceremony/ceremony-service';
import { resumeCeremony } from '../../electron/services/ceremony/ceremony-recovery';
import { playCeremony } from '../../electron/services/rehearsal/headless-driver';
import { generateSigners } from '../../electron/services/rehearsal/rehearsal-cast';
import { stageFailback } from '../../electron/services/rehearsal/headless-rehearsal';
import {
  rehearsalCast,
  rehearsalClients,
  rehearsalServiceOptions,
  startRehearsalCeremony,
  type RehearsalKind,
} from '../../electron/services/rehearsal/rehearsal-ceremony';
import type { ClusterRole } from '../../rehearsal-vault/faults';
import type { HaCluster } from '../../rehearsal-vault/ha-cluster';
import type { BalancerMode } from '../../rehearsal-vault/load-balancer';
import { writeKeyring } from '../support/doctored-bundle';
import { verifyAnchored } from '../support/rehearsed-promotion';
import { cleanUp, onCleanUp } from './drill-support';
import { drillTarget } from './ha-drill-support';
import { PRIMARY_PROFILE } from '../../electron/services/rehearsal/rehearsal-target';
import { operationRig } from './operation-drill-support';
import { makeLeaderFault, seeded, seedsFrom } from './soak-support';

afterEach(cleanUp);

const FAULTS = [
  'step-down',
  'election',
  'hard-kill',
  'old-leader-back',
  'isolate-standby',
  'seal-standby',
  'hold-raft',
  'drop-answer',
  'laptop-restart',
] as const;
type Fault = (typeof FAULTS)[number];

interface Scenario {
  readonly seed: number;
  readonly kind: RehearsalKind;
  readonly nodes: 3 | 5;
  readonly balancer: BalancerMode | undefined;
  readonly vaultVersion: 1 | 2;
  /** Each fault, the cluster it is made on, and when: after `moves` driver moves, or on the `request`th request. */
  readonly faults: readonly { fault: Fault; on: ClusterRole; moves?: number; request?: number }[];
}

function scenario(seed: number): Scenario {
  const r = seeded(seed);
  const kind = r.next() < 0.7 ? 'promotion' : 'failback';
  const nodes = r.pick([3, 5] as const);
  const balancer = r.pick([undefined, 'round-robin', 'active-only'] as const);
  const vaultVersion = r.pick([1, 2] as const);
  const faults = Array.from({ length: 1 + r.int(3) }, () => {
    const fault = r.pick(FAULTS);
    const on: ClusterRole = kind === 'failback' && r.next() < 0.5 ? 'primary' : 'drSecondary';
    return r.next() < 0.5 || fault === 'laptop-restart'
      ? { fault, on, moves: r.int(30) }
      : { fault, on, request: r.int(45) };
  });
  const chosen = { seed, kind, nodes, balancer, vaultVersion, faults } as Scenario;
  // SOAK_OVERRIDE (JSON) replaces parts of every scenario: to reproduce a case with less.
  return { ...chosen, ...(JSON.parse(process.env['SOAK_OVERRIDE'] ?? '{}') as Partial<Scenario>) };
}

const seeds = seedsFrom(process.env['SOAK_SEEDS'], '1,2');

/** What a soak run came to: the faults it made, and `verify`'s answer, or where the ceremony stuck. */
type Outcome = { made: string[] } & ({ verified: { code: number; output: string } } | { stuck: string });

async function soak(s: Scenario, log: string[]): Promise<Outcome> {
  const id = `soak-${s.seed}`;
  const { dir, vault, target } = await drillTarget(id, {
    nodes: s.nodes,
    ...(s.balancer ? { balancer: s.balancer } : {}),
    vaultVersion: s.vaultVersion,
    threshold: 2,
  });
  const signers = await generateSigners(undefined);
  if (s.kind === 'failback') {
    const staged = await stageFailback({ out: dir, log: () => undefined }, target, signers);
    if (!staged.ok) throw new Error(staged.error.message);
  }
  const clients = await rehearsalClients(target, s.kind);
  if (!clients.ok) throw new Error(clients.error.message);
  if (s.kind === 'failback') onCleanUp(() => Object.values(clients.value).forEach((c) => c.close()));
  const journalPath = join(dir, 'journal.jsonl');
  const harness = { target, signers, journalPath, clients: clients.value, log: (l: string) => log.push(l) };
  const begun = await startRehearsalCeremony({ ...harness, id, kind: s.kind });
  if (!begun.ok) throw new Error(begun.error.message);
  let service: CeremonyService = begun.value;
  onCleanUp(() => service.close());
  const cast = rehearsalCast(target, signers);
  const made: string[] = [];

  const heal = async () => {
    for (const role of ['primary', 'drSecondary'] as const) {
      const ha = vault.ha(role);
      ha.onRequest = undefined;
      for (const n of ha.nodes) {
        if (!n.up) await ha.restartNode(n.id);
        if (n.isolated) ha.reconnect(n.id);
        if (n.raftHeldAt !== undefined) ha.catchUp(n.id);
      }
      vault.faults.clearResponseFaults(role);
    }
  };

  const make = async (fault: Fault, ha: HaCluster, role: ClusterRole) => {
    // Not ha.active: while the cluster settles no node is reported active, though one still leads.
    const standbys = ha.nodes.filter((n) => n.activeSince === undefined && n.up && !n.isolated && !n.sealedApart);
    const standby = standbys[0];
    made.push(`${fault}@${role}`);
    log.push(`FAULT ${fault}@${role} (active ${ha.active?.id ?? 'none'})`);
    switch (fault) {
      case 'step-down':
      case 'election':
      case 'hard-kill':
      case 'old-leader-back':
        return makeLeaderFault(ha, fault);
      case 'isolate-standby':
        return void (standby
          ? ha.isolate(standby.id, standbys.length % 2 ? 'removed' : 'standby-unhealthy')
          : undefined);
      case 'seal-standby':
        return void standby?.sealApart();
      case 'hold-raft':
        return void (standby ? ha.holdRaftBack(standby.id) : undefined);
      case 'drop-answer':
        return void vault.faults.dropResponses(role, { times: 1 });
      case 'laptop-restart': {
        await service.close();
        const resumed = await resumeCeremony(rehearsalServiceOptions(harness));
        if (!resumed.ok) throw new Error(`resume failed: ${resumed.error.message}`);
        service = resumed.value;
        return;
      }
    }
  };

  /** Plays on, retrying (after healing the clusters) what fails, as the administrator would. */
  const play = async (until?: (st: ServiceStatus) => boolean) => {
    for (let tries = 0; ; tries++) {
      const played = await playCeremony(service, cast, { log: harness.log, ...(until ? { until } : {}) });
      if (played.ok) return played.value;
      const st = service.status();
      if (st.stopped || st.lastError === null || tries >= 8) return { stuck: played.error.message };
      log.push(`RETRY ${tries + 1}: ${played.error.message.slice(0, 120)}`);
      await heal();
      await new Promise((r) => setTimeout(r, 700));
      // An irreversible step failed is authorised again (the driver does it); others are retried.
      const retried = st.input === 'retry' ? await service.retry() : undefined;
      if (retried && !retried.ok) return { stuck: retried.error.message };
    }
  };

  for (const f of s.faults) {
    const ha = vault.ha(f.on);
    if (f.moves !== undefined) {
      let moves = 0;
      const at = await play(() => moves++ >= f.moves!);
      if ('stuck' in at) return { made, stuck: at.stuck };
      if (at.step === 'finished') break;
      await make(f.fault, ha, f.on);
    } else {
      let n = 0;
      ha.onRequest = () => {
        if (n++ !== f.request) return;
        ha.onRequest = undefined;
        void make(f.fault, ha, f.on);
      };
    }
  }
  const end = await play();
  if ('stuck' in end) return { made, stuck: end.stuck };
  if (end.step !== 'finished') return { made, stuck: `ended at ${end.step}` };
  const bundle = join(dir, 'bundle');
  const report = await service.exportBundle(bundle);
  if (!report.ok) return { made, stuck: `export: ${report.error.message}` };
  const keyring = writeKeyring(`${bundle}-signers.asc`, [cast.administrator, ...cast.witnesses]);
  const verified = await verifyAnchored(bundle, keyring);
  return { made, verified };
}

describe('HA soak', () => {
  it.each(seeds.map((seed) => scenario(seed)))(
    'seed $seed verifies anchored',
    async (s) => {
      const log: string[] = [];
      const result = await Promise.race([
        soak(s, log),
        new Promise<Outcome>((r) => setTimeout(() => r({ made: [], stuck: 'TIMEOUT' }), 100_000)),
      ]);
      const whole = process.env['SOAK_LOG'] !== undefined;
      if ('stuck' in result || whole) console.log(`SOAKLOG seed=${s.seed}\n${log.slice(whole ? 0 : -25).join('\n')}`);
      const line = `SOAK seed=${s.seed} ${s.kind} nodes=${s.nodes} lb=${s.balancer ?? 'none'} v${s.vaultVersion} faults=${s.faults
        .map((f) => `${f.fault}@${f.on}:${f.moves !== undefined ? `m${f.moves}` : `r${f.request}`}`)
        .join(',')} made=${result.made.join(',')} -> ${
        'verified' in result ? `verify exit ${result.verified.code}` : `STUCK ${result.stuck}`
      }`;
      console.log(line);
      if ('verified' in result && result.verified.code !== 0)
        console.log(`SOAKFAIL seed=${s.seed}\n${result.verified.output}`);
      // A ceremony the faults wedge is a finding too (the log says where): every seed must finish and verify.
      expect('verified' in result ? result.verified.code : result.stuck, line).toBe(0);
    },
    130_000,
  );
});

/**
 * Mode-changing operation ceremonies one after another on the primary (3 or 5 nodes), each with a
 * leader fault made on a seeded request once the ceremony is under way: each bundle must verify.
 */
describe('HA operation soak', () => {
  const OPERATIONS = ['disable-primary', 'enable-primary', 'demote', 'disable-secondary'] as const;
  const LEADER_FAULTS = ['step-down', 'election', 'hard-kill', 'old-leader-back'] as const;
  it.each(seedsFrom(process.env['OP_SOAK_SEEDS'], '1'))(
    'seed %i: each operation ceremony verifies',
    async (seed) => {
      const r = seeded(seed);
      const rig = await operationRig({ officers: 3, threshold: 2, nodes: r.pick([3, 5] as const), settleMs: 300 });
      onCleanUp(() => rig.close());
      const ha = rig.vault.ha('primary');
      for (const [i, id] of OPERATIONS.entries()) {
        const fault = r.pick(LEADER_FAULTS);
        const at = r.int(12);
        let n = 0;
        await rig.operate(`op-${seed}-${i}-${id}`, PRIMARY_PROFILE, { id, replication: 'dr' }, undefined, {
          make: () => {
            ha.onRequest = () => {
              if (n++ !== at) return;
              ha.onRequest = undefined;
              makeLeaderFault(ha, fault);
            };
            return Promise.resolve();
          },
          clear: async () => {
            ha.onRequest = undefined;
            for (const node of ha.nodes) if (!node.up) await ha.restartNode(node.id);
            await new Promise((done) => setTimeout(done, 700));
          },
        });
        console.log(`OPSOAK seed=${seed} ${id} ${fault}@r${at} made=${n > at}`);
      }
    },
    120_000,
  );
});
