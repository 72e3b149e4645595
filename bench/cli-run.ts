/** Runs the `vault-ceremony` command as a new process, as people and auditors do. */
import { spawn } from 'node:child_process';
import { builtCli } from '../test/support/built-cli';

/** What the package's `bin` entry runs. */
export const CLI = builtCli();

export function runNode(args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  return runProcess(process.execPath, args);
}

export function runProcess(
  command: string,
  args: readonly string[],
): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const errs: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => errs.push(b));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr: Buffer.concat(errs).toString() }));
  });
}
