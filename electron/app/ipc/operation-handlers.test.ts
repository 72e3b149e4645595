// @tier integration
/**
 * `operations.run` through the real registry against the in-process rehearsal Vault over mutual
 * TLS: the main process refuses an unconfirmed destructive operation and the wrong kind of
 * authorisation before anything reaches Vault, shows Vault's answer with its secrets replaced,
 * and hands back a secondary activation token once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArgIn } from '../../../shared/ipc/ipc-contract';
import { openProfileStore } from '../../services/profiles/profile-store';
import { connectProfile } from '../../services/vault/connect';
import { AppSession } from '../../services/session/app-session';
import { CeremonySession } from '../../services/session/ceremony-session';
import { createChannelHandlers } from './channel-handlers';
import { createHandlerRegistry, type HandlerRegistry } from './handler-registry';
import { createRehearsalHost } from '../../services/rehearsal/rehearsal-host';

const APP = { url: 'app://vault-ceremony/index.html', isMainFrame: true };
const PRIMARY = { kind: 'rehearsal', cluster: 'primary' } as const;
const SECONDARY = { kind: 'rehearsal', cluster: 'dr-secondary' } as const;
const ROOT = { kind: 'rehearsal-root-token' } as const;

let dir: string;
let registry: HandlerRegistry;
const rehearsal = createRehearsalHost();

const run = (arg: ArgIn<'operations.run'>) => registry.invoke('operations.run', arg, APP);
const drMode = async (cluster: 'primary' | 'dr-secondary') => {
  const status = await registry.invoke('replication.status', { target: { kind: 'rehearsal', cluster } }, APP);
  const value = status.ok
    ? (status.value as { replication: { ok: boolean; value?: { dr: { mode: string; known_secondaries?: string[] } } } })
    : undefined;
  return value?.replication.value?.dr;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'operation-handlers-'));
  registry = createHandlerRegistry(
    createChannelHandlers({
      version: 'test',
      profiles: openProfileStore(join(dir, 'data')),
      env: {},
      cwd: dir,
      openFile: async () => null,
      openDirectory: async () => null,
      connect: (profile, options) => connectProfile(profile, { ...options, timeoutMs: 5_000 }),
      rehearsal,
      session: new AppSession(openProfileStore(join(dir, 'data'))),
      ceremony: new CeremonySession({
        dataDir: join(dir, 'data'),
        profiles: openProfileStore(join(dir, 'data')),
        connect: (p) => connectProfile(p),
        rehearsal,
        now: () => new Date(),
      }),
    }),
    { allowedOrigins: ['app://vault-ceremony'] },
  );
});

afterAll(async () => {
  await rehearsal.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('operations.run', () => {
  it('creates a secondary activation token, handed back once, with Vault’s answer redacted', async () => {
    const result = await run({
      target: PRIMARY,
      request: { operation: 'secondary-token', replication: 'dr', id: 'dc3', ttl: '30m' },
      auth: ROOT,
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const outcome = result.value as {
      activationToken: { id: string; token: string; wrapped: boolean; ttlSeconds: number };
      data: unknown;
      path: string;
      status: number;
    };
    expect(outcome.activationToken).toMatchObject({ id: 'dc3', wrapped: true, ttlSeconds: 1800 });
    expect(outcome.activationToken.token.length).toBeGreaterThan(20);
    expect(outcome.path).toBe('sys/replication/dr/primary/secondary-token');
    expect(outcome.status).toBe(200);
    // The answer shown beside it carries only a marker where the token was.
    expect(JSON.stringify(outcome.data)).not.toContain(outcome.activationToken.token);
    expect(JSON.stringify(outcome.data)).toContain('redacted');
    expect((await drMode('primary'))?.known_secondaries).toContain('dc3');
  });

  it('refuses a destructive operation that is not confirmed with the cluster’s name, sending nothing', async () => {
    const revoke = {
      target: PRIMARY,
      request: { operation: 'revoke-secondary', replication: 'dr', id: 'dc3' },
      auth: ROOT,
    } as const;
    for (const confirmation of [undefined, '', 'primary', 'rehearsal dr-secondary']) {
      const refused = await run({ ...revoke, ...(confirmation === undefined ? {} : { confirmation }) });
      expect(refused).toMatchObject({
        ok: false,
        error: { kind: 'not-confirmed', message: expect.stringContaining("type 'rehearsal primary'") },
      });
    }
    expect((await drMode('primary'))?.known_secondaries).toContain('dc3');

    const revoked = await run({ ...revoke, confirmation: 'rehearsal primary' });
    expect(revoked).toMatchObject({
      ok: true,
      value: { operation: 'revoke-secondary', status: expect.any(Number), activationToken: null },
    });
    expect((await drMode('primary'))?.known_secondaries ?? []).not.toContain('dc3');
  });

  it('refuses the wrong kind of authorisation before connecting', async () => {
    const drOnly = await run({
      target: SECONDARY,
      request: { operation: 'disable-secondary', replication: 'dr' },
      auth: ROOT,
      confirmation: 'rehearsal dr-secondary',
    });
    expect(drOnly).toMatchObject({
      ok: false,
      error: { kind: 'wrong-authorisation', message: expect.stringContaining('DR operation token') },
    });
    const vaultToken = await run({
      target: SECONDARY,
      request: {
        operation: 'update-primary',
        replication: 'dr',
        using: { method: 'addrs', updatePrimaryAddrs: ['https://127.0.0.1:8201'] },
      },
      auth: { kind: 'vault-token', token: 'hvs.abcdefghijklmnopqrstuvwx' },
      confirmation: 'rehearsal dr-secondary',
    });
    expect(vaultToken).toMatchObject({ ok: false, error: { kind: 'wrong-authorisation' } });
    const rootOnLive = await run({
      target: { kind: 'profile', name: 'dc2' },
      request: { operation: 'demote', replication: 'dr' },
      auth: ROOT,
      confirmation: 'dc2',
    });
    expect(rootOnLive).toMatchObject({
      ok: false,
      error: { kind: 'wrong-authorisation', message: expect.stringContaining('only in rehearsal') },
    });
    expect((await drMode('dr-secondary'))?.mode).toBe('secondary');
  });

  it("shows Vault's refusal, with the token it was sent never quoted", async () => {
    const token = 'hvs.NotARealTokenButWellFormed';
    const refused = await run({
      target: PRIMARY,
      request: { operation: 'secondary-token', replication: 'dr', id: 'dc4', ttl: '30m' },
      auth: { kind: 'vault-token', token },
    });
    expect(refused).toMatchObject({
      ok: false,
      error: { kind: 'vault-error', message: expect.stringContaining('permission denied') },
    });
    expect(JSON.stringify(refused)).not.toContain(token);
    const badDrToken = await run({
      target: SECONDARY,
      request: { operation: 'disable-secondary', replication: 'dr' },
      auth: { kind: 'dr-operation-token', token: 'hvs.abcdefghijklmnopqrstuvwx' },
      confirmation: 'rehearsal dr-secondary',
    });
    expect(badDrToken).toMatchObject({ ok: false, error: { kind: 'vault-error' } });
    expect(JSON.stringify(badDrToken)).not.toContain('hvs.abcdefghijklmnopqrstuvwx');
    expect((await drMode('dr-secondary'))?.mode).toBe('secondary');
  });

  it('refuses malformed requests at the contract, naming the field', async () => {
    const badId = await run({
      target: PRIMARY,
      request: { operation: 'secondary-token', replication: 'dr', id: 'https://dc3', ttl: '30m' },
      auth: ROOT,
    });
    expect(badId).toMatchObject({
      ok: false,
      error: { kind: 'bad-argument', message: expect.stringContaining('request.id: the secondary id must be') },
    });
    const extra = await registry.invoke(
      'operations.run',
      {
        target: PRIMARY,
        request: { operation: 'demote', replication: 'dr', force: true },
        auth: ROOT,
        confirmation: 'rehearsal primary',
      },
      APP,
    );
    expect(extra).toMatchObject({ ok: false, error: { kind: 'bad-argument' } });
    expect((await drMode('primary'))?.mode).toBe('primary');
  });

  it('demotes the primary once confirmed, and reports what Vault said', async () => {
    const demoted = await run({
      target: PRIMARY,
      request: { operation: 'demote', replication: 'dr' },
      auth: ROOT,
      confirmation: ' rehearsal primary ',
    });
    expect(demoted).toMatchObject({
      ok: true,
      value: { operation: 'demote', label: 'Rehearsal primary', path: 'sys/replication/dr/primary/demote' },
    });
    expect((await drMode('primary'))?.mode).toBe('secondary');
  });
});
