// @tier integration
/**
 * The headless driver stops on a failure that repeats, instead of offering the same failed
 * action again for thousands of moves; a check whose answer is wrong (the 'DR secondary' is a
 * primary) ends the run promptly with a bounded journal, never a silent loop of re-reads.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startRehearsalVault, type RehearsalVault } from '../../../rehearsal-vault/rehearsal-cluster-set';
import { runRehearsal } from './headless-rehearsal';

const root = mkdtempSync(join(tmpdir(), 'vc-driver-'));
let vault: RehearsalVault | undefined;

afterAll(async () => {
  await vault?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('headless driver', () => {
  it('ends the run with the reason when the DR secondary stays down during share entry', async () => {
    const started = await startRehearsalVault({ officers: 3, threshold: 2 });
    if (!started.ok) throw new Error(started.error.message);
    vault = started.value;
    const log: string[] = [];
    const running = runRehearsal({
      out: join(root, 'out'),
      target: { kind: 'in-process', vault },
      log: (line) => {
        log.push(line);
        // Take the secondary down as the first officer steps up, and leave it down.
        if (/enters a share/.test(line) && log.filter((l) => /enters a share/.test(l)).length === 1)
          void vault!.faults.takeDown('drSecondary');
      },
    });
    const result = await running;
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('ceremony-failed');
    expect(result.error.message).toMatch(/submit-share|refused|did not answer|not reachable|connect/i);
    const journal = readFileSync(join(root, 'out', 'ceremony', 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(journal.length).toBeLessThan(200);
  });

  it("stops within seconds, with a bounded journal, when the 'DR secondary' is a primary", async () => {
    const started = await startRehearsalVault({ officers: 3, threshold: 2 });
    if (!started.ok) throw new Error(started.error.message);
    const wrong = started.value;
    try {
      const began = Date.now();
      const result = await runRehearsal({
        out: join(root, 'primary-as-secondary'),
        // The profile points at the primary, as a cluster.json naming the wrong address would.
        target: { kind: 'in-process', vault: { ...wrong, drSecondary: wrong.primary } },
        log: () => undefined,
      });
      expect(Date.now() - began).toBeLessThan(20_000);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.kind).toBe('ceremony-failed');
      expect(result.error.message).toMatch(/DR mode 'primary', not 'secondary'.*Check the connection profile/);
      const journal = readFileSync(join(root, 'primary-as-secondary', 'ceremony', 'journal.jsonl'), 'utf8');
      expect(journal.trim().split('\n').length).toBeLessThan(40);
      expect(journal.length).toBeLessThan(1024 * 1024);
    } finally {
      await wrong.close();
    }
  }, 30_000);
});
