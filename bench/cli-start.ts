/**
 * Start-up of the `vault-ceremony` command, `--help` (no command loaded): `npx vault-ceremony --help`
 * as the README has people run it, and the built bin run directly (what an installed command on the
 * PATH costs). The difference is npm's own work in `npx`: for a project's own bin, npm 10/11 load
 * the package tree before running it, whatever the command.
 */
import { CLI, runNode, runProcess } from './cli-run';
import { measure } from './measure';
import { timed, type Benchmark } from './metric';

async function ok(run: Promise<{ status: number | null; stderr: string }>, what: string): Promise<void> {
  const { status, stderr } = await run;
  if (status !== 0) throw new Error(`${what} failed (${status}): ${stderr}`);
}

export const cliStartBenchmark: Benchmark = {
  name: 'cli-start',
  async run() {
    const npx = await measure(() => ok(runProcess('npx', ['vault-ceremony', '--help']), 'npx vault-ceremony --help'), {
      warmup: 2,
      runs: 9,
    });
    const direct = await measure(() => ok(runNode([CLI, '--help']), 'vault-ceremony --help'), { warmup: 2, runs: 9 });
    return [
      timed('cli_help_ms', npx, 'npx vault-ceremony --help, new process, warm; target < 300'),
      timed('cli_help_direct_ms', direct, 'node dist/cli/vault-ceremony.mjs --help: the command without npx'),
    ];
  },
};
