/**
 * A complete promotion or failback ceremony against a rehearsal Vault, with every role played
 * headless (./headless-driver.ts): what `vault-ceremony rehearse` runs, and the benchmark times.
 *
 * Layout of the output folder DIR:
 *   DIR/ceremony/plan.yaml              the plan, as reviewers would read it
 *   DIR/ceremony/journal.jsonl          the laptop's full journal (signing events included)
 *   DIR/ceremony/journal.jsonl.signing.json   the transcript signed so far
 *   DIR/transcript.txt.asc, DIR/journal.jsonl, DIR/signers/*.pub.asc   the bundle, once signed
 *   DIR/promotion/                      a failback's setting: the promotion before it, its own bundle
 * Nothing secret is written under DIR.
 *
 * The working folder DIR/ceremony/ (and DIR/promotion/ceremony/) is there for `resume` and for
 * examining a run that failed. Once the run has succeeded and its bundle verifies, it is removed:
 * the bundle holds all of it that is part of the record (the journal up to the signed head, whose
 * `ceremony-started` event holds the plan, and the signed transcript), and what it holds besides
 * is the laptop's own unsigned note of the signing (who signed when, the bundle written), which
 * the signatures in the bundle state themselves. Left there, `verify` would warn about it on every
 * practice run, and a warning every time teaches people to skip warnings.
 *
 * `resume` continues the ceremony whose journal is in DIR/ceremony/, against the same external
 * rehearsal Vault (an in-process one died with the process that ran it); a failback interrupted
 * before its own journal began resumes the promotion setting its scene, then fails back.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { err, ok, type Result } from '../../../shared/result';
import { startRehearsalVault, type RehearsalVaultOptions } from '../../../rehearsal-vault/rehearsal-cluster-set';
import { makeFolder, writeNewFile } from '../files/durable-write';
import { describeFsError, fsErrorCode, fsErrorPath } from '../files/fs-error';
import type { BundleReport } from '../transcript/verify';
import type { VaultClient } from '../vault/client';
import { isHaClient } from '../vault/ha-client';
import { resumeCeremony } from '../ceremony/ceremony-recovery';
import { clearInterruptedExport } from '../ceremony/bundle-export';
import type { ServiceStatus } from '../../../shared/ceremony/ceremony-snapshot';
import type { CeremonyService } from '../ceremony/ceremony-service';
import { playCeremony } from './headless-driver';
import { onlyRoutineAfterHead } from './working-journal';
import { finishedExport } from './finished-export';
import { BUNDLE_JOURNAL } from '../transcript/bundle-layout';
import type { Signers } from './rehearsal-cast';
import {
  rehearsalCast,
  rehearsalClients,
  rehearsalServiceOptions,
  startRehearsalCeremony,
  type RehearsalKind,
} from './rehearsal-ceremony';
import {
  connectTarget,
  PRIMARY_PROFILE,
  rehearsalSigners,
  type RehearsalTarget,
  type RehearsalTargetSpec,
} from './rehearsal-target';

export interface RehearsalRunOptions {
  readonly out: string;
  /** A rehearsal Vault to use, or (`start`) the options of one to start in this process for this run. */
  readonly target:
    | RehearsalTargetSpec
    | { readonly kind: 'start'; readonly options: RehearsalVaultOptions & { readonly passphrase: string } };
  /** `promotion` (the default), or `failback`: first the scene is set (see stageFailback), then the failback is rehearsed. */
  readonly kind?: RehearsalKind;
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
  /**
   * The ceremony finished with its irreversible call made and post-checked: the DR secondary
   * promoted, or (failback) the old primary pointed at the new one.
   */
  readonly committed: boolean;
  readonly report: BundleReport;
  readonly status: ServiceStatus;
  /** A failback's end state, read from the old primary after the ceremony. */
  readonly failback?: FailbackOutcome;
}

