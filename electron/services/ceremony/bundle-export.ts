/**
 * Writes a ceremony's transcript bundle into a new or empty folder, or one holding only what the
 * caller names (a rehearsal keeps its working journal in `DIR/ceremony/` until the bundle
 * verifies), then verifies the bundle where it landed before reporting success. Anything else
 * there is refused before a byte is written, in the words an auditor's verify of that folder
 * would warn about it with (../transcript/unsigned-entries.ts): a bundle folder holding what no
 * signature covers invites reading it as part of the record.
 *
 * electron/services/transcript/bundle.ts writes only into an absent or empty folder, so the bundle is
 * written (and verified) in a staging folder inside DIR, then moved into place: files by link
 * (which refuses to replace an existing file) and the `signers/` folder by rename (which refuses
 * a non-empty one), so an existing bundle is never overwritten. The transcript moves last: its
 * presence marks a complete bundle.
 */
import { link, lstat, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok, type Result } from '../../../shared/result';
import { describeFsError, fsErrorCode } from '../files/fs-error';
import { syncDirectory } from '../files/durable-write';
import { writeBundle, type BundleInput } from '../transcript/bundle';
import {
  BUNDLE_DETACHED,
  BUNDLE_ENTRIES,
  BUNDLE_JOURNAL,
  BUNDLE_SIGNERS,
  BUNDLE_TEXT,
  BUNDLE_TRANSCRIPT,
} from '../transcript/bundle-layout';
import { readUnsignedEntries, unsignedEntriesWarning } from '../transcript/unsigned-entries';
import { verifyBundle, type BundleReport } from '../transcript/verify';

/** The prefix of the staging folder an export writes and verifies the bundle in, inside DIR. */
const STAGING_PREFIX = '.bundle-';

export type BundleExportErrorKind = 'bundle-exists' | 'folder-not-empty' | 'write-failed' | 'bundle-invalid';

export async function exportBundle(
  dir: string,
  input: BundleInput,
  /** Entries the folder may hold beside the bundle: a rehearsal's working folder. */
  expected: readonly string[] = [],
): Promise<Result<BundleReport, BundleExportErrorKind>> {
  let entries: string[];
  try {
    await mkdir(dir, { recursive: true });
    entries = await readdir(dir);
  } catch (e) {
    return err('write-failed', `cannot use ${dir} for the bundle: ${describeFsError(e)}`);
  }
  const taken = BUNDLE_ENTRIES.filter((name) => entries.includes(name));
  if (taken.length > 0)
    return err(
      'bundle-exists',
      `${dir} already holds ${taken.join(', ')}: a bundle is never overwritten, so choose a new folder`,
    );
  if (entries.some((name) => !expected.includes(name))) return err('folder-not-empty', await notEmpty(dir, expected));

  const placed = entries.length === 0 ? await written(dir, input) : await writeThroughStaging(dir, input);
  if (!placed.ok) return placed;
  const report = await verifyBundle(dir);
  if (!report.valid)
    return err(
      'bundle-invalid',
      `the bundle in ${dir} does not verify: ${report.problems.map((p) => p.message).join('; ')}`,
    );
  return ok(report);
}

/** Why the bundle was not written into a folder holding other entries, as verify would name them. */
async function notEmpty(dir: string, expected: readonly string[]): Promise<string> {
  const entries = await readUnsignedEntries(dir, expected);
  const warning = entries && unsignedEntriesWarning(entries);
  return `the bundle was not written: ${dir} already holds other entries, and an auditor's verify of that folder would warn: ${warning ?? 'the folder changed while it was read'}. Export to a new or empty folder`;
}

async function written(dir: string, input: BundleInput): Promise<Result<void, BundleExportErrorKind>> {
  const r = await writeBundle(dir, input);
  if (r.ok) return ok(undefined);
  return err(
    r.error.kind === 'bundle-exists'
      ? 'bundle-exists'
      : r.error.kind === 'write-failed'
        ? 'write-failed'
        : 'bundle-invalid',
    r.error.message,
  );
}

