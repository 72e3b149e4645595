/**
 * A reader for Prometheus text exposition 0.0.4, strict enough to tell whether two texts are
 * written the same way: `# HELP name text`, `# TYPE name type`, then that family's samples
 * `name{label="v",…} value`. Throws on any line it cannot place.
 */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly samples: readonly { readonly name: string; readonly labels: string; readonly value: number }[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$/;

export function parsePrometheusText(text: string): MetricFamily[] {
  const families: { name: string; help: string; type: string; samples: MetricFamily['samples'][number][] }[] = [];
  for (const line of text.split('\n').filter((l) => l !== '')) {
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    if (help) {
      families.push({ name: help[1]!, help: help[2]!, type: '', samples: [] });
      continue;
    }
    const current = families.at(-1);
    const type = /^# TYPE (\S+) (counter|gauge|summary|histogram|untyped)$/.exec(line);
    if (type && current && current.name === type[1] && current.type === '') {
      current.type = type[2]!;
      continue;
    }
    const sample = SAMPLE.exec(line);
    const value = sample ? Number(sample[3]) : NaN;
    if (
      !sample ||
      !current?.type ||
      !sample[1]!.startsWith(current.name) ||
      (Number.isNaN(value) && sample[3] !== 'NaN')
    )
      throw new Error(`not Prometheus text exposition: ${JSON.stringify(line)}`);
    current.samples.push({ name: sample[1]!, labels: sample[2] ?? '', value });
  }
  return families;
}
