/**
 * `npm run bench`: runs every benchmark (or those named with --only), prints one table and writes
 * bench-results.json in the working directory. Never part of `npm test`: timings on a shared
 * machine are measurements, not pass/fail facts.
 */
import { parseArgs } from 'node:util';
import type { Benchmark, Metric } from './metric';
import { table, writeResults } from './report';
import { rehearsalBenchmark } from './rehearsal';
import { rendererBundleBenchmark } from './renderer-bundle';
import { shareDecryptBenchmark } from './share-decrypt';
import { verifyBenchmark } from './verify';

const BENCHMARKS: readonly Benchmark[] = [shareDecryptBenchmark, verifyBenchmark, rehearsalBenchmark, rendererBundleBenchmark];

const { values } = parseArgs({
  options: { only: { type: 'string', multiple: true }, out: { type: 'string', default: 'bench-results.json' } },
  strict: true,
});
const unknown = (values.only ?? []).filter((n) => !BENCHMARKS.some((b) => b.name === n));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`);
  process.exit(2);
}
const selected = values.only ? BENCHMARKS.filter((b) => values.only!.includes(b.name)) : BENCHMARKS;

const metrics: Metric[] = [];
for (const benchmark of selected) {
  process.stderr.write(`bench: ${benchmark.name}…\n`);
  metrics.push(...(await benchmark.run()));
}
process.stdout.write(table(metrics));
writeResults(values.out, metrics);
process.stderr.write(`bench: wrote ${values.out}\n`);
