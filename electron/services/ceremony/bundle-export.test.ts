import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearInterruptedExport, exportBundle } from './bundle-export';

const WORK = 'ceremony';
/** Never read: every folder below is refused before the bundle is written. */
const UNWRITTEN = { transcript: '', journal: new Uint8Array(), signers: [] };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vc-export-'));
  mkdirSync(join(dir, WORK));
  writeFileSync(join(dir, WORK, 'journal.jsonl'), '{"type":"ceremony-started"}\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What an export killed after moving signers/, the journal and the cleartext leaves: never the .asc. */
function interruptedExport(): void {
  const staging = join(dir, '.bundle-k1ll3d');
  mkdirSync(join(staging, 'signers'), { recursive: true });
  writeFileSync(join(staging, 'transcript.txt.asc'), 'partial');
  writeFileSync(join(staging, 'journal.jsonl'), '{}\n');
  mkdirSync(join(dir, 'signers'));
  writeFileSync(join(dir, 'signers', 'officer-1.pub.asc'), 'key');
  writeFileSync(join(dir, 'journal.jsonl'), '{}\n');
  writeFileSync(join(dir, 'transcript.txt'), 'text');
}

const entries = () => readdirSync(dir).sort();

describe('clearInterruptedExport', () => {
  it('removes the staging folder and the bundle files moved before the kill, keeping the working folder', async () => {
    interruptedExport();
    const cleared = await clearInterruptedExport(dir, [WORK]);
    expect(cleared).toEqual({ ok: true, value: ['transcript.txt', 'journal.jsonl', 'signers', '.bundle-k1ll3d'] });
    expect(entries()).toEqual([WORK]);
    expect(readFileSync(join(dir, WORK, 'journal.jsonl'), 'utf8')).toContain('ceremony-started');
  });

  it('removes a staging folder killed before anything moved', async () => {
    mkdirSync(join(dir, '.bundle-AbC123'));
    expect(await clearInterruptedExport(dir, [WORK])).toEqual({ ok: true, value: ['.bundle-AbC123'] });
    expect(entries()).toEqual([WORK]);
  });

  it('never touches a complete bundle: with transcript.txt.asc there, the export is refused as before', async () => {
    interruptedExport();
    writeFileSync(join(dir, 'transcript.txt.asc'), 'signed');
    writeFileSync(join(dir, 'transcript.txt.sig'), 'sig');
    const before = entries();
    expect(await clearInterruptedExport(dir, [WORK])).toEqual({ ok: true, value: [] });
    expect(entries()).toEqual(before);
    const refused = await exportBundle(dir, UNWRITTEN, [WORK]);
    expect(refused.ok || refused.error.kind).toBe('bundle-exists');
    expect(refused.ok || refused.error.message).toMatch(/already holds transcript\.txt\.asc.*never overwritten/);
  });

  it('leaves everything when the folder holds anything else, and the export still refuses it', async () => {
    mkdirSync(join(dir, '.bundle-k1ll3d'));
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    expect(await clearInterruptedExport(dir, [WORK])).toEqual({ ok: true, value: [] });
    expect(entries()).toEqual(['.bundle-k1ll3d', WORK, 'notes.txt']);
    const refused = await exportBundle(dir, UNWRITTEN, [WORK]);
    expect(refused.ok || refused.error.kind).toBe('folder-not-empty');
    expect(refused.ok || refused.error.message).toMatch(/notes\.txt/);
  });

  it('does not take bundle files for its own without a staging folder, nor a file named like one', async () => {
    writeFileSync(join(dir, 'journal.jsonl'), '{}\n');
    writeFileSync(join(dir, '.bundle-file'), 'not a folder');
    expect(await clearInterruptedExport(dir, [WORK])).toEqual({ ok: true, value: [] });
    expect(entries()).toEqual(['.bundle-file', WORK, 'journal.jsonl']);
    expect((await exportBundle(dir, UNWRITTEN, [WORK])).ok).toBe(false);
  });

  it('has nothing to clear in a folder that is not there', async () => {
    expect(await clearInterruptedExport(join(dir, 'absent'), [WORK])).toEqual({ ok: true, value: [] });
  });
});
