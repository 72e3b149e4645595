import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BASE62_ALPHABET, randomBase62 } from './base62';

/** A scripted random source that records each batch it handed out. */
function scripted(stream: number[]) {
  const batches: Uint8Array[] = [];
  let at = 0;
  const source = (n: number) => {
    const b = Uint8Array.from({ length: n }, () => stream[at++ % stream.length]!);
    batches.push(b);
    return b;
  };
  return { source, batches };
}

describe('randomBase62 (go-secure-stdlib RandomWithReader)', () => {
  it('uses Vault’s alphabet in Vault’s order', () => {
    expect(BASE62_ALPHABET).toBe('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
  });

  it('maps b to charset[b % 62], drops b >= 248, and reads batches of length + length/4', () => {
    // Following Go's loop by hand: batch 1 (5 bytes) 0→A, 61→9, 62→A, 248 and 255 dropped;
    // batch 2: 247→'9' (247 % 62 = 61) completes the string.
    const { source, batches } = scripted([0, 61, 62, 248, 255, 247, 123, 1, 2, 3]);
    expect(randomBase62(4, source)).toBe('A9A9');
    expect(batches.map((b) => b.length)).toEqual([5, 5]);
  });

  it('is unbiased: each of 0..247 once gives every character exactly 4 times', () => {
    const { source } = scripted([...Array(256).keys()]);
    // 248 characters need 310-byte batches; bytes 248..255 are skipped wherever they fall.
    const text = randomBase62(248, source);
    const counts = new Map<string, number>();
    for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    expect(new Set(counts.values())).toEqual(new Set([4]));
  });

  it('wipes every batch it consumed', () => {
    const { source, batches } = scripted([250, 7, 8, 9, 10, 11, 12]);
    randomBase62(6, source);
    expect(batches.length).toBeGreaterThan(0);
    for (const b of batches) expect([...b].every((x) => x === 0)).toBe(true);
  });

  it('gives the empty string for length 0 without reading, and rejects bad lengths', () => {
    const { source, batches } = scripted([1]);
    expect(randomBase62(0, source)).toBe('');
    expect(batches).toEqual([]);
    expect(() => randomBase62(-1, source)).toThrow(RangeError);
    expect(() => randomBase62(2.5, source)).toThrow(RangeError);
    expect(() => randomBase62(4, () => new Uint8Array(1))).toThrow(RangeError);
  });

  it('produces base62 of the asked length from a real CSPRNG', () => {
    for (const n of [1, 26, 28, 100])
      expect(randomBase62(n, (k) => randomBytes(k))).toMatch(new RegExp(`^[A-Za-z0-9]{${n}}$`));
  });
});
