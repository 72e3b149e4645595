// @tier integration
/**
 * Crash test: a rehearsal Vault runs as its own process (`vault-ceremony rehearsal-vault`); the
 * ceremony runs in another (`vault-ceremony rehearse --cluster`), which is killed with SIGKILL
 * once 2 of 3 shares are accepted. Started again with --resume, it records the interruption,
 * the machine sees the OTP died with the process and sends the ceremony back to cancel the
 * attempt (a deviation a witness confirms), a fresh OTP and attempt are made, every officer
 * enters their share again, and the ceremony finishes with a bundle that verifies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTarget } from '../electron/services/rehearsal/rehearsal-target';
import { verifyBundle } from '../electron/services/transcript/verify';
import { builtCli } from './support/built-programs';

const repo = join(import.meta.dirname, '..');
const root = mkdtempSync(join(tmpdir(), 'vc-crash-'));
const clusterDir = join(root, 'cluster');
const clusterJson = join(clusterDir, 'cluster.json');
const out = join(root, 'ceremony');
let vaultProcess: ChildProcess | undefined;

/** `vault-ceremony ARGS` in its own process group, so it and only it can be signalled. */
function cli(args: string[]): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  const child = spawn(process.execPath, [builtCli(), ...args], {
    cwd: repo,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => text, exited };
}

async function until(condition: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function journalEvents(path: string): Array<{ type: string; step: string; details: Record<string, unknown> }> {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

let firstRun: { code: number | null; signal: NodeJS.Signals | null; output: string };
let resumed: { code: number | null; output: string };

beforeAll(async () => {
  const vault = cli(['rehearsal-vault', '--dir', clusterDir, '--officers', '3', '--threshold', '3']);
  vaultProcess = vault.child;
  await until(() => existsSync(clusterJson), 'the rehearsal Vault to write cluster.json');

  const ceremony = cli(['rehearse', '--out', out, '--cluster', clusterJson, '--pace', '250']);
  await until(() => /share was accepted: 2 of 3/.test(ceremony.output()), 'two shares to be accepted');
  process.kill(-ceremony.child.pid!, 'SIGKILL');
  firstRun = { ...(await ceremony.exited), output: ceremony.output() };

  const again = cli(['rehearse', '--out', out, '--cluster', clusterJson, '--resume']);
  resumed = { code: (await again.exited).code, output: again.output() };
}, 180_000);

afterAll(async () => {
  if (vaultProcess?.pid !== undefined && vaultProcess.exitCode === null) {
    const exited = new Promise((resolve) => vaultProcess!.once('exit', resolve));
    process.kill(-vaultProcess.pid, 'SIGTERM');
    await exited;
  }
  rmSync(root, { recursive: true, force: true });
});

describe('a ceremony killed after 2 of 3 shares, then resumed', () => {
  it('was killed mid share entry, before the attempt completed', () => {
    expect(firstRun.signal).toBe('SIGKILL');
    expect(firstRun.output).not.toMatch(/last share was accepted|DR secondary promoted/);
    const before = journalEvents(join(out, 'journal.jsonl')).filter((e) => e.type === 'interruption');
    expect(before).toHaveLength(1); // recorded by the resumed run, not the killed one
  });

  it('resumed to the end: exit 0, promoted, bundle verified', () => {
    expect(resumed.code).toBe(0);
    expect(resumed.output).toMatch(/The restart lost: otp\. The ceremony goes back to 'Cancel the attempt'\./);
    expect(resumed.output).toMatch(/witness-1 witnesses deviation #1 \(resumed\)/);
    expect(resumed.output).toMatch(/Attempt 2 started; nonce [0-9a-f-]{36}; 0 of 3 shares/);
    expect(resumed.output).toMatch(/DR secondary promoted: yes\nbundle verified: yes/);
  });

  it('records the interruption, the cancelled attempt and every share entered again', () => {
    const events = journalEvents(join(out, 'journal.jsonl'));
    const interruption = events.find((e) => e.type === 'interruption')!;
    expect(interruption.details).toMatchObject({ secrets_lost: ['otp'], attempt: { progress: 2, required: 3 } });
    const firstNonce = (interruption.details.attempt as { nonce: string }).nonce;
    const resumedAt = events.indexOf(interruption);
    const after = events.slice(resumedAt);
    expect(after.find((e) => e.type === 'deviation')?.details).toMatchObject({ detected: true, kind: 'resumed' });
    expect(after.some((e) => e.type === 'deviation-witnessed')).toBe(true);
    const cancel = after.findIndex(
      (e) => e.type === 'vault-request' && e.step === 'cancel-attempt' && e.details.method === 'DELETE',
    );
    expect(cancel).toBeGreaterThan(0);
    const shares = (list: typeof events) =>
      list
        .filter((e) => e.type === 'service-result' && e.details.share)
        .map((e) => (e.details.share as { officer: string }).officer);
    expect(shares(events.slice(0, resumedAt))).toEqual(['officer-1', 'officer-2']);
    expect(shares(after)).toEqual(['officer-1', 'officer-2', 'officer-3']);
    const nonces = events
      .filter((e) => e.type === 'vault-response' && e.step === 'start-attempt')
      .map((e) => (e.details.data as { nonce: string }).nonce);
    expect(nonces).toHaveLength(2);
    expect(nonces[0]).toBe(firstNonce);
    expect(nonces[1]).not.toBe(firstNonce);
  });

  it('exports a bundle whose journal verifies and whose transcript states the interruption', async () => {
    const report = await verifyBundle(out);
    expect(report.problems).toEqual([]);
    expect(report.valid).toBe(true);
    const transcript = readFileSync(join(out, 'transcript.txt.asc'), 'utf8');
    expect(transcript).toMatch(/^Interruptions: +1$/m);
    expect(transcript).toMatch(/^Outcome: +promoted$/m);
  });

  it('left the DR secondary promoted (read over mTLS with the rehearsal client certificate)', async () => {
    const target = await connectTarget({ kind: 'external', clusterJson });
    if (!target.ok) throw new Error(target.error.message);
    try {
      const status = await target.value.client.replicationStatus();
      expect(status.ok && status.value.data.dr.mode).toBe('primary');
    } finally {
      target.value.client.close();
    }
  });
});
