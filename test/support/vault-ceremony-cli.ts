/** Runs `npx vault-ceremony ARGS` from the repository, as a user would, and returns its exit code and output. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..', '..');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function vaultCeremony(args: readonly string[], timeoutMs = 120_000): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run('npx', ['vault-ceremony', ...args], { cwd: repo, timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failure = e as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? -1, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
  }
}
