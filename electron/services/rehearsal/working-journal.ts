/**
 * Whether a rehearsal's working journal holds anything its bundle does not. The bundle's journal
 * ends at the head the transcript signs; the laptop goes on journaling after it: each signer's
 * acknowledgement and signature, then the bundle written. Those notes say nothing the bundle's own
 * signatures do not (who signed, with which key, when). A restart or a note during signing
 * reopens the record, so neither is ever left there; a key refused at signing is (the refused key
 * signed nothing, so the record stays closed), yet the signatures do not say it was tried: it is
 * in no signed record, so the working folder holding it is kept (./headless-rehearsal.ts).
 */
import { readFile } from 'node:fs/promises';
import { err, ok, type Result } from '../../../shared/result';
import { describeFsError } from '../files/fs-error';

/** Events the laptop journals after the signed head on every honest run. */
const ROUTINE_AFTER_HEAD: readonly string[] = ['step-acknowledged', 'service-result', 'bundle-exported'];
const SIGNING_STEP = 'sign-transcript';

/** ok when the working journal is the bundle's journal followed by routine signing notes only; else what more it holds. */
export async function onlyRoutineAfterHead(
  workingJournal: string,
  bundleJournal: string,
): Promise<Result<void, 'unreadable' | 'diverged' | 'more-recorded'>> {
  let working: string, bundled: string;
  try {
    [working, bundled] = await Promise.all([readFile(workingJournal, 'utf8'), readFile(bundleJournal, 'utf8')]);
  } catch (e) {
    return err('unreadable', `cannot compare the working journal with the bundle's: ${describeFsError(e)}`);
  }
  if (!working.startsWith(bundled))
    return err('diverged', `the bundle's journal is not the start of the working journal ${workingJournal}`);
  const after = working.slice(bundled.length).split('\n').filter(Boolean);
  for (const [index, line] of after.entries()) {
    const why = notRoutine(line);
    if (why !== undefined)
      return err(
        'more-recorded',
        `event ${bundled.split('\n').length + index} of ${workingJournal}, after the signed head, ${why}`,
      );
  }
  return ok(undefined);
}

function notRoutine(line: string): string | undefined {
  let event: { type?: unknown; step?: unknown; details?: { event?: { outcome?: unknown } } };
  try {
    event = JSON.parse(line) as typeof event;
  } catch {
    return 'is not JSON';
  }
  const type = String(event.type);
  if (!ROUTINE_AFTER_HEAD.includes(type)) return `records '${type}'`;
  if (type === 'bundle-exported') return undefined;
  if (event.step !== SIGNING_STEP) return `records '${type}' at '${String(event.step)}'`;
  if (type === 'service-result' && event.details?.event?.outcome !== 'ok') return 'records a signing that failed';
  return undefined;
}
