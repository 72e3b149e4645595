// @tier integration
/**
 * The auditor's adversary against the in-app transcript viewer (issue 12): `transcript.open`
 * through the real handler registry and the built verifier worker, on a real rehearsal bundle
 * made hostile.
 * - Each forgery gets the viewer's verdict that `vault-ceremony verify` gives it as an exit code
 *   (0 anchored, 3 unanchored, 1 failed), with and without the auditor's keyring.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtBundleVerifier, builtCli } from '../support/built-programs';
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
  keyring = join(root, 'auditor-keys.asc');
  const signers = join(fresh, 'signers');
  writeFileSync(
    keyring,
    readdirSync(signers)
      .map((f) => readFileSync(join(signers, f), 'utf8'))
      .join(''),
  );
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
