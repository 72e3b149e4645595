// @tier integration
import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeStdBase64 } from '../shared/codecs/base64';
import { createTempGnupg, type TempGnupg } from '../test/support/temp-gnupg';
import { generateOfficerKey, type OfficerKey } from './officer-keys';
import {
  encryptShare,
  encryptToken,
  readRecipientKey,
  vaultKeyBase64,
  type VaultPgpRecipient,
} from './vault-share-encryption';

async function recipient(key: OfficerKey): Promise<VaultPgpRecipient> {
  const r = await readRecipientKey(key.publicKeyArmored, { allowArmored: true });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('Vault-style share encryption, decrypted by GnuPG 2.2', () => {
  let gpg: TempGnupg;
  let alice: OfficerKey;
  let bob: OfficerKey;

  beforeAll(async () => {
    gpg = createTempGnupg();
    [alice, bob] = await Promise.all([
      generateOfficerKey({ name: 'alice' }),
      generateOfficerKey({ name: 'bob', passphrase: 'correct horse battery staple' }),
    ]);
    gpg.importKey(alice.privateKeyArmored);
    gpg.importKey(bob.privateKeyArmored);
  });
  afterAll(() => gpg.dispose());

  it('encrypts the share as lowercase hex text that `base64 -d | gpg -dq` prints', async () => {
    const share = randomBytes(33);
    const r = await encryptShare(share, await recipient(alice));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.fingerprint).toBe(alice.fingerprint);
    expect(r.value.fingerprint).toMatch(/^[0-9a-f]{40}$/);
    expect(r.value.base64).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(r.value.base64.length % 4).toBe(0);
    expect(gpg.decryptBase64(r.value.base64)).toBe(share.toString('hex'));
  });

  it('works with a passphrase-protected officer key', async () => {
    const share = randomBytes(33);
    const r = await encryptShare(share, await recipient(bob));
    expect(r.ok && gpg.decryptBase64(r.value.base64, 'correct horse battery staple')).toBe(share.toString('hex'));
  });

  it('writes what Vault writes: PKESK v3, SEIPD v1 with MDC, text literal, unsigned, uncompressed', async () => {
    const r = await encryptShare(randomBytes(33), await recipient(alice));
    if (!r.ok) throw new Error(r.error.message);
    const packets = gpg.listPackets(r.value.base64);
    expect(packets).toMatch(/:pubkey enc packet: version 3/);
    expect(packets).toMatch(/:encrypted data packet:[\s\S]*mdc_method: 2/);
    expect(packets).toMatch(/:literal data packet:\s*\n\s*mode t \(74\), created 0, name="",/);
    expect(packets).not.toMatch(/aead|signature packet|compressed packet/i);
  });

  it('still writes SEIPD v1 when the key advertises SEIPDv2, so GnuPG 2.2 can read it', async () => {
    const { privateKey, publicKey } = await openpgp.generateKey({
      userIDs: [{ name: 'carol' }],
      config: { aeadProtect: true },
      format: 'armored',
    });
    gpg.importKey(privateKey);
    const key = await readRecipientKey(publicKey, { allowArmored: true });
    if (!key.ok) throw new Error(key.error.message);
    const share = randomBytes(33);
    const r = await encryptShare(share, key.value);
    expect(r.ok && gpg.decryptBase64(r.value.base64)).toBe(share.toString('hex'));
  });

  it('encrypts a generate-root token as its raw text', async () => {
    const token = 'hvs.ABCDEFGHIJKLMNOPQRSTUVWX';
    const r = await encryptToken(token, await recipient(alice));
    expect(r.ok && gpg.decryptBase64(r.value.base64)).toBe(token);
  });

  it('takes a key as Vault does (base64 of the binary key) with the same fingerprint', async () => {
    const asVault = vaultKeyBase64(await recipient(alice));
    const r = await readRecipientKey(asVault);
    expect(r.ok && r.value.fingerprint).toBe(alice.fingerprint);
  });

  it('refuses armored text unless asked, as Vault does', async () => {
    const r = await readRecipientKey(alice.publicKeyArmored);
    expect(r).toMatchObject({ ok: false, error: { kind: 'key-not-base64' } });
  });

  it('refuses base64 that is not a key', async () => {
    const r = await readRecipientKey(encodeStdBase64(randomBytes(40)));
    expect(r).toMatchObject({ ok: false, error: { kind: 'key-unparseable' } });
  });

  it('refuses a key with no encryption subkey, naming it', async () => {
    const { publicKey } = await openpgp.generateKey({ userIDs: [{ name: 'signer' }], subkeys: [], format: 'armored' });
    const r = await readRecipientKey(publicKey, { allowArmored: true });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('key-unusable');
      expect(r.error.message).toMatch(/no usable encryption subkey/);
    }
  });
});

describe('officer keys', () => {
  it('makes v4 ed25519/cv25519 keys marked as rehearsal keys', async () => {
    const k = await generateOfficerKey({ name: 'dave', email: 'dave@example.org' });
    const key = await openpgp.readKey({ armoredKey: k.publicKeyArmored });
    expect(key.keyPacket.version).toBe(4);
    expect(key.getAlgorithmInfo()).toMatchObject({ algorithm: 'eddsaLegacy', curve: 'ed25519Legacy' });
    expect(key.getUserIDs()[0]).toBe('dave (vault-ceremony rehearsal) <dave@example.org>');
    expect(k.fingerprint).toBe(key.getFingerprint());
    const priv = await openpgp.readPrivateKey({ armoredKey: k.privateKeyArmored });
    expect(priv.isDecrypted()).toBe(true);
  });

  it('makes RSA keys GnuPG decrypts with', async () => {
    const gpg = createTempGnupg();
    try {
      const k = await generateOfficerKey({ name: 'erin', algorithm: 'rsa3072' });
      gpg.importKey(k.privateKeyArmored);
      const share = randomBytes(33);
      const r = await encryptShare(share, await recipient(k));
      expect(r.ok && gpg.decryptBase64(r.value.base64)).toBe(share.toString('hex'));
    } finally {
      gpg.dispose();
    }
  });
});
