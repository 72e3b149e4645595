// @tier integration
/**
 * The shape check: every answer the rehearsal Vault gives for which the corpus holds a real Vault
 * sample is compared field by field and JSON type by JSON type against the sample for the same node
 * role, over mutual TLS. Any drift from Vault (a number where Vault sends a string, a field renamed
 * or dropped) fails here, whatever the client makes of it.
 */
import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRehearsalVault, type RehearsalVault } from '../../rehearsal-vault/rehearsal-cluster-set';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shapeDifferences } from '../support/json-shape';
import { parsePrometheusText } from '../support/prometheus-text';
import { vaultRequest, type HttpResult } from '../support/mtls-client';
import { CORPUS, loadSample } from '../support/vault-corpus';

type Node = 'primary' | 'drSecondary' | 'performanceSecondary';

/** Fields current Vault sends that an older published sample predates, each with where it comes from. */
const NEWER_THAN_SAMPLE: Record<string, readonly string[]> = {
  // api/sys_health.go HealthResponse (1.15+ and 1.19+); the health.mdx samples are from 0.9.2 and 1.9.0.
  health: [
    'enterprise',
    'echo_duration_ms',
    'clock_skew_ms',
    'replication_primary_canary_age_ms',
    'removed_from_cluster',
    'ha_connection_healthy',
    'last_request_forwarding_heartbeat_ms',
    'license',
    'last_wal',
  ],
  // The logical envelope's auth and mount_type, and wrap_info's accessor and creation_path
  // (api/secret.go SecretWrapInfo), postdate the 2016 secondary-token sample.
  wrapped: ['auth', 'mount_type', 'wrap_info.accessor', 'wrap_info.creation_path'],
  // The 1.21.x docs show the seal-status of 1.11; build_date etc. are all in the sample already.
  none: [],
};

interface Check {
  readonly name: string;
  readonly node: Node;
  readonly request: (call: Caller) => Promise<HttpResult>;
  readonly sample: string;
  /** Where in the sample (and in the answer) to compare, when only part of either applies. */
  readonly samplePath?: readonly string[];
  readonly answerPath?: readonly string[];
  readonly extra?: keyof typeof NEWER_THAN_SAMPLE;
  readonly status: number;
}

type Caller = (method: string, path: string, options?: { token?: string; body?: unknown }) => Promise<HttpResult>;

const DR_TOKEN = 'sys/replication/dr/secondary/generate-operation-token';

let vault: RehearsalVault;
const callers = {} as Record<Node, Caller>;
const answers = new Map<string, HttpResult>();

beforeAll(async () => {
  const started = await startRehearsalVault({ officers: 2, threshold: 2, performanceSecondary: true });
  if (!started.ok) throw new Error(started.error.message);
  vault = started.value;
  const id = { caPem: vault.caPem, certPem: vault.clientCertPem, keyPem: vault.clientKeyPem };
  callers.primary = (m, p, o) => vaultRequest(id, vault.primary.apiAddr, m, p, o);
  callers.drSecondary = (m, p, o) => vaultRequest(id, vault.drSecondary.apiAddr, m, p, o);
  callers.performanceSecondary = (m, p, o) => vaultRequest(id, vault.performanceSecondary!.apiAddr, m, p, o);
});
afterAll(() => vault?.close());

async function firstShare(): Promise<string> {
  const officer = vault.officers[0]!;
  const { data } = await openpgp.decrypt({
    message: await openpgp.readMessage({ binaryMessage: Buffer.from(officer.encryptedShare, 'base64') }),
    decryptionKeys: await openpgp.readPrivateKey({ armoredKey: officer.privateKeyArmored! }),
  });
  return data;
}

