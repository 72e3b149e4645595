/**
 * The ceremony journal on disk: append-only JSON Lines, one hash-chained event per line
 * (format in shared/record/journal-event.ts), each made durable with fsync before append() returns,
 * so a ceremony never calls Vault having recorded less than it did.
 *
 * - create() opens with O_CREAT|O_EXCL|O_APPEND, writes the `journal-created` event naming the
 *   ceremony, and fsyncs the file and its directory (so the new name survives a power cut).
 * - open() verifies the whole chain. A last line without its newline is a write a crash
 *   interrupted: it is cut off (and the cut fsynced) and reported, so the caller records an
 *   `interruption` event. Any other damage refuses the open, naming the first bad event.
 * - A failed write or fsync (disk full, read-only, EIO) returns `write-failed`, rolls the file
 *   back to its last complete event when it can (and reopen cuts any torn tail when it cannot),
 *   and every later append fails with `journal-broken`: the ceremony must stop before its next
 *   Vault call, because whatever follows could not be recorded.
 * - Every append redacts its details (shared/record/redaction.ts) and then refuses the event outright if
 *   its line still contains any value registered with forbid(), so a caller's bug cannot put an
 *   OTP, share or token on disk under a field name the redaction does not know.
 *
 * - Event times never go back: an event is dated no earlier than the one before it (a clock set
 *   back holds the journal's time at the last event's), so the times read in the record's order.
 *
 * One process must own a journal at a time; appends within it are serialised here.
 */
import { open, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  JOURNAL_ACTOR,
  JOURNAL_CREATED,
  JOURNAL_STEP,
  eventFieldProblem,
  genesisHash,
  journalHeaderDetails,
  sealEvent,
  serializeEvent,
  verifyJournalText,
  type JournalEvent,
  type JsonObject,
  type Role,
  type VerifiedChain,
} from '../../../shared/record/journal-event';
import { nodeSha256Text } from '../files/sha256-text';
import { redactObject } from '../../../shared/record/redaction';
import { describeFsError, fsErrorCode } from '../files/fs-error';
import { syncDirectory } from '../files/durable-write';
import { acquireLock, type FolderLock } from '../files/folder-lock';
import { err, ok, type Result } from '../../../shared/result';

export type JournalErrorKind =
  | 'journal-exists'
  | 'journal-in-use'
  | 'journal-missing'
  | 'journal-unwritable'
  | 'journal-corrupt'
  | 'journal-empty'
  | 'invalid-event'
  | 'forbidden-secret'
  | 'write-failed'
  | 'journal-broken'
  | 'journal-closed';

export interface EventInput {
  readonly actor: string;
  readonly role: Role;
  readonly step: string;
  readonly type: string;
  readonly details?: JsonObject;
}

/** What open() cut off the end of the file: the remains of a write a crash interrupted. */
export interface TornTail {
  readonly bytes: number;
  /** The seq of the last complete event, which the torn write followed. */
  readonly afterSeq: number;
}

export interface JournalOptions {
  /** Source of event times; tests pass a fixed clock. */
  readonly clock?: () => Date;
}

/** A ceremony journal is a few hundred events; 10,000 events are under 10 MB. Larger is not a journal. */
export const MAX_JOURNAL_BYTES = 256 * 1024 * 1024;

/** Shortest value forbid() accepts: shorter strings would match ordinary text. */
export const MIN_FORBIDDEN_LENGTH = 8;

