// @tier integration
/**
 * The channel handlers behind the real registry, with the real profile store in a temporary
 * directory and the real Vault client over mutual TLS to a loopback server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionProfile } from '../../../shared/profiles/connection-profile';
import type { FileChoicePurpose } from '../../../shared/ipc/ipc-contract';
import { openProfileStore } from '../../services/profiles/profile-store';
import { connectProfile } from '../../services/vault/connect';
import {
  createTestPki,
  json,
  startTestServer,
  type TestPki,
  type TestServer,
} from '../../../test/support/mtls-test-server';
import { AppSession } from '../../services/session/app-session';
import { CeremonySession } from '../../services/session/ceremony-session';
import { createChannelHandlers } from './channel-handlers';
import { createHandlerRegistry, type HandlerRegistry } from './handler-registry';
import { createRehearsalHost } from '../../services/rehearsal/rehearsal-host';
import { builtBundleVerifier } from '../../../test/support/built-programs';

const APP = { url: 'app://vault-ceremony/index.html', isMainFrame: true };

let dir: string;
let pki: TestPki;
let server: TestServer;
let registry: HandlerRegistry;
let files: { ca: string; otherCa: string; cert: string; key: string };
const rehearsal = createRehearsalHost();
const chosen: FileChoicePurpose[] = [];

const health = {
  initialized: true,
  sealed: false,
  standby: false,
  replication_dr_mode: 'secondary',
  replication_performance_mode: 'disabled',
  version: '1.17.3+ent',
  cluster_name: 'dc2',
  not_in_contract: 'dropped',
};
const dr = {
  mode: 'secondary',
  state: 'stream-wals',
  connection_state: 'ready',
  last_remote_wal: 91,
  known_primary_cluster_addrs: ['https://vault-a:8201'],
  primaries: [
    { api_address: 'https://vault-a:8200', connection_status: 'connected', replication_primary_canary_age_ms: 800 },
  ],
};

const invoke = (channel: string, arg: unknown) => registry.invoke(channel, arg, APP);
const profile = (name: string, caCertPath = files.ca): ConnectionProfile => ({
  name,
  address: server.address,
  caCertPath,
  clientCertPath: files.cert,
  clientKeyPath: files.key,
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'channel-handlers-'));
  pki = await createTestPki();
  files = {
    ca: join(dir, 'ca.pem'),
    otherCa: join(dir, 'other-ca.pem'),
    cert: join(dir, 'client.pem'),
    key: join(dir, 'client-key.pem'),
  };
  writeFileSync(files.ca, pki.ca.certPem);
  writeFileSync(files.otherCa, pki.otherCa.certPem);
  writeFileSync(files.cert, pki.client.certPem);
  writeFileSync(files.key, pki.client.keyPem, { mode: 0o600 });
  server = await startTestServer(pki, (request, response) => {
    const path = request.url.split('?')[0];
    if (path === '/v1/sys/health') return json(response, 472, health);
    if (path === '/v1/sys/seal-status') return json(response, 500, { errors: ['internal error'] });
    if (path === '/v1/sys/replication/status')
      return json(response, 200, { request_id: 'r-1', data: { dr, performance: { mode: 'disabled' } } });
    return json(response, 404, { errors: [] });
  });
  registry = createHandlerRegistry(
    createChannelHandlers({
      version: '0.1.0',
      profiles: openProfileStore(join(dir, 'data')),
      env: {
        VAULT_ADDR: server.address,
        VAULT_CACERT: 'ca.pem',
        VAULT_CLIENT_CERT: files.cert,
        VAULT_CLIENT_KEY: files.key,
        VAULT_TOKEN: 'hvs.never-imported-token',
      },
      cwd: dir,
      openFile: async (purpose) => (chosen.push(purpose), purpose === 'client-key' ? null : files.ca),
      openDirectory: async () => null,
      saveFile: async () => null,
      writeClipboard: async () => undefined,
      connect: (p) => connectProfile(p, { timeoutMs: 5_000 }),
      rehearsal,
      session: new AppSession(openProfileStore(join(dir, 'data'))),
      ceremony: new CeremonySession({
        dataDir: join(dir, 'data'),
        profiles: openProfileStore(join(dir, 'data')),
        connect: (p) => connectProfile(p),
        rehearsal,
        now: () => new Date(),
      }),
      bundleVerifier: builtBundleVerifier(),
      now: () => new Date('2026-03-01T12:00:00.000Z'),
    }),
    { allowedOrigins: ['app://vault-ceremony'] },
  );
});

afterAll(async () => {
  await server?.close();
  await rehearsal.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('channel handlers', () => {
  it('start in rehearsal and switch to a saved profile only', async () => {
    expect(await invoke('app.info', {})).toEqual({
      ok: true,
      value: { version: '0.1.0', mode: 'rehearsal', profile: null },
    });
    expect(await invoke('app.selectMode', { mode: 'live', profile: 'dc2' })).toMatchObject({
      ok: false,
      error: { kind: 'no-such-profile' },
    });
    expect(await invoke('app.info', {})).toMatchObject({ ok: true, value: { mode: 'rehearsal' } });
  });

  it('save, list, select and remove profiles, refusing to remove the one in use', async () => {
    expect(await invoke('profiles.list', {})).toEqual({ ok: true, value: { profiles: [] } });
    expect(await invoke('profiles.save', { profile: profile('dc2'), replace: false })).toEqual({
      ok: true,
      value: { profile: profile('dc2') },
    });
    expect(await invoke('profiles.save', { profile: profile('dc2'), replace: false })).toMatchObject({
      ok: false,
      error: { kind: 'profile-exists' },
    });
    expect(
      await invoke('profiles.save', { profile: { ...profile('bad'), address: 'http://vault:8200' }, replace: false }),
    ).toMatchObject({
      ok: false,
      error: { kind: 'bad-argument', message: expect.stringContaining('https://') },
    });
    expect(await invoke('profiles.list', {})).toEqual({ ok: true, value: { profiles: [profile('dc2')] } });

    expect(await invoke('app.selectMode', { mode: 'live', profile: 'dc2' })).toEqual({
      ok: true,
      value: { version: '0.1.0', mode: 'live', profile: 'dc2' },
    });
    expect(await invoke('profiles.remove', { name: 'dc2' })).toMatchObject({
      ok: false,
      error: { kind: 'profile-in-use' },
    });
    await invoke('app.selectMode', { mode: 'rehearsal' });
    expect(await invoke('profiles.remove', { name: 'dc2' })).toEqual({ ok: true, value: { name: 'dc2' } });
    expect(await invoke('profiles.list', {})).toEqual({ ok: true, value: { profiles: [] } });
  });

  it('imports a profile from VAULT_* variables without saving it or taking the token', async () => {
    const imported = await invoke('profiles.importFromEnv', { name: 'from-env' });
    expect(imported).toEqual({
      ok: true,
      value: { profile: { ...profile('from-env'), caCertPath: join(dir, 'ca.pem') } },
    });
    expect(JSON.stringify(imported)).not.toContain('hvs.');
    expect(await invoke('profiles.list', {})).toEqual({ ok: true, value: { profiles: [] } });
  });

  it('tests a connection: the server as it describes itself, or the precise TLS failure', async () => {
    expect(await invoke('profiles.test', { profile: profile('dc2') })).toEqual({
      ok: true,
      value: {
        profile: 'dc2',
        address: server.address,
        health: {
          status: 472,
          initialized: true,
          sealed: false,
          standby: false,
          replication_dr_mode: 'secondary',
          replication_performance_mode: 'disabled',
          version: '1.17.3+ent',
          cluster_name: 'dc2',
        },
      },
    });
    const untrusted = await invoke('profiles.test', { profile: profile('wrong-ca', files.otherCa) });
    expect(untrusted).toMatchObject({ ok: false, error: { kind: 'server-certificate-untrusted' } });
    expect(!untrusted.ok && untrusted.error.message).toContain("'wrong-ca'");
    expect(JSON.stringify(untrusted)).not.toContain('PRIVATE KEY');
    const missing = await invoke('profiles.test', { profile: profile('no-ca', join(dir, 'absent.pem')) });
    expect(missing).toMatchObject({ ok: false, error: { kind: 'file-missing' } });
  });

  it('collects the replication overview, reporting a failing endpoint beside the others', async () => {
    await invoke('profiles.save', { profile: profile('dc2'), replace: true });
    const result = await invoke('replication.status', { target: { kind: 'profile', name: 'dc2' } });
    expect(result).toMatchObject({
      ok: true,
      value: {
        label: 'dc2',
        address: server.address,
        fetchedAt: '2026-03-01T12:00:00.000Z',
        replication: { ok: true, value: { dr, performance: { mode: 'disabled' } } },
        health: { ok: true, value: { status: 472, sealed: false } },
        seal: { ok: false, error: { kind: 'vault-error' } },
      },
    });
    expect(JSON.stringify(result)).not.toContain('not_in_contract');
    expect(await invoke('replication.status', { target: { kind: 'profile', name: 'nope' } })).toMatchObject({
      ok: false,
      error: { kind: 'no-such-profile' },
    });
  });

  it('offers the rehearsal Vault’s clusters in rehearsal and the saved profiles when live', async () => {
    await invoke('profiles.save', { profile: profile('dc2'), replace: true });
    await invoke('app.selectMode', { mode: 'rehearsal' });
    const rehearsalTargets = await invoke('replication.targets', {});
    expect(rehearsalTargets).toMatchObject({
      ok: true,
      value: {
        targets: [
          {
            target: { kind: 'rehearsal', cluster: 'dr-secondary' },
            label: 'Rehearsal DR secondary',
            address: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
          },
          { target: { kind: 'rehearsal', cluster: 'primary' }, label: 'Rehearsal primary' },
        ],
      },
    });
    await invoke('app.selectMode', { mode: 'live', profile: 'dc2' });
    expect(await invoke('replication.targets', {})).toEqual({
      ok: true,
      value: { targets: [{ target: { kind: 'profile', name: 'dc2' }, label: 'dc2', address: server.address }] },
    });
    await invoke('app.selectMode', { mode: 'rehearsal' });
  });

  it('reads the rehearsal Vault over mutual TLS: a DR secondary streaming from its primary', async () => {
    const secondary = await invoke('replication.status', { target: { kind: 'rehearsal', cluster: 'dr-secondary' } });
    expect(secondary).toMatchObject({
      ok: true,
      value: {
        label: 'Rehearsal DR secondary',
        replication: { ok: true, value: { dr: { mode: 'secondary' }, performance: { mode: 'disabled' } } },
        health: { ok: true, value: { status: 472, sealed: false } },
        seal: { ok: true },
      },
    });
    const primary = await invoke('replication.status', { target: { kind: 'rehearsal', cluster: 'primary' } });
    expect(primary).toMatchObject({
      ok: true,
      value: {
        replication: { ok: true, value: { dr: { mode: 'primary' } } },
        health: { ok: true, value: { status: 200 } },
      },
    });
  });

  it('asks the injected file chooser, passing on a cancel as null', async () => {
    expect(await invoke('dialog.openFile', { purpose: 'ca-bundle' })).toEqual({ ok: true, value: { path: files.ca } });
    expect(await invoke('dialog.openFile', { purpose: 'client-key' })).toEqual({ ok: true, value: { path: null } });
    expect(chosen).toEqual(['ca-bundle', 'client-key']);
  });
});
