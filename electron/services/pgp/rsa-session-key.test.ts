import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeStdBase64 } from '../../../shared/codecs/base64';
import { generateOfficerKey } from '../../../rehearsal-vault/officer-keys';
import { decryptRsaSessionKey, takesRsaPath } from './rsa-session-key';
import { encryptShare, readRecipientKey } from '../../../rehearsal-vault/vault-share-encryption';

const { symmetric: SYM } = openpgp.enums;

interface Fixture {
  key: openpgp.PrivateKey;
  keyId: string;
  n: Uint8Array;
  e: Uint8Array;
  /** A Vault-style message to the key, as binary. */
  message: Uint8Array;
}

let rsa: Fixture;
let curve: Fixture;

async function fixture(algorithm: 'rsa3072' | 'curve25519'): Promise<Fixture> {
  const officer = await generateOfficerKey({ name: algorithm, algorithm });
  const recipient = await readRecipientKey(officer.publicKeyArmored, { allowArmored: true });
  if (!recipient.ok) throw new Error(recipient.error.message);
  const encrypted = await encryptShare(randomBytes(33), recipient.value);
  if (!encrypted.ok) throw new Error(encrypted.error.message);
  const message = decodeStdBase64(encrypted.value.base64);
  if (!message.ok) throw new Error(message.error.message);
  const key = await openpgp.readPrivateKey({ armoredKey: officer.privateKeyArmored });
  const encryptionKey = (await key.getEncryptionKey()).keyPacket;
  const { n, e } = encryptionKey.publicParams as { n: Uint8Array; e: Uint8Array };
  return { key, keyId: encryptionKey.getKeyID().toHex(), n, e, message: message.value };
}

beforeAll(async () => {
  [rsa, curve] = await Promise.all([fixture('rsa3072'), fixture('curve25519')]);
});

type Outcome = { plaintext: string } | { error: string };

