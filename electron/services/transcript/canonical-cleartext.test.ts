import fc from 'fast-check';
import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeSigner, type TestSigner } from '../../../test/support/transcript-bundle';
import { decodeUtf8 } from '../pgp/public-keys';
import { canonicalDocument, readCanonicalTranscript, readTranscriptFile } from './canonical-cleartext';
import { countersignTranscript, readSignedTranscript, signTranscript } from './signing';

let signers: TestSigner[];

beforeAll(async () => {
  signers = [await makeSigner('alice'), await makeSigner('bob')];
});

async function signed(text: string, by = signers): Promise<string> {
  let document = await signTranscript(text, by[0]!.signer);
  for (const s of by.slice(1))
    if (document.ok) document = await countersignTranscript(document.value.armored, s.signer);
  if (!document.ok) throw new Error(document.error.message);
  return document.value.armored;
}

/** Both readers' results (packets as bytes, or what was thrown), for comparison. */
async function both(armored: string) {
  const view = async (read: (armored: string) => ReturnType<typeof readSignedTranscript>) => {
    try {
      const r = await read(armored);
      return r.ok ? { text: r.value.text, packets: r.value.signatures.map((p) => [...p.write()]) } : r.error;
    } catch (e) {
      return { thrown: (e as Error).message };
    }
  };
  return { ours: await view(readCanonicalTranscript), reference: await view(readSignedTranscript) };
}

const LINES = [
  '',
  'plain',
  '- dash',
  '-----BEGIN PGP SIGNATURE-----',
  '--',
  'trailing ',
  'tab\t',
  'cr\r',
  ' lead',
  'Hash: SHA1',
  'é€𝄞',
  '=AbCd',
  '\u2028sep',
];
const texts = fc
  .array(fc.oneof(fc.constantFrom(...LINES), fc.string({ maxLength: 12 })), { maxLength: 8 })
  .map((lines) => lines.join('\n') + '\n');

describe('canonicalDocument', () => {
  it('reads a canonical document as readSignedTranscript does', async () => {
    const armored = await signed('TRANSCRIPT\n\n- escaped line\n-----BEGIN PGP SIGNATURE-----\nlast line\n');
    const document = await canonicalDocument(armored);
    const reference = await readSignedTranscript(armored);
    expect(document).toBeDefined();
    expect(reference.ok && document && document.text === reference.value.text).toBe(true);
    expect(document!.signatures.map((p) => [...p.write()])).toEqual(
      reference.ok ? reference.value.signatures.map((p) => [...p.write()]) : [],
    );
  });

  it('declines a document with a CR, a trailing space or tab, or a non-canonical dash line', async () => {
    const armored = await signed('one\ntwo\n- three\n');
    for (const changed of [
      armored.replace('one\n', 'one\r\n'),
      armored.replace('two\n', 'two \n'),
      armored.replace('two\n', 'two\t\n'),
      armored.replace('- - three', '- three'),
    ])
      expect(await canonicalDocument(changed)).toBeUndefined();
  });
});

describe('readCanonicalTranscript', () => {
  it("gives readSignedTranscript's result for signed texts of any shape", async () => {
    let readHere = 0;
    await fc.assert(
      fc.asyncProperty(texts, async (text) => {
        const armored = await signed(text, signers.slice(0, 1));
        const { ours, reference } = await both(armored);
        expect(ours).toEqual(reference);
        if (await canonicalDocument(armored)) readHere++;
      }),
      { numRuns: 60 },
    );
    expect(readHere).toBeGreaterThan(10); // most signed texts are canonical, and read here
  }, 120_000);

  it("gives readSignedTranscript's result, verdict and message, for every one-byte change of a countersigned document", async () => {
    const armored = await signed('TRANSCRIPT\n\n- escaped\nline two\n-----BEGIN PGP SIGNATURE-----\nend\n');
    const changes = [0x01, 0x20, 0x0d];
    for (let p = 0; p < armored.length; p++) {
      const mask = changes[p % changes.length]!;
      const changed = armored.slice(0, p) + String.fromCharCode(armored.charCodeAt(p) ^ mask) + armored.slice(p + 1);
      const { ours, reference } = await both(changed);
      expect(ours, `byte ${p}`).toEqual(reference);
    }
  }, 300_000);

  it("gives readSignedTranscript's result when lines are inserted or removed anywhere", async () => {
    const armored = await signed('TRANSCRIPT\n- escaped\nend\n');
    const lines = armored.split('\n');
    for (let i = 0; i <= lines.length; i++) {
      for (const extra of ['', ' ', '\r', '- ', 'Hash: SHA256', '-----BEGIN PGP SIGNATURE-----']) {
        const inserted = [...lines.slice(0, i), extra, ...lines.slice(i)].join('\n');
        const a = await both(inserted);
        expect(a.ours, `insert ${JSON.stringify(extra)} at line ${i}`).toEqual(a.reference);
      }
      if (i < lines.length) {
        const removed = [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n');
        const b = await both(removed);
        expect(b.ours, `remove line ${i}`).toEqual(b.reference);
      }
    }
  }, 300_000);

  it('hands a document whose Hash header does not match its signatures to readSignedTranscript', async () => {
    const armored = await signed('a\n');
    const algorithm = openpgp.enums
      .read(openpgp.enums.hash, (await canonicalDocument(armored))!.signatures[0]!.hashAlgorithm!)
      .toUpperCase();
    const mismatched = armored.replace(`Hash: ${algorithm}`, algorithm === 'SHA256' ? 'Hash: SHA512' : 'Hash: SHA256');
    expect(mismatched).not.toBe(armored);
    const { ours, reference } = await both(mismatched);
    expect(ours).toEqual(reference);
    expect(await canonicalDocument(mismatched)).toBeUndefined();
  });
});

describe('readTranscriptFile', () => {
  it("gives readCanonicalTranscript's result for the file's bytes, with exactly the text's UTF-8 bytes", async () => {
    await fc.assert(
      fc.asyncProperty(texts, async (text) => {
        const armored = await signed(text, signers.slice(0, 1));
        // A trailing space after the signature block: not canonical, so read by readSignedTranscript.
        // A byte order mark before it: dropped by decodeUtf8, so read as the document without it.
        for (const file of [armored, `${armored} `, `\ufeff${armored}`]) {
          const bytes = Buffer.from(file, 'utf8');
          const read = await readTranscriptFile(bytes);
          const reference = await readCanonicalTranscript(decodeUtf8(bytes)!);
          expect(read?.ok).toBe(reference.ok);
          if (!read?.ok || !reference.ok) continue;
          expect(read.value.text).toBe(reference.value.text);
          expect(read.value.signatures.map((p) => [...p.write()])).toEqual(
            reference.value.signatures.map((p) => [...p.write()]),
          );
          expect([...read.value.textBytes]).toEqual([...Buffer.from(reference.value.text, 'utf8')]);
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('reads nothing from bytes that are not UTF-8', async () => {
    const bytes = Buffer.from(await signed('caf\u00e9\n'), 'utf8');
    const at = bytes.indexOf(0xc3);
    expect(at).toBeGreaterThan(0);
    bytes[at] = 0xff;
    expect(await readTranscriptFile(bytes)).toBeUndefined();
  });
});
