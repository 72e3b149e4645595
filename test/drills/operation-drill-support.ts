/**
 * Operation ceremonies (plans with `kind: operation`) played headless one after another against one
 * in-process rehearsal Vault over mutual TLS, as an operator runs them, each to a verified bundle.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { PlanOperation } from '../../shared/ceremony/ceremony-plan';
import type { ServiceStatus } from '../../shared/ceremony/ceremony-snapshot';
import type { JournalEvent } from '../../shared/record/journal-event';
import {
  startRehearsalVault,
  type RehearsalVault,
  type RehearsalVaultOptions,
} from '../../rehearsal-vault/rehearsal-cluster-set';
import { verifyBundle } from '../../electron/services/transcript/verify';
import type { VaultClient } from '../../electron/services/vault/client';
import { playCeremony } from '../../electron/services/rehearsal/headless-driver';
import { generateSigners, type Signers } from '../../electron/services/rehearsal/rehearsal-cast';
import { rehearsalCast, startRehearsalCeremony } from '../../electron/services/rehearsal/rehearsal-ceremony';
import {
  connectTarget,
  DR_SECONDARY_PROFILE,
  PRIMARY_PROFILE,
  type RehearsalProfile,
  type RehearsalTarget,
} from '../../electron/services/rehearsal/rehearsal-target';

/** A fault made once the activation token is entered, and cleared when an action fails, before it is tried again. */
export interface OperationFault {
  make(): Promise<void>;
  clear(): Promise<void>;
}

export interface OperatedCeremony {
  /** A secondary-token's activation token. */
  readonly issued: string | undefined;
  readonly journal: JournalEvent[];
  /** Its exported bundle. */
  readonly dir: string;
}

export interface OperationRig {
  readonly root: string;
  readonly vault: RehearsalVault;
  readonly target: RehearsalTarget;
  readonly signers: Signers;
  /**
   * Plays one operation ceremony on `profile` to the end and verifies its bundle. `activationToken`
   * is entered when the ceremony asks for one. With a `fault`, the action it fails is tried again
   * once it is cleared, as the administrator would.
   */
  operate(
    id: string,
    profile: RehearsalProfile,
    operation: PlanOperation,
    activationToken?: string,
    fault?: OperationFault,
  ): Promise<OperatedCeremony>;
  /** A DR activation token for `secondaryId`, issued by an operation ceremony on the primary. */
  token(secondaryId: string): Promise<string | undefined>;
  /** The DR secondary made a secondary of the primary's current DR replication set, afresh. */
  followPrimaryAfresh(tag: string): Promise<void>;
  /** A client of `profile`'s own, closed with the rig. */
  connect(profile: RehearsalProfile): Promise<VaultClient>;
  close(): Promise<void>;
}

export async function operationRig(options: RehearsalVaultOptions): Promise<OperationRig> {
  const root = mkdtempSync(join(tmpdir(), 'vc-op-'));
  const started = await startRehearsalVault(options);
  if (!started.ok) throw new Error(started.error.message);
  const vault = started.value;
  const connected = await connectTarget({ kind: 'in-process', vault });
  if (!connected.ok) throw new Error(connected.error.message);
  const target = connected.value;
  const signers = await generateSigners(undefined);
  const clients: VaultClient[] = [];

  const connect = async (profile: RehearsalProfile) => {
    const plain = await target.connect(undefined, profile);
    if (!plain.ok) throw new Error(plain.error.message);
    clients.push(plain.value);
    return plain.value;
  };

  const operate: OperationRig['operate'] = async (id, profile, operation, activationToken, fault) => {
    const log: string[] = [];
    const begun = await startRehearsalCeremony({
      target,
      signers,
      journalPath: join(root, `${id}.jsonl`),
      clients: { [profile]: await connect(profile) },
      id,
      operation: { profile, operation },
      log: (l) => log.push(l),
    });
    if (!begun.ok) throw new Error(begun.error.message);
    const service = begun.value;
    const cast = rehearsalCast(target, signers);
    const play = async (until?: (s: ServiceStatus) => boolean) => {
      const played = await playCeremony(service, cast, { log: (l) => log.push(l), ...(until ? { until } : {}) });
      if (!played.ok) throw new Error(`${played.error.message}\n${log.join('\n')}`);
      return played.value;
    };
    try {
      if (activationToken !== undefined) {
        await play((s) => s.input === 'activation-token');
        const entered = await service.provideToken(activationToken);
        if (!entered.ok) throw new Error(entered.error.message);
      }
      if (fault) {
        await fault.make();
        const failed = await play((s) => s.lastError !== null);
        await fault.clear();
        // An irreversible step is authorised again before it is retried; another waits for a person to retry.
        if (failed.input === 'retry' && !(await service.retry()).ok) throw new Error('the retry was refused');
      }
      const issued =
        operation.id === 'secondary-token'
          ? (await play((s) => s.step === 'check-after-operation' && s.committed), service.activationToken())
          : undefined;
      expect((await play()).step).toBe('finished');
      const dir = join(root, `${id}-bundle`);
      const report = await service.exportBundle(dir);
      if (!report.ok) throw new Error(report.error.message);
      expect((await verifyBundle(dir)).valid).toBe(true);
      const journal = readFileSync(join(root, `${id}.jsonl`), 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as JournalEvent);
      return { issued, journal, dir };
    } finally {
      await service.close();
    }
  };

  const token = async (secondaryId: string) => {
    const operation = { id: 'secondary-token', replication: 'dr', secondary_id: secondaryId, ttl: '30m' } as const;
    return (await operate(`op-token-${secondaryId}`, PRIMARY_PROFILE, operation)).issued;
  };

  const followPrimaryAfresh = async (tag: string) => {
    if (vault.cluster('primary').replication.dr.mode !== 'primary')
      await operate(`op-dr-primary-${tag}`, PRIMARY_PROFILE, { id: 'enable-primary', replication: 'dr' });
    if (vault.cluster('drSecondary').replication.dr.mode !== 'disabled')
      await operate(`op-disable-${tag}`, DR_SECONDARY_PROFILE, { id: 'disable-secondary', replication: 'dr' });
    const enable = { id: 'enable-secondary', replication: 'dr' } as const;
    await operate(`op-enable-${tag}`, DR_SECONDARY_PROFILE, enable, await token(`dc2-${tag}`));
  };

  return {
    root,
    vault,
    target,
    signers,
    operate,
    token,
    followPrimaryAfresh,
    connect,
    async close() {
      for (const c of clients) c.close();
      target.client.close();
      await vault.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