/** The path under test: OpenSSL for the RSA step, openpgp.js for the rest. */
async function viaOpenSsl(f: Fixture, bytes: Uint8Array): Promise<Outcome> {
  try {
    const message = await openpgp.readMessage({ binaryMessage: bytes });
    if (!takesRsaPath(message, f.key, f.keyId)) return { error: 'not the RSA path' };
    const sessionKeys = await decryptRsaSessionKey(message, f.key, f.keyId);
    const { data } = await openpgp.decrypt({ message, sessionKeys, format: 'binary' });
    return { plaintext: Buffer.from(data).toString('latin1') };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** The reference: openpgp.js alone. */
async function viaOpenPgp(f: Fixture, bytes: Uint8Array): Promise<Outcome> {
  try {
    const message = await openpgp.readMessage({ binaryMessage: bytes });
    const { data } = await openpgp.decrypt({ message, decryptionKeys: f.key, format: 'binary' });
    return { plaintext: Buffer.from(data).toString('latin1') };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** The message with its session key packet changed by `change`, the rest byte for byte as it was. */
async function withPkesk(f: Fixture, change: (pkesk: { encrypted: { c: Uint8Array } }) => void): Promise<Uint8Array> {
  const message = await openpgp.readMessage({ binaryMessage: f.message });
  const pkesk = message.packets.filterByTag(openpgp.enums.packet.publicKeyEncryptedSessionKey)[0]!;
  const before = packetBytes(pkesk);
  expect(f.message.subarray(0, before.length)).toEqual(before); // it is the first packet, written as read
  change(pkesk as unknown as { encrypted: { c: Uint8Array } });
  return new Uint8Array(Buffer.concat([packetBytes(pkesk), f.message.subarray(before.length)]));
}

function packetBytes(packet: openpgp.AnyPacket): Uint8Array {
  const list = new openpgp.PacketList<openpgp.AnyPacket>();
  list.push(packet);
  return list.write();
}

/** The message with its session key packet replaced by one holding `block` (c = block^e mod n). */
function withRsaBlock(f: Fixture, block: Uint8Array): Promise<Uint8Array> {
  const jwk = { kty: 'RSA', n: Buffer.from(f.n).toString('base64url'), e: Buffer.from(f.e).toString('base64url') };
  const c = new Uint8Array(
    publicEncrypt({ key: createPublicKey({ key: jwk, format: 'jwk' }), padding: constants.RSA_NO_PADDING }, block),
  );
  return withPkesk(f, (pkesk) => (pkesk.encrypted = { c }));
}

/** An EME-PKCS1-v1_5 block around `payload`, with `padding` non-zero bytes (valid from 8). */
function emeBlock(f: Fixture, payload: Uint8Array, options: { padding?: number; type?: number } = {}): Uint8Array {
  const block = new Uint8Array(f.n.length);
  block[1] = options.type ?? 2;
  const padding = options.padding ?? block.length - 3 - payload.length;
  for (let i = 2; i < 2 + padding; i++) block[i] = 1 + (i % 255);
  block.set(payload, block.length - payload.length);
  return block;
}

function sessionKeyPayload(cipher: number, key: Uint8Array, checksumDelta = 0): Uint8Array {
  const sum = (key.reduce((s, b) => s + b, 0) + checksumDelta) & 0xffff;
  return Uint8Array.from([cipher, ...key, sum >> 8, sum & 0xff]);
}

describe('decryptRsaSessionKey', () => {
  it('decrypts a Vault-style share exactly as openpgp.js does', async () => {
    const ours = await viaOpenSsl(rsa, rsa.message);
    expect(ours).toEqual(await viaOpenPgp(rsa, rsa.message));
    expect('plaintext' in ours && /^[0-9a-f]{66}$/.test(ours.plaintext)).toBe(true);
  });

  it('rewrites a message faithfully (the helper the tests below rely on)', async () => {
    const same = await withPkesk(rsa, () => undefined);
    expect(same).toEqual(rsa.message);
  });

  it('leaves keys other than RSA to openpgp.js', async () => {
    const message = await openpgp.readMessage({ binaryMessage: curve.message });
    expect(takesRsaPath(message, curve.key, curve.keyId)).toBe(false);
  });

  it("fails with openpgp.js's own error when any byte of the message changes", async () => {
    for (let p = 0; p < rsa.message.length; p += 7) {
      const bytes = new Uint8Array(rsa.message);
      bytes[p]! ^= 0x10;
      try {
        await openpgp.readMessage({ binaryMessage: bytes });
      } catch {
        continue; // no longer a message: never reaches either path
      }
      const ours = await viaOpenSsl(rsa, bytes);
      // A changed recipient key ID is refused before decryption (assertAttributed): not this path.
      if ('error' in ours && ours.error === 'not the RSA path') continue;
      expect(ours, `byte ${p}`).toEqual(await viaOpenPgp(rsa, bytes));
      expect('error' in ours, `byte ${p}`).toBe(true);
    }
  }, 120_000);

  it.each([
    ['padding type 1 instead of 2', () => emeBlock(rsa, sessionKeyPayload(SYM.aes256, randomBytes(32)), { type: 1 })],
    ['only 7 bytes of padding', () => emeBlock(rsa, sessionKeyPayload(SYM.aes256, randomBytes(32)), { padding: 7 })],
    ['no zero byte after the padding', () => emeBlock(rsa, new Uint8Array(0), { padding: rsa.n.length - 2 })],
    ['a wrong checksum', () => emeBlock(rsa, sessionKeyPayload(SYM.aes256, randomBytes(32), 1))],
    ['an unknown cipher id', () => emeBlock(rsa, sessionKeyPayload(5, randomBytes(32)))],
    ['IDEA, which openpgp.js does not implement', () => emeBlock(rsa, sessionKeyPayload(SYM.idea, randomBytes(16)))],
    ['an AES-256 id with a 16-byte key', () => emeBlock(rsa, sessionKeyPayload(SYM.aes256, randomBytes(16)))],
    ['Twofish, which the key does not prefer', () => emeBlock(rsa, sessionKeyPayload(SYM.twofish, randomBytes(32)))],
    [
      'a well-formed but wrong AES-128 session key',
      () => emeBlock(rsa, sessionKeyPayload(SYM.aes128, randomBytes(16))),
    ],
    [
      'a well-formed but wrong AES-256 session key',
      () => emeBlock(rsa, sessionKeyPayload(SYM.aes256, randomBytes(32))),
    ],
  ])("refuses a session key packet with %s, with openpgp.js's own error", async (_, block) => {
    const bytes = await withRsaBlock(rsa, block());
    const ours = await viaOpenSsl(rsa, bytes);
    expect(ours).toEqual(await viaOpenPgp(rsa, bytes));
    expect('error' in ours).toBe(true);
  });

  it('refuses a ciphertext not below the modulus', async () => {
    const bytes = await withPkesk(rsa, (pkesk) => (pkesk.encrypted = { c: new Uint8Array(rsa.n.length).fill(0xff) }));
    const ours = await viaOpenSsl(rsa, bytes);
    expect(ours).toEqual({ error: 'Error decrypting message: Data too large.' });
    expect(await viaOpenPgp(rsa, bytes)).toEqual(ours);
  });
});
