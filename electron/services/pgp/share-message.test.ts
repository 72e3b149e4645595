import { createHash, randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeStdBase64, encodeStdBase64 } from '../../../shared/codecs/base64';
import { bytesToHex } from '../../../shared/codecs/bytes';
import { generateOfficerKey, type OfficerKey } from '../../../rehearsal-vault/officer-keys';
import { readShareMessage } from './share-message';
import { encryptShare, readRecipientKey } from '../../../rehearsal-vault/vault-share-encryption';

let alice: OfficerKey;
let share: string; // base64, as Vault prints it

async function vaultShare(key: OfficerKey): Promise<string> {
  const recipient = await readRecipientKey(key.publicKeyArmored, { allowArmored: true });
  if (!recipient.ok) throw new Error(recipient.error.message);
  const r = await encryptShare(randomBytes(33), recipient.value);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.base64;
}

function bytesOf(base64: string): Uint8Array {
  const r = decodeStdBase64(base64);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function kindOf(pasted: string): Promise<string> {
  const r = await readShareMessage(pasted);
  return r.ok ? 'ok' : r.error.kind;
}

beforeAll(async () => {
  alice = await generateOfficerKey({ name: 'alice' });
  share = await vaultShare(alice);
});

describe('readShareMessage', () => {
  it("reads Vault's base64 and names the encryption subkey it is for, with a SHA-256 commitment", async () => {
    const r = await readShareMessage(share);
    if (!r.ok) throw new Error(r.error.message);
    const key = await openpgp.readKey({ armoredKey: alice.publicKeyArmored });
    const subkeyId = key.subkeys[0]!.getKeyID().toHex();
    expect(r.value.recipientKeyIds).toEqual([subkeyId]);
    expect(r.value.recipientKeyIds).not.toContain(key.getKeyID().toHex());
    expect([...r.value.bytes]).toEqual([...bytesOf(share)]);
    expect(r.value.sha256).toBe(createHash('sha256').update(bytesOf(share)).digest('hex'));
  });

  it('gives the same bytes and commitment for the armored and hex forms, and tolerates line breaks and surrounding space', async () => {
    const base = await readShareMessage(share);
    const hex = await readShareMessage(bytesToHex(bytesOf(share)));
    expect(hex.ok && base.ok && hex.value.sha256 === base.value.sha256).toBe(true);
    const armored = await readShareMessage(openpgp.armor(openpgp.enums.armor.message, bytesOf(share)));
    const wrapped = await readShareMessage(`\n  ${share.replace(/(.{64})/g, '$1\r\n')}  \n`);
    expect(base.ok && armored.ok && wrapped.ok).toBe(true);
    if (!base.ok || !armored.ok || !wrapped.ok) return;
    expect(armored.value.sha256).toBe(base.value.sha256);
    expect(wrapped.value.sha256).toBe(base.value.sha256);
    expect(armored.value.recipientKeyIds).toEqual(base.value.recipientKeyIds);
  });

  it('calls a message cut short incomplete, wherever it was cut', async () => {
    expect(await kindOf(share.slice(0, share.length - 3))).toBe('incomplete'); // not a multiple of 4
    expect(await kindOf(encodeStdBase64(bytesOf(share).slice(0, 120)))).toBe('incomplete'); // mid-packet
    const pkeskOnly = bytesOf(share);
    const pkeskLength = (pkeskOnly[1] ?? 0) + 2; // new-format one-octet length, as openpgp.js writes it
    expect(await kindOf(encodeStdBase64(pkeskOnly.slice(0, pkeskLength)))).toBe('incomplete');
    const armored = openpgp.armor(openpgp.enums.armor.message, bytesOf(share));
    expect(await kindOf(armored.slice(0, armored.indexOf('-----END')))).toBe('incomplete');
    const r = await readShareMessage(share.slice(0, 100)); // inside the PKESK packet
    expect(!r.ok && r.error).toMatchObject({
      kind: 'incomplete',
      message: expect.stringMatching(/cut off: copy all of it/),
    });
  });

  it('refuses what is not a PGP message, sending plaintext shares to plaintext entry', async () => {
    expect(await kindOf('')).toBe('empty');
    expect(await kindOf('   \n')).toBe('empty');
    const hexShare = await readShareMessage(bytesToHex(randomBytes(33)));
    expect(!hexShare.ok && hexShare.error).toMatchObject({
      kind: 'plaintext-share',
      message: expect.stringMatching(/enter it as a plaintext share/),
    });
    expect(await kindOf(encodeStdBase64(randomBytes(33)))).toBe('plaintext-share');
    expect(await kindOf('this is not base64!')).toBe('not-pgp');
    expect(await kindOf(encodeStdBase64(new Uint8Array(120).fill(0x41)))).toBe('not-pgp');
    expect(await kindOf('A'.repeat(70_000))).toBe('too-large');
  });

  it('refuses keys, signed-only and password-encrypted messages: only public-key encrypted shares pass', async () => {
    const pub = await readShareMessage(alice.publicKeyArmored);
    expect(!pub.ok && pub.error).toMatchObject({
      kind: 'not-pgp',
      message: expect.stringMatching(/PGP PUBLIC KEY BLOCK, not an encrypted share/),
    });
    const binaryKey = (await openpgp.readKey({ armoredKey: alice.publicKeyArmored })).write();
    const pubBinary = await readShareMessage(encodeStdBase64(binaryKey));
    expect(!pubBinary.ok && pubBinary.error).toMatchObject({
      kind: 'not-pgp',
      message: expect.stringMatching(/public key, not an encrypted share/),
    });
    const signingKey = await openpgp.readPrivateKey({ armoredKey: alice.privateKeyArmored });
    const signed = await openpgp.sign({
      message: await openpgp.createMessage({ text: 'ab'.repeat(33) }),
      signingKeys: signingKey,
      format: 'binary',
    });
    expect(await kindOf(encodeStdBase64(signed))).toBe('not-pgp');
    expect(await kindOf(openpgp.armor(openpgp.enums.armor.message, signed))).toBe('not-encrypted');
    const withPassword = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: 'ab'.repeat(33) }),
      passwords: ['pw'],
      format: 'binary',
    });
    expect(await kindOf(encodeStdBase64(withPassword))).toBe('not-pgp');
    expect(await kindOf(openpgp.armor(openpgp.enums.armor.message, withPassword))).toBe('not-encrypted');
  });

  it('refuses extra packets after the encrypted data', async () => {
    const literal = (await openpgp.createMessage({ binary: new Uint8Array([1, 2, 3]) })).write() as Uint8Array;
    const bytes = bytesOf(share);
    const joined = new Uint8Array(bytes.length + literal.length);
    joined.set(bytes);
    joined.set(literal, bytes.length);
    const r = await readShareMessage(encodeStdBase64(joined));
    expect(!r.ok && r.error.kind).toBe('not-pgp');
  });

  it('lists every recipient of a message encrypted to several keys', async () => {
    const bob = await generateOfficerKey({ name: 'bob' });
    const keys = await Promise.all([alice, bob].map((k) => openpgp.readKey({ armoredKey: k.publicKeyArmored })));
    const message = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: 'ab'.repeat(33) }),
      encryptionKeys: keys,
      format: 'binary',
    });
    const r = await readShareMessage(encodeStdBase64(message));
    expect(r.ok && r.value.recipientKeyIds).toEqual(keys.map((k) => k.subkeys[0]!.getKeyID().toHex()));
  });
});
