// @tier integration
/**
 * Failback drills: faults at the failback's own irreversible calls, on the rehearsal Vault over
 * mutual TLS, the scene set by a rehearsed promotion first (as `rehearse --kind failback` does).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RehearsalVault } from '../../rehearsal-vault/rehearsal-cluster-set';
import type { CeremonyService } from '../../electron/services/ceremony/ceremony-service';
import { playCeremony } from '../../electron/services/rehearsal/headless-driver';
import { generateSigners, type RehearsalCast } from '../../electron/services/rehearsal/rehearsal-cast';
import {
  rehearsalCast,
  rehearsalClients,
  startRehearsalCeremony,
} from '../../electron/services/rehearsal/rehearsal-ceremony';
import { stageFailback } from '../../electron/services/rehearsal/headless-rehearsal';
import { cleanUp, onCleanUp, readJournal } from './drill-support';
import { drillTarget } from './ha-drill-support';

afterEach(cleanUp);

const DEMOTE = 'sys/replication/dr/primary/demote';

interface FailbackDrill {
  readonly vault: RehearsalVault;
  readonly service: CeremonyService;
  readonly cast: RehearsalCast;
  readonly journalPath: string;
  readonly dir: string;
}

/** A failback ceremony on an N-node rehearsal Vault whose scene is set: the DR secondary promoted, the old primary back. */
async function failbackDrill(id: string, nodes: 1 | 3): Promise<FailbackDrill> {
  const { dir, vault, target } = await drillTarget(`failback-${id}`, { nodes, threshold: 2 });
  const signers = await generateSigners(undefined);
  const staged = await stageFailback({ out: dir, log: () => undefined }, target, signers);
  if (!staged.ok) throw new Error(staged.error.message);
  const clients = await rehearsalClients(target, 'failback');
  if (!clients.ok) throw new Error(clients.error.message);
  onCleanUp(() => Object.values(clients.value).forEach((c) => c.close()));
  const journalPath = join(dir, 'journal.jsonl');
  const service = await startRehearsalCeremony({
    target: target,
    signers,
    journalPath,
    clients: clients.value,
    id,
    kind: 'failback',
  });
  if (!service.ok) throw new Error(service.error.message);
  onCleanUp(() => service.value.close());
  return { vault, service: service.value, cast: rehearsalCast(target, signers), journalPath, dir };
}

/** The ceremony's bundle, exported, passes every record check (each extra read on the record included). */
async function expectBundleVerifies(d: FailbackDrill) {
  const report = await d.service.exportBundle(join(d.dir, 'bundle'));
  if (!report.ok) throw new Error(report.error.message);
  expect(report.value.problems).toEqual([]);
  expect(report.value.valid).toBe(true);
}

describe('a failback whose demote answer is lost', () => {
  for (const nodes of [1, 3] as const) {
    it(`on ${nodes} node(s): the DR mode is read, the demotion found made, and demote is not sent again`, async () => {
      const d = await failbackDrill(`demote-lost-${nodes}`, nodes);
      d.vault.faults.dropResponses('primary', { path: /dr\/primary\/demote$/, times: 1 });
      const log: string[] = [];
      // The driver authorises the demote again after its failure, as people would; then the mode decides.
      const ended = await playCeremony(d.service, d.cast, { log: (l) => log.push(l) });
      if (!ended.ok) throw new Error(`${ended.error.message}\n${log.join('\n')}`);
      expect(ended.value.step).toBe('finished');
      expect(d.vault.cluster('primary').replication.dr.mode).toBe('secondary');
      await expectBundleVerifies(d);
      const demotes = readJournal(d.journalPath).filter(
        (e) => e.type === 'vault-request' && e.details['path'] === DEMOTE,
      );
      expect(demotes).toHaveLength(1);
    }, 120_000);
  }
});

describe('a failback whose update-primary answer is lost', () => {
  it('the demoted cluster is found following a primary, and update-primary is not sent again with its used token', async () => {
    const d = await failbackDrill('update-lost', 3);
    d.vault.faults.dropResponses('primary', { path: /dr\/secondary\/update-primary$/, times: 1 });
    const log: string[] = [];
    const ended = await playCeremony(d.service, d.cast, { log: (l) => log.push(l) });
    if (!ended.ok) throw new Error(`${ended.error.message}\n${log.join('\n')}`);
    expect(ended.value.step).toBe('finished');
    await expectBundleVerifies(d);
    const sent = readJournal(d.journalPath).filter(
      (e) => e.type === 'vault-request' && e.details['path'] === 'sys/replication/dr/secondary/update-primary',
    );
    expect(sent).toHaveLength(1);
  }, 120_000);
});
