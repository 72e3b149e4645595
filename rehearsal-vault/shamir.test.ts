import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { combine, split } from './shamir';

function subsets<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  return items.flatMap((item, i) => subsets(items.slice(i + 1), size - 1).map((rest) => [item, ...rest]));
}

function mustSplit(secret: Uint8Array, parts: number, threshold: number): Uint8Array[] {
  const r = split(secret, parts, threshold);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('split', () => {
  it('makes 33-byte shares of a 32-byte key with distinct, non-zero x coordinates', () => {
    const shares = mustSplit(randomBytes(32), 10, 4);
    expect(shares).toHaveLength(10);
    for (const s of shares) expect(s).toHaveLength(33);
    const xs = shares.map((s) => s[32]!);
    expect(new Set(xs).size).toBe(10);
    expect(xs.every((x) => x >= 1 && x <= 255)).toBe(true);
  });

  it('draws x coordinates at random rather than 1..n', () => {
    const runs = Array.from({ length: 20 }, () =>
      mustSplit(randomBytes(4), 3, 2)
        .map((s) => s[4])
        .join(','),
    );
    expect(runs.every((r) => r === '1,2,3')).toBe(false);
    expect(new Set(runs).size).toBeGreaterThan(1);
  });

  it('rejects what Vault rejects, with Vault text (TestSplit_invalid)', () => {
    const secret = new TextEncoder().encode('test');
    expect(split(secret, 0, 0)).toMatchObject({ ok: false, error: { message: 'threshold must be at least 2' } });
    expect(split(secret, 2, 3)).toMatchObject({ ok: false, error: { message: 'parts cannot be less than threshold' } });
    expect(split(secret, 1000, 3)).toMatchObject({ ok: false, error: { message: 'parts cannot exceed 255' } });
    expect(split(secret, 10, 1)).toMatchObject({ ok: false, error: { message: 'threshold must be at least 2' } });
    expect(split(new Uint8Array(), 3, 2)).toMatchObject({
      ok: false,
      error: { message: 'cannot split an empty secret' },
    });
  });
});

describe('combine', () => {
  it('recovers the key from every threshold-sized subset, in any order (TestCombine)', () => {
    const secret = randomBytes(32);
    const shares = mustSplit(secret, 5, 3);
    for (const subset of subsets(shares, 3)) {
      for (const ordered of [subset, [...subset].reverse()]) {
        const r = combine(ordered);
        expect(r.ok && Buffer.from(r.value).equals(secret)).toBe(true);
      }
    }
  });

  it('recovers from more than the threshold too', () => {
    const secret = randomBytes(32);
    const r = combine(mustSplit(secret, 5, 3));
    expect(r.ok && Buffer.from(r.value).equals(secret)).toBe(true);
  });

  it('yields some other value, without an error, from fewer than the threshold', () => {
    const secret = randomBytes(32);
    const shares = mustSplit(secret, 5, 3);
    for (const subset of subsets(shares, 2)) {
      const r = combine(subset);
      expect(r.ok).toBe(true);
      expect(r.ok && Buffer.from(r.value).equals(secret)).toBe(false);
    }
  });

  it('interpolates every possible byte value (TestInterpolate_Rand)', () => {
    const secret = Uint8Array.from({ length: 256 }, (_, i) => i);
    const shares = mustSplit(secret, 3, 3);
    const r = combine(shares);
    expect(r.ok && Buffer.from(r.value).equals(Buffer.from(secret))).toBe(true);
  });

  it('rejects what Vault rejects, with Vault text (TestCombine_invalid)', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(combine([])).toMatchObject({
      error: { message: 'less than two parts cannot be used to reconstruct the secret' },
    });
    expect(combine([bytes('foo'), bytes('ba')])).toMatchObject({
      error: { message: 'all parts must be the same length' },
    });
    expect(combine([bytes('f'), bytes('b')])).toMatchObject({ error: { message: 'parts must be at least two bytes' } });
    expect(combine([bytes('foo'), bytes('foo')])).toMatchObject({ error: { message: 'duplicate part detected' } });
  });
});
