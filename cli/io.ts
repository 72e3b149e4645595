import type { Readable } from 'node:stream';

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  stdin: Readable;
}

/** Exit codes every command shares. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export type Command = (argv: string[], io: CliIo) => Promise<number>;

/**
 * Reads all of standard input as text (for `--encoded -` and friends), refusing, unkept, more than
 * `maxBytes`: a secret is short, and a runaway pipe must not fill memory.
 */
export async function readAll(stream: Readable, maxBytes: number): Promise<string | { tooLong: number }> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream as AsyncIterable<string | Buffer>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    length += bytes.length;
    if (length > maxBytes) {
      for (const c of chunks) c.fill(0);
      bytes.fill(0);
      return { tooLong: maxBytes };
    }
    chunks.push(bytes);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  for (const c of chunks) c.fill(0);
  return text;
}
