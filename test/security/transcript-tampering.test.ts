/**
 * Tampering with a transcript bundle is detected by `verify`, exhaustively over a small bundle
 * (a five-event journal, signed by an administrator and countersigned by two witnesses):
 * - every event deleted, duplicated, swapped with every other, and a forged event inserted at
 *   every position: both as raw edits and with seq, prev and hash recomputed as a forger who knows
 *   the format would (the chain then holds, and the signed transcript no longer matches it);
 * - every signature removed, duplicated, replaced by another key's, or replaced by its own key's
 *   signature over different text; every signer file removed, added or swapped.
 * Byte flips at every position of both files are in electron/services/transcript/verify.test.ts.
 *
 * The signature order is fixed (administrator, then witnesses in the plan's order) although OpenPGP
 * binds none: any other order is refused. A complete forgery, its plan rewritten to name the
 * forger's keys and re-signed with them, is consistent: verify calls it unanchored (exit 3), and
 * only an auditor's --keyring or --fingerprints, or comparing the printed fingerprints, exposes it.
 * The forgeries an auditor reported are in ./transcript-forgery.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as openpgp from 'openpgp';
import { sealEvent, serializeEvent, verifyJournalText, type JournalEvent } from '../../shared/record/journal-event';
import { renderTranscript } from '../../shared/record/transcript-format';
import {
  canonicalArmor,
  countersignTranscript,
  readSignedTranscript,
  signTranscript,
} from '../../electron/services/transcript/signing';
import {
  readBundle,
  verifyBundleContents,
  type BundleContents,
  type BundleReport,
} from '../../electron/services/transcript/verify';
import {
  makeBundle,
  makeSigner,
  planEvent,
  signedForms,
  threeSigners,
  type TestBundle,
  type TestSigner,
} from '../support/transcript-bundle';

let signers: TestSigner[];
let mallory: TestSigner;
let bundle: TestBundle;
let contents: BundleContents;
let lines: string[];
let text: string;
let packets: openpgp.SignaturePacket[];

beforeAll(async () => {
  signers = await threeSigners();
  mallory = await makeSigner('mallory');
  bundle = await makeBundle(signers);
  contents = await readBundle(bundle.dir);
  lines = Buffer.from(contents.journal!).toString('utf8').trimEnd().split('\n');
  const document = await readSignedTranscript(Buffer.from(contents.transcript!).toString('utf8'));
  if (!document.ok) throw new Error(document.error.message);
  ({ text, signatures: packets } = document.value);
});
afterAll(() => bundle.dispose());

/** What a reordered journal breaks besides its transcript: its plan, or the replay of its ceremony. */
const REPLAY_PROBLEMS: readonly string[] = ['plan-missing', 'record-inconsistent', 'authorisation-missing'];
const kinds = (report: BundleReport) => [...new Set(report.problems.map((p) => p.kind))].sort();
const journalOf = (ls: readonly string[]) => Buffer.from(ls.join('\n') + '\n');
/** The bundle's three transcript files, all carrying these signatures over `body`. */
const transcriptOf = (ps: readonly openpgp.SignaturePacket[], body = text) => signedForms(canonicalArmor(body, ps));

/** Renumbers and re-hashes every event, as a forger with the format but no signing key would. */
function resealed(ls: readonly string[]): string[] {
  let prev: string | undefined;
  return ls.map((line, i) => {
    const { hash: _hash, ...event } = JSON.parse(line) as JournalEvent;
    const sealed = sealEvent({ ...event, seq: i + 1, prev: prev ?? event.prev });
    prev = sealed.hash;
    return serializeEvent(sealed);
  });
}

function forgedEvent(): string {
  const last = JSON.parse(lines[lines.length - 1]!) as JournalEvent;
  return serializeEvent(
    sealEvent({ ...last, type: 'deviation-witnessed', actor: 'mallory', details: { note: 'approved by mallory' } }),
  );
}

