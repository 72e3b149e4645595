// @tier integration
/**
 * The classic failures of activating a DR secondary, rehearsed over the API: the unwrap sent to
 * the wrong address (the cluster port, or nothing), a CA that does not sign the primary's
 * certificate, and a primary that advertises its API port as its cluster address. A failed
 * unwrap never uses up the activation token, so the corrected call then succeeds with it.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vaultRequest, type HttpResult } from '../test/support/mtls-client';
import { createCa } from './pki';
import { startRehearsalVault, type RehearsalVault } from './rehearsal-cluster-set';
import { INSTANT } from './replication-state';

const dir = mkdtempSync(join(tmpdir(), 'vc-unwrap-'));
let vault: RehearsalVault;
let call: (node: 'primary' | 'drSecondary', method: string, path: string, body?: unknown) => Promise<HttpResult>;

beforeAll(async () => {
  const started = await startRehearsalVault({ officers: 1, secondaryBootstrap: INSTANT });
  if (!started.ok) throw new Error(started.error.message);
  vault = started.value;
  const id = { caPem: vault.caPem, certPem: vault.clientCertPem, keyPem: vault.clientKeyPem };
  call = (node, method, path, body) =>
    vaultRequest(id, vault[node].apiAddr, method, path, { token: vault.rootToken, body });
  writeFileSync(join(dir, 'rehearsal-ca.pem'), vault.caPem);
  writeFileSync(join(dir, 'other-ca.pem'), (await createCa({ commonName: 'some other CA' })).certPem);
  mkdirSync(join(dir, 'ca-dir'));
  writeFileSync(join(dir, 'ca-dir', 'rehearsal.pem'), vault.caPem);
});
afterAll(async () => {
  await vault?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Detaches the DR secondary, so it can be enabled again with a new activation token. */
async function detachAndIssue(id: string): Promise<string> {
  const operationToken = vault.cluster('drSecondary').mintToken('dr-operation-token').token;
  if (vault.cluster('drSecondary').isDrSecondary)
    await call('drSecondary', 'POST', 'sys/replication/dr/secondary/disable', { dr_operation_token: operationToken });
  const issued = await call('primary', 'POST', 'sys/replication/dr/primary/secondary-token', { id });
  return issued.json.wrap_info.token;
}

const enable = (body: Record<string, unknown>) =>
  call('drSecondary', 'POST', 'sys/replication/dr/secondary/enable', body);
const drStatus = async () => (await call('drSecondary', 'GET', 'sys/replication/dr/status')).json.data;

describe('a separate cluster address', () => {
  it('runs each cluster port apart from its API port, and secondaries stream from the cluster port', async () => {
    expect(vault.primary.clusterAddr).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(vault.primary.clusterAddr).not.toBe(vault.primary.apiAddr);
    const status = await drStatus();
    expect(status).toMatchObject({
      primary_cluster_addr: vault.primary.clusterAddr,
      known_primary_cluster_addrs: [vault.primary.clusterAddr],
      connection_state: 'ready',
      primaries: [{ api_address: vault.primary.apiAddr, cluster_address: vault.primary.clusterAddr }],
    });
  });
});

