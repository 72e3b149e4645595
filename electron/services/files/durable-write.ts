/**
 * Writes that survive a power cut: data is fsynced before a rename makes it visible, and the
 * directory is fsynced after, so the new name is on disk too. These reject with Node's own
 * file-system error: each caller turns it into a message about what it was saving.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
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
 * Replaces `path` with `data` so a crash leaves the old file or the new one, never half: a fresh
 * temporary file beside it (created exclusively with `mode`), written and fsynced, renamed over
 * `path`, then the directory fsynced. The temporary file is removed if any step fails.
 */
export async function writeFileAtomically(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const file = await open(temporary, 'wx', mode);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
    await syncDirectory(dirname(path));
  } catch (e) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw e;
  }
}
