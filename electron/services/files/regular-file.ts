/**
 * Reading files that someone else prepared (a transcript bundle from who knows where) without
 * letting them hang or swamp the reader: only a regular file is read, never what a symlink
 * points at, never a FIFO (which blocks until a writer appears) or a device (`/dev/zero` never
 * ends), and never more than a cap stated up front, checked before a byte is read.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, opendir } from 'node:fs/promises';
import { err, ok, type Result } from '../../../shared/result';
import { describeFsError, fsErrorCode } from './fs-error';

export type RegularFileErrorKind = 'missing' | 'not-regular' | 'too-large' | 'unreadable';

// O_NOFOLLOW refuses a symlink at the last component; O_NONBLOCK makes opening a FIFO return at
// once instead of waiting for a writer (it changes nothing for a regular file's reads).
// Node's types claim both exist everywhere; on Windows they are undefined.
const NOFOLLOW = constants.O_NOFOLLOW as number | undefined;
const FLAGS = constants.O_RDONLY | (NOFOLLOW ?? 0) | ((constants.O_NONBLOCK as number | undefined) ?? 0);

/** The whole file, if it is a regular file of at most `maxBytes`. */
export async function readRegularFile(
  path: string,
  maxBytes: number,
): Promise<Result<Uint8Array, RegularFileErrorKind>> {
  if (NOFOLLOW === undefined) {
    // No O_NOFOLLOW (Windows): refuse a link before opening; a swap in between is the residual risk.
    const link = await lstat(path).then(
      (s) => s.isSymbolicLink(),
      () => false,
    );
    if (link) return err('not-regular', 'it is a symbolic link, which is never followed');
  }
  let handle;
  try {
    handle = await open(path, FLAGS);
  } catch (e) {
    const code = fsErrorCode(e);
    if (code === 'ENOENT') return err('missing', 'it is missing');
    if (code === 'ELOOP' || code === 'EMLINK')
      return err('not-regular', 'it is a symbolic link, which is never followed');
    return err('unreadable', `it cannot be opened: ${describeFsError(e)}`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return err('not-regular', `it is ${kindOf(info)}, not a regular file`);
    if (info.size > maxBytes) return err('too-large', `it is ${info.size} bytes; at most ${maxBytes} are read`);
    // One byte more than the cap: a file that grows while being read is caught too.
    const buffer = new Uint8Array(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) return err('too-large', `it grew past ${maxBytes} bytes while being read`);
      if (length === buffer.length) return err('too-large', 'it grew while being read');
    }
    return ok(buffer.subarray(0, length));
  } catch (e) {
    return err('unreadable', `it cannot be read: ${describeFsError(e)}`);
  } finally {
    await handle.close();
  }
}

export type DirectoryErrorKind = 'missing' | 'not-a-directory' | 'too-many' | 'unreadable';

/** The names in a real directory (not a symlink to one), at most `maxEntries`, sorted. */
export async function listDirectory(path: string, maxEntries: number): Promise<Result<string[], DirectoryErrorKind>> {
  try {
    const info = await lstat(path);
    if (!info.isDirectory()) return err('not-a-directory', `it is ${kindOf(info)}, not a folder`);
    const names: string[] = [];
    for await (const entry of await opendir(path)) {
      if (names.length === maxEntries) return err('too-many', `it holds more than ${maxEntries} entries`);
      names.push(entry.name);
    }
    return ok(names.sort());
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