describe('unwrapping the activation token', () => {
  it('goes to primary_api_addr, and fails as Go does at the cluster port or where nothing listens', async () => {
    const token = await detachAndIssue('dc2-addr');
    const clusterPort = await enable({ token, primary_api_addr: vault.primary.clusterAddr });
    expect(clusterPort).toMatchObject({
      status: 400,
      json: {
        errors: [`failed to unwrap activation token: Put "${vault.primary.clusterAddr}/v1/sys/wrapping/unwrap": EOF`],
      },
    });
    const nowhere = await enable({ token, primary_api_addr: 'https://127.0.0.1:1' });
    expect(nowhere.json.errors).toEqual([
      'failed to unwrap activation token: Put "https://127.0.0.1:1/v1/sys/wrapping/unwrap": dial tcp 127.0.0.1:1: connect: connection refused',
    ]);
    // The DR secondary's own API address is a Vault, but not the one holding the token.
    const wrongVault = await enable({ token, primary_api_addr: vault.drSecondary.apiAddr });
    expect(wrongVault.json.errors).toEqual([
      'failed to unwrap activation token: wrapping token is not valid or does not exist',
    ]);
    expect((await enable({ token, primary_api_addr: vault.primary.apiAddr })).status).toBe(200);
    expect((await drStatus()).mode).toBe('secondary');
  });

  it('checks the primary’s certificate against ca_file, else ca_path, with go-rootcerts’ texts', async () => {
    const token = await detachAndIssue('dc2-ca');
    const missing = join(dir, 'absent.pem');
    expect((await enable({ token, ca_file: missing })).json.errors).toEqual([
      `failed to unwrap activation token: Error loading CA File: open ${missing}: no such file or directory`,
    ]);
    writeFileSync(join(dir, 'not-pem.txt'), 'not a certificate');
    expect((await enable({ token, ca_file: join(dir, 'not-pem.txt') })).json.errors).toEqual([
      `failed to unwrap activation token: Error loading CA File: Couldn't parse PEM in: ${join(dir, 'not-pem.txt')}`,
    ]);
    expect((await enable({ token, ca_file: join(dir, 'other-ca.pem') })).json.errors).toEqual([
      `failed to unwrap activation token: Put "${vault.primary.apiAddr}/v1/sys/wrapping/unwrap": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
    ]);
    // ca_file wins over ca_path, as in LoadCACerts.
    const both = await enable({ token, ca_file: join(dir, 'other-ca.pem'), ca_path: join(dir, 'ca-dir') });
    expect(both.json.errors[0]).toMatch(/certificate signed by unknown authority$/);
    expect((await enable({ token, ca_path: join(dir, 'ca-dir') })).status).toBe(200);
    const again = await detachAndIssue('dc2-ca-file');
    expect((await enable({ token: again, ca_file: join(dir, 'rehearsal-ca.pem') })).status).toBe(200);
  });

  it('applies the same to update-primary', async () => {
    const issued = await call('primary', 'POST', 'sys/replication/dr/primary/secondary-token', { id: 'dc2-update' });
    const token = issued.json.wrap_info.token;
    const operationToken = vault.cluster('drSecondary').mintToken('dr-operation-token').token;
    const update = (extra: Record<string, unknown>) =>
      call('drSecondary', 'POST', 'sys/replication/dr/secondary/update-primary', {
        dr_operation_token: operationToken,
        token,
        ...extra,
      });
    expect((await update({ ca_file: join(dir, 'other-ca.pem') })).json.errors[0]).toMatch(/unknown authority$/);
    expect((await update({ primary_api_addr: vault.primary.apiAddr })).status).toBe(200);
    expect((await drStatus()).connection_state).toBe('ready');
  });
});

describe('a primary that advertises the wrong cluster address', () => {
  it('lets the secondary activate but never connect when primary_cluster_addr is the API port', async () => {
    const operationToken = vault.cluster('drSecondary').mintToken('dr-operation-token').token;
    await call('drSecondary', 'POST', 'sys/replication/dr/secondary/disable', { dr_operation_token: operationToken });
    await call('primary', 'POST', 'sys/replication/dr/primary/disable');
    await call('primary', 'POST', 'sys/replication/dr/primary/enable', { primary_cluster_addr: vault.primary.apiAddr });
    const token = (await call('primary', 'POST', 'sys/replication/dr/primary/secondary-token', { id: 'dc2-lb' })).json
      .wrap_info.token;
    expect((await enable({ token })).status).toBe(200);
    expect(await drStatus()).toMatchObject({
      mode: 'secondary',
      primary_cluster_addr: vault.primary.apiAddr,
      connection_state: 'transient_failure',
      state: 'idle',
    });
    // Advertising the real cluster port (or a load balancer in front of it) works.
    await call('drSecondary', 'POST', 'sys/replication/dr/secondary/disable', {
      dr_operation_token: vault.cluster('drSecondary').mintToken('dr-operation-token').token,
    });
    await call('primary', 'POST', 'sys/replication/dr/primary/disable');
    await call('primary', 'POST', 'sys/replication/dr/primary/enable', {
      primary_cluster_addr: vault.primary.clusterAddr,
    });
    const good = (await call('primary', 'POST', 'sys/replication/dr/primary/secondary-token', { id: 'dc2-good' })).json
      .wrap_info.token;
    expect((await enable({ token: good })).status).toBe(200);
    expect(await drStatus()).toMatchObject({ connection_state: 'ready', state: 'stream-wals' });
  });
});
