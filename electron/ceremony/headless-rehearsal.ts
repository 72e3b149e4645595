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
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { err, ok, type Result } from '../../shared/result';
import type { BundleReport } from '../transcript/verify';
import type { VaultClient } from '../vault/client';
import { resumeCeremony } from './ceremony-recovery';
import { startCeremony, type CeremonyService, type CeremonyServiceOptions, type ServiceStatus } from './ceremony-service';
import { playCeremony } from './headless-driver';
import { rehearsalPlan, type Signers } from './rehearsal-cast';
import { connectTarget, DR_SECONDARY_PROFILE, rehearsalSigners, type RehearsalTargetSpec } from './rehearsal-target';

export interface RehearsalRunOptions {
  readonly out: string;
  readonly target: RehearsalTargetSpec;
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

export type RehearsalRunErrorKind = 'invalid-output' | 'cannot-resume' | 'target-failed' | 'ceremony-failed' | 'bundle-failed';

export const WORK_DIR = 'ceremony';
export const JOURNAL_FILE = 'journal.jsonl';

export async function runRehearsal(options: RehearsalRunOptions): Promise<Result<RehearsalResult, RehearsalRunErrorKind>> {
  const workDir = join(options.out, WORK_DIR);
  const journalPath = join(workDir, JOURNAL_FILE);
  const prepared = options.resume ? await checkResumable(options, journalPath) : await prepareOutput(options.out, workDir);
  if (!prepared.ok) return prepared;

  const target = await connectTarget(options.target);
  if (!target.ok) return err('target-failed', target.error.message);
  const { officers, threshold, signersDir } = target.value;
  const client = options.observeClient ? options.observeClient(target.value.client) : target.value.client;
  try {
    const signers = options.signers ? ok(options.signers) : await rehearsalSigners(signersDir);
    if (!signers.ok) return err('target-failed', signers.error.message);
    const cast = { ...signers.value, officers };
    const serviceOptions: CeremonyServiceOptions = {
      journalPath,
      clients: { [DR_SECONDARY_PROFILE]: client },
      officerKeys: officers.map((o) => ({ name: o.name, publicKeyArmored: o.publicKeyArmored })),
      log: options.log,
      ...(options.clock ? { clock: options.clock } : {}),
    };

    let service: Result<CeremonyService, string>;
    if (options.resume) {
      options.log(`Resuming the ceremony in ${journalPath}`);
      service = await resumeCeremony(serviceOptions);
    } else {
      const id = `rehearsal-${(options.clock?.() ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}`;
      const plan = rehearsalPlan(cast, { id, threshold, profile: DR_SECONDARY_PROFILE });
      if (!plan.ok) return err('ceremony-failed', plan.error.message);
      await writeFile(join(workDir, 'plan.yaml'), stringify(plan.value), { flag: 'wx' });
      options.log(`Plan ${id}: ${officers.length} officers, threshold ${threshold}, administrator and ${cast.witnesses.length} witnesses`);
      service = await startCeremony(plan.value, serviceOptions);
    }
    if (!service.ok) return err('ceremony-failed', service.error.message);
    try {
      const played = await playCeremony(service.value, cast, { log: options.log, ...(options.pace ? { pace: options.pace } : {}) });
      if (!played.ok) return err('ceremony-failed', played.error.message);
      const status = played.value;
      if (status.ceremony.step !== 'finished') return err('ceremony-failed', `the ceremony ended as '${status.ceremony.step}': ${status.ceremony.lastResult ?? ''}`);
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

async function prepareOutput(out: string, workDir: string): Promise<Result<void, 'invalid-output'>> {
  try {
    const entries = await readdir(out).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : Promise.reject(e)));
    if (entries.length > 0) return err('invalid-output', `${out} is not empty: a rehearsal writes a new bundle, so give a new or empty folder (or --resume to continue the ceremony in it)`);
    await mkdir(workDir, { recursive: true });
    return ok(undefined);
  } catch (e) {
    return err('invalid-output', `cannot use ${out}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function checkResumable(options: RehearsalRunOptions, journalPath: string): Promise<Result<void, 'cannot-resume'>> {
  if (options.target.kind === 'in-process')
    return err('cannot-resume', 'an in-process rehearsal Vault ends with the process that ran it, so there is nothing to resume against: resume with --cluster DIR/cluster.json');
  const exists = await stat(journalPath).then(() => true, () => false);
  return exists ? ok(undefined) : err('cannot-resume', `there is no ceremony journal at ${journalPath} to resume`);
}