export class Journal {
  private readonly forbidden = new Set<string>();
  private readonly log: JournalEvent[];
  private size: number;
  private state: 'open' | 'broken' | 'closed' = 'open';
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
    private readonly lock: FolderLock,
    private readonly header: { ceremonyId: string; rehearsal: boolean },
    events: JournalEvent[],
    size: number,
    private readonly clock: () => Date,
  ) {
    this.log = events;
    this.size = size;
  }

  static async create(
    path: string,
    options: JournalOptions & { readonly ceremonyId: string; readonly rehearsal: boolean },
  ): Promise<Result<Journal, JournalErrorKind>> {
    const { ceremonyId, rehearsal } = options;
    if (typeof ceremonyId !== 'string' || ceremonyId.length === 0 || ceremonyId.length > 200)
      return err('invalid-event', 'the ceremony id must be 1 to 200 characters');
    const lock = lockJournal(path);
    if (!lock.ok) return lock;
    let file: FileHandle;
    try {
      file = await open(path, 'ax', 0o600);
    } catch (e) {
      lock.value.release();
      if (fsErrorCode(e) === 'EEXIST')
        return err(
          'journal-exists',
          `a journal already exists at ${path}: open it to resume that ceremony, or choose a new path`,
        );
      return err('journal-unwritable', `cannot create the journal at ${path}: ${describeFsError(e)}`);
    }
    const clock = options.clock ?? (() => new Date());
    const journal = new Journal(path, file, lock.value, { ceremonyId, rehearsal }, [], 0, clock);
    const first = await journal.write({
      seq: 1,
      time: journal.clock().toISOString(),
      actor: JOURNAL_ACTOR,
      role: 'system',
      step: JOURNAL_STEP,
      type: JOURNAL_CREATED,
      details: journalHeaderDetails(ceremonyId, rehearsal),
      prev: genesisHash(ceremonyId),
    });
    const synced = first.ok ? await syncParent(path) : first;
    if (!synced.ok) {
      await file.close().catch(() => undefined);
      await unlink(path).catch(() => undefined); // holds nothing of the ceremony yet
      lock.value.release();
      return err('journal-unwritable', `cannot create the journal at ${path}: ${synced.error.message}`);
    }
    return ok(journal);
  }

  static async open(
    path: string,
    options: JournalOptions = {},
  ): Promise<Result<{ journal: Journal; tornTail: TornTail | undefined }, JournalErrorKind>> {
    const lock = lockJournal(path);
    if (!lock.ok) return lock;
    const opened = await Journal.openLocked(path, lock.value, options);
    if (!opened.ok) lock.value.release();
    return opened;
  }

  private static async openLocked(
    path: string,
    lock: FolderLock,
    options: JournalOptions,
  ): Promise<Result<{ journal: Journal; tornTail: TornTail | undefined }, JournalErrorKind>> {
    let bytes: Uint8Array;
    try {
      const size = (await stat(path)).size;
      if (size > MAX_JOURNAL_BYTES)
        return err(
          'journal-corrupt',
          `the journal at ${path} is ${size} bytes, larger than any ceremony journal (at most ${MAX_JOURNAL_BYTES}): it is not a journal, or was damaged`,
        );
      bytes = await readFile(path);
    } catch (e) {
      if (fsErrorCode(e) === 'ENOENT') return err('journal-missing', `there is no journal at ${path}`);
      return err('journal-unwritable', `cannot read the journal at ${path}: ${describeFsError(e)}`);
    }
    const end = bytes.lastIndexOf(0x0a) + 1;
    if (end === 0)
      return err(
        'journal-empty',
        `the journal at ${path} holds no complete event, so nothing of its ceremony was recorded: start again with a new journal`,
      );
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
    } catch {
      return err('journal-corrupt', `the journal at ${path} is not valid UTF-8: it was damaged or is not a journal`);
    }
    const chain = verifyJournalText(text, { sha256: nodeSha256Text });
    if (!chain.ok) return err('journal-corrupt', `the journal at ${path} fails verification: ${chain.error.message}`);
    let file: FileHandle;
    try {
      file = await open(path, 'a');
      if (end < bytes.length) {
        await file.truncate(end);
        await file.sync();
      }
    } catch (e) {
      return err('journal-unwritable', `cannot open the journal at ${path} for writing: ${describeFsError(e)}`);
    }
    const { events, ceremonyId, rehearsal } = chain.value;
    const journal = new Journal(
      path,
      file,
      lock,
      { ceremonyId, rehearsal },
      [...events],
      end,
      options.clock ?? (() => new Date()),
    );
    const tornTail = end < bytes.length ? { bytes: bytes.length - end, afterSeq: events.length } : undefined;
    return ok({ journal, tornTail });
  }

  get ceremonyId(): string {
    return this.header.ceremonyId;
  }

  get rehearsal(): boolean {
    return this.header.rehearsal;
  }

  /** Everything recorded so far, as a verified chain (what the transcript is rendered from). */
  get chain(): VerifiedChain {
    return { ...this.header, events: [...this.log], head: this.log[this.log.length - 1]!.hash };
  }

  /**
   * Registers a secret (an OTP, a share, a token) that must never reach the journal. Held in
   * memory until close(); values shorter than MIN_FORBIDDEN_LENGTH would match ordinary text
   * and are a programmer error.
   */
  forbid(secret: string): void {
    if (typeof secret !== 'string' || secret.length < MIN_FORBIDDEN_LENGTH)
      throw new TypeError(`forbid() needs a string of at least ${MIN_FORBIDDEN_LENGTH} characters`);
    this.forbidden.add(secret);
  }

  /** Appends one event and returns it once it is on disk (fsynced). */
  append(input: EventInput): Promise<Result<JournalEvent, JournalErrorKind>> {
    const run = this.queue.then(() => this.appendNow(input));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.forbidden.clear();
    await this.file.close().catch(() => undefined);
    this.lock.release();
  }

  private async appendNow(input: EventInput): Promise<Result<JournalEvent, JournalErrorKind>> {
    if (this.state === 'closed') return err('journal-closed', 'the journal is closed');
    if (this.state === 'broken')
      return err(
        'journal-broken',
        `an earlier write to the journal at ${this.path} failed: stop the ceremony, fix the disk and reopen the journal`,
      );
    const fields = {
      actor: input.actor,
      role: input.role,
      step: input.step,
      type: input.type,
      details: input.details ?? {},
    };
    const problem = eventFieldProblem(fields);
    if (problem) return err('invalid-event', `the event was not recorded: ${problem}`);
    const head = this.log[this.log.length - 1]!;
    // Never before the last event, read back from the file on reopening: a laptop clock set back
    // mid-ceremony holds the time still, as verify requires of a record in order.
    const now = this.clock().toISOString();
    return this.write({
      ...fields,
      details: redactObject(fields.details),
      seq: head.seq + 1,
      time: now < head.time ? head.time : now,
      prev: head.hash,
    });
  }

  private async write(unsealed: Omit<JournalEvent, 'hash'>): Promise<Result<JournalEvent, JournalErrorKind>> {
    const event = sealEvent(unsealed);
    const line = serializeEvent(event) + '\n';
    for (const secret of this.forbidden) {
      if (line.includes(secret) || line.includes(JSON.stringify(secret).slice(1, -1)))
        return err(
          'forbidden-secret',
          `the ${event.type} event of step '${event.step}' contains a value registered as secret, so it was not recorded: this is a bug in the caller`,
        );
    }
    const bytes = Buffer.from(line, 'utf8');
    try {
      let written = 0;
      while (written < bytes.length) written += (await this.file.write(bytes, written)).bytesWritten;
      await this.file.sync();
    } catch (e) {
      this.state = 'broken';
      await this.file
        .truncate(this.size)
        .then(() => this.file.sync())
        .catch(() => undefined);
      return err(
        'write-failed',
        `could not record the ${event.type} event in the journal at ${this.path}: ${describeFsError(e)}. Stop before the next Vault call; after fixing the disk, reopen the journal to continue`,
      );
    }
    this.size += bytes.length;
    this.log.push(event);
    return ok(event);
  }
}

/** fsync of the parent directory, so a newly created file's name is durable too. */
async function syncParent(path: string): Promise<Result<void, 'write-failed'>> {
  try {
    await syncDirectory(dirname(path));
    return ok(undefined);
  } catch (e) {
    return err('write-failed', describeFsError(e));
  }
}

/** One writer per journal: its lock file sits beside it, so the journal's folder needs no other. */
function lockJournal(path: string): Result<FolderLock, JournalErrorKind> {
  const lock = acquireLock(`${path}.lock`, `the journal ${path}`);
  if (lock.ok) return lock;
  return err(lock.error.kind === 'folder-locked' ? 'journal-in-use' : 'journal-unwritable', lock.error.message);
}