/** Every event-level edit of the journal, by name. */
function eventEdits(): Array<[string, string[]]> {
  const edits: Array<[string, string[]]> = [];
  const n = lines.length;
  for (let i = 0; i < n; i++) edits.push([`delete event ${i + 1}`, lines.filter((_, j) => j !== i)]);
  for (let i = 0; i < n; i++)
    edits.push([`duplicate event ${i + 1}`, [...lines.slice(0, i + 1), lines[i]!, ...lines.slice(i + 1)]]);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const swapped = [...lines];
      [swapped[i], swapped[j]] = [swapped[j]!, swapped[i]!];
      edits.push([`swap events ${i + 1} and ${j + 1}`, swapped]);
    }
  for (let i = 0; i <= n; i++)
    edits.push([`insert a forged event at ${i + 1}`, [...lines.slice(0, i), forgedEvent(), ...lines.slice(i)]]);
  return edits;
}

describe('event-level tampering', () => {
  it('the untouched bundle verifies', async () => {
    expect((await verifyBundleContents(contents)).problems).toEqual([]);
    expect(lines).toHaveLength(5);
  });

  it('every delete, duplicate, swap and insertion is refused, as a raw edit and with the chain recomputed', async () => {
    const accepted: string[] = [];
    const edits = eventEdits();
    expect(edits).toHaveLength(5 + 5 + 10 + 6);
    for (const [name, edited] of edits) {
      for (const [how, journal] of [
        ['raw', edited],
        ['chain recomputed', resealed(edited)],
      ] as const) {
        const report = await verifyBundleContents({ ...contents, journal: journalOf(journal) });
        if (report.valid) accepted.push(`${name} (${how})`);
        // A broken chain is named as such; where the chain holds (recomputed, or the last event cut),
        // the signed transcript's statement of the journal is what no longer matches (and, where the
        // plan is no longer the second event, the plan is missing too, and where the ceremony's
        // events no longer replay in order, the record is inconsistent too).
        else if (!verifyJournalText(journal.join('\n') + '\n').ok)
          expect(kinds(report), `${name} (${how})`).toEqual(['journal-invalid']);
        else
          expect(
            kinds(report).filter((k) => !REPLAY_PROBLEMS.includes(k)),
            `${name} (${how})`,
          ).toEqual(['transcript-mismatch']);
      }
    }
    expect(accepted).toEqual([]);
  }, 120_000);
});

describe('signature-level tampering', () => {
  it('removing any signature leaves its signer unsigned', async () => {
    for (let i = 0; i < packets.length; i++) {
      const report = await verifyBundleContents({
        ...contents,
        ...(await transcriptOf(packets.filter((_, j) => j !== i))),
      });
      expect(report.valid, `signature ${i + 1} removed`).toBe(false);
      expect(kinds(report)).toEqual(['signature-missing']);
    }
    expect((await verifyBundleContents({ ...contents, transcript: Buffer.from(text) })).valid).toBe(false);
    expect((await verifyBundleContents({ ...contents, detached: new Uint8Array() })).valid).toBe(false);
  });

  it('duplicating any signature is flagged', async () => {
    for (let i = 0; i < packets.length; i++) {
      const report = await verifyBundleContents({ ...contents, ...(await transcriptOf([...packets, packets[i]!])) });
      expect(kinds(report), `signature ${i + 1} duplicated`).toEqual(['signature-duplicate']);
    }
  });

  it('replacing any signature by another key’s (outside or inside the bundle) is refused', async () => {
    const byMallory = await signatureBy(mallory, text);
    for (let i = 0; i < packets.length; i++) {
      const outsider = await verifyBundleContents({
        ...contents,
        ...(await transcriptOf(packets.map((p, j) => (j === i ? byMallory : p)))),
      });
      expect(kinds(outsider), `signature ${i + 1} by mallory`).toEqual(['signature-foreign', 'signature-missing']);
      const other = packets[(i + 1) % packets.length]!;
      const insider = await verifyBundleContents({
        ...contents,
        ...(await transcriptOf(packets.map((p, j) => (j === i ? other : p)))),
      });
      expect(kinds(insider), `signature ${i + 1} by another signer`).toEqual([
        'signature-duplicate',
        'signature-missing',
      ]);
    }
  });

  it('replacing any signature by the same key’s signature over other text is BAD', async () => {
    const other = text.replace('Outcome:        cancelled', 'Outcome:        cancelled, no deviations');
    expect(other).not.toBe(text);
    for (let i = 0; i < packets.length; i++) {
      const elsewhere = await signatureBy(signers[i]!, other);
      const report = await verifyBundleContents({
        ...contents,
        ...(await transcriptOf(packets.map((p, j) => (j === i ? elsewhere : p)))),
      });
      expect(kinds(report), `signature ${i + 1} over other text`).toEqual(['signature-bad']);
    }
  });

  it('removing, adding or swapping a signer file is refused', async () => {
    for (let i = 0; i < contents.signers.length; i++) {
      const removed = await verifyBundleContents({ ...contents, signers: contents.signers.filter((_, j) => j !== i) });
      expect(kinds(removed), `signer ${i + 1} removed`).toEqual([
        'signature-foreign',
        'signature-missing',
        'signer-key-missing',
      ]);
      const swapped = await verifyBundleContents({
        ...contents,
        signers: contents.signers.map((s, j) => (j === i ? { name: s.name, publicKey: mallory.publicKey } : s)),
      });
      expect(kinds(swapped), `signer ${i + 1} swapped for mallory`).toEqual([
        'signature-foreign',
        'signature-missing',
        'signer-foreign',
        'signer-key-missing',
      ]);
    }
    const added = await verifyBundleContents({
      ...contents,
      signers: [...contents.signers, { name: 'mallory', publicKey: mallory.publicKey }],
    });
    expect(kinds(added)).toEqual(['signer-foreign']);
  });

  it('any order but the plan’s (administrator, then witnesses as listed) is refused, though OpenPGP cannot see it', async () => {
    for (const order of [
      [1, 0, 2],
      [2, 1, 0],
      [0, 2, 1],
      [1, 2, 0],
      [2, 0, 1],
    ]) {
      const report = await verifyBundleContents({
        ...contents,
        ...(await transcriptOf(order.map((k) => packets[k]!))),
      });
      expect(kinds(report), `order ${order.join()}`).toEqual(['signature-order']);
      expect(report.signatures.map((s) => [s.signer, s.good])).toEqual(order.map((k) => [signers[k]!.name, true]));
    }
  });
});