async function writeThroughStaging(dir: string, input: BundleInput): Promise<Result<void, BundleExportErrorKind>> {
  let staging: string;
  try {
    staging = await mkdtemp(join(dir, STAGING_PREFIX));
  } catch (e) {
    return err('write-failed', `cannot write the bundle in ${dir}: ${describeFsError(e)}`);
  }
  try {
    const r = await written(staging, input);
    if (!r.ok) return r;
    const moved: string[] = [];
    try {
      await rename(join(staging, BUNDLE_SIGNERS), join(dir, BUNDLE_SIGNERS));
      moved.push(BUNDLE_SIGNERS);
      for (const name of [BUNDLE_JOURNAL, BUNDLE_TEXT, BUNDLE_DETACHED, BUNDLE_TRANSCRIPT]) {
        await link(join(staging, name), join(dir, name));
        moved.push(name);
      }
      await syncDirectory(dir);
    } catch (e) {
      for (const name of moved) await rm(join(dir, name), { recursive: true, force: true });
      const exists = ['EEXIST', 'ENOTEMPTY'].includes(fsErrorCode(e));
      return exists
        ? err('bundle-exists', `a bundle file appeared in ${dir} while writing: another process is writing there`)
        : err('write-failed', `cannot move the bundle into ${dir}: ${describeFsError(e)}; nothing was left behind`);
    }
    return ok(undefined);
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Removes what an export into `dir` killed part-way left there: its staging folders and the bundle
 * files it had moved in, which are never transcript.txt.asc (moved last: with it, the bundle is
 * complete and never touched). Nothing is removed unless a staging folder is there and everything
 * else in `dir` is `expected` or such a bundle file, so a folder holding anything else is left for
 * exportBundle to refuse as before. Moved files go before the staging folders, so a kill during
 * this cleanup leaves a folder it recognises again. Returns the names removed.
 *
 * Not part of exportBundle itself, for every caller: only the caller can tell that the leftovers
 * are its own and that nothing they held is lost. A rehearsal's resume can: it holds its working
 * journal's lock (so no export of its ceremony is running), and that journal in DIR/ceremony/ is
 * the record until a bundle verifies. The app's export goes into a folder the officer chose, whose
 * staging folder may be another process's export in progress, and keeps its journal elsewhere.
 */
export async function clearInterruptedExport(
  dir: string,
  expected: readonly string[],
): Promise<Result<string[], 'write-failed'>> {
  try {
    const entries = await folderEntries(dir);
    if (entries.includes(BUNDLE_TRANSCRIPT)) return ok([]);
    const staging = await stagingFolders(dir, entries);
    const moved = BUNDLE_ENTRIES.filter((name) => entries.includes(name));
    const known = new Set([...staging, ...moved, ...expected]);
    if (staging.length === 0 || entries.some((name) => !known.has(name))) return ok([]);
    for (const name of [...moved, ...staging]) await rm(join(dir, name), { recursive: true, force: true });
    await syncDirectory(dir);
    return ok([...moved, ...staging]);
  } catch (e) {
    return err('write-failed', `cannot clear what an interrupted export left in ${dir}: ${describeFsError(e)}`);
  }
}

/** The names in `dir`; none when it does not exist (no export has begun there). */
export async function folderEntries(dir: string): Promise<string[]> {
  return readdir(dir).catch((e: unknown): string[] => {
    if (fsErrorCode(e) === 'ENOENT') return [];
    throw e;
  });
}

/** The staging folders an export into `dir` (whose `entries` these are) left there, sorted. Throws what lstat throws. */
export async function stagingFolders(dir: string, entries: readonly string[]): Promise<string[]> {
  const staging: string[] = [];
  for (const name of entries.filter((n) => n.startsWith(STAGING_PREFIX)).sort())
    if ((await lstat(join(dir, name))).isDirectory()) staging.push(name);
  return staging;
}
