/**
 * The whole headless rehearsal, 5 officers and threshold 3, from start to signed, verified bundle:
 * `vault-ceremony rehearse --out DIR` as a person runs it (a new process: start-up, in-process
 * rehearsal Vault over mTLS, officer and signer keys, every role, export and verify), and the same
 * run in this process (runRehearsal, what the command calls) to show what start-up adds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rehearsalPassphrase } from '../electron/services/rehearsal/rehearsal-cast';
import { runRehearsal } from '../electron/services/rehearsal/headless-rehearsal';
import { CLI, runNode } from './cli-run';
import { measure } from './measure';
import { timed, type Benchmark } from './metric';

const OFFICERS = 5;
const THRESHOLD = 3;

export const rehearsalBenchmark: Benchmark = {
  name: 'rehearsal',
  async run() {
    const root = mkdtempSync(join(tmpdir(), 'bench-rehearsal-'));
    let n = 0;
    const fresh = () => join(root, `run-${++n}`);
    try {
      const cli = await measure(
        async () => {
          const run = await runNode([
            CLI,
            'rehearse',
            '--out',
            fresh(),
            '--officers',
            String(OFFICERS),
            '--threshold',
            String(THRESHOLD),
          ]);
          if (run.status !== 0) throw new Error(`vault-ceremony rehearse failed (${run.status}): ${run.stderr}`);
        },
        { warmup: 1, runs: 5 },
      );
      const inProcess = await measure(
        async () => {
          const result = await runRehearsal({
            out: fresh(),
            target: {
              kind: 'start',
              options: { officers: OFFICERS, threshold: THRESHOLD, passphrase: rehearsalPassphrase() },
            },
            log: () => undefined,
          });
          if (!result.ok || !result.value.committed || !result.value.report.valid)
            throw new Error(
              `the rehearsal failed: ${result.ok ? 'not promoted or not verified' : result.error.message}`,
            );
        },
        { warmup: 1, runs: 5 },
      );
      return [
        timed(
          'rehearsal_ceremony_ms',
          cli,
          `vault-ceremony rehearse, new process, ${OFFICERS} officers, threshold ${THRESHOLD}; target <= 3000`,
        ),
        timed('rehearsal_ceremony_in_process_ms', inProcess, 'runRehearsal in this process'),
      ];
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};
