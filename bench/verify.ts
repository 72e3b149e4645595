/**
 * Transcript verification of a 10,000-event bundle: `vault-ceremony verify DIR --keyring KEYS` as
 * an auditor runs it (a new process through the built dist/cli/vault-ceremony.mjs, start-up included) against
 * `gpg --verify transcript.txt.sig transcript.txt`, the stock command the auditor's guide gives (a
 * new process, the three signers' keys in a temp GNUPGHOME), plus the in-process time of
 * verifyBundle. gpg checks only the signatures; verify also checks the hash chain, re-renders the
 * transcript from the journal and checks the signers against the plan, so it does strictly more.
 *
 * For scale (Node 20, 2 shared cores, CPU time, medians): an empty `node -e 0` takes about 2× the
 * CPU of this gpg run (~70 ms vs ~35 ms), loading verify's code (openpgp, zod, ours) ~110 ms, the
 * checks of 10,000 events ~280 ms: the journal's parse, canonical-form check and hash ~40%, the
 * transcript's re-render ~30%, the signatures ~10%.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAnchors } from '../electron/services/transcript/anchors';
import { verifyBundle } from '../electron/services/transcript/verify';
import { createTempGnupg } from '../test/support/temp-gnupg';
import { CLI, runNode } from './cli-run';
import { runGpg } from './gpg-run';
import { makeLargeBundle } from './large-bundle';
import { measure } from './measure';
import { ratio, timed, type Benchmark } from './metric';

const EVENTS = 10_000;

export const verifyBenchmark: Benchmark = {
  name: 'verify',
  async run() {
    const bundle = await makeLargeBundle(EVENTS);
    const gnupg = createTempGnupg();
    try {
      for (const s of bundle.signers) gnupg.importKey(s.publicKey);
      const keyring = join(bundle.dir, '..', 'auditor-keys.asc');
      writeFileSync(keyring, bundle.signers.map((s) => s.publicKey).join(''));
      const keys = await readAnchors([keyring], undefined);
      if (!keys.ok || !keys.value) throw new Error('the auditor keyring cannot be read');
      const anchors = keys.value;
      const about = `${EVENTS} events, transcript ${(bundle.transcriptBytes / 1e6).toFixed(1)} MB, 3 signatures`;

      const cli = await measure(
        async () => {
          const run = await runNode([CLI, 'verify', bundle.dir, '--keyring', keyring]);
          if (run.status !== 0) throw new Error(`vault-ceremony verify failed (${run.status}): ${run.stderr}`);
        },
        { warmup: 1, runs: 5 },
      );
      const inProcess = await measure(
        async () => {
          const report = await verifyBundle(bundle.dir, { anchors });
          if (report.verdict !== 'anchored') throw new Error(report.problems.map((p) => p.message).join('; '));
        },
        { warmup: 1, runs: 5 },
      );
      const gpg = await measure(
        async () => {
          const run = await runGpg(gnupg.home, [
            '--verify',
            join(bundle.dir, 'transcript.txt.sig'),
            join(bundle.dir, 'transcript.txt'),
          ]);
          if (run.status !== 0) throw new Error(`gpg --verify failed (${run.status}): ${run.stderr}`);
        },
        { warmup: 1, runs: 5 },
      );
      return [
        timed('verify_10k_ms', cli, `vault-ceremony verify, new process; ${about}`),
        timed('verify_10k_in_process_ms', inProcess, 'verifyBundle in this process (warm)'),
        timed('verify_10k_gpg_ms', gpg, 'gpg --verify transcript.txt.sig transcript.txt, new process'),
        ratio('verify_vs_gpg_ratio', cli, gpg, 'CLI / gpg, medians; target <= 2'),
      ];
    } finally {
      gnupg.dispose();
      bundle.dispose();
    }
  },
};
