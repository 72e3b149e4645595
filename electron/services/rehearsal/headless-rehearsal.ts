/**
 * A complete promotion ceremony against a rehearsal Vault, with every role played headless
 * (./headless-driver.ts): what `vault-ceremony rehearse` runs, and the benchmark times.
 *
 * Layout of the output folder DIR:
 *   DIR/ceremony/plan.yaml              the plan, as reviewers would read it
 *   DIR/ceremony/journal.jsonl          the laptop's full journal (signing events included)
 *   DIR/ceremony/journal.jsonl.signing.json   the transcript signed so far
 *   DIR/transcript.txt.asc, DIR/journal.jsonl, DIR/signers/*.pub.asc   the bundle, once signed
 * Nothing secret is written under DIR.
 *
 * `resume` continues the ceremony whose journal is in DIR/ceremony/, against the same external
 * rehearsal Vault (an in-process one died with the process that ran it).
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { err, ok, type Result } from '../../../shared/result';
import { startRehearsalVault, type RehearsalVaultOptions } from '../../../rehearsal-vault/rehearsal-cluster-set';
import { makeFolder, writeNewFile } from '../files/durable-write';
import { describeFsError, fsErrorCode, fsErrorPath } from '../files/fs-error';
import type { BundleReport } from '../transcript/verify';
import type { VaultClient } from '../vault/client';
import { resumeCeremony } from '../ceremony/ceremony-recovery';
import type { ServiceStatus } from '../../../shared/ceremony/ceremony-snapshot';
import type { CeremonyService } from '../ceremony/ceremony-service';
import { playCeremony } from './headless-driver';
import type { Signers } from './rehearsal-cast';
import { rehearsalCast, rehearsalServiceOptions, startRehearsalCeremony } from './rehearsal-ceremony';
import { connectTarget, rehearsalSigners, type RehearsalTargetSpec } from './rehearsal-target';

export interface RehearsalRunOptions {
  readonly out: string;
  /** A rehearsal Vault to use, or (`start`) the options of one to start in this process for this run. */
  readonly target:
    | RehearsalTargetSpec
    | { readonly kind: 'start'; readonly options: RehearsalVaultOptions & { readonly passphrase: string } };
  /** Continue the ceremony whose journal is in `out` (external rehearsal Vaults only). */
  readonly resume?: boolean;
  /** Progress for people: steps, nonce, progress n/m, deviations. Never a secret. */
  readonly log: (line: string) => void;
  /** Milliseconds before each person's step (default 0). */
  readonly pace?: number;
  readonly clock?: () => Date;
  /** Signing keys to use instead of generated (or, for external rehearsals, saved) ones. */
  readonly signers?: Signers;
  /** Wraps the Vault client, e.g. so a test can see what crossed the wire. */
  readonly observeClient?: (client: VaultClient) => VaultClient;
}

export interface RehearsalResult {
  /** The ceremony finished, its post-check having seen the DR secondary report mode primary. */
  readonly promoted: boolean;
  readonly report: BundleReport;
  readonly journalPath: string;
  readonly status: ServiceStatus;
}

export type RehearsalRunErrorKind =
  'invalid-output' | 'invalid-options' | 'cannot-resume' | 'target-failed' | 'ceremony-failed' | 'bundle-failed';

export const WORK_DIR = 'ceremony';
export const JOURNAL_FILE = 'journal.jsonl';

export async function runRehearsal(
  options: RehearsalRunOptions,
): Promise<Result<RehearsalResult, RehearsalRunErrorKind>> {
  const workDir = join(options.out, WORK_DIR);
  const journalPath = join(workDir, JOURNAL_FILE);
  // Bad input changes nothing: every check comes before the first write.
  const usable = options.resume ? await checkResumable(options, journalPath) : await checkEmpty(options.out);
  if (!usable.ok) return usable;

  if (options.target.kind !== 'start') return rehearse(options, options.target, workDir, journalPath);
  const started = await startRehearsalVault(options.target.options);
  if (!started.ok)
    return err(started.error.kind === 'setup-failed' ? 'target-failed' : 'invalid-options', started.error.message);
  const vault = started.value;
  options.log(
    `REHEARSAL Vault started in this process: DR secondary ${vault.drSecondary.apiAddr}, ${vault.shares} officers, threshold ${vault.threshold}`,
  );
  try {
    return await rehearse(
      options,
      { kind: 'in-process', vault, officerPassphrase: options.target.options.passphrase },
      workDir,
      journalPath,
    );
  } finally {
    await vault.close();
  }
}

