/** Runs the `vault-ceremony` command as a new process, as people and auditors do. */
import { spawn } from 'node:child_process';
import { builtCli } from '../test/support/built-programs';

/** What the package's `bin` entry runs. */
export const CLI = builtCli();

/**
 * Variables that make every Node process do work before any command's code runs, so they time the
 * machine's set-up rather than the command. NODE_EXTRA_CA_CERTS makes Node read and parse the
 * certificates it names at start-up: this workplace points it at the system's whole CA bundle (for
 * its proxy), about 140 certificates, which adds ~40 ms to every start here, more than `gpg
 * --verify` takes in all. An auditor's machine has no reason to set it; verify opens no connection.
 */
const START_UP_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'];

/** This process's environment without START_UP_VARIABLES: what every timed process gets. */
export const TIMED_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !START_UP_VARIABLES.includes(name)),
);

/** Which START_UP_VARIABLES this machine sets, for the report. */
export const UNSET_FOR_TIMING = START_UP_VARIABLES.filter((name) => process.env[name] !== undefined);

type Run = Promise<{ status: number | null; stderr: string }>;

export function runNode(args: readonly string[], env: NodeJS.ProcessEnv = TIMED_ENV): Run {
  return runProcess(process.execPath, args, env);
}

export function runProcess(command: string, args: readonly string[], env: NodeJS.ProcessEnv = TIMED_ENV): Run {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    const errs: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => errs.push(b));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr: Buffer.concat(errs).toString() }));
  });
}
