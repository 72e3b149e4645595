/**
 * SHA256SUMS for the files of a release folder, in the format `sha256sum` writes and
 * `sha256sum -c` reads ("<hex>  <name>", text mode), one line per file, sorted by name in byte
 * order: the same folder always gives the same bytes.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok, type Result } from '../../../shared/result';

export const SUMS_FILE = 'SHA256SUMS';
export const SIGNATURE_FILE = 'SHA256SUMS.asc';

export type ChecksumsError = 'not-a-folder' | 'nothing-to-sum' | 'unsupported-entry' | 'unsafe-name' | 'unreadable';

/** SHA256SUMS text for every file directly in `dir` (except SHA256SUMS and its signature). */
export async function sha256sums(dir: string): Promise<Result<string, ChecksumsError>> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name !== SUMS_FILE && name !== SIGNATURE_FILE);
  } catch {
    return err('not-a-folder', `${dir} is not a folder this user can read`);
  }
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  if (names.length === 0)
    return err('nothing-to-sum', `${dir} holds no files to checksum: put the release artefacts in it first`);

  const lines: string[] = [];
  for (const name of names) {
    // sha256sum escapes these with a backslash, which some verifiers mishandle; release names never need them.
    if (/[\n\r\\]|^\s|\s$/.test(name))
      return err(
        'unsafe-name',
        `${JSON.stringify(name)} in ${dir} has a line break, backslash or surrounding space in its name: rename it`,
      );
    const path = join(dir, name);
    const hash = createHash('sha256');
    try {
      const stats = await lstat(path);
      if (!stats.isFile())
        return err(
          'unsupported-entry',
          `${name} in ${dir} is ${stats.isDirectory() ? 'a folder' : stats.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}: SHA256SUMS covers only the files directly in the folder, so stage the release artefacts in a folder of their own`,
        );
      for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    } catch (e) {
      return err('unreadable', `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    lines.push(`${hash.digest('hex')}  ${name}\n`);
  }
  return ok(lines.join(''));
}
