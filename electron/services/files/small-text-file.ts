/**
 * A small text file people chose (a plan, a key, a keyring), read whole. Anything larger than such
 * a file can be is refused unread, and bytes that are not UTF-8 are refused as not text.
 */
import { readFile } from 'node:fs/promises';
import { err, ok, type Result } from '../../../shared/result';
import { describeFsError } from './fs-error';

const MAX_FILE_BYTES = 1024 * 1024;

/** `what` names the file for people, e.g. "the plan" or "the signing key file". */
export async function readSmallTextFile(path: string, what: string): Promise<Result<string, 'key-unreadable'>> {
  try {
    const bytes = await readFile(path);
    if (bytes.byteLength > MAX_FILE_BYTES)
      return err(
        'key-unreadable',
        `${path} is ${bytes.byteLength} bytes, too large to be ${what}: choose the right file`,
      );
    return ok(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    const why = e instanceof TypeError ? 'it is not text (an armored key or YAML plan is)' : describeFsError(e);
    return err('key-unreadable', `cannot read ${what} ${path}: ${why}`);
  }
}
