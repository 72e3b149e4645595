import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8ToBytes } from '../../../shared/codecs/bytes';
import { shareFromPlaintext } from './share-plaintext';

describe('shareFromPlaintext', () => {
  it('decodes the hex text of any 33-byte share or 32-byte 1-of-1 key, either case, with surrounding whitespace', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 33 }),
        fc.boolean(),
        fc.constantFrom('', '\n', '\r\n', ' \t'),
        fc.constantFrom('', '\n', ' '),
        (share, upper, after, before) => {
          const hex = bytesToHex(share);
          const r = shareFromPlaintext(utf8ToBytes(before + (upper ? hex.toUpperCase() : hex) + after));
          expect(r.ok && [...r.value]).toEqual([...share]);
        },
      ),
    );
  });

  it('refuses hex of any other length, without quoting the plaintext', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 80 }).filter((b) => b.length !== 32 && b.length !== 33),
        (bytes) => {
          const hex = bytesToHex(bytes);
          const r = shareFromPlaintext(utf8ToBytes(hex));
          expect(r.ok).toBe(false);
          if (!r.ok) {
            expect(r.error.kind).toBe('not-a-share');
            if (hex.length >= 8) expect(r.error.message).not.toContain(hex.slice(0, 8));
          }
        },
      ),
    );
  });

  it('refuses text of share length that is not hex, such as a token', () => {
    const token = 'hvs.' + 'A'.repeat(62);
    const r = shareFromPlaintext(utf8ToBytes(token));
    expect(!r.ok && r.error.kind).toBe('not-a-share');
    expect(!r.ok && r.error.message).not.toContain('hvs.');
    const gap = shareFromPlaintext(utf8ToBytes('ab'.repeat(16) + ' ' + 'ab'.repeat(16) + 'c'));
    expect(!gap.ok && gap.error.kind).toBe('not-a-share');
  });

  it("leaves the caller's buffer alone and returns a fresh one", () => {
    const text = utf8ToBytes('0f'.repeat(33));
    const r = shareFromPlaintext(text);
    expect(r.ok && r.value.buffer).not.toBe(text.buffer);
    expect(text[0]).toBe(0x30);
  });
});
