/**
 * A drill: a ceremony against the in-process rehearsal Vault over mutual TLS, with its fault
 * handles, the requests that actually left the laptop (counted on the real transport), what the
 * room is told, and the journal as written on disk.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceStatus } from '../../shared/ceremony/ceremony-snapshot';
import {
  startCeremony,
  type CeremonyService,
  type CeremonyServiceOptions,
} from '../../electron/services/ceremony/ceremony-service';
import { playCeremony } from '../../electron/services/rehearsal/headless-driver';
import { generateSigners, rehearsalPlan, type RehearsalCast } from '../../electron/services/rehearsal/rehearsal-cast';
import { connectTarget, DR_SECONDARY_PROFILE } from '../../electron/services/rehearsal/rehearsal-target';
import { startRehearsalVault, type RehearsalVault } from '../../rehearsal-vault/rehearsal-cluster-set';
import { vaultClientOver, type VaultClient } from '../../electron/services/vault/client';
import { createTransport, type Transport } from '../../electron/services/vault/transport';
import type { JournalEvent } from '../../shared/record/journal-event';

export const UPDATE = 'sys/replication/dr/secondary/generate-operation-token/update';
export const ATTEMPT = 'sys/replication/dr/secondary/generate-operation-token/attempt';
/** Short enough to drill a timeout quickly; the rehearsal Vault answers in milliseconds otherwise. */
export const TIMEOUT_MS = 1_500;

export interface Drill {
  readonly vault: RehearsalVault;
  readonly service: CeremonyService;
  readonly cast: RehearsalCast;
  readonly client: VaultClient;
  /** The options the service runs with, to resume it. */
  readonly options: CeremonyServiceOptions;
  /** Every request that left the laptop, as "METHOD path", in order. */
  readonly requests: string[];
  /** What the room is told, line by line. */
  readonly log: string[];
  journal(): JournalEvent[];
  play(until?: (s: ServiceStatus) => boolean, service?: CeremonyService): Promise<ServiceStatus>;
}

/** Undoes what drills set up; call `cleanUp()` after each test. */
const cleanups: Array<() => Promise<void> | void> = [];
export async function cleanUp(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}
export function onCleanUp(c: () => Promise<void> | void): void {
  cleanups.push(c);
}

export async function drill(id: string, options: { readonly journalDir?: string } = {}): Promise<Drill> {
  const dir = options.journalDir ?? mkdtempSync(join(tmpdir(), `vc-drill-${id}-`));
  if (!options.journalDir) onCleanUp(() => rmSync(dir, { recursive: true, force: true }));
  const started = await startRehearsalVault({ officers: 3, threshold: 2 });
  if (!started.ok) throw new Error(started.error.message);
  const vault = started.value;
  onCleanUp(() => vault.close());
  const target = await connectTarget({ kind: 'in-process', vault });
  if (!target.ok) throw new Error(target.error.message);
  target.value.client.close();

  const requests: string[] = [];
  const real = createTransport({
    profileName: DR_SECONDARY_PROFILE,
    address: vault.drSecondary.apiAddr,
    tls: { ca: vault.caPem, cert: vault.clientCertPem, key: vault.clientKeyPem },
    timeoutMs: TIMEOUT_MS,
  });
  const counted: Transport = {
    profileName: real.profileName,
    address: real.address,
    close: () => real.close(),
    request: (r) => {
      requests.push(`${r.method} ${r.path}`);
      return real.request(r);
    },
  };
  const client = vaultClientOver(counted, {});
  onCleanUp(() => client.close());

  const cast = { ...(await generateSigners(undefined)), officers: target.value.officers };
  const plan = rehearsalPlan(cast, { id, threshold: 2, profile: DR_SECONDARY_PROFILE });
  if (!plan.ok) throw new Error(plan.error.message);
  const log: string[] = [];
  const journalPath = join(dir, 'journal.jsonl');
  const serviceOptions: CeremonyServiceOptions = {
    journalPath,
    clients: { [DR_SECONDARY_PROFILE]: client },
    officerKeys: cast.officers.map((o) => ({ name: o.name, publicKeyArmored: o.publicKeyArmored })),
    log: (line) => log.push(line),
  };
  const service = await startCeremony(plan.value, serviceOptions);
  if (!service.ok) throw new Error(service.error.message);
  onCleanUp(() => service.value.close());
  return {
    vault,
    service: service.value,
    cast,
    client,
    options: serviceOptions,
    requests,
    log,
    journal: () => readJournal(journalPath),
    async play(until, other = service.value) {
      const played = await playCeremony(other, cast, { log: (line) => log.push(line), ...(until ? { until } : {}) });
      if (!played.ok) throw new Error(played.error.message);
      return played.value;
    },
  };
}

/** A journal as written on disk, one event a line. */
export function readJournal(path: string): JournalEvent[] {
  return readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as JournalEvent);
}

export const firstShareAccepted = (d: Drill) => () => d.log.some((l) => l.includes('accepted: 1 of 2'));
export const deviations = (d: Drill) => d.journal().filter((e) => e.type === 'deviation');
/** A deviation's kind: detected ones state it, raised ones carry the person's event. */
export const kindOf = (e: JournalEvent) =>
  e.details['kind'] ?? (e.details['event'] as { kind?: string } | undefined)?.kind;

/** Nonces of the attempts Vault started, in order. */
export function startedNonces(d: Drill): string[] {
  return d
    .journal()
    .filter(
      (e) =>
        e.type === 'vault-response' &&
        e.details['method'] === 'PUT' &&
        e.details['path'] === ATTEMPT &&
        e.details['ok'] === true,
    )
    .map((e) => (e.details['data'] as { nonce: string }).nonce);
}

/** The DR secondary ended as primary and the record says so. */
export async function promotedAndClosed(
  d: Drill,
  service: CeremonyService = d.service,
): Promise<{ step: string; mode: string | false; outcome: unknown }> {
  const mode = await d.client.dr.status();
  return {
    step: service.status().step,
    mode: mode.ok && mode.value.data.mode,
    outcome: d.journal().find((e) => e.type === 'ceremony-finished')?.details['outcome'],
  };
}
export const PROMOTED = { step: 'finished', mode: 'primary', outcome: 'promoted' };
