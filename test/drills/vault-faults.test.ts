// @tier integration
/**
 * Fault drills: a whole ceremony against the in-process rehearsal Vault over mutual TLS, with a
 * fault injected (rehearsal-vault/faults.ts) at the moment it hurts most. Each drill states
 * the outcome people must see and checks it in the journal, the log the room reads, and the
 * requests that actually left the laptop (counted on the real transport).
 *
 * The service's own refusals (another officer's share, a wrong passphrase, someone replacing the
 * attempt) are drilled in electron/services/ceremony/ceremony-service.test.ts; an unwritable journal there
 * and a full disk in ./journal-full.test.ts; a killed process in ./kill-and-resume.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DR_SECONDARY_PROFILE } from '../../electron/services/rehearsal/rehearsal-target';
import type { JournalEvent } from '../../shared/record/journal-event';
import { castSigner } from '../../electron/services/rehearsal/headless-driver';
import { describeHealth } from '../../shared/replication/replication-health';
import { replicationOverviewSchema } from '../../shared/replication/replication-overview';
import {
  ATTEMPT,
  cleanUp,
  deviations,
  drill,
  firstShareAccepted,
  kindOf,
  promotedAndClosed,
  PROMOTED,
  startedNonces,
  TIMEOUT_MS,
  UPDATE,
  type Drill,
} from './drill-support';

afterEach(cleanUp);

const index = (events: JournalEvent[], test: (e: JournalEvent) => boolean) => events.findIndex(test);
const expectPromotedAndClosed = async (d: Drill) => expect(await promotedAndClosed(d)).toEqual(PROMOTED);

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
    const restarted = index(
      events,
      (e) =>
        e.seq > events[witnessed]!.seq &&
        e.type === 'vault-request' &&
        e.details['method'] === 'PUT' &&
        e.details['path'] === ATTEMPT,
    );
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
    expect(deviations(replaced)[0]?.details['reason']).toEqual(expect.stringContaining(intruder));
    // The intruder's attempt is cancelled on the record and the ceremony's own is started afresh.
    expect(
      replaced
        .journal()
        .some((e) => e.type === 'vault-request' && e.details['method'] === 'DELETE' && e.details['path'] === ATTEMPT),
    ).toBe(true);
    await expectPromotedAndClosed(replaced);
  });

  it('a response delayed past the timeout: the outcome is recorded as unknown, the attempt re-read, and the lost answer (the encoded token) restarts the attempt', async () => {
    const d = await drill('delayed');
    await d.play(firstShareAccepted(d));
    d.vault.faults.delayResponses('drSecondary', TIMEOUT_MS * 2, {
      path: /generate-operation-token\/update$/,
      times: 1,
    });
    await d.play();
    const events = d.journal();
    const timedOut = index(
      events,
      (e) => e.type === 'vault-response' && (e.details['error'] as { kind?: string } | undefined)?.kind === 'timeout',
    );
    expect(timedOut).toBeGreaterThan(0);
    expect(String((events[timedOut]!.details['error'] as { message: string }).message)).toMatch(
      /may have reached Vault: check the status before repeating it/,
    );
    // Nothing was repeated blindly: the next request reads the attempt.
    expect(events[timedOut + 1]).toMatchObject({ type: 'vault-request', details: { method: 'GET', path: ATTEMPT } });
    expect(deviations(d).map(kindOf)).toEqual(['attempt-lost']);
    await expectPromotedAndClosed(d);
  });

  it('connection refused: the share is not sent, the room is told why, and after Vault is back the officer enters it again', async () => {
    const d = await drill('refused');
    const waiting = await d.play((s) => s.input === 'share' && firstShareAccepted(d)());
    const officer = d.cast.officers.find((o) => o.name === waiting.acknowledgements[0]!.anyOf[0]!.name)!;
    await d.vault.faults.takeDown('drSecondary');
    const updatesBefore = d.requests.filter((r) => r === `PUT ${UPDATE}`).length;
    const unlock = { kind: 'openpgp' as const, privateKeyArmored: officer.privateKeyArmored };
    const refused = await d.service.submitShare({ officer: officer.name, pasted: officer.encryptedShare, unlock });
    expect(refused.ok).toBe(true);
    const status = d.service.status();
    expect(status.lastError?.message).toMatch(
      /the share was not sent: Nothing accepts connections at 127\.0\.0\.1:\d+/,
    );
    expect(status.step).toBe('share-entry');
    expect(d.requests.filter((r) => r === `PUT ${UPDATE}`)).toHaveLength(updatesBefore);
    expect(
      d.journal().some((e) => (e.details['error'] as { kind?: string } | undefined)?.kind === 'connection-refused'),
    ).toBe(true);

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
    const [replication, health, seal] = await Promise.all([
      d.client.replicationStatus(),
      d.client.health(),
      d.client.sealStatus(),
    ]);
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
    expect(
      verdict.findings.some((f) => f.level !== 'good' && f.level !== 'info' && /connection state/.test(f.text)),
    ).toBe(true);

    await d.play();
    const check = d.journal().find((e) => e.step === 'check-secondary' && e.type === 'vault-response');
    expect((check?.details['data'] as { dr: { connection_state: string } }).dr.connection_state).toBe(
      dr?.connection_state,
    );
    await expectPromotedAndClosed(d);
  });

  it('promote answers 503 "catching up": the room is told what force means, and force is sent only after a witnessed deviation', async () => {
    const d = await drill('force');
    d.vault.faults.requireForceToPromote();
    const atPromote = await d.play((s) => s.step === 'promote');
    for (const { anyOf } of atPromote.acknowledgements) {
      const who = [d.cast.administrator, ...d.cast.witnesses].find((p) => p.name === anyOf[0]!.name)!;
      const signer = await castSigner(who);
      if (!signer.ok) throw new Error(signer.error.message);
      const authorised = await d.service.authorise(signer.value);
      expect(authorised.ok).toBe(true);
    }
    const failed = d.service.status();
    expect(failed.step).toBe('promote');
    expect(failed.lastError?.message).toMatch(/catching up/);
    expect(failed.lastError?.message).toMatch(
      /promoting with force makes it primary now and loses whatever it has not received/,
    );
    expect(failed.lastError?.message).toMatch(/a witness confirms/);

    // Force raised but not yet witnessed: nothing is sent.
    const raised = await d.service.act({
      type: 'deviation',
      kind: 'force-promote',
      actor: d.cast.administrator.name,
      reason: 'primary site lost; accepting the unreplicated writes',
    });
    expect(raised.ok).toBe(true);
    const promotes = () =>
      d
        .journal()
        .filter((e) => e.type === 'vault-request' && e.details['path'] === 'sys/replication/dr/secondary/promote');
    expect(promotes().map((e) => (e.details['body'] as { force: boolean }).force)).toEqual([false]);

    await d.play();
    const events = d.journal();
    expect(promotes().map((e) => (e.details['body'] as { force: boolean }).force)).toEqual([false, true]);
    const witnessed = index(events, (e) => e.type === 'deviation-witnessed');
    const forced = index(
      events,
      (e) => e.type === 'vault-request' && (e.details['body'] as { force?: boolean } | undefined)?.force === true,
    );
    expect(witnessed).toBeGreaterThan(0);
    expect(forced).toBeGreaterThan(witnessed);
    expect(deviations(d).map(kindOf)).toEqual(['force-promote']);
    await expectPromotedAndClosed(d);
  });
});
