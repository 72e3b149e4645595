/**
 * A rehearsal killed after its export moved transcript.txt.asc into DIR (last, so the bundle there
 * was complete) but before the staging folder or the working folder was removed leaves a complete
 * bundle beside the working journal, which `--resume` would otherwise refuse as a bundle never to
 * overwrite. The resume finishes with that bundle instead, but only when it is this ceremony's
 * own signed record: it verifies, it records the same ceremony and the same signed head as the
 * working journal, and DIR holds nothing else. Anything else is left as it is, for the export to
 * refuse as before. The bundle is never modified; only the export's staging folders go.
 *
 * What the working journal holds after that head is not weighed here: no signature covers it,
 * whichever bundle is kept. The resume then ends as a normal finish does, keeping the working
 * folder when it holds more than the signing notes (a key refused while people signed) and saying
 * why (./headless-rehearsal.ts); refusing the bundle instead saved nothing more, and left no way
 * to finish but deleting files by hand beside the only copy of that note.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok, type Result } from '../../../shared/result';
import { folderEntries, stagingFolders } from '../ceremony/bundle-export';
import { syncDirectory } from '../files/durable-write';
import { describeFsError } from '../files/fs-error';
import { BUNDLE_ENTRIES, BUNDLE_TRANSCRIPT } from '../transcript/bundle-layout';
import { verifyBundle, type BundleReport } from '../transcript/verify';

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
