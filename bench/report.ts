/** The bench run's outputs: a table on stdout and bench-results.json (`{"name": {"value", "unit"}}`). */
import { writeFileSync } from 'node:fs';
import type { Metric } from './metric';

export function table(metrics: readonly Metric[]): string {
  const fmt = (n: number | undefined) => (n === undefined ? '' : n.toFixed(1));
  const rows = metrics.map((m) => [
    m.name,
    typeof m.value === 'boolean' ? String(m.value) : m.timing ? fmt(m.timing.median) : String(m.value),
    fmt(m.timing?.min),
    fmt(m.timing?.max),
    m.unit,
    m.timing ? `n=${m.timing.runs}${m.note ? `; ${m.note}` : ''}` : (m.note ?? ''),
  ]);
  const header = ['benchmark', 'median', 'min', 'max', 'unit', 'notes'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

export function resultsJson(metrics: readonly Metric[]): string {
  const out: Record<string, { value: number | boolean; unit: string }> = {};
  for (const m of metrics) out[m.name] = { value: m.value, unit: m.unit };
  return JSON.stringify(out, null, 2) + '\n';
}

export function writeResults(path: string, metrics: readonly Metric[]): void {
  writeFileSync(path, resultsJson(metrics));
}
