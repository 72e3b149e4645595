import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readPgpMessages } from '../../test/support/pgp-messages';
import { armorIsComplete, armorType, firstPacketTag, isPgpEncryptedMessage, packetName } from './pgp-envelope';

const m = readPgpMessages();

describe('pgp-envelope', () => {
  it('recognises real encrypted messages in old (gpg) and new (openpgp.js, Vault) packet formats', () => {
    expect(m.gpgEcc[0]).toBe(0x84);
    expect(m.gpgRsa[0]).toBe(0x85);
    expect(m.openpgpjs[0]).toBe(0xc1);
    for (const msg of [m.gpgEcc, m.gpgRsa, m.openpgpjs]) {
      expect(firstPacketTag(msg)).toBe(1);
      expect(isPgpEncryptedMessage(msg)).toBe(true);
    }
  });

  it('names what else was pasted', () => {
    expect(isPgpEncryptedMessage(m.publicKey)).toBe(false);
    expect(packetName(firstPacketTag(m.publicKey)!)).toBe('public key');
    expect(firstPacketTag(Uint8Array.of(0x41))).toBeUndefined();
    expect(firstPacketTag(new Uint8Array())).toBeUndefined();
  });

  it('refuses truncated messages and headers whose length does not fit', () => {
    expect(isPgpEncryptedMessage(m.gpgRsa.subarray(0, 40))).toBe(false);
    expect(isPgpEncryptedMessage(Uint8Array.of(0xc1))).toBe(false);
    expect(isPgpEncryptedMessage(Uint8Array.of(0xc1, 0xe0, 3))).toBe(false); // partial length: never a PKESK
    expect(isPgpEncryptedMessage(Uint8Array.of(0x87, 3))).toBe(false); // indeterminate length
    expect(isPgpEncryptedMessage(Uint8Array.of(0xc1, 2, 4, 0))).toBe(false); // version 4 PKESK does not exist
    expect(isPgpEncryptedMessage(Uint8Array.of(0xc1, 2, 3, 0))).toBe(true);
  });

  it('rarely mistakes random share-sized bytes for a message', () => {
    let hits = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 33 }), (b) => {
        if (isPgpEncryptedMessage(b)) hits++;
      }),
      { numRuns: 1000 },
    );
    expect(hits).toBeLessThan(3);
  });

  it('reads armor type and completeness', () => {
    expect(armorType(m.armored)).toBe('PGP MESSAGE');
    expect(armorIsComplete(m.armored, 'PGP MESSAGE')).toBe(true);
    expect(armorIsComplete(m.armored.slice(0, m.armored.length - 30), 'PGP MESSAGE')).toBe(false);
    expect(armorType('-----BEGIN PGP PUBLIC KEY BLOCK-----\n')).toBe('PGP PUBLIC KEY BLOCK');
    expect(armorType('hello')).toBeUndefined();
  });
});
