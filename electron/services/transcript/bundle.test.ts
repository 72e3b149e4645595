import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CEREMONY_ID,
  ceremonyEvents,
  makeBundle,
  planEvent,
  sealedJournal,
  threeSigners,
  type TestBundle,
  type TestSigner,
} from '../../../test/support/transcript-bundle';
import { renderTranscript } from '../../../shared/record/transcript-format';
import { MAX_BUNDLE_FILE_BYTES } from './bundle-layout';
import { writeBundle, type BundleInput } from './bundle';
import {
  canonicalArmor,
  countersignTranscript,
  detachedSignatures,
  readSignedTranscript,
  signTranscript,
} from './signing';

let signers: TestSigner[];
let bundle: TestBundle;
let input: BundleInput;

beforeAll(async () => {
  signers = await threeSigners();
  bundle = await makeBundle(signers);
  input = {
    transcript: readFileSync(join(bundle.dir, 'transcript.txt.asc'), 'utf8'),
    journal: new Uint8Array(readFileSync(join(bundle.dir, 'journal.jsonl'))),
    signers: signers.map((s) => ({ name: s.name, publicKey: s.publicKey })),
  };
});
afterAll(() => bundle.dispose());

describe('writeBundle', () => {
  it('writes the transcript in its three forms, the journal and one public key per signer, and reports the verification', async () => {
    const dir = join(bundle.root, 'fresh');
    const written = await writeBundle(dir, input);
    expect(written.ok && written.value.valid).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([
      'journal.jsonl',
      'signers',
      'transcript.txt',
      'transcript.txt.asc',
      'transcript.txt.sig',
    ]);
    const document = await readSignedTranscript(input.transcript);
    if (!document.ok) throw new Error(document.error.message);
    expect(readFileSync(join(dir, 'transcript.txt'), 'utf8')).toBe(document.value.text);
    expect(new Uint8Array(readFileSync(join(dir, 'transcript.txt.sig')))).toEqual(
      detachedSignatures(document.value.signatures),
    );
    expect(readdirSync(join(dir, 'signers')).sort()).toEqual(['alice.pub.asc', 'bob.pub.asc', 'carol.pub.asc']);
    expect(readFileSync(join(dir, 'transcript.txt.asc'), 'utf8')).toBe(input.transcript);
    expect(readFileSync(join(dir, 'signers', 'bob.pub.asc'), 'utf8')).toBe(signers[1]!.publicKey);
  });

  it('accepts an existing empty folder', async () => {
    const dir = join(bundle.root, 'empty');
    mkdirSync(dir);
    expect((await writeBundle(dir, input)).ok).toBe(true);
  });

  it('never overwrites an existing bundle or anything else in the folder', async () => {
    const again = await writeBundle(bundle.dir, { ...input, journal: new TextEncoder().encode('x\n') });
    expect(!again.ok && again.error.kind).toBe('bundle-invalid');
    const same = await writeBundle(bundle.dir, input);
    expect(!same.ok && same.error.kind).toBe('bundle-exists');
    const occupied = join(bundle.root, 'occupied');
    mkdirSync(occupied);
    writeFileSync(join(occupied, 'notes.txt'), 'mine');
    const refused = await writeBundle(occupied, input);
    expect(!refused.ok && refused.error.kind).toBe('bundle-exists');
    expect(readdirSync(occupied)).toEqual(['notes.txt']);
  });

  it('puts the signatures in the plan’s order, whatever order they were made in', async () => {
    const document = await readSignedTranscript(input.transcript);
    if (!document.ok) throw new Error(document.error.message);
    const [admin, bob, carol] = document.value.signatures;
    const dir = join(bundle.root, 'reordered');
    const written = await writeBundle(dir, {
      ...input,
      transcript: canonicalArmor(document.value.text, [carol!, admin!, bob!]),
    });
    expect(written.ok && written.value.signatures.map((s) => s.signer)).toEqual(['alice', 'bob', 'carol']);
    expect(readFileSync(join(dir, 'transcript.txt.asc'), 'utf8')).toBe(input.transcript);
  });

  it('writes nothing when the bundle would not verify', async () => {
    const dir = join(bundle.root, 'unsigned-signer');
    const alias = { name: 'dave', publicKey: signers[0]!.publicKey }; // alice's key under another name
    const result = await writeBundle(dir, { ...input, signers: [...input.signers.slice(0, 2)] });
    expect(!result.ok && result.error.kind).toBe('bundle-invalid');
    expect(!result.ok && result.error.message).toContain("signers/ holds no public key for the witness 'carol'");
    const duplicate = await writeBundle(dir, { ...input, signers: [...input.signers, alias] });
    expect(!duplicate.ok && duplicate.error.message).toContain('the same key as signers/alice.pub.asc');
    expect(existsSync(dir)).toBe(false);
  });

  it('writes nothing larger than verify reads, even when it would verify', async () => {
    const longAnswer = {
      actor: 'vault-ceremony',
      role: 'system' as const,
      step: 'roll-call',
      type: 'vault-response',
      details: { status: 200, body: { note: 'x'.repeat(MAX_BUNDLE_FILE_BYTES) } },
    };
    const events = [planEvent(signers), longAnswer, ...ceremonyEvents(signers)];
    const { chain, bytes } = sealedJournal(CEREMONY_ID, events);
    let signed = await signTranscript(renderTranscript(chain), signers[0]!.signer);
    for (const w of signers.slice(1))
      if (signed.ok) signed = await countersignTranscript(signed.value.armored, w.signer);
    if (!signed.ok) throw new Error(signed.error.message);
    const dir = join(bundle.root, 'too-large');
    const result = await writeBundle(dir, { ...input, transcript: signed.value.armored, journal: bytes });
    expect(!result.ok && result.error.message).toContain(
      `journal.jsonl is ${bytes.length} bytes, more than verify reads (at most ${MAX_BUNDLE_FILE_BYTES})`,
    );
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses signer names that are not safe file names', async () => {
    for (const name of ['../evil', '.hidden', 'a/b', '', 'Alice', 'x'.repeat(65)]) {
      const signersWithName =
        name === 'Alice'
          ? [...input.signers, { name, publicKey: signers[0]!.publicKey }]
          : [{ ...input.signers[0]!, name }, ...input.signers.slice(1)];
      const result = await writeBundle(join(bundle.root, 'bad-name'), { ...input, signers: signersWithName });
      expect(!result.ok && result.error.kind, name).toBe('bad-signer-name');
    }
    expect(existsSync(join(bundle.root, 'bad-name'))).toBe(false);
  });
});
