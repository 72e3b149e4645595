/**
 * What of a thrown value may be written to the main-process log. An exception's message can
 * quote its input (a share, a passphrase, a token), so only its class name and the code
 * locations of its stack are kept: enough to find the bug, nothing that was typed.
 */
export interface RedactedError {
  readonly name: string;
  readonly frames: readonly string[];
}

export function redactError(thrown: unknown): RedactedError {
  if (!(thrown instanceof Error)) return { name: typeof thrown, frames: [] };
  const name = thrown.constructor.name;
  // V8 starts the stack with `String(error)`, whose message may span lines; drop that header
  // exactly, and keep no frames at all when the stack does not start the way we expect.
  const header = String(thrown);
  const stack = thrown.stack ?? '';
  if (!stack.startsWith(header)) return { name, frames: [] };
  const frames = stack
    .slice(header.length)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '));
  return { name, frames };
}