export interface FailbackOutcome {
  /** The old primary's DR mode. */
  readonly mode: string;
  /** The api_address of the primary it reports connected, if any. */
  readonly connectedTo: string | undefined;
  /** The new primary's address (the promoted DR secondary) it is connected to, or every address it has. */
  readonly newPrimary: string;
  /** A DR secondary connected to the new primary. */
  readonly following: boolean;
}

export type RehearsalRunErrorKind =
  'invalid-output' | 'invalid-options' | 'cannot-resume' | 'target-failed' | 'ceremony-failed' | 'bundle-failed';

export const WORK_DIR = 'ceremony';
/** Where a failback rehearsal keeps the promotion that set its scene: a bundle of its own. */
export const SETUP_DIR = 'promotion';
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
  try {
    const signers = options.signers ? ok(options.signers) : await rehearsalSigners(target.value.signersDir);
    if (!signers.ok) return err('target-failed', signers.error.message);
    const kind = options.kind ?? 'promotion';
    // A failback resumed before its own journal began was interrupted setting its scene: that promotion resumes.
    const resume = options.resume === true && (kind !== 'failback' || (await exists(journalPath)));
    if (kind === 'failback' && !resume) {
      const staged = await stageFailback(options, target.value, signers.value);
      if (!staged.ok) return staged;
    }
    const played = await playRehearsal({ ...options, resume }, target.value, signers.value, {
      kind,
      workDir,
      journalPath,
      bundleDir: options.out,
    });
    if (!played.ok) return played;
    const failback = kind === 'failback' ? await readFailback(target.value) : undefined;
    if (failback && !failback.ok) return failback;
    const result: RehearsalResult = { ...played.value, ...(failback ? { failback: failback.value } : {}) };
    if (rehearsalSucceeded(result))
      await removeWorkingFolders(options, [
        options.out,
        ...(kind === 'failback' ? [join(options.out, SETUP_DIR)] : []),
      ]);
    return ok(result);
  } finally {
    target.value.client.close();
  }
}

/** The ceremony did what it rehearses: the DR secondary promoted, or the old primary following the new one. */
export function rehearsalDone(result: RehearsalResult): boolean {
  return result.failback ? result.committed && result.failback.following : result.committed;
}

/** What `rehearse` exits 0 for: the ceremony did what it rehearses and its bundle verifies. */
export function rehearsalSucceeded(result: RehearsalResult): boolean {
  return rehearsalDone(result) && result.report.valid;
}

/**
 * Removes the working folders of a run that succeeded (see the top of this file), each beside the
 * bundle it made, unless its journal holds more than the bundle's (./working-journal.ts). Keeping
 * or failing to remove one is said, not fatal: the bundle stands, and verify names the folder.
 */
async function removeWorkingFolders(options: RehearsalRunOptions, bundles: readonly string[]): Promise<void> {
  for (const bundle of bundles) {
    const folder = join(bundle, WORK_DIR);
    const routine = await onlyRoutineAfterHead(join(folder, JOURNAL_FILE), join(bundle, BUNDLE_JOURNAL));
    if (!routine.ok) {
      options.log(
        `Kept the working folder ${folder}: ${routine.error.message}, which no signature covers; read it there (verify will name the folder as not signed)`,
      );
      continue;
    }
    const removed = await rm(folder, { recursive: true, force: true }).then(
      () => undefined,
      (e: unknown) => describeFsError(e),
    );
    options.log(
      removed === undefined
        ? `Removed the working folder ${folder}: the bundle holds the record, and nothing is left to resume`
        : `Could not remove the working folder ${folder} (${removed}): delete it, or verify will name it as not signed`,
    );
  }
}

/** What playing one rehearsal ceremony headless needs of a run's options (an in-app failback's staging too). */
export type PlayOptions = Pick<RehearsalRunOptions, 'out' | 'log' | 'pace' | 'clock' | 'observeClient' | 'resume'>;

