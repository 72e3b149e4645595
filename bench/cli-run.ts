/** Runs the `vault-ceremony` command as a new process, as people and auditors do. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** What the package's `bin` entry runs. */
export const CLI = join(import.meta.dirname, '..', 'bin', 'vault-ceremony.mjs');

export function runNode(args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const errs: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => errs.push(b));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr: Buffer.concat(errs).toString() }));
  });
}
