/**
 * `verifyBundleContents` (what an auditor runs) against damaged or forged bundles: text-level
 * damage to the journal and the signed transcript, event lines dropped, repeated, swapped or
 * edited (with the hash chain recomputed, as a forger would), signer files removed, repeated,
 * replaced or garbled, and files of arbitrary bytes. It must settle, report only its declared
 * problem kinds, be valid exactly when it reports no problem, and never accept a journal or
 * transcript that differs from the one that was signed.
 *
 * Cost: a full verification of this bundle (an administrator and a witness) is about 10 ms here
 * (three signers about 25 ms), nearly all openpgp.js checking signatures; most damaged bundles fail before that, so the
 * 10,000 cases measured 17 s on this 2-core machine (1.7 ms each). The exhaustive event- and
 * signature-level forgeries are in test/security/transcript-tampering.test.ts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealEvent, serializeEvent, type JournalEvent } from '../../shared/record/journal-event';
import {
  readBundle,
  verifyBundleContents,
  type BundleContents,
  type VerifyProblemKind,
} from '../../electron/services/transcript/verify';
import { makeBundle, makeSigner, type TestBundle, type TestSigner } from '../support/transcript-bundle';
import { anyText, FUZZ_RUNS, mutationsOf, settlesWithin } from './fuzz-support';

const KINDS: Record<VerifyProblemKind, true> = {
  'bundle-incomplete': true,
  'bundle-file-refused': true,
  'journal-invalid': true,
  'plan-missing': true,
  'transcript-invalid': true,
  'transcript-mismatch': true,
  'detached-mismatch': true,
  'signer-invalid': true,
  'signer-foreign': true,
  'signer-key-missing': true,
  'signer-unanchored': true,
  'signature-bad': true,
  'signature-foreign': true,
  'signature-missing': true,
  'signature-duplicate': true,
  'signature-order': true,
  'authorisation-bad': true,
  'authorisation-missing': true,
  'record-inconsistent': true,
};

let signer: TestSigner;
let witness: TestSigner;
let other: TestSigner;
let bundle: TestBundle;
let original: BundleContents;
let journalText: string;
let transcriptText: string;

beforeAll(async () => {
  signer = await makeSigner('alice');
  witness = await makeSigner('wes');
  other = await makeSigner('mallory');
  bundle = await makeBundle([signer, witness]);
  original = await readBundle(bundle.dir);
  journalText = Buffer.from(original.journal!).toString('utf8');
  transcriptText = Buffer.from(original.transcript!).toString('utf8');
});
afterAll(() => bundle.dispose());

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const same = (a: Uint8Array | undefined, b: Uint8Array | undefined) =>
  a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;

/** Event-level forgeries: each line edit, optionally with seq, prev and hash recomputed so the chain holds. */
function eventForgery(): fc.Arbitrary<string> {
  const lines = journalText.trimEnd().split('\n');
  const index = fc.integer({ min: 0, max: lines.length - 1 });
  const edit = fc.oneof(
    index.map((i) => lines.filter((_, j) => j !== i)),
    index.map((i) => [...lines.slice(0, i + 1), lines[i]!, ...lines.slice(i + 1)]),
    fc.tuple(index, index).map(([i, j]) => {
      const copy = [...lines];
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      return copy;
    }),
    fc
      .tuple(
        index,
        fc.constantFrom('actor', 'step', 'type', 'time', 'role'),
        fc.constantFrom('mallory', 'promote', 'note', '2030-01-01T00:00:00.000Z', 'witness'),
      )
      .map(([i, field, value]) =>
        lines.map((line, j) => (j === i ? JSON.stringify({ ...JSON.parse(line), [field]: value }) : line)),
      ),
    fc
      .tuple(index, fc.jsonValue({ maxDepth: 2 }))
      .map(([i, value]) =>
        lines.map((line, j) => (j === i ? JSON.stringify({ ...JSON.parse(line), details: { forged: value } }) : line)),
      ),
  );
  return fc.tuple(edit, fc.boolean()).map(([edited, reseal]) => (reseal ? resealed(edited) : edited.join('\n') + '\n'));
}

