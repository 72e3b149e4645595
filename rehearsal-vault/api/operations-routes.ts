/**
 * What the guides' pre-failover checklist reads besides replication status: telemetry
 * (sys/metrics, JSON or Prometheus text as metricsutil's MetricsHelper answers) and a raft
 * snapshot (sys/storage/raft/snapshot: a gzipped tar streamed with RaftBackend.SnapshotHTTP's
 * headers). The metric names are Vault's own; the values come from the simulated cluster.
 * The listener is taken to allow unauthenticated metrics access, as Prometheus scraping of DR
 * secondaries needs (UNCONFIRMED for a given deployment).
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Cluster } from '../cluster';
import type { ReplicationNetwork } from '../replication';
import type { LogicalRoute } from './route';
import type { ApiResponse } from './envelope';

/** expfmt.FmtText, the Content-Type of Prometheus text exposition 0.0.4. */
export const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

export const operationsRoutes: readonly LogicalRoute[] = [
  {
    kind: 'logical',
    pattern: /^sys\/metrics$/,
    onDrSecondary: true,
    auth: 'none',
    operations: {
      read: ({ cluster, network, request }) => metrics(cluster, network, request.query.get('format') ?? ''),
    },
  },
  {
    kind: 'logical',
    pattern: /^sys\/storage\/raft\/snapshot$/,
    onDrSecondary: false,
    auth: 'token',
    operations: {
      read: ({ cluster }) => ({
        status: 200,
        headers: { 'Content-Disposition': 'attachment' },
        raw: { contentType: 'application/gzip', bytes: snapshot(cluster) },
      }),
    },
  },
];

interface Gauge {
  readonly name: string;
  readonly value: number;
  readonly labels: Readonly<Record<string, string>>;
}

function gauges(cluster: Cluster, network: ReplicationNetwork): Gauge[] {
  const labels = { cluster: cluster.clusterName };
  const dr = cluster.replication.dr;
  const out: Gauge[] = [
    { name: 'vault.core.active', value: 1, labels },
    { name: 'vault.core.unsealed', value: cluster.seal.sealed ? 0 : 1, labels },
    { name: 'vault.runtime.num_goroutines', value: 180, labels: {} },
  ];
  if (dr.mode === 'primary') {
    out.push(
      { name: 'vault.replication.wal.last_wal', value: cluster.storage.wal, labels: {} },
      { name: 'vault.replication.wal.last_dr_wal', value: cluster.storage.wal, labels: {} },
    );
  } else if (dr.mode === 'secondary') {
    // Read through status, so a bootstrapping secondary reports what its status block says.
    const wal = Number(network.status(cluster, 'dr')['last_remote_wal'] ?? 0);
    out.push({ name: 'vault.replication.fsm.last_remote_wal', value: wal, labels: {} });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function metrics(cluster: Cluster, network: ReplicationNetwork, format: string): ApiResponse {
  const all = gauges(cluster, network);
  if (format === 'prometheus') {
    const text = all
      .map(({ name, value, labels }) => {
        const id = name.replaceAll('.', '_');
        const label = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
        return `# HELP ${id} ${id}\n# TYPE ${id} gauge\n${id}${label.length ? `{${label.join(',')}}` : ''} ${value}\n`;
      })
      .join('');
    return { status: 200, raw: { contentType: PROMETHEUS_TEXT, bytes: Buffer.from(text, 'utf8') } };
  }
  if (format !== '') {
    return {
      status: 400,
      raw: { contentType: 'text/plain', bytes: Buffer.from(`metric response format "${format}" unknown`, 'utf8') },
    };
  }
  // go-metrics' InmemSink DisplayMetrics, as GenericResponse encodes it.
  return {
    status: 200,
    body: {
      Timestamp: new Date()
        .toISOString()
        .replace(/\.\d+Z$/, ' +0000 UTC')
        .replace('T', ' '),
      Gauges: all.map(({ name, value, labels }) => ({ Name: name, Value: value, Labels: labels })),
      Points: [],
      Counters: [],
      Samples: [],
    },
  };
}

/**
 * A snapshot archive laid out as Vault's snapshot.Write makes it: meta.json, state.bin (here the
 * cluster's storage sealed under its keyring, so no secret is readable from it), SHA256SUMS, and
 * SHA256SUMS.sealed (the checksums sealed the same way).
 */
function snapshot(cluster: Cluster): Uint8Array {
  const seal = (plain: Buffer) => {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', cluster.storage.keyring, iv);
    return Buffer.concat([iv, c.update(plain), c.final(), c.getAuthTag()]);
  };
  const index = cluster.storage.wal;
  const meta = Buffer.from(
    JSON.stringify({ Version: 1, ID: `2-${index}-${Date.now()}`, Index: index, Term: 2, ConfigurationIndex: 1 }),
  );
  const state = seal(
    Buffer.from(JSON.stringify({ kv: [...cluster.storage.kv], policies: [...cluster.storage.policies.keys()] })),
  );
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const sums = Buffer.from(`${sha(meta)}  meta.json\n${sha(state)}  state.bin\n`);
  return gzipSync(
    tar([
      ['meta.json', meta],
      ['state.bin', state],
      ['SHA256SUMS', sums],
      ['SHA256SUMS.sealed', seal(sums)],
    ]),
  );
}

/** A ustar archive of regular files (0600), as Go's archive/tar writes them. */
function tar(files: readonly (readonly [string, Buffer])[]): Buffer {
  const blocks: Buffer[] = [];
  const mtime = Math.floor(Date.now() / 1000);
  for (const [name, data] of files) {
    const h = Buffer.alloc(512);
    const field = (offset: number, length: number, value: string) => h.write(value, offset, length, 'ascii');
    const octal = (offset: number, length: number, n: number) =>
      field(offset, length, `${n.toString(8).padStart(length - 1, '0')}\0`);
    field(0, 100, name);
    octal(100, 8, 0o600);
    octal(108, 8, 0);
    octal(116, 8, 0);
    octal(124, 12, data.length);
    octal(136, 12, mtime);
    field(148, 8, '        ');
    field(156, 1, '0');
    field(257, 8, 'ustar\u000000');
    const checksum = h.reduce((sum, b) => sum + b, 0);
    field(148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
