/**
 * The transcript people sign, read back from a ceremony's journal: the journal, verified, up to the
 * event that closed the record, rendered. Null while the record is still open.
 */
import { readFile } from 'node:fs/promises';
import { verifyJournalText } from '../../../shared/record/journal-event';
import { renderTranscript } from '../../../shared/record/transcript-format';
import { err, ok, type Result } from '../../../shared/result';
import { readRecord } from '../ceremony/ceremony-record';
import { describeFsError } from '../files/fs-error';

export async function readSealedTranscript(path: string): Promise<Result<string | null, 'journal-unreadable'>> {
  const text = await readFile(path, 'utf8').then(
    (t) => ok(t),
    (e: unknown) => err('journal-unreadable', `cannot read the journal ${path}: ${describeFsError(e)}`),
  );
  if (!text.ok) return text;
  const chain = verifyJournalText(text.value);
  if (!chain.ok) return err('journal-unreadable', `the journal ${path} does not verify: ${chain.error.message}`);
  const record = readRecord(chain.value);
  if (!record.ok) return err('journal-unreadable', record.error.message);
  const sealed = record.value.sealedEvents;
  if (sealed === undefined) return ok(null);
  const events = chain.value.events.slice(0, sealed);
  return ok(renderTranscript({ ...chain.value, events, head: events[events.length - 1]!.hash }));
}
