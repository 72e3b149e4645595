/**
 * A bundle exported by the app itself: a rehearsal ceremony run through the service and the headless
 * driver (the wizard's calls) up to a point, where the test acts (proposes an abort, a waiver…), then
 * played to its end, signed by everyone and exported. What test/security/ doctors, and what the CLI's
 * tests verify as an auditor would receive it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CeremonyService } from '../../electron/services/ceremony/ceremony-service';
import { playCeremony } from '../../electron/services/rehearsal/headless-driver';
import type { Signers } from '../../electron/services/rehearsal/rehearsal-cast';
import {
  rehearsalCast,
  rehearsalClients,
  startRehearsalCeremony,
} from '../../electron/services/rehearsal/rehearsal-ceremony';
import type { RehearsalTarget } from '../../electron/services/rehearsal/rehearsal-target';
import type { VaultClient } from '../../electron/services/vault/client';

export interface RehearsedCeremony {
  /** A new folder for the journal and the bundle (`<dir>/bundle`). */
  readonly dir: string;
  readonly id: string;
  readonly target: RehearsalTarget;
  readonly cast: Signers;
  /** Plays up to the first status for which this holds; then `act` runs. */
  readonly until: NonNullable<Parameters<typeof playCeremony>[2]['until']>;
  readonly act: (service: CeremonyService) => Promise<unknown>;
  /** Wraps the ceremony's Vault client (e.g. to make a call fail). */
  readonly observe?: (client: VaultClient) => VaultClient;
}

/** Runs the ceremony, exports its bundle and returns the bundle's folder. */
export async function rehearsedBundle(c: RehearsedCeremony): Promise<string> {
  mkdirSync(c.dir, { recursive: true });
  const clients = await rehearsalClients(c.target, 'promotion', c.observe);
  if (!clients.ok) throw new Error(clients.error.message);
  const service = await startRehearsalCeremony({
    target: c.target,
    signers: c.cast,
    journalPath: join(c.dir, 'journal.jsonl'),
    clients: clients.value,
    id: c.id,
  });
  if (!service.ok) throw new Error(service.error.message);
  const driver = { log: () => undefined };
  try {
    const before = await playCeremony(service.value, rehearsalCast(c.target, c.cast), { ...driver, until: c.until });
    if (!before.ok) throw new Error(before.error.message);
    await c.act(service.value);
    const after = await playCeremony(service.value, rehearsalCast(c.target, c.cast), driver);
    if (!after.ok) throw new Error(after.error.message);
    const bundle = join(c.dir, 'bundle');
    const written = await service.value.exportBundle(bundle);
    if (!written.ok) throw new Error(written.error.message);
    return bundle;
  } finally {
    await service.value.close();
  }
}
