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
import type { ClusterRole } from '../../rehearsal-vault/faults';
import type { HaCluster } from '../../rehearsal-vault/ha-cluster';
import { writeKeyring } from '../support/doctored-bundle';
import { verifyAnchored } from '../support/rehearsed-promotion';
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

/** With `peers`, the plan names the primary in peer_profiles: the laptop asks it before promoting. */
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

/** How long an election lasts in these drills: short, so they stay quick. */
export const LEADERLESS_MS = 500;

/** What the room is told when no node of a cluster leads and the laptop sent nothing. */
export const NOTHING_SENT_TOLD =
  /no node of '.*' reports itself active \(.*\), and none names a leader: the cluster is electing one .* Retry in a moment; .*; nothing was sent$/;

/**
 * An election on `ha` that starts the moment the laptop next asks who leads (its first sys/leader,
 * before any node answers it; with `after`, its first once a request for that path came) and lasts
 * LEADERLESS_MS; `sent` is every other request the cluster received meanwhile. `clear` waits until
 * a leader is elected.
 */
export function electionWhenAsked(ha: HaCluster, after?: string) {
  let startedAt: number | undefined;
  let armed = after === undefined;
  const sent: string[] = [];
  return {
    sent,
    get started() {
      return startedAt !== undefined;
    },
    make() {
      ha.onRequest = (_node, request) => {
        if (startedAt !== undefined && request.path !== 'sys/leader' && Date.now() < startedAt + LEADERLESS_MS)
          sent.push(`${request.method} ${request.path}`);
        armed ||= request.path === after;
        if (!armed || request.path !== 'sys/leader' || startedAt !== undefined) return;
        startedAt = Date.now();
        ha.stepDown({ leaderlessMs: LEADERLESS_MS });
      };
      return Promise.resolve();
    },
    async clear() {
      const left = startedAt === undefined ? 0 : startedAt + LEADERLESS_MS - Date.now();
      await new Promise((r) => setTimeout(r, Math.max(0, left)));
      ha.onRequest = undefined;
    },
  };
}

/** A ceremony being played: what leaderlessAt needs of a drill. */
export interface Playing {
  readonly vault: RehearsalVault;
  readonly service: CeremonyService;
  journal(): JournalEvent[];
  play(until?: (s: ServiceStatus) => boolean): Promise<ServiceStatus>;
}

/**
 * Plays `d` until `at`, then starts an election on `cluster` as the laptop next asks it who leads
 * (once it asked for `after`, if given): no node does, so the action due fails with nothing sent,
 * and the room is told why. Once a leader is elected, the administrator retries as the wizard
 * offers (a step people confirm before it acts is confirmed again as the ceremony is played on).
 * Returns the failed result's entry.
 */
export async function leaderlessAt(
  d: Playing,
  at: (s: ServiceStatus) => boolean,
  cluster: ClusterRole = 'drSecondary',
  after?: string,
): Promise<JournalEvent> {
  // A failure the room was shown before (e.g. the one that led to a restart) is not this one.
  const shown = (await d.play(at)).lastError?.message;
  const election = electionWhenAsked(d.vault.ha(cluster), after);
  await election.make();
  const failed = await d.play((s) => s.lastError !== null && s.lastError.message !== shown);
  await election.clear();
  expect(election.started).toBe(true);
  expect(election.sent).toEqual([]);
  expect(failed.lastError?.message).toMatch(NOTHING_SENT_TOLD);
  const result = d
    .journal()
    .filter((e) => e.type === 'service-result')
    .at(-1)!;
  expect(result.details['event']).toMatchObject({
    outcome: 'failed',
    reason: expect.stringMatching(NOTHING_SENT_TOLD),
  });
  if (failed.input === 'retry') expect((await d.service.retry()).ok).toBe(true);
  return result;
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

/** `verify` of the exported bundle in `bundle`, anchored in the signers' own keys, passes (exit 0). */
export async function expectVerifiesAnchored(bundle: string, cast: RehearsalCast) {
  const keyring = writeKeyring(`${bundle}-signers.asc`, [cast.administrator, ...cast.witnesses]);
  const verified = await verifyAnchored(bundle, keyring);
  expect(verified.output).toMatch(/VERIFIED/);
  expect(verified.code).toBe(0);
}
