// @tier integration
/**
 * Every Vault answer the client parses, fed from every matching sample of the conformance corpus
 * through the real client over mutual TLS: the samples are what real Vault sends, so a schema
 * that refuses one would fail against a real cluster however well it agrees with the simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultClient, type VaultClient } from '../../electron/services/vault/client';
import { readReplicationOverview } from '../../electron/services/vault/read-replication-overview';
import { describeHealth } from '../../shared/replication/replication-health';
import { replicationOverviewSchema } from '../../shared/replication/replication-overview';
import { createTestPki, json, startTestServer, type TestPki, type TestServer } from '../support/mtls-test-server';
import { CORPUS, loadSample, samplesFor, type CorpusSample } from '../support/vault-corpus';

let pki: TestPki;
let server: TestServer;
interface Answer {
  readonly status: number;
  readonly body: unknown;
}
/** What the server answers per path. */
let answers: Record<string, Answer> = {};
const served = (sample: CorpusSample): Answer => ({ status: sample.status, body: loadSample(sample) });

beforeAll(async () => {
  pki = await createTestPki();
  server = await startTestServer(pki, (req, res) => {
    const path = (req.url.split('?')[0] ?? '').replace(/^\/v1\//, '');
    const answer = answers[path];
    if (!answer) json(res, 404, { errors: [] });
    else json(res, answer.status, answer.body);
  });
});
afterAll(() => server.close());

async function withClient<T>(serve: Record<string, Answer>, use: (c: VaultClient) => Promise<T>): Promise<T> {
  answers = serve;
  const client = createVaultClient({
    profileName: 'corpus',
    address: server.address,
    tls: { ca: pki.ca.certPem, cert: pki.client.certPem, key: pki.client.keyPem },
  });
  try {
    return await use(client);
  } finally {
    client.close();
  }
}

const one = (file: string): CorpusSample => {
  const s = CORPUS.find((c) => c.file === file);
  if (!s) throw new Error(`no corpus sample ${file}`);
  return s;
};

describe('replication status samples', () => {
  it.each(samplesFor('sys/replication/dr/status'))('dr/status reads $file', async (sample) => {
    const r = await withClient({ 'sys/replication/dr/status': served(sample) }, (c) => c.dr.status());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const data = loadSample(sample) as { data: { mode: string } };
    expect(r.value.data.mode).toBe(data.data.mode);
    // Vault's strings ("696") come out as numbers the dashboard can compare.
    for (const peer of [...(r.value.data.primaries ?? []), ...(r.value.data.secondaries ?? [])]) {
      expect(typeof peer.replication_primary_canary_age_ms).toBe('number');
      expect(typeof peer.clock_skew_ms).toBe('number');
    }
  });

  it.each(samplesFor('sys/replication/performance/status'))('performance/status reads $file', async (sample) => {
    const r = await withClient({ 'sys/replication/performance/status': served(sample) }, (c) => c.performance.status());
    expect(r.ok).toBe(true);
  });

  it.each(samplesFor('sys/replication/status'))('replication/status reads $file', async (sample) => {
    const r = await withClient({ 'sys/replication/status': served(sample) }, (c) => c.replicationStatus());
    expect(r.ok).toBe(true);
    const lag = r.ok ? r.value.data.dr.secondaries?.[0]?.replication_primary_canary_age_ms : undefined;
    expect(lag).toBeGreaterThan(0);
  });
});

describe('sys/health samples', () => {
  it.each(samplesFor('sys/health'))('reads $file answered with HTTP $status', async (sample) => {
    const r = await withClient({ 'sys/health': served(sample) }, (c) => c.health());
    expect(r).toMatchObject({ ok: true, value: { status: sample.status } });
  });
});

describe('sys/seal-status samples', () => {
  it.each(samplesFor('sys/seal-status'))('reads $file', async (sample) => {
    const r = await withClient({ 'sys/seal-status': served(sample) }, (c) => c.sealStatus());
    expect(r.ok).toBe(true);
  });
});

describe('sys/leader samples', () => {
  it.each(samplesFor('sys/leader'))('reads both raft indices from $file', async (sample) => {
    const r = await withClient({ 'sys/leader': served(sample) }, (c) => c.leader());
    const { raft_committed_index, raft_applied_index } = loadSample(sample) as Record<string, number>;
    expect(r).toMatchObject({
      ok: true,
      value: { data: { is_self: false, raft_committed_index, raft_applied_index } },
    });
  });
});

describe('generate-operation-token samples', () => {
  const path = 'sys/replication/dr/secondary/generate-operation-token';
  it.each(samplesFor('generation/attempt-status'))('attempt status reads $file', async (sample) => {
    const r = await withClient({ [`${path}/attempt`]: served(sample) }, (c) => c.drOperationToken.status());
    expect(r.ok).toBe(true);
  });
  it.each(samplesFor('generation/attempt-start'))('attempt start reads $file', async (sample) => {
    const r = await withClient({ [`${path}/attempt`]: served(sample) }, (c) => c.drOperationToken.start({}));
    expect(r).toMatchObject({ ok: true, value: { data: { otp: '2vPFYG8gUSW9npwzyvxXMug0', otp_length: 24 } } });
  });
  it.each(samplesFor('generation/update'))('update reads $file', async (sample) => {
    const r = await withClient({ [`${path}/update`]: served(sample) }, (c) =>
      c.drOperationToken.submitShare({
        key: 'aGVsbG8gd29ybGQhISEhISE=',
        nonce: '2dbd10f1-8528-6246-09e7-82b25b8aba63',
      }),
    );
    // The docs' sample leaves out otp_length: read as 0, which the ceremony never takes from an update.
    expect(r).toMatchObject({
      ok: true,
      value: { data: { complete: true, encoded_token: 'FPzkNBvwNDeFh4SmGA8c+w==' } },
    });
  });
});

describe('secondary-token samples', () => {
  it.each(samplesFor('secondary-token'))('reads the wrapped activation token in $file', async (sample) => {
    const r = await withClient({ 'sys/replication/dr/primary/secondary-token': served(sample) }, (c) =>
      c.dr.primary.secondaryToken({ id: 'us-east-1' }),
    );
    expect(r).toMatchObject({
      ok: true,
      value: { data: { token: 'fb79b9d3-d94e-9eb6-4919-c559311133d6', wrapped: true } },
    });
  });
});

describe('error samples', () => {
  it.each(samplesFor('error'))('reports $file (HTTP $status) with Vault’s own text', async (sample) => {
    const r = await withClient({ 'sys/replication/dr/status': served(sample) }, (c) => c.dr.status());
    const text = (loadSample(sample) as { errors: string[] }).errors[0]!;
    expect(r).toMatchObject({ ok: false, error: { kind: 'vault-error', status: sample.status, errors: [text] } });
    expect(r.ok || r.error.message).toContain(text);
  });
});

describe('the dashboard reads the docs’ DR samples', () => {
  // sys/replication/status carries the DR block exactly as dr/status does, beside the performance one.
  const replicationWith = (dr: string): Answer => ({
    status: 200,
    body: { data: { dr: (loadSample(one(dr)) as { data: unknown }).data, performance: { mode: 'disabled' } } },
  });

  it.each([
    ['dr-primary-status.json', 'health-active.json', 'seal-status-unsealed.json'],
    ['dr-secondary-status.json', 'health-dr-secondary.json', 'seal-status-unsealed.json'],
  ])('%s: every section answers and the overview crosses the IPC schema', async (dr, health, seal) => {
    const overview = await withClient(
      {
        'sys/replication/status': replicationWith(dr),
        'sys/health': served(one(health)),
        'sys/seal-status': served(one(seal)),
      },
      (c) => readReplicationOverview(c, { label: 'docs', address: server.address, now: new Date(0) }),
    );
    expect(overview).toMatchObject({ replication: { ok: true }, health: { ok: true }, seal: { ok: true } });
    const parsed = replicationOverviewSchema.safeParse(overview);
    expect(parsed.error).toBeUndefined();
    expect(describeHealth(parsed.data!).level).toBe('good');
  });
});

it('the corpus lists every file in test/fixtures/vault', async () => {
  const { readdirSync } = await import('node:fs');
  const files = readdirSync(new URL('../fixtures/vault/', import.meta.url)).filter((f) => f.endsWith('.json'));
  expect(files.sort()).toEqual(CORPUS.map((s) => s.file).sort());
});
