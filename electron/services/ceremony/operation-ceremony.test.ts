// @tier integration
/**
 * Replication operations as ceremonies, against a real in-process rehearsal Vault over mutual TLS:
 * a secondary-token and then a demote on the primary, each journaled, signed, exported and verified.
 * The activation token is lent to people during the post-check only, and neither the journal nor
 * the bundle ever holds it: only its SHA-256.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanOperation } from '../../../shared/ceremony/ceremony-plan';
import { startRehearsalVault, type RehearsalVault } from '../../../rehearsal-vault/rehearsal-cluster-set';
import { verifyBundle } from '../transcript/verify';
import type { VaultClient } from '../vault/client';
import { playCeremony } from '../rehearsal/headless-driver';
import { generateSigners, rehearsalPlan, type RehearsalCast } from '../rehearsal/rehearsal-cast';
import { rehearsalCast, rehearsalServiceOptions } from '../rehearsal/rehearsal-ceremony';
import { connectTarget, PRIMARY_PROFILE, type RehearsalTarget } from '../rehearsal/rehearsal-target';
import { resumeCeremony } from './ceremony-recovery';
import { startCeremony, type CeremonyService } from './ceremony-service';

const PASSPHRASE = 'correct horse battery staple';

let root: string;
let vault: RehearsalVault;
let target: RehearsalTarget;
let primary: VaultClient;
let cast: RehearsalCast;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vc-operation-'));
  const started = await startRehearsalVault({ officers: 3, threshold: 2, passphrase: PASSPHRASE });
  if (!started.ok) throw new Error(started.error.message);
  vault = started.value;
  const connected = await connectTarget({ kind: 'in-process', vault, officerPassphrase: PASSPHRASE });
  if (!connected.ok) throw new Error(connected.error.message);
  target = connected.value;
  // Status reads only: the calls that change anything carry the Vault token the administrator enters.
  const plain = await target.connect(undefined, PRIMARY_PROFILE);
  if (!plain.ok) throw new Error(plain.error.message);
  primary = plain.value;
  cast = rehearsalCast(target, await generateSigners(undefined));
});

afterAll(async () => {
  primary?.close();
  target?.client.close();
  await vault?.close();
  rmSync(root, { recursive: true, force: true });
});

/** The service's options for the ceremony `id` (its journal in the test's folder). */
const optionsOf = (id: string) =>
  rehearsalServiceOptions({
    target,
    signers: cast,
    journalPath: join(root, `${id}.jsonl`),
    clients: { [PRIMARY_PROFILE]: primary },
  });

async function start(id: string, operation: PlanOperation): Promise<CeremonyService> {
  const plan = rehearsalPlan(cast, { id, threshold: 2, profile: PRIMARY_PROFILE, operation });
  if (!plan.ok) throw new Error(plan.error.message);
  const service = await startCeremony(plan.value, optionsOf(id));
  if (!service.ok) throw new Error(service.error.message);
  return service.value;
}

async function finishAndExport(service: CeremonyService, id: string): Promise<string> {
  const played = await playCeremony(service, cast, { log: () => undefined });
  if (!played.ok) throw new Error(played.error.message);
  expect(played.value.step).toBe('finished');
  const dir = join(root, `${id}-bundle`);
  const report = await service.exportBundle(dir);
  if (!report.ok) throw new Error(report.error.message);
  expect((await verifyBundle(dir)).valid).toBe(true);
  return dir;
}

