/**
 * Fault drills: a whole ceremony against the in-process rehearsal Vault over mutual TLS, with a
 * fault injected (electron/rehearsal/faults.ts) at the moment it hurts most. Each drill states
 * the outcome people must see and checks it in the journal, the log the room reads, and the
 * requests that actually left the laptop (counted on the real transport).
 *
 * The service's own refusals (another officer's share, a wrong passphrase, someone replacing the
 * attempt) are drilled in electron/ceremony/ceremony-service.test.ts; an unwritable journal there
 * and a full disk in ./journal-full.test.ts; a killed process in ./kill-and-resume.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCeremony, type CeremonyService, type ServiceStatus } from '../../electron/ceremony/ceremony-service';
import { playCeremony } from '../../electron/ceremony/headless-driver';
import { generateSigners, rehearsalPlan, type RehearsalCast } from '../../electron/ceremony/rehearsal-cast';
import { connectTarget, DR_SECONDARY_PROFILE } from '../../electron/ceremony/rehearsal-target';
import { startRehearsalVault, type RehearsalVault } from '../../electron/rehearsal/rehearsal-cluster-set';
import { vaultClientOver, type VaultClient } from '../../electron/vault/client';
import { createTransport, type Transport } from '../../electron/vault/transport';
import type { JournalEvent } from '../../shared/journal-event';
import { replicationOverviewSchema } from '../../shared/replication-overview';
import { describeHealth } from '../../shared/replication-health';

const UPDATE = 'sys/replication/dr/secondary/generate-operation-token/update';
const ATTEMPT = 'sys/replication/dr/secondary/generate-operation-token/attempt';
/** Short enough to drill a timeout quickly; the rehearsal Vault answers in milliseconds otherwise. */
const TIMEOUT_MS = 1_500;

