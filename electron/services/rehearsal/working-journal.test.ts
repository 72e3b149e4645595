import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onlyRoutineAfterHead } from './working-journal';

/** Journal lines as the laptop writes them, reduced to what the check reads. */
const line = (type: string, step: string, outcome?: string) =>
  JSON.stringify({ type, step, details: outcome ? { event: { outcome } } : {} });
const SIGNED = [line('ceremony-started', 'roll-call'), line('ceremony-finished', 'sign-transcript')];
const ROUTINE = [
  line('step-acknowledged', 'sign-transcript'),
  line('service-result', 'sign-transcript', 'ok'),
  line('bundle-exported', 'finished'),
];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vc-working-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function check(working: readonly string[], bundled: readonly string[] = SIGNED) {
  writeFileSync(join(dir, 'working.jsonl'), working.map((l) => `${l}\n`).join(''));
  writeFileSync(join(dir, 'bundle.jsonl'), bundled.map((l) => `${l}\n`).join(''));
  return onlyRoutineAfterHead(join(dir, 'working.jsonl'), join(dir, 'bundle.jsonl'));
}

describe('onlyRoutineAfterHead', () => {
  it("accepts the bundle's journal followed by the signing notes and the bundle written", async () => {
    expect(await check([...SIGNED, ...ROUTINE])).toEqual({ ok: true, value: undefined });
    expect(await check(SIGNED)).toEqual({ ok: true, value: undefined });
  });

  it('names an interruption recorded during signing, by its event number', async () => {
    const r = await check([...SIGNED, ROUTINE[0]!, line('interruption', 'sign-transcript'), ...ROUTINE]);
    expect(r).toMatchObject({ ok: false, error: { kind: 'more-recorded' } });
    expect(!r.ok && r.error.message).toMatch(
      /event 4 of .*working\.jsonl, after the signed head, records 'interruption'/,
    );
  });

  it('names a key refused at signing: the record stays closed for it, so no signature covers it', async () => {
    const r = await check([...SIGNED, ROUTINE[0]!, line('key-refused', 'sign-transcript'), ...ROUTINE]);
    expect(!r.ok && r.error.message).toMatch(
      /event 4 of .*working\.jsonl, after the signed head, records 'key-refused'/,
    );
  });

  it('names a signing that failed, and a note at another step', async () => {
    expect(await check([...SIGNED, line('service-result', 'sign-transcript', 'failed')])).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/a signing that failed/) },
    });
    expect(await check([...SIGNED, line('step-acknowledged', 'finished')])).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/records 'step-acknowledged' at 'finished'/) },
    });
  });

  it("refuses a working journal that does not begin with the bundle's", async () => {
    expect(await check([SIGNED[0]!, ...ROUTINE])).toMatchObject({ ok: false, error: { kind: 'diverged' } });
  });

  it('says so when a journal cannot be read', async () => {
    expect(await onlyRoutineAfterHead(join(dir, 'none'), join(dir, 'none'))).toMatchObject({
      ok: false,
      error: { kind: 'unreadable' },
    });
  });
});
