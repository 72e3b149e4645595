/**
 * A failback drill: a failback ceremony on an N-node rehearsal Vault over mutual TLS, the scene set
 * by a rehearsed promotion first (as `rehearse --kind failback` does), played by the headless driver.
 */
import { join } from 'node:path';
import type { RehearsalVault } from '../../rehearsal-vault/rehearsal-cluster-set';
import type { CeremonyService } from '../../electron/services/ceremony/ceremony-service';
import { playCeremony } from '../../electron/services/rehearsal/headless-driver';
import { generateSigners, type RehearsalCast } from '../../electron/services/rehearsal/rehearsal-cast';
import { resumeCeremony } from '../../electron/services/ceremony/ceremony-recovery';
import {
  rehearsalCast,
  rehearsalClients,
  rehearsalServiceOptions,
  startRehearsalCeremony,
  type RehearsalCeremonyOptions,
} from '../../electron/services/rehearsal/rehearsal-ceremony';
import type { RehearsalTarget } from '../../electron/services/rehearsal/rehearsal-target';
import type { ServiceStatus } from '../../shared/ceremony/ceremony-snapshot';
import { stageFailback } from '../../electron/services/rehearsal/headless-rehearsal';
import { onCleanUp, readJournal } from './drill-support';
import { drillTarget, type Playing } from './ha-drill-support';

export interface FailbackDrill {
  readonly vault: RehearsalVault;
  readonly target: RehearsalTarget;
  readonly service: CeremonyService;
  readonly cast: RehearsalCast;
  readonly journalPath: string;
  readonly dir: string;
  /** What the service was started with: a restarted laptop resumes with the same. */
  readonly harness: RehearsalCeremonyOptions;
}

/** A failback ceremony on an N-node rehearsal Vault whose scene is set: the DR secondary promoted, the old primary back. */
export async function failbackDrill(id: string, nodes: 1 | 3): Promise<FailbackDrill> {
  const { dir, vault, target } = await drillTarget(`failback-${id}`, { nodes, threshold: 2 });
  const signers = await generateSigners(undefined);
  const staged = await stageFailback({ out: dir, log: () => undefined }, target, signers);
  if (!staged.ok) throw new Error(staged.error.message);
  const clients = await rehearsalClients(target, 'failback');
  if (!clients.ok) throw new Error(clients.error.message);
  onCleanUp(() => Object.values(clients.value).forEach((c) => c.close()));
  const journalPath = join(dir, 'journal.jsonl');
  const harness = { target, signers, journalPath, clients: clients.value };
  const service = await startRehearsalCeremony({ ...harness, id, kind: 'failback' });
  if (!service.ok) throw new Error(service.error.message);
  onCleanUp(() => service.value.close());
  return { vault, target, service: service.value, cast: rehearsalCast(target, signers), journalPath, dir, harness };
}

/** The drill's laptop stopped (its service closed, the secrets in its memory gone) and started again on its journal. */
export async function restarted(d: FailbackDrill): Promise<FailbackDrill> {
  await d.service.close();
  const resumed = await resumeCeremony(rehearsalServiceOptions(d.harness));
  if (!resumed.ok) throw new Error(`resume failed: ${resumed.error.message}`);
  onCleanUp(() => resumed.value.close());
  return { ...d, service: resumed.value };
}

/** The failback drill as leaderlessAt plays it. */
export function playing(d: FailbackDrill, log: string[]): Playing {
  return {
    vault: d.vault,
    service: d.service,
    journal: () => readJournal(d.journalPath),
    async play(until?: (s: ServiceStatus) => boolean) {
      const played = await playCeremony(d.service, d.cast, { log: (l) => log.push(l), ...(until ? { until } : {}) });
      if (!played.ok) throw new Error(`${played.error.message}\n${log.join('\n')}`);
      return played.value;
    },
  };
}
