import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeSigner, type TestSigner } from '../../../test/support/transcript-bundle';
import { canonicalDocument } from './canonical-cleartext';
import { Cleartext, countersignTranscript, signatureOf, signTranscript } from './signing';
import { changedByCleartext, presetTextDigests } from './text-digest';

const TEXT = 'TRANSCRIPT\n\n- escaped line\nunicode é€𝄞\nJournal head:   00\n';

let signers: TestSigner[];
let rsaSigner: { key: openpgp.PrivateKey; publicKey: openpgp.PublicKey };

beforeAll(async () => {
  signers = [await makeSigner('alice'), await makeSigner('bob')];
  const { privateKey } = await openpgp.generateKey({
    type: 'rsa',
    rsaBits: 2048,
    userIDs: [{ name: 'rsa' }],
    format: 'object',
  });
  rsaSigner = { key: privateKey, publicKey: privateKey.toPublic() };
});

/** The document's packets, freshly parsed, and the public keys that made them. */
async function signedPackets(text: string): Promise<{ packets: openpgp.SignaturePacket[]; keys: openpgp.PublicKey[] }> {
  let document = await signTranscript(text, signers[0]!.signer);
  if (document.ok) document = await countersignTranscript(document.value.armored, signers[1]!.signer);
  if (!document.ok) throw new Error(document.error.message);
  const rsa = (await openpgp.sign({
    message: await openpgp.createCleartextMessage({ text }),
    signingKeys: rsaSigner.key,
    format: 'object',
  })) as unknown as {
    signature: openpgp.Signature;
  };
  const parsed = await canonicalDocument(document.value.armored);
  const keys = await Promise.all(signers.map((s) => openpgp.readKey({ armoredKey: s.publicKey })));
  return {
    packets: [...parsed!.signatures, ...(rsa.signature.packets as unknown as openpgp.SignaturePacket[])],
    keys: [...keys, rsaSigner.publicKey],
  };
}

async function verifies(text: string, packet: openpgp.SignaturePacket, keys: openpgp.PublicKey[]): Promise<boolean> {
  const [result] = await new Cleartext(text, signatureOf([packet])).verify(keys);
  return result!.verified.then(
    () => true,
    () => false,
  );
}

describe('presetTextDigests', () => {
  it('lets openpgp.js verify every signature, EdDSA and RSA, without reading the text again', async () => {
    const { packets, keys } = await signedPackets(TEXT);
    const prehashed = presetTextDigests(TEXT, packets);
    expect(prehashed.size).toBe(packets.length);
    for (const packet of packets) expect(await verifies('', packet, keys)).toBe(true);
  });

  it('gives digests that fail every signature when the text differs by one character', async () => {
    const { packets, keys } = await signedPackets(TEXT);
    presetTextDigests(TEXT.replace('head:   00', 'head:   01'), packets);
    for (const packet of packets) expect(await verifies(TEXT, packet, keys)).toBe(false);
  });

  it('leaves alone a text openpgp.js would normalise first, and packets that are not v4 text signatures', async () => {
    const { packets } = await signedPackets(TEXT);
    expect(presetTextDigests('line \n', packets).size).toBe(0);
    expect(presetTextDigests('line\r\n', packets).size).toBe(0);
    const binary = (await openpgp.sign({
      message: await openpgp.createMessage({ binary: new Uint8Array([1]) }),
      signingKeys: rsaSigner.key,
      detached: true,
      format: 'object',
    })) as unknown as openpgp.Signature;
    expect(presetTextDigests(TEXT, binary.packets as unknown as openpgp.SignaturePacket[]).size).toBe(0);
  });

  it('knows what CleartextMessage strips (trailing spaces and tabs), and flags every CR', () => {
    for (const text of ['a\nb\n', 'a \nb', 'a\t\n', 'end ', 'end\t', ' lead\n', 'a\u00a0\n', 'a \u2028b\n', '']) {
      const kept = new Cleartext(text, signatureOf([])).getText() === text;
      expect(changedByCleartext(text), JSON.stringify(text)).toBe(!kept);
    }
    for (const text of ['a\r\nb', 'a\rb', '\r']) expect(changedByCleartext(text)).toBe(true);
  });
});
