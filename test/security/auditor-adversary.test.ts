// @tier integration
/**
 * Bundles the auditor's adversary made after the forgeries of transcript-forgery.test.ts were
 * closed (issue 12), each through the installed `vault-ceremony verify` with a 10 s deadline:
 * - an outsider (no signer's key) whose journal holds one event that renders to gigabytes: a
 *   100,000-character key over 100,000 array items, each item a transcript line naming the whole
 *   path. verify built the whole rendering to name the first line that differs, and crashed
 *   (RangeError: Invalid string length) on a 335 KB journal.
 * Which defence each case depends on, and the mutation that shows it failing without it, is listed
 * in SECURITY.md.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from '../support/built-programs';
import {
  CEREMONY_ID,
  ceremonyEvents,
  makeBundle,
  planEvent,
  sealedJournal,
  threeSigners,
  type TestBundle,
  type TestSigner,
} from '../support/transcript-bundle';

const ROOT = join(import.meta.dirname, '..', '..');

let signers: TestSigner[];
let bundle: TestBundle;
let copies = 0;

beforeAll(async () => {
  signers = await threeSigners();
  bundle = await makeBundle(signers);
}, 60_000);
afterAll(() => bundle.dispose());

/** A copy of the fresh bundle to forge. */
function copy(): string {
  const dir = join(bundle.root, `forgery-${++copies}`);
  cpSync(bundle.dir, dir, { recursive: true });
  return dir;
}

/** The installed command as a new process, killed after 10 s. */
function verifyProcess(...argv: string[]) {
  const r = spawnSync(process.execPath, [builtCli(), 'verify', ...argv], { cwd: ROOT, timeout: 10_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

describe('an outsider’s journal that renders to gigabytes', () => {
  it('ends within 10 s with exit 1, naming the first line of the transcript that differs', () => {
    const dir = copy();
    const huge = { ...ceremonyEvents(signers)[0]!, details: { ['k'.repeat(100_000)]: Array<number>(100_000).fill(0) } };
    const journal = sealedJournal(CEREMONY_ID, [planEvent(signers), huge, ...ceremonyEvents(signers)]);
    writeFileSync(join(dir, 'journal.jsonl'), journal.bytes);
    // The signed text made to state the new journal; its signatures, which no outsider can remake, go BAD.
    const path = join(dir, 'transcript.txt.asc');
    writeFileSync(
      path,
      readFileSync(path, 'utf8')
        .replace(/^Journal events: .*$/m, `Journal events: ${journal.chain.events.length}`)
        .replace(/^Journal head: .*$/m, `Journal head:   ${journal.chain.head}`),
    );
    const r = verifyProcess(dir);
    expect(r.signal).toBeNull();
    expect(r.stderr).not.toContain('RangeError');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the signed transcript is not the one the journal renders: first difference at line \d+/);
  });
});
