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
    for (const s of ['hvs.abc', 'é', '€', '𝄞', '']) expect(utf8ToBytes(s)).toEqual(new Uint8Array(Buffer.from(s, 'utf8')));
    expect(bytesToLatin1(utf8ToBytes('s.UOqXJFifGL55FibddbLDzoh4'))).toBe('s.UOqXJFifGL55FibddbLDzoh4');
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
