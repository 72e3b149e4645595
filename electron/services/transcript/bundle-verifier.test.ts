// @tier integration
/**
 * The app opens bundles in a worker thread: its main process keeps its event loop while a slow
 * bundle verifies, a verification past the time limit is stopped and reported as not verified,
 * and a worker that fails or ends without answering is reported, never taken for an answer.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput } from '../journal/journal';
import { builtBundleVerifier } from '../../../test/support/built-programs';
import {
  makeBundle,
  planEvent,
  sealedJournal,
  threeSigners,
  type TestBundle,
} from '../../../test/support/transcript-bundle';
import { openBundleInWorker } from './bundle-verifier';

let bundle: TestBundle;
let root: string;

beforeAll(async () => {
  bundle = await makeBundle(await threeSigners());
  root = mkdtempSync(join(tmpdir(), 'bundle-verifier-'));
}, 60_000);
afterAll(() => {
  bundle.dispose();
  rmSync(root, { recursive: true, force: true });
});

describe('openBundleInWorker', () => {
  it('answers as verify does', async () => {
    const opened = await openBundleInWorker({ dir: bundle.dir }, { script: builtBundleVerifier() });
    expect(opened.ok && opened.value.report.verdict).toBe('unanchored');
    expect(opened.ok && opened.value.text).toContain('Journal head:');
  });

  it('keeps the main process’s event loop free while a long journal verifies', async () => {
    // 50,000 events: checking their hash chain alone keeps a thread busy for a good part of a second.
    const ack = (n: number): EventInput => ({
      actor: 'alice',
      role: 'administrator',
      step: 'roll-call',
      type: 'step-acknowledged',
      details: { n },
    });
    const dir = join(root, 'slow');
    mkdirSync(dir);
    const events = [planEvent(bundle.signers), ...Array.from({ length: 50_000 }, (_, n) => ack(n))];
    writeFileSync(join(dir, 'journal.jsonl'), sealedJournal('dc2-2025-01-31', events).bytes);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const opened = await openBundleInWorker({ dir }, { script: builtBundleVerifier() });
    // A loop held by the verification records the delay on its next timer: let that timer run.
    await new Promise((resolve) => setTimeout(resolve, 50));
    delay.disable();
    expect(opened.ok && opened.value.report.verdict).toBe('failed');
    expect(opened.ok && opened.value.report.events).toBe(50_002);
    expect(delay.max / 1e6).toBeLessThan(200);
  });

  it('stops a verification past its time limit and says the bundle is not verified', async () => {
    const opened = await openBundleInWorker({ dir: bundle.dir }, { script: builtBundleVerifier(), timeLimitMs: 1 });
    expect(opened).toEqual({
      ok: false,
      error: {
        kind: 'verifier-timeout',
        message: `verifying ${bundle.dir} took longer than 0.001 s and was stopped: the bundle is NOT verified`,
      },
    });
  });

  it('reports a worker that fails or ends without answering', async () => {
    const failing = join(root, 'failing.cjs');
    writeFileSync(failing, "throw new Error('no such verifier');");
    const failed = await openBundleInWorker({ dir: bundle.dir }, { script: failing });
    expect(!failed.ok && failed.error).toEqual({
      kind: 'verifier-failed',
      message: 'the bundle could not be verified (no such verifier): it is NOT verified',
    });
    const silent = join(root, 'silent.cjs');
    writeFileSync(silent, 'process.exit(3);');
    const ended = await openBundleInWorker({ dir: bundle.dir }, { script: silent });
    expect(!ended.ok && ended.error).toEqual({
      kind: 'verifier-failed',
      message: 'the verifier stopped (exit code 3) before it answered: the bundle is NOT verified',
    });
  });
});
