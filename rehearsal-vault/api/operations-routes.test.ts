// @tier integration
/**
 * The pre-failover checklist's reads against the rehearsal Vault over mutual TLS: Prometheus text
 * with Vault's metric names and content type, JSON telemetry by default, and a raft snapshot that
 * GNU tar opens, with Vault's headers and checksums that hold.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vaultRequest, type HttpResult } from '../../test/support/mtls-client';
import { startRehearsalVault, type RehearsalVault } from '../rehearsal-cluster-set';
import { PROMETHEUS_TEXT } from './operations-routes';

const dir = mkdtempSync(join(tmpdir(), 'vc-ops-'));
let vault: RehearsalVault;
let call: (node: 'primary' | 'drSecondary', path: string, token?: string) => Promise<HttpResult>;

beforeAll(async () => {
  const started = await startRehearsalVault({ officers: 1 });
  if (!started.ok) throw new Error(started.error.message);
  vault = started.value;
  const id = { caPem: vault.caPem, certPem: vault.clientCertPem, keyPem: vault.clientKeyPem };
  call = (node, path, token) => vaultRequest(id, vault[node].apiAddr, 'GET', path, token ? { token } : {});
});
afterAll(async () => {
  await vault?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sys/metrics', () => {
  it('answers format=prometheus in text exposition 0.0.4 with Vault’s metric names', async () => {
    const primary = await call('primary', 'sys/metrics?format=prometheus');
    expect(primary.status).toBe(200);
    expect(primary.headers['content-type']).toBe(PROMETHEUS_TEXT);
    const wal = vault.cluster('primary').storage.wal;
    expect(primary.text).toContain(
      '# HELP vault_core_unsealed vault_core_unsealed\n# TYPE vault_core_unsealed gauge\nvault_core_unsealed{cluster="',
    );
    expect(primary.text).toContain(`\nvault_replication_wal_last_wal ${wal}\n`);
    expect(primary.text).toContain(`\nvault_replication_wal_last_dr_wal ${wal}\n`);
    // Every sample line is name{labels} value, as a Prometheus parser reads it.
    for (const line of primary.text
      .trimEnd()
      .split('\n')
      .filter((l) => !l.startsWith('#')))
      expect(line).toMatch(/^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? \d+$/);
    const secondary = await call('drSecondary', 'sys/metrics?format=prometheus');
    expect(secondary.text).toContain(`\nvault_replication_fsm_last_remote_wal ${wal}\n`);
  });

  it('answers JSON by default, and refuses an unknown format with Vault’s plain text', async () => {
    const json = await call('primary', 'sys/metrics');
    expect(json.json.Gauges).toContainEqual({
      Name: 'vault.core.unsealed',
      Value: 1,
      Labels: { cluster: vault.cluster('primary').clusterName },
    });
    const unknown = await call('primary', 'sys/metrics?format=xml');
    expect(unknown).toMatchObject({ status: 400, text: 'metric response format "xml" unknown' });
    expect(unknown.headers['content-type']).toBe('text/plain');
  });
});

describe('sys/storage/raft/snapshot', () => {
  it('streams a gzipped tar as an attachment, which tar opens and whose checksums hold', async () => {
    expect((await call('primary', 'sys/storage/raft/snapshot')).status).toBe(403);
    const r = await call('primary', 'sys/storage/raft/snapshot', vault.rootToken);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/gzip');
    expect(r.headers['content-disposition']).toBe('attachment');
    const file = join(dir, 'backup.snap');
    writeFileSync(file, r.bytes);
    expect(execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n')).toEqual([
      'meta.json',
      'state.bin',
      'SHA256SUMS',
      'SHA256SUMS.sealed',
    ]);
    execFileSync('tar', ['-xzf', file, '-C', dir]);
    const sums = readFileSync(join(dir, 'SHA256SUMS'), 'utf8');
    for (const name of ['meta.json', 'state.bin'])
      expect(sums).toContain(
        `${createHash('sha256')
          .update(readFileSync(join(dir, name)))
          .digest('hex')}  ${name}`,
      );
    expect(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'))).toMatchObject({
      Index: vault.cluster('primary').storage.wal,
    });
    // The data is sealed: the root token is nowhere in the archive.
    expect(readFileSync(join(dir, 'state.bin')).includes(Buffer.from(vault.rootToken))).toBe(false);
  });

  it('is one of the paths a DR secondary refuses', async () => {
    const r = await call('drSecondary', 'sys/storage/raft/snapshot', vault.rootToken);
    expect(r).toMatchObject({ status: 400, json: { errors: ['path disabled in replication DR secondary mode'] } });
  });
});
