/**
 * An HA drill: a whole promotion ceremony against N-node rehearsal clusters over mutual TLS,
 * played by the headless driver until a chosen moment so a fault can be made there, with the
 * journal as written on disk and what the room is told.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
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
import { ATTEMPT, onCleanUp } from './drill-support';

export interface HaDrill {
  readonly vault: RehearsalVault;
  readonly target: RehearsalTarget;
  readonly service: CeremonyService;
  readonly cast: RehearsalCast;
  readonly log: string[];
  readonly dir: string;
  journal(): JournalEvent[];
  play(until?: (s: ServiceStatus) => boolean): Promise<ServiceStatus>;
}

/** A drill's folder and in-process rehearsal Vault (3 officers, every share needed, quick to settle), connected; cleaned up after. */
export async function drillTarget(id: string, options: RehearsalVaultOptions) {
  const dir = mkdtempSync(join(tmpdir(), `vc-ha-${id}-`));
  onCleanUp(() => rmSync(dir, { recursive: true, force: true }));
  const started = await startRehearsalVault({ officers: 3, threshold: 3, settleMs: 300, ...options });
  if (!started.ok) throw new Error(started.error.message);
  const vault = started.value;
  onCleanUp(() => vault.close());
  const target = await connectTarget({ kind: 'in-process', vault });
  if (!target.ok) throw new Error(target.error.message);
  onCleanUp(() => target.value.client.close());
  return { dir, vault, target: target.value };
}

export async function haDrill(id: string, options: RehearsalVaultOptions, peers = false): Promise<HaDrill> {
  const { dir, vault, target } = await drillTarget(id, options);
  const primary = peers ? await target.connect(undefined, PRIMARY_PROFILE) : undefined;
  if (primary && !primary.ok) throw new Error(primary.error.message);
  if (primary) onCleanUp(() => primary.value.close());
  const signers = await generateSigners(undefined);
  const log: string[] = [];
  const journalPath = join(dir, 'journal.jsonl');
  const service = await startRehearsalCeremony({
    target: target,
    signers,
    journalPath,
    clients: { [DR_SECONDARY_PROFILE]: target.client },
    id,
    log: (line) => log.push(line),
    ...(primary ? { peers: { [PRIMARY_PROFILE]: primary.value } } : {}),
  });
  if (!service.ok) throw new Error(service.error.message);
  onCleanUp(() => service.value.close());
  const cast = rehearsalCast(target, signers);
  return {
    vault,
    target: target,
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

export const ofType = (d: HaDrill, type: string) => d.journal().filter((e) => e.type === type);
export const startedAttempts = (d: HaDrill) =>
  d
    .journal()
    .filter((e) => e.type === 'vault-response' && e.details['method'] === 'PUT' && e.details['path'] === ATTEMPT)
    .map((e) => ({ node: e.details['node'], nonce: (e.details['data'] as { nonce: string }).nonce }));

/** How long the DR secondary's election lasts in leaderlessStart. */
export const LEADERLESS_MS = 500;

/**
 * Plays `d` until the attempt is to be started, and starts an election as the laptop asks who
 * leads: no node does, so the start fails with nothing sent. Once a leader is elected, the
 * administrator retries as the wizard offers. Returns the failed result's entry.
 */
export async function leaderlessStart(d: HaDrill): Promise<JournalEvent> {
  const ha = d.vault.ha('drSecondary');
  await d.play((s) => s.step === 'generate-otp');
  let elections = 0;
  ha.onRequest = (_node, request) => {
    if (request.path === 'sys/leader' && elections++ === 0) ha.stepDown({ leaderlessMs: LEADERLESS_MS });
  };
  await expect(d.play()).rejects.toThrow(/no node of '.*' reports itself active .*; nothing was sent$/);
  expect(elections).toBeGreaterThan(0);
  const failed = d.journal().at(-1)!;
  expect(failed).toMatchObject({ type: 'service-result', step: 'start-attempt' });
  await new Promise((r) => setTimeout(r, LEADERLESS_MS));
  expect((await d.service.retry()).ok).toBe(true);
  return failed;
}

export async function finishAndVerify(d: HaDrill) {
  const status = await d.play();
  expect(status.step).toBe('finished');
  const report = await d.service.exportBundle(join(d.dir, 'bundle'));
  if (!report.ok) throw new Error(report.error.message);
  expect(report.value.valid).toBe(true);
  expect(d.vault.cluster('drSecondary').replication.dr.mode).toBe('primary');
  expect(ofType(d, 'ceremony-finished')[0]?.details['outcome']).toBe('promoted');
}
