import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionProfile } from '../../../shared/profiles/connection-profile';
import { openProfileStore } from './profile-store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'profile-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const profile = (name: string, address = 'https://vault-dr.example.com:8200'): ConnectionProfile => ({
  name,
  address,
  caCertPath: '/etc/vault/ca.pem',
  clientCertPath: '/etc/vault/client.pem',
  clientKeyPath: '/etc/vault/client-key.pem',
});

describe('profile store', () => {
  it('starts empty, then saves, lists, finds and removes profiles across instances', async () => {
    const dataDir = join(dir, 'data');
    const store = openProfileStore(dataDir);
    expect(await store.list()).toEqual({ ok: true, value: [] });
    expect(await store.save(profile('dc2'), { replace: false })).toEqual({ ok: true, value: profile('dc2') });
    expect(await store.save(profile('dc3'), { replace: false })).toMatchObject({ ok: true });

    const reopened = openProfileStore(dataDir);
    expect(await reopened.list()).toEqual({ ok: true, value: [profile('dc2'), profile('dc3')] });
    expect(await reopened.get('dc3')).toEqual({ ok: true, value: profile('dc3') });
    expect(await reopened.get('dc9')).toMatchObject({ ok: false, error: { kind: 'no-such-profile' } });
    expect(await reopened.remove('dc2')).toEqual({ ok: true, value: undefined });
    expect(await reopened.remove('dc2')).toMatchObject({ ok: false, error: { kind: 'no-such-profile' } });
    expect(await openProfileStore(dataDir).list()).toEqual({ ok: true, value: [profile('dc3')] });
  });

  it('replaces a profile of the same name only when asked to', async () => {
    const store = openProfileStore(dir);
    await store.save(profile('dc2'), { replace: false });
    const clash = await store.save(profile('dc2', 'https://other.example.com'), { replace: false });
    expect(clash).toMatchObject({ ok: false, error: { kind: 'profile-exists' } });
    expect(!clash.ok && clash.error.message).toContain("'dc2'");
    expect(await store.get('dc2')).toEqual({ ok: true, value: profile('dc2') });
    await store.save(profile('dc2', 'https://other.example.com'), { replace: true });
    expect(await store.list()).toEqual({ ok: true, value: [profile('dc2', 'https://other.example.com')] });
  });

  it('writes only the schema’s fields, readable by the owner alone, leaving no temporary files', async () => {
    const store = openProfileStore(dir);
    const withExtra = { ...profile('dc2'), token: 'hvs.secret' } as ConnectionProfile;
    expect(await store.save(withExtra, { replace: false })).toMatchObject({
      ok: false,
      error: { kind: 'invalid-profile' },
    });
    await store.save(profile('dc2'), { replace: false });
    const text = readFileSync(store.path, 'utf8');
    expect(JSON.parse(text)).toEqual({ version: 1, profiles: [profile('dc2')] });
    expect(text).not.toContain('hvs.');
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['profiles.json']);
  });

  it('reports a damaged file, changes nothing and refuses to overwrite it', async () => {
    const store = openProfileStore(dir);
    for (const content of [
      '{not json',
      '{"version":2,"profiles":[]}',
      JSON.stringify({ version: 1, profiles: [{ name: 'x' }] }),
    ]) {
      writeFileSync(store.path, content);
      const listed = await store.list();
      expect(listed).toMatchObject({ ok: false, error: { kind: 'store-damaged' } });
      expect(!listed.ok && listed.error.message).toContain(store.path);
      expect(await store.save(profile('dc2'), { replace: true })).toMatchObject({
        ok: false,
        error: { kind: 'store-damaged' },
      });
      expect(await store.remove('x')).toMatchObject({ ok: false, error: { kind: 'store-damaged' } });
      expect(readFileSync(store.path, 'utf8')).toBe(content);
    }
    writeFileSync(store.path, JSON.stringify({ version: 1, profiles: [profile('a'), profile('a')] }));
    expect(await store.list()).toMatchObject({
      ok: false,
      error: { kind: 'store-damaged', message: expect.stringContaining('share a name') },
    });
  });

  it('says so when the data directory cannot be read or written, and keeps nothing half-written', async () => {
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, '');
    const underFile = openProfileStore(blocker);
    expect(await underFile.list()).toMatchObject({ ok: false, error: { kind: 'store-unreadable' } });
    expect(await underFile.save(profile('dc2'), { replace: false })).toMatchObject({
      ok: false,
      error: { kind: 'store-unreadable' },
    });
    expect(await readdir(dir)).toEqual(['not-a-dir']);
    // Nothing can be created in /sys, not even by root, so the write itself fails there.
    const unwritable = openProfileStore('/sys/vault-ceremony-profile-store-test');
    const saved = await unwritable.save(profile('dc2'), { replace: false });
    expect(saved).toMatchObject({ ok: false, error: { kind: 'store-unwritable' } });
    expect(!saved.ok && saved.error.message).toContain('Nothing was changed');
  });

  it('applies concurrent changes one after another, losing none', async () => {
    const store = openProfileStore(dir);
    const names = Array.from({ length: 12 }, (_, i) => `p${i}`);
    const results = await Promise.all(names.map((name) => store.save(profile(name), { replace: false })));
    expect(results.every((r) => r.ok)).toBe(true);
    const listed = await store.list();
    expect(listed.ok && listed.value.map((p) => p.name).sort()).toEqual([...names].sort());
  });
});
