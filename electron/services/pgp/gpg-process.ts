/**
 * One run of the system gpg for a key operation: input on stdin, output from stdout, outcome from
 * `--status-fd` (fd 3). A PIN or passphrase goes in through its own pipe (fd 4, for
 * `--passphrase-fd 4`), never argv or the environment. stderr is kept only as a tail for failures
 * the status channel does not explain: card daemons print warnings there on success.
 */
import { spawn } from 'node:child_process';
import { wipe } from '../../../shared/codecs/bytes';

export const STATUS_FD = 3;
export const PASSPHRASE_FD = 4;
/** After SIGTERM, how long gpg gets to exit before SIGKILL. */
const KILL_GRACE_MS = 2_000;

export interface GpgProcessOptions {
  readonly timeoutMs: number;
  /** stdout beyond this many bytes stops gpg and sets `overflow`. */
  readonly maxOutput?: number;
  /** Written to fd 4 then closed; the caller keeps and wipes its copy. */
  readonly passphrase?: Uint8Array;
}

export interface GpgRun {
  /** stdout; the caller wipes it when it may hold a secret. */
  readonly output: Uint8Array;
  readonly status: string;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly overflow: boolean;
  readonly spawnError?: NodeJS.ErrnoException;
}

export function runGpgProcess(
  gpgPath: string,
  args: readonly string[],
  input: Uint8Array,
  options: GpgProcessOptions,
): Promise<GpgRun> {
  return new Promise((resolve) => {
    const stdio = options.passphrase === undefined ? 4 : 5;
    const child = spawn(gpgPath, args, { stdio: Array<'pipe'>(stdio).fill('pipe') });
    const chunks: Buffer[] = [];
    let size = 0;
    let status = '';
    let stderr = '';
    let timedOut = false;
    let overflow = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (killTimer) return;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);

    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (options.maxOutput !== undefined && size > options.maxOutput && !overflow) {
        overflow = true;
        stop();
      }
      chunks.push(chunk);
    });
    child.stdio[STATUS_FD]!.on('data', (chunk: Buffer) => (status += chunk.toString('latin1')));
    // Only the tail is kept; gpg's stderr carries key IDs and user IDs, never plaintext or PINs.
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
    // gpg may exit (e.g. gpg missing, bad options) before reading all of its input.
    child.stdin.on('error', () => undefined);
    if (options.passphrase !== undefined) {
      const pipe = child.stdio[PASSPHRASE_FD] as NodeJS.WritableStream;
      pipe.on('error', () => undefined);
      // A copy, so the caller's wipe cannot race the asynchronous write; this one is wiped once flushed.
      const line = Buffer.concat([options.passphrase, Buffer.from('\n')]);
      pipe.end(line, () => wipe(line));
    }
    child.on('error', (e) => (spawnError = e));
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      const output = new Uint8Array(size);
      let at = 0;
      for (const chunk of chunks) {
        output.set(chunk, at);
        at += chunk.length;
        wipe(chunk);
      }
      resolve({ output, status, stderr, exitCode, timedOut, overflow, ...(spawnError ? { spawnError } : {}) });
    });
    child.stdin.end(input);
  });
}

/** The last line of gpg's stderr: all that is shown of it, and only when the status channel is silent. */
export function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}
