/**
 * One process per data folder (a rehearsal Vault's folder, a journal, a ceremony's data): a lock
 * file created exclusively, holding the owner's PID and its start time. A second process is refused
 * with the holder's PID. A lock whose process has died (or whose PID now names another process,
 * started later) is stale, and taken over: moved aside, checked to be the very file judged stale
 * (by inode), then replaced, so two processes taking over at once cannot both win.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  lstatSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { err, ok, type Result } from '../../../shared/result';
import { describeFsError, fsErrorCode } from './fs-error';

export type FolderLockErrorKind = 'folder-locked' | 'lock-failed';

export interface FolderLock {
  readonly path: string;
  /** Removes the lock file if it is still this process's. */
  release(): void;
}

interface Holder {
  readonly pid: number;
  /** The holder's start time as the kernel counts it (/proc/PID/stat), or null where there is no /proc. */
  readonly started: string | null;
}

/** The lock file a data folder is locked with. */
export const FOLDER_LOCK_FILE = '.vault-ceremony.lock';

/** Locks the folder `dir` (which must exist) for this process; `what` names it for people. */
export function lockFolder(dir: string, what: string): Result<FolderLock, FolderLockErrorKind> {
  return acquireLock(join(dir, FOLDER_LOCK_FILE), what);
}

/** The lock file `lockPath` for `what` (e.g. "the rehearsal Vault folder /x"), taken for this process. */
export function acquireLock(lockPath: string, what: string): Result<FolderLock, FolderLockErrorKind> {
  const me: Holder = { pid: process.pid, started: startTime(process.pid) };
  for (let tries = 0; tries < 3; tries++) {
    const created = createLock(lockPath, me);
    if (created === 'created') return ok({ path: lockPath, release: () => releaseLock(lockPath, me) });
    if (created !== 'exists') return err('lock-failed', `cannot lock ${what}: ${created.failed}`);
    const held = readHolder(lockPath);
    if (held === undefined) continue; // released meanwhile: try again
    if (held.holder && isRunning(held.holder))
      return err(
        'folder-locked',
        `${what} is in use by process ${held.holder.pid}: stop that one first, or choose another folder (lock file ${lockPath})`,
      );
    takeOverStale(lockPath, held.inode);
  }
  return err('lock-failed', `cannot lock ${what}: other processes keep taking ${lockPath}; try again`);
}

/** Writes a complete lock file beside the name, then links it in: the name never holds a half-written lock. */
function createLock(lockPath: string, me: Holder): 'created' | 'exists' | { failed: string } {
  const temporary = `${lockPath}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = openSync(
      temporary,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
    try {
      writeSync(fd, `${JSON.stringify(me)}\n`);
    } finally {
      closeSync(fd);
    }
    linkSync(temporary, lockPath);
    return 'created';
  } catch (e) {
    return fsErrorCode(e) === 'EEXIST' ? 'exists' : { failed: describeFsError(e) };
  } finally {
    try {
      unlinkSync(temporary);
    } catch {
      // never created
    }
  }
}

/** The lock's holder (undefined when unreadable as one: a damaged lock is stale) and its inode; undefined if gone. */
function readHolder(lockPath: string): { holder: Holder | undefined; inode: number } | undefined {
  let fd: number;
  try {
    fd = openSync(lockPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if (fsErrorCode(e) === 'ENOENT') return undefined;
    try {
      return { holder: undefined, inode: lstatSync(lockPath).ino }; // a link or other thing in its place
    } catch {
      return undefined;
    }
  }
  try {
    const inode = fstatSync(fd).ino;
    const buffer = Buffer.alloc(LOCK_BYTES);
    const text = buffer.subarray(0, readSync(fd, buffer, 0, LOCK_BYTES, 0)).toString('utf8');
    return { holder: parseHolder(text), inode };
  } finally {
    closeSync(fd);
  }
}

/** Far more than a lock's `{"pid":…,"started":…}`. */
const LOCK_BYTES = 256;

function parseHolder(text: string): Holder | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { pid, started } = parsed as Record<string, unknown>;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return { pid, started: typeof started === 'string' ? started : null };
}

function isRunning(holder: Holder): boolean {
  if (holder.pid === process.pid && holder.started === startTime(process.pid)) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    if (fsErrorCode(e) === 'ESRCH') return false;
  }
  // Alive (or not ours to signal): the same process only if it started when the lock says.
  const now = startTime(holder.pid);
  return holder.started === null || now === null || now === holder.started;
}

/**
 * Moves the stale lock aside; puts it back if, in between, another process had replaced it with a
 * live one. (Should a third process create a lock in that instant too, the moved one cannot go
 * back and its owner's next lock check fails: a refusal, never two owners writing unknowingly.)
 */
function takeOverStale(lockPath: string, staleInode: number): void {
  const aside = `${lockPath}.${randomBytes(6).toString('hex')}.stale`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return; // gone already, or not ours to move: the next try sees which
  }
  try {
    if (lstatSync(aside).ino !== staleInode) linkSync(aside, lockPath);
  } catch {
    // the name was taken again meanwhile: the next try reads its holder
  } finally {
    try {
      unlinkSync(aside);
    } catch {
      // already gone
    }
  }
}

function releaseLock(lockPath: string, me: Holder): void {
  const held = readHolder(lockPath);
  if (held?.holder?.pid !== me.pid || held.holder.started !== me.started) return;
  try {
    unlinkSync(lockPath);
  } catch {
    // gone already
  }
}

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot), which a reused PID does not share. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
