// @tier integration
/**
 * The auditor's adversary against the in-app transcript viewer (issue 12): `transcript.open`
 * through the real handler registry and the built verifier worker, on a real rehearsal bundle
 * made hostile.
 * - Each forgery gets the viewer's verdict that `vault-ceremony verify` gives it as an exit code
 *   (0 anchored, 3 unanchored, 1 failed), with and without the auditor's keyring.
 * - A verification the person gave up on (another bundle opened, cancelled, the screen left) is
 *   stopped: at most one verifier worker runs, so repeated opens of a slow hostile bundle cannot
 *   stack workers of up to 1.5 GB heap each in the app's one process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtBundleVerifier, builtCli } from '../support/built-programs';
import { writeBundleKeyring } from '../support/doctored-bundle';
import { createHandlerRegistry, type ChannelHandlers } from '../../electron/app/ipc/handler-registry';
import { transcriptHandlers } from '../../electron/app/ipc/transcript-handlers';

const ROOT = join(import.meta.dirname, '..', '..');
const APP = { url: 'app://vault-ceremony/index.html', isMainFrame: true };
const VERDICT_OF_EXIT: Record<number, string> = { 0: 'anchored', 3: 'unanchored', 1: 'failed' };

let root: string;
let fresh: string;
let keyring: string;
let copies = 0;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'viewer-adversary-'));
  fresh = join(root, 'fresh');
  execFileSync(process.execPath, [builtCli(), 'rehearse', '--out', fresh], { cwd: ROOT, stdio: 'ignore' });
  // In an audit the keys come from the signers themselves; here, the rehearsal's own.
  keyring = writeBundleKeyring(join(root, 'auditor-keys.asc'), fresh);
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function registryWith(script: string) {
  return createHandlerRegistry(transcriptHandlers(script) as ChannelHandlers, {
    allowedOrigins: ['app://vault-ceremony'],
  });
}

/** A copy of the fresh rehearsal bundle, changed by `forge`. */
function forged(forge: (dir: string) => void): string {
  const dir = join(root, `forgery-${++copies}`);
  cpSync(fresh, dir, { recursive: true });
  forge(dir);
  return dir;
}

function cliVerdict(dir: string, keyrings: string[]): string {
  const argv = [builtCli(), 'verify', dir, ...keyrings.flatMap((k) => ['--keyring', k])];
  const r = spawnSync(process.execPath, argv, { cwd: ROOT, timeout: 10_000 });
  return VERDICT_OF_EXIT[r.status ?? -1] ?? `exit ${r.status} (${r.signal})`;
}

