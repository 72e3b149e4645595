/** What a benchmark reports: named values, timings carrying their spread. */
import type { Timing } from './measure';

export interface Metric {
  /** The key in bench-results.json, e.g. `share_decrypt_rsa4096_ms`. */
  readonly name: string;
  readonly value: number | boolean;
  readonly unit: string;
  /** For timings: the spread behind `value` (its median). */
  readonly timing?: Timing;
  /** One line of context for the table: what limits the number, what it was compared with. */
  readonly note?: string;
}

export interface Benchmark {
  readonly name: string;
  run(): Promise<Metric[]>;
}

export function timed(name: string, timing: Timing, note?: string): Metric {
  return { name, value: round(timing.median), unit: 'ms', timing, ...(note ? { note } : {}) };
}

/** Ours over theirs, medians: below 1 means we are faster. */
export function ratio(name: string, ours: Timing, theirs: Timing, note?: string): Metric {
  return { name, value: round(ours.median / theirs.median, 3), unit: 'ratio', ...(note ? { note } : {}) };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
