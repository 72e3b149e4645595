import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finishedExport, type SignedRecord } from './finished-export';

/** A complete bundle an earlier rehearsal wrote (test/fixtures/bundles/README.md). */
const BUNDLE = join(import.meta.dirname, '../../../test/fixtures/bundles/promotion-6');
const WORK = 'ceremony';
const STAGING = '.bundle-k1ll3d';
const bundleJournal = readFileSync(join(BUNDLE, 'journal.jsonl'), 'utf8');
const lastEvent = JSON.parse(bundleJournal.trimEnd().split('\n').at(-1)!) as { hash: string };
/** The ceremony and head the fixture's journal ends at: what its working journal's service would state. */
const OWN: SignedRecord = { ceremonyId: 'rehearsal-20261207T200617', head: lastEvent.hash };
const ROUTINE = JSON.stringify({ type: 'bundle-exported', step: 'finished', details: {} });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vc-finished-'));
  cpSync(BUNDLE, dir, { recursive: true });
  mkdirSync(join(dir, WORK));
  writeFileSync(join(dir, WORK, 'journal.jsonl'), `${bundleJournal}${ROUTINE}\n`);
  mkdirSync(join(dir, STAGING, 'signers'), { recursive: true });
  writeFileSync(join(dir, STAGING, 'transcript.txt.asc'), 'the staged copy');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Every file under the folder with its bytes: what must not change when the bundle is not adopted. */
function snapshot(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile())
      files[join(entry.parentPath, entry.name)] = readFileSync(join(entry.parentPath, entry.name), 'hex');
  return files;
}

const finish = (record: SignedRecord = OWN) => finishedExport(dir, record, [WORK]);

describe('finishedExport', () => {
  it("finishes with this ceremony's complete bundle, removing only the export's staging folder", async () => {
    const bundle = Object.entries(snapshot()).filter(([path]) => !path.includes(STAGING) && !path.includes(WORK));
    const found = await finish();
    expect(found.ok && found.value?.removed).toEqual([STAGING]);
    expect(found.ok && found.value?.report).toMatchObject({ valid: true, ceremonyId: OWN.ceremonyId, head: OWN.head });
    expect(found.ok && found.value?.report.warnings.map((w) => w.message).join()).not.toContain(STAGING);
    expect(readdirSync(dir).sort()).toEqual([
      WORK,
      'journal.jsonl',
      'signers',
      'transcript.txt',
      'transcript.txt.asc',
      'transcript.txt.sig',
    ]);
    expect(Object.entries(snapshot()).filter(([path]) => !path.includes(WORK))).toEqual(bundle);
  });

  it('finishes when the staging folder was already removed, removing nothing', async () => {
    rmSync(join(dir, STAGING), { recursive: true });
    const found = await finish();
    expect(found.ok && found.value?.removed).toEqual([]);
    expect(found.ok && found.value?.report.valid).toBe(true);
  });

  it('finishes whatever the working journal holds after the signed head, leaving the working folder as it is', async () => {
    // A key refused while people signed: in no signed record, so the rehearsal keeps the folder
    // (a normal finish's rule).
    const note = `${JSON.stringify({ type: 'key-refused', step: 'sign-transcript' })}\n`;
    appendFileSync(join(dir, WORK, 'journal.jsonl'), note);
    const working = Object.entries(snapshot()).filter(([path]) => path.includes(WORK));
    const found = await finish();
    expect(found.ok && found.value?.removed).toEqual([STAGING]);
    expect(found.ok && found.value?.report.valid).toBe(true);
    expect(Object.entries(snapshot()).filter(([path]) => path.includes(WORK))).toEqual(working);
  });

  const refused: Array<[string, () => void, SignedRecord?]> = [
    ['a bundle of another ceremony', () => undefined, { ...OWN, ceremonyId: 'rehearsal-20261207T200618' }],
    ['a bundle closing at another head', () => undefined, { ...OWN, head: '0'.repeat(64) }],
    ['a bundle that does not verify', () => appendFileSync(join(dir, 'transcript.txt'), 'more')],
    ['a folder holding anything else', () => writeFileSync(join(dir, 'notes.txt'), 'mine')],
    ['no transcript.txt.asc, so no complete bundle', () => rmSync(join(dir, 'transcript.txt.asc'))],
  ];
  it.each(refused)('leaves %s untouched, for the export to refuse', async (_, change, record) => {
    change();
    const before = snapshot();
    expect(await finish(record)).toEqual({ ok: true, value: undefined });
    expect(snapshot()).toEqual(before);
  });
});