describe('the viewer’s verdict is the CLI’s', () => {
  const edit = (file: string, change: (text: string) => string) => (dir: string) =>
    writeFileSync(join(dir, file), change(readFileSync(join(dir, file), 'utf8')));
  const forgeries: ReadonlyArray<readonly [string, (dir: string) => void]> = [
    ['the fresh bundle', () => undefined],
    ['a journal line appended', (dir) => appendFileSync(join(dir, 'journal.jsonl'), '{"seq":99}\n')],
    ['the outcome rewritten in the journal', edit('journal.jsonl', (t) => t.replace('"promoted"', '"aborted"'))],
    ['a line prepended to the cleartext', edit('transcript.txt.asc', (t) => `DR secondary NOT promoted\n${t}`)],
    ['one byte of transcript.txt changed', edit('transcript.txt', (t) => t.replace('promoted', 'Promoted'))],
    ['the detached signature replaced', (dir) => writeFileSync(join(dir, 'transcript.txt.sig'), 'x')],
    ['a witness’s key file removed', (dir) => rmSync(join(dir, 'signers', 'witness-2.pub.asc'))],
    [
      'the administrator’s and a witness’s key files swapped',
      (dir) => {
        const [a, w, t] = ['administrator', 'witness-1', 'tmp'].map((n) => join(dir, 'signers', `${n}.pub.asc`));
        renameSync(a!, t!);
        renameSync(w!, a!);
        renameSync(t!, w!);
      },
    ],
    ['a stray file in signers/', (dir) => writeFileSync(join(dir, 'signers', 'VERIFIED\u202e.txt'), 'x')],
    [
      'the journal a FIFO',
      (dir) => (rmSync(join(dir, 'journal.jsonl')), execFileSync('mkfifo', [join(dir, 'journal.jsonl')])),
    ],
  ];

  it.each(forgeries)('%s', async (_name, forge) => {
    const registry = registryWith(builtBundleVerifier());
    const dir = forged(forge);
    for (const keyrings of [[], [keyring]]) {
      const viewer = await registry.invoke('transcript.open', { dir, keyrings }, APP);
      const shown = viewer.ok ? (viewer.value as { verdict: string }).verdict : viewer.error.kind;
      expect(shown, keyrings.join()).toBe(cliVerdict(dir, keyrings));
    }
  });

  it('a keyring missing one signer’s key: failed in both', async () => {
    const registry = registryWith(builtBundleVerifier());
    const partial = join(root, 'partial.asc');
    writeFileSync(partial, readFileSync(join(fresh, 'signers', 'administrator.pub.asc')));
    const viewer = await registry.invoke('transcript.open', { dir: fresh, keyrings: [partial] }, APP);
    expect(viewer.ok && (viewer.value as { verdict: string }).verdict).toBe('failed');
    expect(cliVerdict(fresh, [partial])).toBe('failed');
  });
});

describe('a verification given up on is stopped', () => {
  /** A verifier that never answers and appends to `beat` while it runs. */
  function hangingVerifier(name: string): { script: string; beat: string } {
    const beat = join(root, `${name}.beat`);
    const script = join(root, `${name}.cjs`);
    writeFileSync(beat, '');
    writeFileSync(
      script,
      `const { appendFileSync } = require('node:fs'); setInterval(() => appendFileSync(${JSON.stringify(beat)}, 'x'), 10);`,
    );
    return { script, beat };
  }
  const settledWithin = <T>(promise: Promise<T>, ms: number) =>
    Promise.race([promise, new Promise<'still running'>((r) => setTimeout(() => r('still running'), ms))]);
  async function stoppedBeating(beat: string): Promise<boolean> {
    await new Promise((r) => setTimeout(r, 100));
    const size = statSync(beat).size;
    await new Promise((r) => setTimeout(r, 300));
    return statSync(beat).size === size;
  }
  const stopped = {
    ok: false,
    error: { kind: 'verifier-cancelled', message: expect.stringContaining('the bundle is NOT verified') },
  };

  it('opening another bundle stops the one still verifying, whose answer says so', async () => {
    const { script, beat } = hangingVerifier('superseded');
    const registry = registryWith(script);
    const first = registry.invoke('transcript.open', { dir: fresh }, APP);
    await new Promise((r) => setTimeout(r, 200));
    const second = registry.invoke('transcript.open', { dir: fresh }, APP);
    expect(await settledWithin(first, 3_000)).toEqual(stopped);
    expect(await registry.invoke('transcript.cancel', {}, APP)).toEqual({ ok: true, value: { cancelled: true } });
    expect(await settledWithin(second, 3_000)).toEqual(stopped);
    expect(await stoppedBeating(beat)).toBe(true);
  });

  it('cancelling stops the verification, and says whether one was running', async () => {
    const { script, beat } = hangingVerifier('cancelled');
    const registry = registryWith(script);
    expect(await registry.invoke('transcript.cancel', {}, APP)).toEqual({ ok: true, value: { cancelled: false } });
    const opened = registry.invoke('transcript.open', { dir: fresh }, APP);
    await new Promise((r) => setTimeout(r, 200));
    expect(await registry.invoke('transcript.cancel', {}, APP)).toEqual({ ok: true, value: { cancelled: true } });
    expect(await settledWithin(opened, 3_000)).toEqual(stopped);
    expect(await stoppedBeating(beat)).toBe(true);
  });
});
