/**
 * Times one operation: warm-up runs first (JIT, gpg-agent start, file cache), then timed runs,
 * summarised as median, min and max in milliseconds. The median is the figure reported, because
 * on a shared 2-core machine a single run is easily disturbed by a neighbour.
 */
import { performance } from 'node:perf_hooks';

export interface Timing {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export interface MeasureOptions {
  readonly warmup?: number;
  readonly runs?: number;
}

export async function measure(operation: () => unknown, options: MeasureOptions = {}): Promise<Timing> {
  return (await measureInTurn({ operation }, options)).operation;
}

/**
 * measure() for several operations at once, taking turns (a, b, c, a, b, c, …): compared timings then
 * see the same load on a shared machine, where blocks run one after another would each see their own.
 */
export async function measureInTurn<K extends string>(
  operations: Readonly<Record<K, () => unknown>>,
  options: MeasureOptions = {},
): Promise<Record<K, Timing>> {
  const { warmup = 2, runs = 7 } = options;
  const names = Object.keys(operations) as K[];
  const samples = new Map<K, number[]>(names.map((name) => [name, []]));
  for (let i = 0; i < warmup + runs; i++)
    for (const name of names) {
      const start = performance.now();
      await operations[name]();
      if (i >= warmup) samples.get(name)!.push(performance.now() - start);
    }
  return Object.fromEntries(names.map((name) => [name, summarise(samples.get(name)!)])) as Record<K, Timing>;
}

export function summarise(samples: readonly number[]): Timing {
  if (samples.length === 0) throw new TypeError('summarise: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs: sorted.length };
}
