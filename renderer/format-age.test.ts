import { describe, expect, it } from 'vitest';
import { formatAge } from './format-age';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + seconds * 1000);

describe('formatAge', () => {
  it('reads as a person would say it, never negative', () => {
    expect(formatAge(at(0), at(0))).toBe('just now');
    expect(formatAge(at(5), at(0))).toBe('just now');
    expect(formatAge(at(0), at(12))).toBe('12 s ago');
    expect(formatAge(at(0), at(119))).toBe('119 s ago');
    expect(formatAge(at(0), at(180))).toBe('3 min ago');
    expect(formatAge(at(0), at(7300))).toBe('2 h ago');
  });
});