describe('a complete forgery, its plan naming the forger’s keys, re-signed by them', () => {
  it('is consistent but unanchored on its own, and fails against the auditor’s keyring', async () => {
    const [admin, witness] = [await makeSigner('alice'), await makeSigner('bob')];
    const planLine = lines.findIndex((l) => l.includes('"type":"ceremony-started"'));
    const { hash: _hash, ...started } = JSON.parse(lines[planLine]!) as JournalEvent;
    const forgedPlan = serializeEvent(sealEvent({ ...started, details: planEvent([admin, witness]).details! }));
    const forged = resealed([...lines.slice(0, planLine), forgedPlan, ...lines.slice(planLine + 1)]);
    const chain = verifyJournalText(forged.join('\n') + '\n');
    if (!chain.ok) throw new Error(chain.error.message);
    let signed = await signTranscript(renderTranscript(chain.value), admin.signer);
    if (signed.ok) signed = await countersignTranscript(signed.value.armored, witness.signer);
    if (!signed.ok) throw new Error(signed.error.message);
    const forgery: BundleContents = {
      ...(await signedForms(signed.value.armored)),
      journal: journalOf(forged),
      signers: [admin, witness].map((s) => ({ name: s.name, publicKey: s.publicKey })),
    };
    const alone = await verifyBundleContents(forgery);
    expect(alone.problems).toEqual([]);
    expect(alone.verdict).toBe('unanchored');
    const keys = await Promise.all(signers.map((s) => openpgp.readKey({ armoredKey: s.publicKey })));
    const audited = await verifyBundleContents(forgery, { anchors: { keys, fingerprints: [] } });
    expect(audited.verdict).toBe('failed');
    expect(kinds(audited)).toEqual(['signer-unanchored']);
  });
});

/** `signer`'s signature packet over `body`, as countersigning would make it. */
async function signatureBy(signer: TestSigner, body: string): Promise<openpgp.SignaturePacket> {
  const signed = await signTranscript(body, signer.signer);
  if (!signed.ok) throw new Error(signed.error.message);
  const document = await readSignedTranscript(signed.value.armored);
  if (!document.ok) throw new Error(document.error.message);
  return document.value.signatures[0]!;
}
