/**
 * Every file and folder the program writes goes through here. Writes survive a power cut: data is
 * fsynced before a rename makes it visible, and the directory is fsynced after, so the new name is
 * on disk too. Nothing follows a symbolic link someone planted: files are created exclusively
 * (O_EXCL, which never follows one) and renamed over the name (which replaces a link, not its
 * target), and folders are made one level at a time and must be real folders. These reject with
 * Node's own file-system error: each caller turns it into a message about what it was saving.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** fsync of a directory, so names created, renamed or linked in it are durable. */
export async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/**
 * Makes the folder `path` (its parent must exist: never a recursive walk, which spins on /proc),
 * or accepts it if it is already a real folder; a symbolic link or a file there is refused
 * (ELOOP, ENOTDIR), so nothing is written through a link someone planted. A folder a person
 * `named` (a --dir) may be a link to a folder: they chose it.
 */
export async function makeFolder(path: string, options: { mode?: number; named?: boolean } = {}): Promise<void> {
  try {
    await mkdir(path, { mode: options.mode ?? 0o700 });
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const stats = options.named ? await stat(path) : await lstat(path);
  if (stats.isSymbolicLink()) throw Object.assign(new Error(`${path} is a symbolic link`), { code: 'ELOOP', path });
  if (!stats.isDirectory()) throw Object.assign(new Error(`${path} is not a folder`), { code: 'ENOTDIR', path });
}

/** Creates `path` with `data`, refusing (EEXIST) if anything, a symbolic link included, is already there. */
export async function writeNewFile(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  const file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  await syncDirectory(dirname(path));
}

/**
 * Replaces `path` with `data` so a crash leaves the old file or the new one, never half: a fresh
 * temporary file beside it (created exclusively with `mode`), written and fsynced, renamed over
 * `path`, then the directory fsynced. The temporary file is removed if any step fails.
 */
export async function writeFileAtomically(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const file = await open(
      temporary,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      mode,
    );
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    // rename replaces whatever the name is (a planted symbolic link included), never its target.
    await rename(temporary, path);
    await syncDirectory(dirname(path));
  } catch (e) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw e;
  }
}