/**
 * The situation a failback starts from, played out on the rehearsal Vault: the primary is lost, the
 * DR secondary is promoted by a rehearsed promotion ceremony (its own signed bundle in
 * DIR/promotion/), and the old primary comes back still reporting itself primary. The in-app
 * failback rehearsal (electron/services/session/in-app-failback.ts) sets its scene here too.
 */
export async function stageFailback(
  options: PlayOptions,
  target: RehearsalTarget,
  signers: Signers,
): Promise<Result<void, RehearsalRunErrorKind>> {
  const bundleDir = join(options.out, SETUP_DIR);
  options.log(
    `Setting the scene for the failback: the primary is lost${target.primaryOutage ? ' (taken down)' : ''} and the DR secondary is promoted by a rehearsed promotion ceremony (bundle in ${bundleDir})`,
  );
  await target.primaryOutage?.down();
  const promoted = await playRehearsal(
    { ...options, log: (line) => options.log(`  [promotion] ${line}`) },
    target,
    signers,
    {
      kind: 'promotion',
      workDir: join(bundleDir, WORK_DIR),
      journalPath: join(bundleDir, WORK_DIR, JOURNAL_FILE),
      bundleDir,
    },
  );
  await target.primaryOutage?.up();
  if (!promoted.ok)
    return err(promoted.error.kind, `setting the scene for the failback failed: ${promoted.error.message}`);
  if (!promoted.value.committed || !promoted.value.report.valid)
    return err('ceremony-failed', 'setting the scene for the failback failed: the DR secondary was not promoted');
  options.log('The old primary is back and still reports itself DR primary: two primaries run, so the failback begins');
  return ok(undefined);
}

interface PlayedRehearsal {
  readonly committed: boolean;
  readonly report: BundleReport;
  readonly status: ServiceStatus;
}