async function rehearse(
  options: RehearsalRunOptions,
  spec: RehearsalTargetSpec,
  workDir: string,
  journalPath: string,
): Promise<Result<RehearsalResult, RehearsalRunErrorKind>> {
  const target = await connectTarget(spec);
  if (!target.ok) return err('target-failed', target.error.message);
  if (!options.resume) {
    // One level at a time, never a recursive walk (which spins for ever on /proc).
    try {
      await makeFolder(options.out, { named: true, mode: 0o755 });
      await makeFolder(workDir);
    } catch (e) {
      target.value.client.close();
      const why =
        fsErrorCode(e) === 'ENOENT'
          ? `its parent folder ${dirname(resolve(fsErrorPath(e) ?? options.out))} does not exist or cannot hold new folders`
          : describeFsError(e);
      return err('invalid-output', `cannot create ${fsErrorPath(e) ?? workDir}: ${why}`);
    }
  }
  const { officers, threshold, signersDir, vaultVersion } = target.value;
  try {
    const signers = options.signers ? ok(options.signers) : await rehearsalSigners(signersDir);
    if (!signers.ok) return err('target-failed', signers.error.message);
    const cast = rehearsalCast(target.value, signers.value);
    const harness = {
      target: target.value,
      signers: signers.value,
      journalPath,
      client: options.observeClient ? options.observeClient(target.value.client) : target.value.client,
      log: options.log,
      ...(options.observeClient ? { observeClient: options.observeClient } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    };

    let service: Result<CeremonyService, string>;
    if (options.resume) {
      options.log(`Resuming the ceremony in ${journalPath}`);
      service = await resumeCeremony(rehearsalServiceOptions(harness));
    } else {
      const id = `rehearsal-${(options.clock?.() ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}`;
      service = await startRehearsalCeremony({
        ...harness,
        id,
        prepare: async (plan) => {
          const written = await writeNewFile(join(workDir, 'plan.yaml'), stringify(plan), 0o644).then(
            () => undefined,
            (e: unknown) => describeFsError(e),
          );
          if (written !== undefined) return err('invalid-output', `cannot write the plan into ${workDir}: ${written}`);
          options.log(
            `Plan ${id}: Vault ${vaultVersion}.x, ${officers.length} officers, threshold ${threshold}, administrator and ${cast.witnesses.length} witnesses`,
          );
          return ok(undefined);
        },
      });
    }
    if (!service.ok)
      return err(service.error.kind === 'invalid-output' ? 'invalid-output' : 'ceremony-failed', service.error.message);
    try {
      const played = await playCeremony(service.value, cast, {
        log: options.log,
        ...(options.pace ? { pace: options.pace } : {}),
      });
      if (!played.ok) return err('ceremony-failed', played.error.message);
      const status = played.value;
      if (status.step !== 'finished')
        return err('ceremony-failed', `the ceremony ended as '${status.step}': ${status.lastResult ?? ''}`);
      const report = await service.value.exportBundle(options.out);
      if (!report.ok) return err('bundle-failed', report.error.message);
      return ok({ promoted: status.committed, report: report.value, journalPath, status: service.value.status() });
    } finally {
      await service.value.close();
    }
  } finally {
    target.value.client.close();
  }
}

async function checkEmpty(out: string): Promise<Result<void, 'invalid-output'>> {
  try {
    if (!(await stat(out)).isDirectory())
      return err('invalid-output', `${out} is a file, not a folder: give a new or empty folder for the bundle`);
    const entries = await readdir(out);
    return entries.length === 0
      ? ok(undefined)
      : err(
          'invalid-output',
          `${out} is not empty: a rehearsal writes a new bundle, so give a new or empty folder (or --resume to continue the ceremony in it)`,
        );
  } catch (e) {
    return fsErrorCode(e) === 'ENOENT'
      ? ok(undefined)
      : err('invalid-output', `cannot use ${out}: ${describeFsError(e)}`);
  }
}

async function checkResumable(
  options: RehearsalRunOptions,
  journalPath: string,
): Promise<Result<void, 'cannot-resume'>> {
  if (options.target.kind !== 'external')
    return err(
      'cannot-resume',
      'an in-process rehearsal Vault ends with the process that ran it, so there is nothing to resume against: resume with --cluster DIR/cluster.json',
    );
  const exists = await stat(journalPath).then(
    () => true,
    () => false,
  );
  return exists ? ok(undefined) : err('cannot-resume', `there is no ceremony journal at ${journalPath} to resume`);
}
