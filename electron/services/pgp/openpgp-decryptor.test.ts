import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeStdBase64 } from '../../../shared/codecs/base64';
import { generateOfficerKey, type OfficerKey } from '../../../rehearsal-vault/officer-keys';
import { createOpenPgpDecryptor } from './openpgp-decryptor';
import { displayKeyId, identifyRecipient, type Recipient } from './recipient';
import { readShareMessage, type ShareMessage } from './share-message';
import { encryptShare, encryptToken, readRecipientKey } from '../../../rehearsal-vault/vault-share-encryption';

const PASSPHRASE = 'correct horse battery staple';
let alice: OfficerKey; // curve25519, no passphrase
let bob: OfficerKey; // curve25519, passphrase
let carol: OfficerKey; // RSA-3072, passphrase

async function vaultMessage(
  key: OfficerKey,
  plaintext: Uint8Array | string,
): Promise<{ message: ShareMessage; recipient: Recipient }> {
  const r = await readRecipientKey(key.publicKeyArmored, { allowArmored: true });
  if (!r.ok) throw new Error(r.error.message);
  const encrypted =
    typeof plaintext === 'string' ? await encryptToken(plaintext, r.value) : await encryptShare(plaintext, r.value);
  if (!encrypted.ok) throw new Error(encrypted.error.message);
  return attributed(encrypted.value.base64);
}

async function attributed(base64: string): Promise<{ message: ShareMessage; recipient: Recipient }> {
  const message = await readShareMessage(base64);
  if (!message.ok) throw new Error(message.error.message);
  const recipient = await identifyRecipient(message.value.recipientKeyIds, [alice, bob, carol]);
  if (!recipient.ok) throw new Error(recipient.error.message);
  return { message: message.value, recipient: recipient.value };
}

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([
    generateOfficerKey({ name: 'alice' }),
    generateOfficerKey({ name: 'bob', passphrase: PASSPHRASE }),
    generateOfficerKey({ name: 'carol', algorithm: 'rsa3072', passphrase: PASSPHRASE }),
  ]);
});

