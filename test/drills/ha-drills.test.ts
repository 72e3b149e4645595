// @tier integration
/**
 * HA drills: whole promotion ceremonies against 3-node rehearsal clusters over mutual TLS, with
 * the leader changing mid-ceremony, a round-robin balancer in front, or the old primary still
 * primary. Each checks what the journal records and what Vault ends up as.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../shared/ceremony/ceremony-snapshot';
import type { JournalEvent } from '../../shared/record/journal-event';
import type { CeremonyService } from '../../electron/services/ceremony/ceremony-service';
import { playCeremony } from '../../electron/services/rehearsal/headless-driver';
import { generateSigners, type RehearsalCast } from '../../electron/services/rehearsal/rehearsal-cast';
import { rehearsalCast, startRehearsalCeremony } from '../../electron/services/rehearsal/rehearsal-ceremony';
import {
  connectTarget,
  DR_SECONDARY_PROFILE,
  PRIMARY_PROFILE,
  type RehearsalTarget,
} from '../../electron/services/rehearsal/rehearsal-target';
import { startRehearsalVault, type RehearsalVaultOptions } from '../../rehearsal-vault/rehearsal-cluster-set';
import type { RehearsalVault } from '../../rehearsal-vault/rehearsal-cluster-set';
import { ATTEMPT, cleanUp, onCleanUp } from './drill-support';

afterEach(cleanUp);

interface HaDrill {
  readonly vault: RehearsalVault;
  readonly target: RehearsalTarget;
  readonly service: CeremonyService;
  readonly cast: RehearsalCast;
  readonly log: string[];
  readonly dir: string;
  journal(): JournalEvent[];
  play(until?: (s: ServiceStatus) => boolean): Promise<ServiceStatus>;
}

async function haDrill(id: string, options: RehearsalVaultOptions, peers = false): Promise<HaDrill> {
  const dir = mkdtempSync(join(tmpdir(), `vc-ha-${id}-`));
  onCleanUp(() => rmSync(dir, { recursive: true, force: true }));
  const started = await startRehearsalVault({ officers: 3, threshold: 3, settleMs: 300, ...options });
  if (!started.ok) throw new Error(started.error.message);
  const vault = started.value;
  onCleanUp(() => vault.close());
  const target = await connectTarget({ kind: 'in-process', vault });
  if (!target.ok) throw new Error(target.error.message);
  onCleanUp(() => target.value.client.close());
  const primary = peers ? await target.value.connect(undefined, PRIMARY_PROFILE) : undefined;
  if (primary && !primary.ok) throw new Error(primary.error.message);
  if (primary) onCleanUp(() => primary.value.close());
  const signers = await generateSigners(undefined);
  const log: string[] = [];
  const journalPath = join(dir, 'journal.jsonl');
  const service = await startRehearsalCeremony({
    target: target.value,
    signers,
    journalPath,
    clients: { [DR_SECONDARY_PROFILE]: target.value.client },
    id,
    log: (line) => log.push(line),
    ...(primary ? { peers: { [PRIMARY_PROFILE]: primary.value } } : {}),
  });
  if (!service.ok) throw new Error(service.error.message);
  onCleanUp(() => service.value.close());
  const cast = rehearsalCast(target.value, signers);
  return {
    vault,
    target: target.value,
    service: service.value,
    cast,
    log,
    dir,
    journal: () =>
      readFileSync(journalPath, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as JournalEvent),
    async play(until) {
      const played = await playCeremony(service.value, cast, {
        log: (line) => log.push(line),
        ...(until ? { until } : {}),
      });
      if (!played.ok) throw new Error(played.error.message);
      return played.value;
    },
  };
}

const ofType = (d: HaDrill, type: string) => d.journal().filter((e) => e.type === type);
const startedAttempts = (d: HaDrill) =>
  d
    .journal()
    .filter((e) => e.type === 'vault-response' && e.details['method'] === 'PUT' && e.details['path'] === ATTEMPT)
    .map((e) => ({ node: e.details['node'], nonce: (e.details['data'] as { nonce: string }).nonce }));

async function finishAndVerify(d: HaDrill) {
  const status = await d.play();
  expect(status.step).toBe('finished');
  const report = await d.service.exportBundle(join(d.dir, 'bundle'));
  if (!report.ok) throw new Error(report.error.message);
  expect(report.value.valid).toBe(true);
  expect(d.vault.cluster('drSecondary').replication.dr.mode).toBe('primary');
  expect(ofType(d, 'ceremony-finished')[0]?.details['outcome']).toBe('promoted');
}

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
