import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, bytesToLatin1, constantTimeEqual, hexToBytes, utf8ToBytes, wipe } from './bytes';

describe('bytes', () => {
  it('round-trips hex and rejects what is not hex', () => {
    const b = Uint8Array.from([0, 1, 0xab, 0xff]);
    expect(bytesToHex(b)).toBe('0001abff');
    expect(hexToBytes('0001ABff')).toEqual(b);
    expect(hexToBytes('abc')).toBeUndefined();
    expect(hexToBytes('zz')).toBeUndefined();
    expect(hexToBytes(' 00')).toBeUndefined();
  });
  it('encodes UTF-8 as Node does', () => {
    for (const s of ['hvs.abc', 'é', '€', '𝄞', ''])
      expect(utf8ToBytes(s)).toEqual(new Uint8Array(Buffer.from(s, 'utf8')));
    expect(bytesToLatin1(utf8ToBytes('s.UOqXJFifGL55FibddbLDzoh4'))).toBe('s.UOqXJFifGL55FibddbLDzoh4');
  });
  it('encodes every well-formed string as Node does, ASCII or not', () => {
    const units = fc.constantFrom(
      'a',
      '~',
      '\u007f',
      '\u0080',
      'é',
      '\u07ff',
      '\u0800',
      '€',
      '\uffff',
      '𝄞',
      '\u{10ffff}',
    );
    const agrees = (s: string) => Buffer.from(utf8ToBytes(s)).equals(Buffer.from(s, 'utf8'));
    fc.assert(fc.property(fc.string({ unit: units }), agrees));
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), agrees));
  });
  it('encodes a lone surrogate as its own three bytes', () => {
    expect([...utf8ToBytes('a\ud800')]).toEqual([0x61, 0xed, 0xa0, 0x80]);
    expect([...utf8ToBytes('\udc00\ud83d\ude00')]).toEqual([0xed, 0xb0, 0x80, 0xf0, 0x9f, 0x98, 0x80]);
  });
  it('wipes and compares', () => {
    const a = Uint8Array.from([1, 2, 3]);
    expect(constantTimeEqual(a, Uint8Array.from([1, 2, 3]))).toBe(true);
    expect(constantTimeEqual(a, Uint8Array.from([1, 2, 4]))).toBe(false);
    expect(constantTimeEqual(a, Uint8Array.from([1, 2]))).toBe(false);
    wipe(a, undefined);
    expect([...a]).toEqual([0, 0, 0]);
  });
});
