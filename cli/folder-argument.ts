/**
 * The folder a command takes as its argument (verify's bundle, sign-checksums' release folder).
 * Its refusal names the argument by its role, never by its text: a secret typed there by mistake
 * must not be echoed to the terminal or a log.
 */
import { stat } from 'node:fs/promises';
import { describeFsError } from '../electron/services/files/fs-error';
import { err, ok, type Result } from '../shared/result';

/** `path` when it is a folder; else why not, naming it as `what` (e.g. "the bundle folder DIR"). */
export async function folderArgument(path: string | undefined, what: string): Promise<Result<string, 'not-a-folder'>> {
  if (path === undefined || path === '') return err('not-a-folder', `give ${what}`);
  return stat(path).then(
    (s) => (s.isDirectory() ? ok(path) : err('not-a-folder', `${what} is not a folder`)),
    (e: unknown) => err('not-a-folder', `${what} cannot be used: ${describeFsError(e)}`),
  );
}
