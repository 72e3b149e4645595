/**
 * `npm run bench`: runs every benchmark (or those named with --only), prints one table and writes
 * bench-results.json in the working directory. Never part of `npm test`: timings on a shared
 * machine are measurements, not pass/fail facts.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { cliStartBenchmark } from './cli-start';
import type { Benchmark, Metric } from './metric';
import { table, writeResults } from './report';
import { rehearsalBenchmark } from './rehearsal';
import { rendererBundleBenchmark } from './renderer-bundle';
import { shareDecryptBenchmark } from './share-decrypt';
import { smartcardBenchmark } from './smartcard';
import { verifyBenchmark } from './verify';

const BENCHMARKS: readonly Benchmark[] = [
  cliStartBenchmark,
  shareDecryptBenchmark,
  smartcardBenchmark,
  verifyBenchmark,
  rehearsalBenchmark,
  rendererBundleBenchmark,
];

const USAGE = `usage: npm run bench [-- --only NAME ... --out FILE]\nbenchmarks: ${BENCHMARKS.map((b) => `'${b.name}'`).join(', ')}\n`;

function usageError(message: string): never {
  process.stderr.write(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}

let values: { only?: string[]; out: string };
try {
  ({ values } = parseArgs({
    options: { only: { type: 'string', multiple: true }, out: { type: 'string', default: 'bench-results.json' } },
    strict: true,
  }));
} catch (e) {
  usageError(e instanceof Error ? e.message : String(e));
}
const unknown = (values.only ?? []).filter((n) => !BENCHMARKS.some((b) => b.name === n));
if (unknown.length > 0) usageError(`unknown benchmark ${unknown.map((n) => `'${n}'`).join(', ')}`);
const selected = values.only ? BENCHMARKS.filter((b) => values.only!.includes(b.name)) : BENCHMARKS;

// Context for reading the numbers: on a shared machine the load matters as much as the code.
// Typed as a string, but null when gpg is not installed.
const gpgOutput = spawnSync('gpg', ['--version'], { encoding: 'utf8' }).stdout as string | null;
const gpgVersion = gpgOutput?.split('\n')[0] ?? 'gpg not found';
process.stderr.write(
  `bench: node ${process.version}, ${gpgVersion}, ${availableParallelism()} CPUs, load average ${loadavg()[0]!.toFixed(1)}\n`,
);

const metrics: Metric[] = [];
for (const benchmark of selected) {
  process.stderr.write(`bench: ${benchmark.name}…\n`);
  metrics.push(...(await benchmark.run()));
}
process.stdout.write(table(metrics));
writeResults(values.out, metrics);
process.stderr.write(`bench: wrote ${values.out}\n`);
