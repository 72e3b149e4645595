/**
 * The conformance corpus (test/fixtures/vault/, sources in its README): each sample with the
 * endpoint that answers it, the node role it comes from and the HTTP status it came with, so
 * the client tests and the simulator's shape check pick every sample that matches.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type CorpusEndpoint =
  | 'sys/replication/status'
  | 'sys/replication/dr/status'
  | 'sys/replication/performance/status'
  | 'sys/health'
  | 'sys/seal-status'
  | 'sys/leader'
  | 'generation/attempt-status'
  | 'generation/attempt-start'
  | 'generation/update'
  | 'secondary-token'
  | 'error';

/** Which kind of node answered: the shape check compares a simulator node of the same role. */
export type CorpusRole =
  'dr-primary' | 'dr-secondary' | 'perf-primary' | 'perf-secondary' | 'active' | 'standby' | 'sealed' | 'any';

export interface CorpusSample {
  readonly file: string;
  readonly endpoint: CorpusEndpoint;
  readonly role: CorpusRole;
  readonly status: number;
  /** Published verbatim in HashiCorp's docs, or put together from Vault's Go structs (README says which). */
  readonly origin: 'docs' | 'go-struct';
}

export const CORPUS: readonly CorpusSample[] = [
  {
    file: 'dr-primary-status.json',
    endpoint: 'sys/replication/dr/status',
    role: 'dr-primary',
    status: 200,
    origin: 'docs',
  },
  {
    file: 'dr-secondary-status.json',
    endpoint: 'sys/replication/dr/status',
    role: 'dr-secondary',
    status: 200,
    origin: 'docs',
  },
  {
    file: 'perf-primary-status.json',
    endpoint: 'sys/replication/performance/status',
    role: 'perf-primary',
    status: 200,
    origin: 'docs',
  },
  {
    file: 'perf-secondary-status.json',
    endpoint: 'sys/replication/performance/status',
    role: 'perf-secondary',
    status: 200,
    origin: 'docs',
  },
  {
    file: 'replication-status-dr-primary-perf-primary.json',
    endpoint: 'sys/replication/status',
    role: 'dr-primary',
    status: 200,
    origin: 'docs',
  },
  {
    file: 'replication-status-dr-primary-perf-secondary.json',
    endpoint: 'sys/replication/status',
    role: 'dr-primary',
    status: 200,
    origin: 'docs',
  },
  { file: 'health-active.json', endpoint: 'sys/health', role: 'active', status: 200, origin: 'docs' },
  { file: 'health-dr-secondary.json', endpoint: 'sys/health', role: 'dr-secondary', status: 472, origin: 'docs' },
  { file: 'health-perf-standby-473.json', endpoint: 'sys/health', role: 'standby', status: 473, origin: 'go-struct' },
  { file: 'health-ha-unhealthy-474.json', endpoint: 'sys/health', role: 'standby', status: 474, origin: 'go-struct' },
  { file: 'health-removed-530.json', endpoint: 'sys/health', role: 'standby', status: 530, origin: 'go-struct' },
  { file: 'health-sealed-503.json', endpoint: 'sys/health', role: 'sealed', status: 503, origin: 'go-struct' },
  { file: 'seal-status-sealed.json', endpoint: 'sys/seal-status', role: 'sealed', status: 200, origin: 'docs' },
  { file: 'seal-status-unsealed.json', endpoint: 'sys/seal-status', role: 'active', status: 200, origin: 'docs' },
  { file: 'leader-standby.json', endpoint: 'sys/leader', role: 'standby', status: 200, origin: 'docs' },
  {
    file: 'dr-operation-token-attempt-status.json',
    endpoint: 'generation/attempt-status',
    role: 'dr-secondary',
    status: 200,
    origin: 'docs',
  },
  {
    file: 'generation-status-go-struct.json',
    endpoint: 'generation/attempt-status',
    role: 'any',
    status: 200,
    origin: 'go-struct',
  },
  {
    file: 'generation-status-legacy-go-struct.json',
    endpoint: 'generation/attempt-status',
    role: 'any',
    status: 200,
    origin: 'go-struct',
  },
  {
    file: 'dr-operation-token-attempt-start.json',
    endpoint: 'generation/attempt-start',
    role: 'dr-secondary',
    status: 200,
    origin: 'docs',
  },
  {
    file: 'dr-operation-token-update-complete.json',
    endpoint: 'generation/update',
    role: 'dr-secondary',
    status: 200,
    origin: 'docs',
  },
  {
    file: 'secondary-token-wrapped.json',
    endpoint: 'secondary-token',
    role: 'dr-primary',
    status: 200,
    origin: 'docs',
  },
  {
    file: 'error-dr-secondary-path-disabled.json',
    endpoint: 'error',
    role: 'dr-secondary',
    status: 400,
    origin: 'docs',
  },
  { file: 'error-permission-denied.json', endpoint: 'error', role: 'any', status: 403, origin: 'go-struct' },
  { file: 'error-sealed.json', endpoint: 'error', role: 'sealed', status: 503, origin: 'go-struct' },
  { file: 'error-not-dr-secondary.json', endpoint: 'error', role: 'dr-primary', status: 400, origin: 'docs' },
];

const DIR = join(import.meta.dirname, '..', 'fixtures', 'vault');

export function loadSample(sample: CorpusSample): unknown {
  return JSON.parse(readFileSync(join(DIR, sample.file), 'utf8'));
}

export function samplesFor(endpoint: CorpusEndpoint): readonly CorpusSample[] {
  return CORPUS.filter((s) => s.endpoint === endpoint);
}