/** What a forger with the journal format but not the signing key does: renumber and re-hash every line. */
function resealed(lines: readonly string[]): string {
  let prev: string | undefined;
  const out: string[] = [];
  for (const [i, line] of lines.entries()) {
    let event: JournalEvent;
    try {
      event = JSON.parse(line) as JournalEvent;
    } catch {
      return lines.join('\n') + '\n';
    }
    const { hash: _hash, ...rest } = event;
    const sealed = sealEvent({ ...rest, seq: i + 1, prev: prev ?? event.prev });
    prev = sealed.hash;
    try {
      out.push(serializeEvent(sealed));
    } catch {
      return lines.join('\n') + '\n';
    }
  }
  return out.join('\n') + '\n';
}

const bytes = fc.uint8Array({ maxLength: 400 });

function bundles(): fc.Arbitrary<BundleContents> {
  const journal = fc.oneof(
    { weight: 2, arbitrary: mutationsOf(journalText).map(utf8) },
    { weight: 3, arbitrary: eventForgery().map(utf8) },
    { weight: 1, arbitrary: bytes },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  const transcript = fc.oneof(
    { weight: 3, arbitrary: mutationsOf(transcriptText).map(utf8) },
    { weight: 1, arbitrary: bytes },
    { weight: 1, arbitrary: anyText(200).map(utf8) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  const good = { name: signer.name, publicKey: signer.publicKey };
  const witnessFile = { name: witness.name, publicKey: witness.publicKey };
  const signerFiles = fc.oneof(
    fc.constant([good]),
    fc.constant([]),
    fc.constant([good, good]),
    fc.constant([good, witnessFile, { name: other.name, publicKey: other.publicKey }]),
    fc.constant([{ name: signer.name, publicKey: other.publicKey }, witnessFile]),
    fc.constant([{ name: signer.name, publicKey: signer.key.armoredPrivateKey }, witnessFile]),
    mutationsOf(signer.publicKey).map((publicKey) => [{ name: signer.name, publicKey }, witnessFile]),
    anyText(100).map((publicKey) => [{ name: signer.name, publicKey }, witnessFile]),
  );
  const part = <T>(changed: fc.Arbitrary<T>, unchanged: T) =>
    fc.oneof({ weight: 1, arbitrary: fc.constant(unchanged) }, { weight: 2, arbitrary: changed });
  return fc
    .record({
      journal: part(journal, original.journal),
      transcript: part(transcript, original.transcript),
      signers: part(signerFiles, original.signers),
      strayFiles: fc.oneof(fc.constant([] as string[]), fc.array(anyText(12), { maxLength: 2 })),
    })
    .map((b) => ({ ...original, ...b }));
}

describe('verifyBundleContents under damaged and forged bundles', () => {
  it('accepts the bundle these mutations start from', async () => {
    expect((await verifyBundleContents(original)).problems).toEqual([]);
  });

  it(`settles, reports only its kinds, and never accepts a changed journal or transcript (${FUZZ_RUNS} cases)`, async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.constant(null).chain(bundles), async (contents) => {
        const report = await settlesWithin(verifyBundleContents(contents), 10_000, 'verifyBundleContents');
        expect(report.valid).toBe(report.problems.length === 0);
        for (const p of report.problems) {
          expect(Object.hasOwn(KINDS, p.kind), p.kind).toBe(true);
          expect(p.message.length).toBeGreaterThan(10);
        }
        if (!same(contents.journal, original.journal) || !same(contents.transcript, original.transcript)) {
          expect(report.valid, 'a changed journal or transcript was accepted').toBe(false);
        }
        if (report.valid) accepted++;
      }),
      { numRuns: FUZZ_RUNS },
    );
    expect(accepted).toBeGreaterThan(0);
  }, 240_000);
});