interface Drill {
  readonly vault: RehearsalVault;
  readonly service: CeremonyService;
  readonly cast: RehearsalCast;
  readonly client: VaultClient;
  /** Every request that left the laptop, as "METHOD path", in order. */
  readonly requests: string[];
  /** What the room is told, line by line. */
  readonly log: string[];
  journal(): JournalEvent[];
  play(until?: (s: ServiceStatus) => boolean): Promise<ServiceStatus>;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function drill(id: string): Promise<Drill> {
  const dir = mkdtempSync(join(tmpdir(), `vc-drill-${id}-`));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const started = await startRehearsalVault({ officers: 3, threshold: 2 });
  if (!started.ok) throw new Error(started.error.message);
  const vault = started.value;
  cleanups.push(() => vault.close());
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
  cleanups.push(() => client.close());

  const cast = { ...(await generateSigners(false)), officers: target.value.officers };
  const plan = rehearsalPlan(cast, { id, threshold: 2, profile: DR_SECONDARY_PROFILE });
  if (!plan.ok) throw new Error(plan.error.message);
  const log: string[] = [];
  const journalPath = join(dir, 'journal.jsonl');
  const service = await startCeremony(plan.value, {
    journalPath,
    clients: { [DR_SECONDARY_PROFILE]: client },
    officerKeys: cast.officers.map((o) => ({ name: o.name, publicKeyArmored: o.publicKeyArmored })),
    log: (line) => log.push(line),
  });
  if (!service.ok) throw new Error(service.error.message);
  cleanups.push(() => service.value.close());
  return {
    vault,
    service: service.value,
    cast,
    client,
    requests,
    log,
    journal: () =>
      readFileSync(journalPath, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as JournalEvent),
    async play(until) {
      const played = await playCeremony(service.value, cast, { log: (line) => log.push(line), ...(until ? { until } : {}) });
      if (!played.ok) throw new Error(played.error.message);
      return played.value;
    },
  };
}

const firstShareAccepted = (d: Drill) => () => d.log.some((l) => l.includes('accepted: 1 of 2'));
const deviations = (d: Drill) => d.journal().filter((e) => e.type === 'deviation');
/** A deviation's kind: detected ones state it, raised ones carry the person's event. */
const kindOf = (e: JournalEvent) => e.details['kind'] ?? (e.details['event'] as { kind?: string } | undefined)?.kind;
const index = (events: JournalEvent[], test: (e: JournalEvent) => boolean) => events.findIndex(test);
/** Nonces of the attempts Vault started, in order. */
function startedNonces(d: Drill): string[] {
  return d
    .journal()
    .filter((e) => e.type === 'vault-response' && e.details['method'] === 'PUT' && e.details['path'] === ATTEMPT && e.details['ok'] === true)
    .map((e) => (e.details['data'] as { nonce: string }).nonce);
}

async function expectPromotedAndClosed(d: Drill): Promise<void> {
  expect(d.service.status().ceremony.step).toBe('finished');
  const mode = await d.client.dr.status();
  expect(mode.ok && mode.value.data.mode).toBe('primary');
  expect(d.journal().find((e) => e.type === 'ceremony-finished')?.details['outcome']).toBe('promoted');
}

describe('fault drills against the rehearsal Vault', () => {
  it('the DR secondary restarts mid key entry: the loss is noticed before the next share is sent, the officers are told, and the attempt restarts with a new nonce as a witnessed deviation', async () => {
    const d = await drill('restart');
    await d.play(firstShareAccepted(d));
    const sentBefore = d.requests.length;
    await d.vault.faults.restart('drSecondary');
    await d.play();

    // The share entered after the restart was checked against Vault's attempt and never sent.
    const afterRestart = d.requests.slice(sentBefore);
    expect(afterRestart.indexOf(`PUT ${UPDATE}`)).toBeGreaterThan(afterRestart.indexOf(`PUT ${ATTEMPT}`));
    const [lost] = deviations(d);
    expect(lost?.details).toMatchObject({ kind: 'attempt-lost', detected: true });
    expect(d.log.some((l) => /deviation #1 \(attempt-lost\).*Start again with every share/.test(l))).toBe(true);
    const events = d.journal();
    const witnessed = index(events, (e) => e.type === 'deviation-witnessed');
    const restarted = index(events, (e) => e.seq > events[witnessed]!.seq && e.type === 'vault-request' && e.details['method'] === 'PUT' && e.details['path'] === ATTEMPT);
    expect(witnessed).toBeGreaterThan(index(events, (e) => e.type === 'deviation'));
    expect(restarted).toBeGreaterThan(witnessed);
    const nonces = startedNonces(d);
    expect(nonces).toHaveLength(2);
    expect(nonces[0]).not.toBe(nonces[1]);
    await expectPromotedAndClosed(d);
  });

  it('someone else cancels the attempt: the same, named as a lost attempt; someone else replacing it: a changed nonce', async () => {
    const cancelled = await drill('cancelled');
    await cancelled.play(firstShareAccepted(cancelled));
    cancelled.vault.faults.cancelAttempt();
    await cancelled.play();
    expect(deviations(cancelled).map(kindOf)).toEqual(['attempt-lost']);
    expect(new Set(startedNonces(cancelled)).size).toBe(2);
    await expectPromotedAndClosed(cancelled);

    const replaced = await drill('replaced');
    await replaced.play(firstShareAccepted(replaced));
    const intruder = await replaced.vault.faults.replaceAttempt();
    await replaced.play();
    expect(deviations(replaced)[0]?.details).toMatchObject({ kind: 'nonce-changed' });
    expect(String(deviations(replaced)[0]?.details['reason'])).toContain(intruder);
    // The intruder's attempt is cancelled on the record and the ceremony's own is started afresh.
    expect(replaced.journal().some((e) => e.type === 'vault-request' && e.details['method'] === 'DELETE' && e.details['path'] === ATTEMPT)).toBe(true);
    await expectPromotedAndClosed(replaced);
  });

  it('a response delayed past the timeout: the outcome is recorded as unknown, the attempt re-read, and the lost answer (the encoded token) restarts the attempt', async () => {
    const d = await drill('delayed');
    await d.play(firstShareAccepted(d));
    d.vault.faults.delayResponses('drSecondary', TIMEOUT_MS * 2, { path: /generate-operation-token\/update$/, times: 1 });
    await d.play();
    const events = d.journal();
    const timedOut = index(events, (e) => e.type === 'vault-response' && (e.details['error'] as { kind?: string } | undefined)?.kind === 'timeout');
    expect(timedOut).toBeGreaterThan(0);
    expect(String((events[timedOut]!.details['error'] as { message: string }).message)).toMatch(/may have reached Vault: check the status before repeating it/);
    // Nothing was repeated blindly: the next request reads the attempt.
    expect(events[timedOut + 1]).toMatchObject({ type: 'vault-request', details: { method: 'GET', path: ATTEMPT } });
    expect(deviations(d).map(kindOf)).toEqual(['attempt-lost']);
    await expectPromotedAndClosed(d);
  });

  it('connection refused: the share is not sent, the room is told why, and after Vault is back the officer enters it again', async () => {
    const d = await drill('refused');
    const waiting = await d.play((s) => s.input === 'share' && firstShareAccepted(d)());
    const officer = d.cast.officers.find((o) => o.name === waiting.ceremony.acknowledgements[0]!.anyOf[0]!.name)!;
    await d.vault.faults.takeDown('drSecondary');
    const updatesBefore = d.requests.filter((r) => r === `PUT ${UPDATE}`).length;
    const unlock = { kind: 'openpgp' as const, privateKeyArmored: officer.privateKeyArmored };
    const refused = await d.service.submitShare({ officer: officer.name, pasted: officer.encryptedShare, unlock });
    expect(refused.ok).toBe(true);
    const status = d.service.status();
    expect(status.lastError?.message).toMatch(/the share was not sent: Nothing accepts connections at 127\.0\.0\.1:\d+/);
    expect(status.ceremony.step).toBe('share-entry');
    expect(d.requests.filter((r) => r === `PUT ${UPDATE}`)).toHaveLength(updatesBefore);
    expect(d.journal().some((e) => (e.details['error'] as { kind?: string } | undefined)?.kind === 'connection-refused')).toBe(true);

    await d.vault.faults.bringUp('drSecondary');
    const again = await d.service.submitShare({ officer: officer.name, pasted: officer.encryptedShare, unlock });
    expect(again.ok).toBe(true);
    await d.play();
    expect(deviations(d)).toEqual([]);
    await expectPromotedAndClosed(d);
  });

  it('replication cut: the dashboard shows the broken connection, the ceremony records it, and promotion still goes ahead', async () => {
    const d = await drill('cut');
    d.vault.faults.cutReplication();
    d.vault.faults.writeOnPrimary();

    // What the dashboard reads (the replication.status channel asks these three side by side).
    const [replication, health, seal] = await Promise.all([d.client.replicationStatus(), d.client.health(), d.client.sealStatus()]);
    if (!replication.ok || !health.ok || !seal.ok) throw new Error('the dashboard reads failed');
    const overview = {
      value: replicationOverviewSchema.parse({
        label: DR_SECONDARY_PROFILE,
        address: d.vault.drSecondary.apiAddr,
        fetchedAt: new Date().toISOString(),
        replication: { ok: true, value: replication.value.data },
        health: { ok: true, value: { ...health.value.data, status: health.value.status } },
        seal: { ok: true, value: seal.value.data },
      }),
    };
    const dr = overview.value.replication.ok ? overview.value.replication.value.dr : undefined;
    expect(dr?.connection_state).not.toBe('ready');
    const verdict = describeHealth(overview.value);
    expect(verdict.findings.some((f) => f.level !== 'good' && f.level !== 'info' && /connection state/.test(f.text))).toBe(true);

    await d.play();
    const check = d.journal().find((e) => e.step === 'check-secondary' && e.type === 'vault-response');
    expect((check?.details['data'] as { dr: { connection_state: string } }).dr.connection_state).toBe(dr?.connection_state);
    await expectPromotedAndClosed(d);
  });

  it('promote answers 503 "catching up": the room is told what force means, and force is sent only after a witnessed deviation', async () => {
    const d = await drill('force');
    d.vault.faults.requireForceToPromote();
    const atPromote = await d.play((s) => s.ceremony.step === 'promote');
    for (const { anyOf } of atPromote.ceremony.acknowledgements) {
      const who = anyOf[0]!;
      const acked = await d.service.act({ type: 'acknowledge', step: 'promote', actor: who.name, role: who.role });
      expect(acked.ok).toBe(true);
    }
    const failed = d.service.status();
    expect(failed.ceremony.step).toBe('promote');
    expect(failed.lastError?.message).toMatch(/catching up/);
    expect(failed.lastError?.message).toMatch(/promoting with force makes it primary now and loses whatever it has not received/);
    expect(failed.lastError?.message).toMatch(/a witness confirms/);

    // Force raised but not yet witnessed: nothing is sent.
    const raised = await d.service.act({ type: 'deviation', kind: 'force-promote', actor: d.cast.administrator.name, reason: 'primary site lost; accepting the unreplicated writes' });
    expect(raised.ok).toBe(true);
    const promotes = () => d.journal().filter((e) => e.type === 'vault-request' && e.details['path'] === 'sys/replication/dr/secondary/promote');
    expect(promotes().map((e) => (e.details['body'] as { force: boolean }).force)).toEqual([false]);

    await d.play();
    const events = d.journal();
    expect(promotes().map((e) => (e.details['body'] as { force: boolean }).force)).toEqual([false, true]);
    const witnessed = index(events, (e) => e.type === 'deviation-witnessed');
    const forced = index(events, (e) => e.type === 'vault-request' && (e.details['body'] as { force?: boolean } | undefined)?.force === true);
    expect(witnessed).toBeGreaterThan(0);
    expect(forced).toBeGreaterThan(witnessed);
    expect(deviations(d).map(kindOf)).toEqual(['force-promote']);
    await expectPromotedAndClosed(d);
  });
});
