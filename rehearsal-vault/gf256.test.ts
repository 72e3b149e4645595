import { describe, expect, it } from 'vitest';
import { add, div, inverse, mult } from './gf256';

describe('GF(2^8) as Vault computes it', () => {
  it('matches the values in Vault shamir_test.go', () => {
    expect(add(16, 16)).toBe(0);
    expect(add(3, 4)).toBe(7);
    expect(mult(3, 7)).toBe(9);
    expect(mult(3, 0)).toBe(0);
    expect(mult(0, 3)).toBe(0);
    expect(div(0, 7)).toBe(0);
    expect(div(3, 3)).toBe(1);
    expect(div(6, 3)).toBe(2);
  });

  it('is the AES field (FIPS-197 worked example and a known inverse)', () => {
    expect(mult(0x57, 0x83)).toBe(0xc1);
    expect(inverse(0x53)).toBe(0xca);
  });

  it('agrees with the log/exp tables of older Vault (generator 0xe5)', () => {
    // First row of expTable in Vault's shamir/tables.go.
    const expTableStart = [0x01, 0xe5, 0x4c, 0xb5, 0xfb, 0x9f, 0xfc, 0x12];
    let power = 1;
    const powers = new Set<number>();
    for (let i = 0; i < 255; i++) {
      if (i < expTableStart.length) expect(power).toBe(expTableStart[i]);
      powers.add(power);
      power = mult(power, 0xe5);
    }
    expect(power).toBe(1);
    expect(powers.size).toBe(255);
  });

  it('inverts every non-zero element', () => {
    for (let a = 1; a < 256; a++) expect(mult(a, inverse(a))).toBe(1);
    expect(inverse(0)).toBe(0);
  });

  it('refuses to divide by zero', () => {
    expect(() => div(1, 0)).toThrow(RangeError);
  });
});
