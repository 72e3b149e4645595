/**
 * Every file the program reads whole (a plan, a key, a cluster.json, a passphrase file): a regular
 * file only, and no larger than such a file can be. A FIFO, device or folder is refused without
 * waiting on it (opened O_NONBLOCK, then checked), and reading stops one byte past the cap, so a
 * file that grows, or one of /proc's that states no size, cannot make us hold more.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { err, ok, type Result } from '../../../shared/result';
import { describeFsError } from './fs-error';

export type SmallFileErrorKind = 'file-unreadable';

/** Far larger than a plan, key or cluster.json; a larger file is the wrong file. */
export const MAX_SMALL_FILE_BYTES = 1024 * 1024;

/** `what` names the file for people, e.g. "the plan" or "the signing key file". */
export async function readSmallFile(
  path: string,
  what: string,
  maxBytes = MAX_SMALL_FILE_BYTES,
): Promise<Result<Buffer, SmallFileErrorKind>> {
  const refuse = (why: string) => err('file-unreadable', `cannot read ${what} ${path}: ${why}`);
  let file: FileHandle;
  try {
    file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return refuse(describeFsError(e));
  }
  try {
    const stats = await file.stat();
    if (stats.isDirectory()) return refuse('it is a folder, not a file');
    if (!stats.isFile()) return refuse('it is not a regular file (a pipe, device or socket is not read)');
    if (stats.size > maxBytes)
      return refuse(`it is ${stats.size} bytes, too large to be ${what} (at most ${maxBytes}): choose the right file`);
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await file.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) return refuse(`it is larger than ${maxBytes} bytes, too large to be ${what}`);
    }
    return ok(buffer.subarray(0, length));
  } catch (e) {
    return refuse(describeFsError(e));
  } finally {
    await file.close().catch(() => undefined);
  }
}

/** As readSmallFile, decoded: bytes that are not UTF-8 are refused as not text. */
export async function readSmallTextFile(
  path: string,
  what: string,
  maxBytes = MAX_SMALL_FILE_BYTES,
): Promise<Result<string, SmallFileErrorKind>> {
  const bytes = await readSmallFile(path, what, maxBytes);
  if (!bytes.ok) return bytes;
  try {
    return ok(new TextDecoder('utf-8', { fatal: true }).decode(bytes.value));
  } catch {
    return err('file-unreadable', `cannot read ${what} ${path}: it is not text (not valid UTF-8)`);
  }
}
