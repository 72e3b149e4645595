import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readPgpMessages } from '../../test/support/pgp-messages';
import { parseShareInput } from './share-input';

const m = readPgpMessages();

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('parseShareInput', () => {
  it('reads a 33-byte Shamir share as hex (either case) or base64, and a 32-byte 1-of-1 key', () => {
    const share = new Uint8Array(randomBytes(33));
    const key = new Uint8Array(randomBytes(32));
    expect(parseShareInput(hex(share))).toEqual({ ok: true, value: { form: 'hex', share } });
    expect(parseShareInput(hex(share).toUpperCase())).toEqual({ ok: true, value: { form: 'hex', share } });
    expect(parseShareInput(b64(share))).toEqual({ ok: true, value: { form: 'base64', share } });
    expect(parseShareInput(hex(key))).toEqual({ ok: true, value: { form: 'hex', share: key } });
    expect(parseShareInput(b64(key))).toEqual({ ok: true, value: { form: 'base64', share: key } });
  });

  it('parses the hex text inside a decrypted Vault share message (66 and 64 characters)', () => {
    const r = parseShareInput(m.plaintext);
    expect(r.ok && r.value.form === 'hex' && r.value.share.length).toBe(33);
    expect(parseShareInput('ab'.repeat(32) + '\n')).toMatchObject({ ok: true, value: { form: 'hex' } });
  });

  it('trims surrounding whitespace and newlines, and skips line breaks inside base64 as Go does', () => {
    const share = new Uint8Array(randomBytes(33));
    expect(parseShareInput(`  \r\n${hex(share)}\n\t`)).toEqual({ ok: true, value: { form: 'hex', share } });
    const wrapped = b64(share).replace(/(.{20})/g, '$1\n');
    expect(parseShareInput(wrapped)).toEqual({ ok: true, value: { form: 'base64', share } });
  });

  it('tries hex first, as the server does: all-hex text of 16..33 bytes is hex even when it is also base64', () => {
    const ambiguous = 'abcdef0123456789abcdef0123456789abcdef012345'; // 44 chars: 22 bytes of hex, or 33 of base64
    expect(parseShareInput(ambiguous)).toMatchObject({ ok: true, value: { form: 'hex' } });
  });

  it('recognises PGP-encrypted shares from gpg and from openpgp.js, as base64, hex or armor, without decrypting', () => {
    for (const msg of [m.gpgEcc, m.gpgRsa, m.openpgpjs]) {
      expect(parseShareInput(b64(msg))).toEqual({
        ok: true,
        value: { form: 'pgp-message', encoding: 'base64', message: msg },
      });
      expect(parseShareInput(hex(msg))).toEqual({
        ok: true,
        value: { form: 'pgp-message', encoding: 'hex', message: msg },
      });
    }
    expect(parseShareInput(`\n${m.armored}\n`)).toEqual({
      ok: true,
      value: { form: 'pgp-message', encoding: 'armored', armored: m.armored.trim() },
    });
  });

  it('says what is wrong, without quoting the input', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['', 'empty', /nothing was entered/],
      ['  \n ', 'empty', /nothing was entered/],
      ['ab'.repeat(15), 'wrong-length', /30 hex characters/],
      ['abc'.repeat(21), 'wrong-length', /63 hex characters/],
      ['ab'.repeat(34), 'wrong-length', /68 hex characters/],
      [b64(new Uint8Array(12).fill(7)), 'wrong-length', /decodes to 12 bytes/],
      [b64(new Uint8Array(40).fill(7)), 'wrong-length', /decodes to 40 bytes/],
      ['not a share at all', 'not-a-share', /neither hex nor base64/],
      ['hvs.0123456789abcdefghijklmn', 'not-a-share', /neither hex nor base64/],
      [b64(m.publicKey), 'not-a-share', /OpenPGP public key/],
      [
        '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nabc\n-----END PGP PUBLIC KEY BLOCK-----',
        'not-a-share',
        /armored PGP PUBLIC KEY BLOCK/,
      ],
      [m.armored.slice(0, 120), 'incomplete-message', /cut off/],
      [b64(m.gpgRsa.subarray(0, 90)), 'incomplete-message', /cut off/],
    ];
    for (const [input, kind, message] of cases) {
      const r = parseShareInput(input);
      expect(r.ok, input).toBe(false);
      if (r.ok) continue;
      expect(r.error.kind, input).toBe(kind);
      expect(r.error.message, input).toMatch(message);
      if (input.trim()) expect(r.error.message).not.toContain(input.trim().slice(0, 12));
    }
  });

  it('never throws on arbitrary text', () => {
    const alphabet = fc.constantFrom(...'0123456789abcdefABCDEFghXYZ+/=-\n\r \t'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 100 }), fc.string({ unit: alphabet, maxLength: 100 })), (s) => {
        const r = parseShareInput(s);
        if (r.ok && r.value.form !== 'pgp-message') {
          expect(r.value.share.length).toBeGreaterThanOrEqual(16);
          expect(r.value.share.length).toBeLessThanOrEqual(33);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
