/**
 * A rehearsal killed after its export moved transcript.txt.asc into DIR (last, so the bundle there
 * was complete) but before the staging folder or the working folder was removed leaves a complete
 * bundle beside the working journal, which `--resume` would otherwise refuse as a bundle never to
 * overwrite. The resume finishes with that bundle instead, but only when it is this ceremony's
 * own signed record: it verifies, it records the same ceremony and the same signed head as the
 * working journal, the working journal holds nothing after that head but the routine signing
 * notes (./working-journal.ts), and DIR holds nothing else. Anything else is left as it is, for
 * the export to refuse as before. The bundle is never modified; only the export's staging folders go.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok, type Result } from '../../../shared/result';
import { folderEntries, stagingFolders } from '../ceremony/bundle-export';
import { syncDirectory } from '../files/durable-write';
import { describeFsError } from '../files/fs-error';
import { BUNDLE_ENTRIES, BUNDLE_JOURNAL, BUNDLE_TRANSCRIPT } from '../transcript/bundle-layout';
import { verifyBundle, type BundleReport } from '../transcript/verify';
import { onlyRoutineAfterHead } from './working-journal';

/** The ceremony and the head everyone signed (CeremonyService.signedRecord). */
export interface SignedRecord {
  readonly ceremonyId: string;
  readonly head: string;
}

export interface FinishedExport {
  readonly report: BundleReport;
  /** The staging folders removed. */
  readonly removed: readonly string[];
}

/**
 * The complete bundle of this ceremony that an interrupted export left in `dir`, its staging
 * folders removed; undefined (nothing touched) when `dir` holds no such bundle.
 */
export async function finishedExport(
  dir: string,
  record: SignedRecord,
  workingJournal: string,
  /** Entries `dir` may hold beside the bundle: the working folder (and a failback's setting). */
  expected: readonly string[],
): Promise<Result<FinishedExport | undefined, 'write-failed'>> {
  try {
    const entries = await folderEntries(dir);
    if (!entries.includes(BUNDLE_TRANSCRIPT)) return ok(undefined);
    const staging = await stagingFolders(dir, entries);
    const known = new Set<string>([...BUNDLE_ENTRIES, ...expected, ...staging]);
    if (entries.some((name) => !known.has(name))) return ok(undefined);
    const found = await verifyBundle(dir);
    if (!found.valid) return ok(undefined);
    if (found.ceremonyId !== record.ceremonyId || found.head !== record.head) return ok(undefined);
    if (!(await onlyRoutineAfterHead(workingJournal, join(dir, BUNDLE_JOURNAL))).ok) return ok(undefined);
    if (staging.length === 0) return ok({ report: found, removed: [] });
    for (const name of staging) await rm(join(dir, name), { recursive: true, force: true });
    await syncDirectory(dir);
    // Verified again as a normal finish reports it: without the staging folder verify would warn of.
    return ok({ report: await verifyBundle(dir), removed: staging });
  } catch (e) {
    return err(
      'write-failed',
      `cannot finish with the bundle the interrupted export left in ${dir}: ${describeFsError(e)}`,
    );
  }
}
