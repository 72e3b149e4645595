import { describe, expect, it } from 'vitest';
import { ShamirSeal, WRONG_UNSEAL_KEY_MESSAGE } from './shamir-seal';

function initialized(shares: number, threshold: number) {
  const seal = new ShamirSeal();
  const r = seal.initialize(shares, threshold);
  if (!r.ok) throw new Error(r.error.message);
  return { seal, keys: r.value };
}

describe('the Shamir seal', () => {
  it('validates the configuration as Vault does', () => {
    const cases: Array<[number, number, string]> = [
      [0, 0, 'shares must be at least one'],
      [3, 0, 'threshold must be at least one'],
      [3, 1, 'threshold must be greater than one for multiple shares'],
      [256, 2, 'shares must be less than 256'],
      [2, 3, 'threshold cannot be larger than shares'],
    ];
    for (const [shares, threshold, message] of cases) {
      expect(new ShamirSeal().initialize(shares, threshold)).toMatchObject({
        ok: false,
        error: { kind: 'invalid-config', message },
      });
    }
  });

  it('initializes once, sealed', () => {
    const { seal, keys } = initialized(5, 3);
    expect(keys.map((k) => k.length)).toEqual([33, 33, 33, 33, 33]);
    expect(seal.sealed).toBe(true);
    expect(seal.initialize(5, 3)).toMatchObject({ error: { message: 'Vault is already initialized' } });
  });

  it('unseals with the threshold of shares, counting progress and ignoring repeats', () => {
    const { seal, keys } = initialized(5, 3);
    expect(seal.unseal(keys[4]!).ok).toBe(true);
    expect(seal.nonce).toMatch(/^[0-9a-f-]{36}$/);
    expect(seal.unseal(keys[4]!).ok).toBe(true);
    expect(seal.progress).toBe(1);
    seal.unseal(keys[1]!);
    expect(seal.sealed).toBe(true);
    seal.unseal(keys[2]!);
    expect(seal.sealed).toBe(false);
    expect(seal.progress).toBe(0);
  });

  it('stays sealed and resets progress on shares of another key', () => {
    const { seal } = initialized(3, 2);
    const other = initialized(3, 2);
    seal.unseal(other.keys[0]!);
    expect(seal.unseal(other.keys[1]!)).toMatchObject({
      ok: false,
      error: { kind: 'wrong-key', message: WRONG_UNSEAL_KEY_MESSAGE },
    });
    expect(seal.sealed).toBe(true);
    expect(seal.progress).toBe(0);
  });

  it('hands out the raw 32-byte key for a single share', () => {
    const { seal, keys } = initialized(1, 1);
    expect(keys[0]).toHaveLength(32);
    seal.unseal(keys[0]!);
    expect(seal.sealed).toBe(false);
  });

  it('adopts another seal’s key and configuration (a secondary taking its primary’s keys)', () => {
    const primary = initialized(5, 3);
    const secondary = initialized(1, 1);
    secondary.seal.adopt(primary.seal);
    expect(secondary.seal.config).toEqual({ shares: 5, threshold: 3 });
    const combined = secondary.seal.combineParts(primary.keys.slice(0, 3));
    expect(combined.ok && secondary.seal.verify(combined.value)).toBe(true);
  });
});
