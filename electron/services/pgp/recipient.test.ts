import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateOfficerKey, type OfficerKey } from '../../../rehearsal-vault/officer-keys';
import { displayKeyId, identifyRecipient, officerOwningKey, type OfficerPublicKey } from './recipient';

let alice: OfficerKey;
let bob: OfficerKey;
let stranger: OfficerKey;
let officers: OfficerPublicKey[];

const subkeyId = async (k: OfficerKey) =>
  (await openpgp.readKey({ armoredKey: k.publicKeyArmored })).subkeys[0]!.getKeyID().toHex();
const primaryId = async (k: OfficerKey) =>
  (await openpgp.readKey({ armoredKey: k.publicKeyArmored })).getKeyID().toHex();

beforeAll(async () => {
  [alice, bob, stranger] = await Promise.all([
    generateOfficerKey({ name: 'alice' }),
    generateOfficerKey({ name: 'bob', algorithm: 'rsa3072' }),
    generateOfficerKey({ name: 'stranger' }),
  ]);
  officers = [alice, bob].map((k) => ({
    name: k.name,
    publicKeyArmored: k.publicKeyArmored,
    fingerprint: k.fingerprint,
  }));
});

describe('identifyRecipient', () => {
  it('matches a subkey ID to its officer and reports the primary fingerprint', async () => {
    const r = await identifyRecipient([await subkeyId(bob)], officers);
    expect(r.ok && r.value).toEqual({ officer: 'bob', fingerprint: bob.fingerprint, keyId: await subkeyId(bob) });
  });

  it('matches a primary key ID too', async () => {
    const r = await identifyRecipient([await primaryId(alice)], officers, 'alice');
    expect(r.ok && r.value).toEqual({
      officer: 'alice',
      fingerprint: alice.fingerprint,
      keyId: await primaryId(alice),
    });
  });

  it('refuses a share for another officer than the one entering it, naming both', async () => {
    const keyId = await subkeyId(alice);
    const r = await identifyRecipient([keyId], officers, 'bob');
    expect(!r.ok && r.error.kind).toBe('other-officer');
    expect(!r.ok && r.error.message).toContain(`key ${displayKeyId(keyId)} (officer 'alice'), not to bob's key`);
  });

  it('refuses a share for a key no officer holds, and an anonymous recipient', async () => {
    const r = await identifyRecipient([await subkeyId(stranger)], officers);
    expect(!r.ok && r.error).toMatchObject({
      kind: 'unknown-recipient',
      message: expect.stringContaining(displayKeyId(await subkeyId(stranger))),
    });
    const anonymous = await identifyRecipient(['0000000000000000'], officers);
    expect(!anonymous.ok && anonymous.error).toMatchObject({
      kind: 'unknown-recipient',
      message: expect.stringContaining('anonymous'),
    });
  });

  it('asks who is entering a share encrypted to several officers', async () => {
    const ids = [await subkeyId(alice), await subkeyId(bob)];
    const r = await identifyRecipient(ids, officers);
    expect(!r.ok && r.error.kind).toBe('ambiguous-recipient');
    const asBob = await identifyRecipient(ids, officers, 'bob');
    expect(asBob.ok && asBob.value.officer).toBe('bob');
  });

  it('refuses an officer unknown to the plan and officer keys that are unusable', async () => {
    const id = [await subkeyId(alice)];
    expect(await identifyRecipient(id, officers, 'mallory')).toMatchObject({
      ok: false,
      error: { kind: 'unknown-officer' },
    });
    const bad = async (officer: OfficerPublicKey) => {
      const r = await identifyRecipient(id, [officer]);
      expect(!r.ok && r.error.kind).toBe('invalid-officer-key');
      return r.ok ? '' : r.error.message;
    };
    expect(await bad({ name: 'alice', publicKeyArmored: alice.privateKeyArmored })).toMatch(/is a private key/);
    expect(await bad({ name: 'alice', publicKeyArmored: alice.publicKeyArmored.slice(0, 200) })).toMatch(/cut off/);
    expect(await bad({ name: 'alice', publicKeyArmored: 'not a key' })).toMatch(/alice/);
    expect(
      await bad({ name: 'alice', publicKeyArmored: alice.publicKeyArmored, fingerprint: bob.fingerprint }),
    ).toMatch(/but the plan pins/);
    const spaced = alice.fingerprint.toUpperCase().replace(/(.{4})/g, '$1 ');
    expect(
      (await identifyRecipient(id, [{ name: 'alice', publicKeyArmored: alice.publicKeyArmored, fingerprint: spaced }]))
        .ok,
    ).toBe(true);
  });
});

describe('officerOwningKey', () => {
  it('names the officer holding any of the key IDs', async () => {
    expect(await officerOwningKey([await primaryId(bob)], officers)).toBe('bob');
    expect(await officerOwningKey([await subkeyId(stranger)], officers)).toBeUndefined();
  });
});
