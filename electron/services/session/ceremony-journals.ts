/**
 * The ceremonies this laptop has journals for (DATA/ceremonies/ID/journal.jsonl), read without
 * changing them, so the wizard can offer to resume one after a crash, a power cut or a restart
 * (or reopen an ended one to export its bundle). Rehearsals are not listed: the rehearsal Vault
 * they ran against lived in memory and is gone after a restart.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isEnded, replay } from '../../../shared/ceremony/ceremony-machine';
import { view } from '../../../shared/ceremony/ceremony-view';
import { verifyJournalText } from '../../../shared/record/journal-event';
import type { CeremonyPlan } from '../../../shared/ceremony/ceremony-plan';
import { err, ok, type Result } from '../../../shared/result';
import { readRecord, type CeremonyRecord } from '../ceremony/ceremony-record';
import { describeFsError } from '../files/fs-error';

export const CEREMONIES_DIR = 'ceremonies';
export const JOURNAL_FILE = 'journal.jsonl';
/** A ceremony folder's name: the plan id and the time it started (see CeremonySession). */
export const CEREMONY_FOLDER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/;

export interface JournalSummary {
  readonly id: string;
  readonly planId: string;
  readonly title: string;
  readonly profile: string;
  readonly rehearsal: boolean;
  readonly startedAt: string;
  readonly events: number;
  /** The step it stands at, as the wizard names it, or why it cannot be read. */
  readonly state: string;
  readonly ended: boolean;
  /** False when the journal does not read back as a ceremony; resuming it would fail. */
  readonly readable: boolean;
}

export function journalPathOf(dataDir: string, id: string): string {
  return join(dataDir, CEREMONIES_DIR, id, JOURNAL_FILE);
}

export async function listCeremonyJournals(dataDir: string): Promise<JournalSummary[]> {
  const folders = await readdir(join(dataDir, CEREMONIES_DIR)).catch(() => [] as string[]);
  const out: JournalSummary[] = [];
  for (const id of folders
    .filter((f) => CEREMONY_FOLDER.test(f))
    .sort()
    .reverse()) {
    const text = await readFile(journalPathOf(dataDir, id), 'utf8').catch(() => undefined);
    if (text !== undefined) out.push(summarise(id, text));
  }
  return out;
}

/** The plan a journal records, read the way a resume will read it. */
export async function readJournalPlan(path: string): Promise<Result<CeremonyPlan>> {
  const text = await readFile(path, 'utf8').then(ok, (e: unknown) =>
    err('journal-unreadable', `cannot read the journal ${path}: ${describeFsError(e)}`),
  );
  if (!text.ok) return text;
  const record = recordOf(text.value);
  return record.ok ? ok(record.value.record.plan) : record;
}

function recordOf(text: string): Result<{ record: CeremonyRecord; events: number }> {
  // A crash can leave a torn last line; Journal.open cuts it on resume, so read without it here.
  const chain = verifyJournalText(text.slice(0, text.lastIndexOf('\n') + 1));
  if (!chain.ok) return err('journal-unreadable', `the journal does not verify: ${chain.error.message}`);
  const record = readRecord(chain.value);
  return record.ok
    ? ok({ record: record.value, events: chain.value.events.length })
    : err('journal-unreadable', record.error.message);
}

function summarise(id: string, text: string): JournalSummary {
  const read = recordOf(text);
  if (!read.ok)
    return {
      id,
      planId: id,
      title: id,
      profile: '?',
      rehearsal: false,
      startedAt: '',
      events: 0,
      state: read.error.message,
      ended: false,
      readable: false,
    };
  const { record } = read.value;
  const plan = record.plan;
  const state = replay(plan, record.startedAt, record.events);
  const base = {
    id,
    planId: plan.id,
    title: plan.title,
    profile: plan.profile,
    rehearsal: plan.rehearsal,
    startedAt: record.startedAt,
    events: read.value.events,
  };
  if (!state.ok)
    return { ...base, state: `its events do not replay: ${state.error.message}`, ended: false, readable: false };
  return { ...base, state: view(state.value).title, ended: isEnded(state.value), readable: true };
}