const CHECKS: readonly Check[] = [
  {
    name: 'DR primary dr/status',
    node: 'primary',
    request: (c) => c('GET', 'sys/replication/dr/status'),
    sample: 'dr-primary-status.json',
    samplePath: ['data'],
    answerPath: ['data'],
    status: 200,
  },
  {
    name: 'DR secondary dr/status',
    node: 'drSecondary',
    request: (c) => c('GET', 'sys/replication/dr/status'),
    sample: 'dr-secondary-status.json',
    samplePath: ['data'],
    answerPath: ['data'],
    status: 200,
  },
  {
    name: 'DR + performance primary replication/status',
    node: 'primary',
    request: (c) => c('GET', 'sys/replication/status'),
    sample: 'replication-status-dr-primary-perf-primary.json',
    samplePath: ['data'],
    answerPath: ['data'],
    status: 200,
  },
  {
    name: 'performance primary performance/status',
    node: 'primary',
    request: (c) => c('GET', 'sys/replication/performance/status'),
    sample: 'replication-status-dr-primary-perf-primary.json',
    samplePath: ['data', 'performance'],
    answerPath: ['data'],
    status: 200,
  },
  {
    name: 'performance secondary performance/status',
    node: 'performanceSecondary',
    request: (c) => c('GET', 'sys/replication/performance/status'),
    sample: 'replication-status-dr-primary-perf-secondary.json',
    samplePath: ['data', 'performance'],
    answerPath: ['data'],
    status: 200,
  },
  {
    name: 'active node sys/health',
    node: 'primary',
    request: (c) => c('GET', 'sys/health'),
    sample: 'health-active.json',
    extra: 'health',
    status: 200,
  },
  {
    name: 'DR secondary sys/health',
    node: 'drSecondary',
    request: (c) => c('GET', 'sys/health'),
    sample: 'health-dr-secondary.json',
    extra: 'health',
    status: 472,
  },
  {
    name: 'unsealed sys/seal-status',
    node: 'primary',
    request: (c) => c('GET', 'sys/seal-status'),
    sample: 'seal-status-unsealed.json',
    status: 200,
  },
  {
    // The docs' sample is a standby's; a single node leads itself, in the same shape.
    name: 'sys/leader',
    node: 'drSecondary',
    request: (c) => c('GET', 'sys/leader'),
    sample: 'leader-standby.json',
    status: 200,
  },
  {
    name: 'DR operation-token attempt status',
    node: 'drSecondary',
    request: (c) => c('GET', `${DR_TOKEN}/attempt`),
    sample: 'generation-status-go-struct.json',
    status: 200,
  },
  {
    name: 'DR operation-token attempt start',
    node: 'drSecondary',
    request: (c) => c('PUT', `${DR_TOKEN}/attempt`, { body: {} }),
    sample: 'generation-status-go-struct.json',
    status: 200,
  },
  {
    name: 'DR operation-token update',
    node: 'drSecondary',
    request: async (c) => {
      const status = await c('GET', `${DR_TOKEN}/attempt`);
      return c('PUT', `${DR_TOKEN}/update`, { body: { key: await firstShare(), nonce: status.json.nonce } });
    },
    sample: 'generation-status-go-struct.json',
    status: 200,
  },
  {
    name: 'DR secondary-token (wrapped)',
    node: 'primary',
    request: (c) =>
      c('POST', 'sys/replication/dr/primary/secondary-token', { token: vault.rootToken, body: { id: 'shape-check' } }),
    sample: 'secondary-token-wrapped.json',
    extra: 'wrapped',
    status: 200,
  },
  {
    name: 'DR secondary refusing a path',
    node: 'drSecondary',
    request: (c) => c('GET', 'sys/mounts', { token: vault.rootToken }),
    sample: 'error-dr-secondary-path-disabled.json',
    status: 400,
  },
  {
    name: 'permission denied',
    node: 'primary',
    request: (c) => c('GET', 'sys/mounts'),
    sample: 'error-permission-denied.json',
    status: 403,
  },
  {
    name: 'DR endpoint on a primary',
    node: 'primary',
    request: (c) => c('POST', 'sys/replication/dr/secondary/promote', { body: { dr_operation_token: 'x' } }),
    sample: 'error-not-dr-secondary.json',
    status: 400,
  },
  {
    name: 'standby cut off from the active node sys/health',
    node: 'primary',
    request: (c) => {
      vault.faults.setHaMembership('primary', 'standby-unhealthy');
      return c('GET', 'sys/health');
    },
    sample: 'health-ha-unhealthy-474.json',
    extra: 'health',
    status: 474,
  },
  {
    name: 'removed node sys/health',
    node: 'primary',
    request: async (c) => {
      vault.faults.setHaMembership('primary', 'removed');
      const answer = await c('GET', 'sys/health');
      vault.faults.setHaMembership('primary', 'active');
      return answer;
    },
    sample: 'health-removed-530.json',
    extra: 'health',
    status: 530,
  },
  // Sealed last: the performance secondary stays sealed afterwards.
  {
    name: 'sealed sys/health',
    node: 'performanceSecondary',
    request: async (c) => {
      await c('PUT', 'sys/seal', { token: vault.performanceSecondary!.rootToken });
      return c('GET', 'sys/health');
    },
    sample: 'health-sealed-503.json',
    extra: 'health',
    status: 503,
  },
  {
    name: 'sealed sys/seal-status',
    node: 'performanceSecondary',
    request: (c) => c('GET', 'sys/seal-status'),
    sample: 'seal-status-sealed.json',
    status: 200,
  },
  {
    name: 'sealed logical path',
    node: 'performanceSecondary',
    request: (c) => c('GET', 'sys/replication/performance/status'),
    sample: 'error-sealed.json',
    status: 503,
  },
];

// The docs show only `data` for logical status endpoints, so those checks compare `data`.
const at = (value: unknown, path: readonly string[] = []) =>
  path.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], value);