describe('operation ceremonies against the rehearsal Vault', () => {
  it('secondary-token: the token is lent during the post-check only, and only its SHA-256 is on the record', async () => {
    const id = 'op-secondary-token';
    const service = await start(id, { id: 'secondary-token', replication: 'dr', secondary_id: 'dc3', ttl: '30m' });
    try {
      const atCheck = await playCeremony(service, cast, {
        log: () => undefined,
        until: (s) => s.step === 'check-after-operation' && s.acknowledgements.length > 0,
      });
      if (!atCheck.ok) throw new Error(atCheck.error.message);
      expect(atCheck.value.committed).toBe(true);
      const token = service.activationToken();
      expect(token).toMatch(/^\S{20,}$/);
      const sha256 = createHash('sha256').update(token!, 'utf8').digest('hex');
      const journal = readFileSync(join(root, `${id}.jsonl`), 'utf8');
      expect(journal).not.toContain(token!);
      expect(journal).toContain(sha256);
      // Vault's own answer, as the post-check read it, is on screen: the mode stated.
      expect(atCheck.value.lastResult).toBe("Vault reports DR mode 'primary'.");

      const dir = await finishAndExport(service, id);
      expect(service.activationToken()).toBeUndefined();
      for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }))
        if (file.endsWith('.txt') || file.endsWith('.jsonl') || file.endsWith('.asc'))
          expect(readFileSync(join(dir, file), 'utf8')).not.toContain(token!);
      const transcript = readFileSync(join(dir, 'transcript.txt'), 'utf8');
      expect(transcript).toContain('sys/replication/dr/primary/secondary-token');
    } finally {
      await service.close();
    }
  });

  it('secondary-token stopped once its answer was journaled: the token may be in hands, so it is not revoked, and the room is told how', async () => {
    const id = 'op-token-stopped';
    const first = await start(id, { id: 'secondary-token', replication: 'dr', secondary_id: 'dc4', ttl: '30m' });
    try {
      const atCheck = await playCeremony(first, cast, {
        log: () => undefined,
        until: (s) => s.step === 'check-after-operation',
      });
      if (!atCheck.ok) throw new Error(atCheck.error.message);
    } finally {
      await first.close();
    }
    // The laptop stopped right after the answer was journaled: the record ends there, a clean prefix.
    const journalPath = join(root, `${id}.jsonl`);
    const lines = readFileSync(journalPath, 'utf8').trimEnd().split('\n');
    const answered = lines.findIndex((l) => l.includes('"vault-response"') && l.includes('dr/primary/secondary-token'));
    expect(answered).toBeGreaterThan(0);
    writeFileSync(journalPath, lines.slice(0, answered + 1).join('\n') + '\n');
    const resumed = await resumeCeremony(optionsOf(id));
    if (!resumed.ok) throw new Error(resumed.error.message);
    try {
      // The driver gives up at an irreversible step that failed: the room is left with the reason.
      const played = await playCeremony(resumed.value, cast, { log: () => undefined });
      expect(played.ok).toBe(false);
      expect(resumed.value.status().lastError?.message).toMatch(
        /already knows a DR secondary with ID 'dc4': this ceremony's own request was answered with its activation token, which may have been handed over .*If that token was never used, revoke the secondary \(a revoke-secondary operation for ID 'dc4' on this primary\), then issue the token again/,
      );
      const journal = readFileSync(journalPath, 'utf8');
      expect(journal).not.toContain('revoke-secondary"');
      const dr = vault.cluster('primary').replication.dr;
      expect(dr.mode === 'primary' && dr.secondaries.has('dc4')).toBe(true);
    } finally {
      await resumed.value.close();
    }
  });

  it('demote: the primary is a DR secondary afterwards, and the bundle verifies', async () => {
    const id = 'op-demote';
    const service = await start(id, { id: 'demote', replication: 'dr' });
    try {
      await finishAndExport(service, id);
      const status = await primary.replicationStatus();
      if (!status.ok) throw new Error(status.error.message);
      expect(status.value.data.dr.mode).toBe('secondary');
      // The script itself is the machine's (its unit tests); here: the sudo call went through the token entered.
      const journal = readFileSync(join(root, `${id}.jsonl`), 'utf8');
      expect(journal).toContain('"path":"sys/replication/dr/primary/demote"');
      expect(journal).not.toContain(target.primaryRootToken);
    } finally {
      await service.close();
    }
  });
});