describe('createOpenPgpDecryptor', () => {
  it.each([
    ['curve25519 without passphrase', () => alice, undefined],
    ['curve25519 with passphrase', () => bob, PASSPHRASE],
    ['RSA-3072 with passphrase', () => carol, PASSPHRASE],
  ])('decrypts a Vault-encrypted share to its bytes (%s)', async (_, officer, passphrase) => {
    const share = randomBytes(33);
    const { message, recipient } = await vaultMessage(officer(), share);
    const r = await createOpenPgpDecryptor({ privateKeyArmored: officer().privateKeyArmored, passphrase }).decrypt(
      message,
      recipient,
    );
    expect(r.ok && [...r.value]).toEqual([...share]);
  });

  it('decrypts the 32-byte key of a 1-of-1 seal', async () => {
    const key = randomBytes(32);
    const { message, recipient } = await vaultMessage(alice, key);
    const r = await createOpenPgpDecryptor({ privateKeyArmored: alice.privateKeyArmored }).decrypt(message, recipient);
    expect(r.ok && [...r.value]).toEqual([...key]);
  });

  it('says a wrong passphrase is wrong, without echoing it', async () => {
    const { message, recipient } = await vaultMessage(bob, randomBytes(33));
    const r = await createOpenPgpDecryptor({
      privateKeyArmored: bob.privateKeyArmored,
      passphrase: 'Tr0ub4dor&3',
    }).decrypt(message, recipient);
    expect(!r.ok && r.error).toEqual({
      kind: 'bad-passphrase',
      message: "the passphrase for bob's key is wrong; nothing was decrypted or submitted",
    });
    const none = await createOpenPgpDecryptor({ privateKeyArmored: bob.privateKeyArmored }).decrypt(message, recipient);
    expect(!none.ok && none.error.kind).toBe('passphrase-required');
  });

  it("refuses to use another officer's key, naming both keys and officers", async () => {
    const { message, recipient } = await vaultMessage(alice, randomBytes(33));
    const bobsKey = (await openpgp.readKey({ armoredKey: bob.publicKeyArmored })).getKeyID().toHex();
    const r = await createOpenPgpDecryptor({
      privateKeyArmored: bob.privateKeyArmored,
      passphrase: PASSPHRASE,
      officers: [alice, bob, carol],
    }).decrypt(message, recipient);
    expect(!r.ok && r.error.kind).toBe('wrong-key');
    expect(!r.ok && r.error.message).toBe(
      `this share is encrypted to key ${displayKeyId(recipient.keyId)} (officer 'alice'), but the key you loaded is ${displayKeyId(bobsKey)} (officer 'bob'): load alice's key; nothing was decrypted`,
    );
  });

  it('throws when handed a recipient that does not come from the message (a programmer error)', async () => {
    const forAlice = await vaultMessage(alice, randomBytes(33));
    const forBob = await vaultMessage(bob, randomBytes(33));
    const decryptor = createOpenPgpDecryptor({ privateKeyArmored: bob.privateKeyArmored, passphrase: PASSPHRASE });
    await expect(decryptor.decrypt(forAlice.message, forBob.recipient)).rejects.toThrow(TypeError);
  });

  it('is single use: the key and passphrase are forgotten after one attempt, successful or not', async () => {
    const { message, recipient } = await vaultMessage(bob, randomBytes(33));
    const decryptor = createOpenPgpDecryptor({ privateKeyArmored: bob.privateKeyArmored, passphrase: 'wrong' });
    expect((await decryptor.decrypt(message, recipient)).ok).toBe(false);
    const again = await decryptor.decrypt(message, recipient);
    expect(!again.ok && again.error.kind).toBe('spent');
    const good = createOpenPgpDecryptor({ privateKeyArmored: bob.privateKeyArmored, passphrase: PASSPHRASE });
    expect((await good.decrypt(message, recipient)).ok).toBe(true);
    expect(await good.decrypt(message, recipient)).toMatchObject({ ok: false, error: { kind: 'spent' } });
  });

  it('reports a damaged message as such', async () => {
    const { message, recipient } = await vaultMessage(alice, randomBytes(33));
    const bytes = message.bytes.slice();
    bytes[bytes.length - 10]! ^= 0x01; // inside the encrypted data: the MDC must catch it
    const damaged = await readShareMessage(encodeStdBase64(bytes));
    if (!damaged.ok) throw new Error(damaged.error.message);
    const r = await createOpenPgpDecryptor({ privateKeyArmored: alice.privateKeyArmored }).decrypt(
      damaged.value,
      recipient,
    );
    expect(!r.ok && r.error.kind).toBe('decryption-failed');
  });

  it('refuses plaintext that is not a share, such as a PGP-encrypted token', async () => {
    const { message, recipient } = await vaultMessage(alice, 'hvs.' + 'x'.repeat(24));
    const r = await createOpenPgpDecryptor({ privateKeyArmored: alice.privateKeyArmored }).decrypt(message, recipient);
    expect(!r.ok && r.error.kind).toBe('not-a-share');
    expect(!r.ok && r.error.message).not.toContain('hvs.');
  });

  it('refuses a public key, a cut-off key, and a key whose secret part is elsewhere (a card stub)', async () => {
    const { message, recipient } = await vaultMessage(alice, randomBytes(33));
    const kind = async (privateKeyArmored: string) => {
      const r = await createOpenPgpDecryptor({ privateKeyArmored }).decrypt(message, recipient);
      return r.ok ? 'ok' : r.error.kind;
    };
    expect(await kind(alice.publicKeyArmored)).toBe('invalid-key');
    expect(await kind(alice.privateKeyArmored.slice(0, 300))).toBe('invalid-key');
    expect(await kind('')).toBe('invalid-key');
    const stub = await openpgp.readPrivateKey({ armoredKey: alice.privateKeyArmored });
    (stub.subkeys[0]!.keyPacket as openpgp.SecretSubkeyPacket).makeDummy();
    expect(await kind(stub.armor())).toBe('no-secret-key');
  });
});
