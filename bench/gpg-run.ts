/** Runs the system gpg as a user would (a new process each time), for side-by-side timings. */
import { spawn } from 'node:child_process';

export interface GpgRun {
  readonly status: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export function runGpg(home: string, args: readonly string[], input?: Uint8Array): Promise<GpgRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('gpg', ['--homedir', home, '--batch', '--no-tty', '--quiet', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const errs: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => errs.push(b));
    child.on('error', reject);
    child.on('close', (status) =>
      resolve({ status, stdout: Buffer.concat(out), stderr: Buffer.concat(errs).toString() }),
    );
    child.stdin.end(input);
  });
}

/** Like runGpg, but a non-zero exit is a broken benchmark set-up. */
export async function runGpgOk(home: string, args: readonly string[], input?: Uint8Array): Promise<Buffer> {
  const run = await runGpg(home, args, input);
  if (run.status !== 0) throw new Error(`gpg ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  return run.stdout;
}
