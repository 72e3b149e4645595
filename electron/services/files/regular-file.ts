/**
 * Reading a whole file without letting it hang or swamp the reader: only a regular file is read,
 * never a FIFO (which blocks until a writer appears: it is opened O_NONBLOCK, then checked), a
 * device (`/dev/zero` never ends) or a folder, and never more than a cap checked before a byte is
 * read, reading stopping one byte past it (a file that grows, or a /proc file that states no size).
 * Files someone else prepared (a transcript bundle) are read without following a symlink; files
 * people name themselves (a plan, a key, a passphrase file) may be links (readSmallFile).
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, opendir, stat } from 'node:fs/promises';
import { err, ok, type Result } from '../../../shared/result';
import { describeFsError, fsErrorCode } from './fs-error';

export type RegularFileErrorKind = 'missing' | 'not-regular' | 'too-large' | 'unreadable';

// O_NOFOLLOW refuses a symlink at the last component; O_NONBLOCK makes opening a FIFO return at
// once instead of waiting for a writer (it changes nothing for a regular file's reads).
// Node's types claim both exist everywhere; on Windows they are undefined.
const NOFOLLOW = constants.O_NOFOLLOW as number | undefined;
const FLAGS = constants.O_RDONLY | (NOFOLLOW ?? 0) | ((constants.O_NONBLOCK as number | undefined) ?? 0);

/** The whole file, if it is a regular file of at most `maxBytes`; a symlink only with `followLinks`. */
export async function readRegularFile(
  path: string,
  maxBytes: number,
  options: { readonly followLinks?: boolean } = {},
): Promise<Result<Uint8Array, RegularFileErrorKind>> {
  const followLinks = options.followLinks === true;
  if (!followLinks && NOFOLLOW === undefined) {
    // No O_NOFOLLOW (Windows): refuse a link before opening; a swap in between is the residual risk.
    const link = await lstat(path).then(
      (s) => s.isSymbolicLink(),
      () => false,
    );
    if (link) return err('not-regular', 'it is a symbolic link, which is never followed');
  }
  let handle;
  try {
    handle = await open(path, followLinks ? FLAGS & ~(NOFOLLOW ?? 0) : FLAGS);
  } catch (e) {
    const code = fsErrorCode(e);
    if (code === 'ENOENT') return err('missing', describeFsError(e));
    if (!followLinks && (code === 'ELOOP' || code === 'EMLINK'))
      return err('not-regular', 'it is a symbolic link, which is never followed');
    return err('unreadable', describeFsError(e));
  }
  try {
    const info = await handle.stat();
    if (!info.isFile())
      return err(
        'not-regular',
        info.isDirectory() ? 'it is a folder, not a file' : `it is ${kindOf(info)}, not a regular file`,
      );
    if (info.size > maxBytes) return err('too-large', `it is ${info.size} bytes (at most ${maxBytes})`);
    // Sized by what the file states (a /proc file states 0), grown while it yields more, and never
    // past one byte more than the cap: a file that grows while being read is caught too.
    let buffer = new Uint8Array(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const grown = new Uint8Array(Math.min(buffer.length * 2, maxBytes + 1));
        grown.set(buffer);
        buffer = grown;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) return err('too-large', `it is larger than ${maxBytes} bytes`);
    }
    return ok(buffer.subarray(0, length));
  } catch (e) {
    return err('unreadable', describeFsError(e));
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Far larger than a plan, key or cluster.json; a larger file is the wrong file. */
export const MAX_SMALL_FILE_BYTES = 1024 * 1024;

/** A file a person named, refused with a reason naming it: `what` is e.g. "the plan" or "the signing key file". */
export async function readSmallFile(
  path: string,
  what: string,
  maxBytes = MAX_SMALL_FILE_BYTES,
): Promise<Result<Buffer, 'file-unreadable'>> {
  const read = await readRegularFile(path, maxBytes, { followLinks: true });
  if (read.ok) return ok(Buffer.from(read.value.buffer, read.value.byteOffset, read.value.byteLength));
  const why =
    read.error.kind === 'too-large'
      ? `${read.error.message}, too large to be ${what}: choose the right file`
      : read.error.message;
  return err('file-unreadable', `cannot read ${what} ${path}: ${why}`);
}

/** As readSmallFile, decoded: bytes that are not UTF-8 are refused as not text. */
export async function readSmallTextFile(
  path: string,
  what: string,
  maxBytes = MAX_SMALL_FILE_BYTES,
): Promise<Result<string, 'file-unreadable'>> {
  const bytes = await readSmallFile(path, what, maxBytes);
  if (!bytes.ok) return bytes;
  try {
    return ok(new TextDecoder('utf-8', { fatal: true }).decode(bytes.value));
  } catch {
    return err('file-unreadable', `cannot read ${what} ${path}: it is not text (not valid UTF-8)`);
  }
}

export type DirectoryErrorKind = 'missing' | 'not-a-directory' | 'too-many' | 'unreadable';

/** The names in a real directory (not a symlink to one), at most `maxEntries`, sorted. */
export async function listDirectory(path: string, maxEntries: number): Promise<Result<string[], DirectoryErrorKind>> {
  const listed = await listSomeEntries(path, maxEntries);
  if (!listed.ok) return listed;
  if (!listed.value.complete) return err('too-many', `it holds more than ${maxEntries} entries`);
  return ok(listed.value.entries.map((e) => e.name));
}

export interface DirectoryEntry {
  readonly name: string;
  /** As the directory states it (a symlink is a link, whatever it points to). */
  readonly kind: 'file' | 'folder' | 'symbolic link' | 'other';
}

/**
 * The first `maxEntries` entries of a real directory (a symlink to one only with `followLinks`),
 * sorted, and whether they are all it holds: reading stops there, so a folder of 200,000 files
 * costs no more to look at than one of `maxEntries`.
 */
export async function listSomeEntries(
  path: string,
  maxEntries: number,
  options: { readonly followLinks?: boolean } = {},
): Promise<Result<{ entries: DirectoryEntry[]; complete: boolean }, Exclude<DirectoryErrorKind, 'too-many'>>> {
  try {
    const info = await (options.followLinks === true ? stat : lstat)(path);
    if (!info.isDirectory()) return err('not-a-directory', `it is ${kindOf(info)}, not a folder`);
    const entries: DirectoryEntry[] = [];
    let complete = true;
    // Leaving the loop early closes the directory.
    for await (const entry of await opendir(path)) {
      if (entries.length === maxEntries) {
        complete = false;
        break;
      }
      const kind = entry.isFile()
        ? 'file'
        : entry.isDirectory()
          ? 'folder'
          : entry.isSymbolicLink()
            ? 'symbolic link'
            : 'other';
      entries.push({ name: entry.name, kind });
    }
    return ok({ entries: entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), complete });
  } catch (e) {
    return fsErrorCode(e) === 'ENOENT'
      ? err('missing', 'it is missing')
      : err('unreadable', `it cannot be read: ${describeFsError(e)}`);
  }
}

function kindOf(info: Stats): string {
  if (info.isSymbolicLink()) return 'a symbolic link';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isDirectory()) return 'a folder';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'a regular file';
}