describe('the rehearsal Vault answers in the shapes of real Vault', () => {
  // In order: later checks depend on earlier ones (an attempt started, the node sealed).
  for (const check of CHECKS) {
    it(`${check.name} matches ${check.sample}`, async () => {
      const answer = await check.request(callers[check.node]);
      answers.set(check.name, answer);
      expect(answer.status).toBe(check.status);
      const sample = CORPUS.find((s) => s.file === check.sample)!;
      const differences = shapeDifferences(
        at(loadSample(sample), check.samplePath),
        at(answer.json, check.answerPath),
        new Set(NEWER_THAN_SAMPLE[check.extra ?? 'none']),
      );
      expect(differences).toEqual([]);
    });
  }

  it('fails when one field of a simulator answer changes JSON type', () => {
    const answer = answers.get('DR secondary dr/status');
    expect(answer).toBeDefined();
    const sample = at(loadSample(CORPUS.find((s) => s.file === 'dr-secondary-status.json')!), ['data']);
    const drifted = structuredClone(answer!.json.data);
    expect(shapeDifferences(sample, drifted)).toEqual([]);
    // What the simulator used to send: a number where Vault sends "697".
    drifted.primaries[0].replication_primary_canary_age_ms = 697;
    expect(shapeDifferences(sample, drifted)).toEqual([
      'primaries[0].replication_primary_canary_age_ms: Vault sends string, got number (697)',
    ]);
    drifted.last_remote_wal = String(drifted.last_remote_wal);
    expect(shapeDifferences(sample, drifted)).toHaveLength(2);
  });
});

describe('a rehearsal Vault before 0.11 (--otp-length 0) answers generate-operation-token in that version’s shape', () => {
  let legacy: RehearsalVault;
  let call: Caller;
  const sample = () => loadSample(CORPUS.find((s) => s.file === 'generation-status-legacy-go-struct.json')!);

  beforeAll(async () => {
    const started = await startRehearsalVault({ officers: 2, threshold: 2, otpLength: 0 });
    if (!started.ok) throw new Error(started.error.message);
    legacy = started.value;
    const id = { caPem: legacy.caPem, certPem: legacy.clientCertPem, keyPem: legacy.clientKeyPem };
    call = (m, p, o) => vaultRequest(id, legacy.drSecondary.apiAddr, m, p, o);
  });
  afterAll(() => legacy?.close());

  it('status, start and every update match the eight-field struct, with no otp_length', async () => {
    const answers = [await call('GET', `${DR_TOKEN}/attempt`)];
    answers.push(await call('PUT', `${DR_TOKEN}/attempt`, { body: { otp: randomBytes(16).toString('base64') } }));
    const nonce = answers[1]!.json.nonce;
    for (const officer of legacy.officers) {
      const { data: key } = await openpgp.decrypt({
        message: await openpgp.readMessage({ binaryMessage: Buffer.from(officer.encryptedShare, 'base64') }),
        decryptionKeys: await openpgp.readPrivateKey({ armoredKey: officer.privateKeyArmored! }),
      });
      answers.push(await call('PUT', `${DR_TOKEN}/update`, { body: { key, nonce } }));
    }
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers.at(-1)!.json).toMatchObject({ complete: true, encoded_token: expect.stringMatching(/==$/) });
    for (const answer of answers) expect(shapeDifferences(sample(), answer.json)).toEqual([]);
  });

  it('refuses to make the OTP itself, as GenerateRootInit did before 0.11', async () => {
    await call('DELETE', `${DR_TOKEN}/attempt`);
    const r = await call('PUT', `${DR_TOKEN}/attempt`, { body: {} });
    expect(r).toMatchObject({ status: 400, json: { errors: ['unreachable condition'] } });
  });
});

describe('sys/metrics?format=prometheus is written as the docs’ sample is', () => {
  const sample = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'vault', 'metrics-prometheus.txt'), 'utf8');

  it('reads the docs’ sample, and the simulator’s text the same way: HELP as the name, a TYPE, samples', async () => {
    const published = parsePrometheusText(sample);
    expect(published.map((f) => [f.name, f.type])).toEqual([
      ['vault_audit_log_request', 'summary'],
      ['vault_audit_log_request_failure', 'counter'],
      ['vault_audit_log_response', 'summary'],
    ]);
    for (const family of published) expect(family.help).toBe(family.name);
    for (const node of ['primary', 'drSecondary'] as const) {
      const answer = await callers[node]('GET', 'sys/metrics?format=prometheus');
      const families = parsePrometheusText(answer.text);
      expect(families.length).toBeGreaterThan(0);
      for (const family of families) {
        expect(family.help).toBe(family.name);
        expect(family.samples.length).toBeGreaterThan(0);
      }
    }
  });

  it('fails on a line that is not exposition text', () => {
    expect(() => parsePrometheusText(`${sample}vault_core_unsealed one\n`)).toThrow(/not Prometheus text/);
  });
});
