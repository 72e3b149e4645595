/**
 * Passphrases for CLI commands: read from a file descriptor the caller opened (as gpg's
 * --passphrase-fd), or typed at the terminal with nothing echoed. Never from arguments or the
 * environment, which process listings and other users can read. The bytes are held in buffers
 * that are zeroed once the passphrase string exists.
 */
import { createReadStream, fstatSync, openSync } from 'node:fs';
import { readSmallTextFile } from '../electron/services/files/regular-file';
import { ReadStream, WriteStream } from 'node:tty';
import { err, ok, type Result } from '../shared/result';
import { wipe } from '../shared/codecs/bytes';

export type PassphraseError = 'passphrase-unreadable' | 'no-terminal' | 'cancelled';

/** Longer than any passphrase a person types; bounds what a runaway descriptor can make us hold. */
const MAX_BYTES = 4096;

/**
 * The first line read from `fd` (without its line end). The descriptor belongs to the caller: it is
 * read, never closed, and refused unless it is a file, pipe, socket or terminal, because a number
 * the caller did not open (npx passes on only 0-2) names one of Node's own descriptors instead.
 */
export async function readPassphraseFd(fd: number): Promise<Result<string, PassphraseError>> {
  const notGiven = `descriptor ${fd} was not given to this command (through npx only 0-2 are passed on): use --passphrase-fd 0 < passphrase-file`;
  try {
    const stats = fstatSync(fd);
    if (!(stats.isFile() || stats.isFIFO() || stats.isSocket() || stats.isCharacterDevice()))
      return err('passphrase-unreadable', notGiven);
  } catch {
    return err('passphrase-unreadable', notGiven);
  }
  const line = new Uint8Array(MAX_BYTES);
  let length = 0;
  try {
    const stream = createReadStream('', { fd, autoClose: false, highWaterMark: 1024 });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const end = chunk.indexOf(0x0a);
        const take = end === -1 ? chunk.length : end;
        if (length + take > MAX_BYTES) {
          wipe(chunk);
          return err('passphrase-unreadable', `the passphrase on descriptor ${fd} is longer than ${MAX_BYTES} bytes`);
        }
        line.set(chunk.subarray(0, take), length);
        length += take;
        wipe(chunk);
        if (end !== -1) break;
      }
    } finally {
      stream.destroy();
    }
    if (length > 0 && line[length - 1] === 0x0d) length--;
    return ok(Buffer.from(line.buffer, 0, length).toString('utf8'));
  } catch (e) {
    return err(
      'passphrase-unreadable',
      `cannot read a passphrase from descriptor ${fd} (${(e as NodeJS.ErrnoException).code ?? 'error'}): open it for reading, such as \`--passphrase-fd 0 < passphrase-file\``,
    );
  } finally {
    wipe(line);
  }
}

/** A rehearsal key's passphrase kept in a file (its one line, without the line end); `flag` names the option for the message. */
export async function readPassphraseFile(path: string, flag: string): Promise<Result<string, PassphraseError>> {
  const read = await readSmallTextFile(path, flag, MAX_BYTES + 2);
  return read.ok ? ok(read.value.replace(/\r?\n$/, '')) : err('passphrase-unreadable', read.error.message);
}

/** Asks on the controlling terminal (/dev/tty, so redirected output stays clean), echoing nothing. */
export async function promptPassphrase(prompt: string): Promise<Result<string, PassphraseError>> {
  let input: ReadStream;
  let output: WriteStream;
  try {
    input = new ReadStream(openSync('/dev/tty', 'r'));
    output = new WriteStream(openSync('/dev/tty', 'w'));
  } catch {
    return err(
      'no-terminal',
      'there is no terminal to ask for the passphrase on: give it on a file descriptor with --passphrase-fd N',
    );
  }
  const typed = new Uint8Array(MAX_BYTES);
  let length = 0;
  try {
    // Echo off before the prompt shows, so nothing typed the moment it appears is echoed.
    input.setRawMode(true);
    output.write(prompt);
    const finished = await new Promise<'enter' | 'cancel'>((resolve) => {
      const key = (byte: number): 'enter' | 'cancel' | undefined => {
        if (byte === 0x0d || byte === 0x0a) return 'enter';
        if (byte === 0x03 || (byte === 0x04 && length === 0)) return 'cancel';
        if (byte === 0x7f || byte === 0x08) {
          // Remove one character: its UTF-8 continuation bytes (10xxxxxx), then its lead byte.
          while (length > 0 && (typed[length - 1]! & 0xc0) === 0x80) typed[--length] = 0;
          if (length > 0) typed[--length] = 0;
        } else if (byte === 0x15) {
          typed.fill(0, 0, length);
          length = 0;
        } else if (byte >= 0x20 && length < MAX_BYTES) typed[length++] = byte;
        return undefined;
      };
      input.on('data', (chunk: Buffer) => {
        let outcome: 'enter' | 'cancel' | undefined;
        for (let i = 0; i < chunk.length && outcome === undefined; i++) outcome = key(chunk[i]!);
        wipe(chunk);
        if (outcome !== undefined) resolve(outcome);
      });
      input.on('end', () => resolve('cancel'));
    });
    if (finished === 'cancel') return err('cancelled', 'no passphrase was entered');
    return ok(Buffer.from(typed.buffer, 0, length).toString('utf8'));
  } finally {
    wipe(typed);
    input.setRawMode(false);
    output.write('\n');
    input.destroy();
    output.destroy();
  }
}