/** Starts (writing its plan for review) or resumes one ceremony, plays every role, and exports its bundle. */
async function playRehearsal(
  options: PlayOptions,
  target: RehearsalTarget,
  signers: Signers,
  where: {
    readonly kind: RehearsalKind;
    readonly workDir: string;
    readonly journalPath: string;
    readonly bundleDir: string;
  },
): Promise<Result<PlayedRehearsal, RehearsalRunErrorKind>> {
  const { workDir, journalPath, kind } = where;
  if (!options.resume) {
    // One level at a time, never a recursive walk (which spins for ever on /proc).
    try {
      await makeFolder(options.out, { named: true, mode: 0o755 });
      if (where.bundleDir !== options.out) await makeFolder(where.bundleDir, { mode: 0o755 });
      await makeFolder(workDir);
    } catch (e) {
      const why =
        fsErrorCode(e) === 'ENOENT'
          ? `its parent folder ${dirname(resolve(fsErrorPath(e) ?? options.out))} does not exist or cannot hold new folders`
          : describeFsError(e);
      return err('invalid-output', `cannot create ${fsErrorPath(e) ?? workDir}: ${why}`);
    }
  }
  const clients = await rehearsalClients(target, kind, options.observeClient);
  if (!clients.ok) return err('target-failed', clients.error.message);
  const cast = rehearsalCast(target, signers);
  const harness = {
    target,
    signers,
    journalPath,
    clients: clients.value,
    log: options.log,
    ...(options.observeClient ? { observeClient: options.observeClient } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  };
  try {
    let service: Result<CeremonyService, string>;
    if (options.resume) {
      options.log(`Resuming the ceremony in ${journalPath}`);
      service = await resumeCeremony(rehearsalServiceOptions(harness));
    } else {
      const stamp = (options.clock?.() ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
      const id = `rehearsal-${kind === 'failback' ? 'failback-' : ''}${stamp}`;
      service = await startRehearsalCeremony({
        ...harness,
        id,
        kind,
        prepare: async (plan) => {
          const written = await writeNewFile(join(workDir, 'plan.yaml'), stringify(plan), 0o644).then(
            () => undefined,
            (e: unknown) => describeFsError(e),
          );
          if (written !== undefined) return err('invalid-output', `cannot write the plan into ${workDir}: ${written}`);
          options.log(
            `Plan ${id} (${kind}): Vault ${target.vaultVersion}.x, ${target.officers.length} officers, threshold ${target.threshold}, administrator and ${cast.witnesses.length} witnesses`,
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
      // Beside the bundle: the working folder, and a failback's the promotion that set its scene.
      const beside = kind === 'failback' ? [WORK_DIR, SETUP_DIR] : [WORK_DIR];
      // A resumed run may find its own export killed part-way: this journal, locked, is the record (../ceremony/bundle-export.ts).
      if (options.resume) {
        const record = service.value.signedRecord();
        const finished = record && (await finishedExport(where.bundleDir, record, beside));
        if (finished && !finished.ok) return err('bundle-failed', finished.error.message);
        if (finished?.value) {
          const staging =
            finished.value.removed.length > 0
              ? `; removed its staging folder ${finished.value.removed.join(', ')}`
              : '';
          options.log(
            `The bundle in ${where.bundleDir} was already complete from the interrupted run: it verifies and is this ceremony's signed record${staging}`,
          );
          return ok({ committed: status.committed, report: finished.value.report, status: service.value.status() });
        }
        const cleared = await clearInterruptedExport(where.bundleDir, beside);
        if (!cleared.ok) return err('bundle-failed', cleared.error.message);
        if (cleared.value.length > 0)
          options.log(
            `Removed what the interrupted export left in ${where.bundleDir}: ${cleared.value.join(', ')} (no transcript.txt.asc, so no bundle was complete)`,
          );
      }
      const report = await service.value.exportBundle(where.bundleDir, beside);
      if (!report.ok) return err('bundle-failed', report.error.message);
      return ok({ committed: status.committed, report: report.value, status: service.value.status() });
    } finally {
      await service.value.close();
    }
  } finally {
    // A promotion acts through the target's own client, which the caller closes; a failback's are its own.
    if (kind === 'failback') for (const client of Object.values(clients.value)) client.close();
  }
}

/** What the old primary reports once the failback is over, read as an auditor would. */
async function readFailback(target: RehearsalTarget): Promise<Result<FailbackOutcome, RehearsalRunErrorKind>> {
  const oldPrimary = await target.connect(undefined, PRIMARY_PROFILE);
  if (!oldPrimary.ok) return err('target-failed', oldPrimary.error.message);
  try {
    const status = await oldPrimary.value.replicationStatus();
    if (!status.ok) return err('target-failed', `cannot read the old primary's status: ${status.error.message}`);
    const dr = status.value.data.dr;
    const connectedTo = dr.primaries?.find((p) => p.connection_status === 'connected')?.api_address;
    // The primary's api_addr may be its balancer's or a node's: any of the new primary's addresses will do.
    const client = target.client;
    const addresses = isHaClient(client)
      ? [...new Set([client.address, ...(await client.nodes()).map((n) => n.address)])]
      : [client.address];
    const match = connectedTo === undefined ? undefined : addresses.find((a) => sameAddress(a, connectedTo));
    return ok({
      mode: dr.mode,
      connectedTo,
      newPrimary: match ?? addresses.join(' or '),
      following: dr.mode === 'secondary' && match !== undefined,
    });
  } finally {
    oldPrimary.value.close();
  }
}

function sameAddress(a: string, b: string): boolean {
  const origin = (x: string) => x.replace(/\/+$/, '').toLowerCase();
  return origin(a) === origin(b);
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
  const setting = join(options.out, SETUP_DIR, WORK_DIR, JOURNAL_FILE);
  if (await exists(journalPath)) return ok(undefined);
  if (options.kind === 'failback' && (await exists(setting))) return ok(undefined);
  return err('cannot-resume', `there is no ceremony journal at ${journalPath} to resume`);
}

function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
