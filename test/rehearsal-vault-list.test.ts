// @tier integration
/**
 * Listing as Vault does it (http/logical.go buildLogicalRequest), over mutual TLS against the real
 * rehearsal Vault: `?list=` read by Go's strconv.ParseBool (any other value a bare 400), and the
 * LIST verb `curl -X LIST` sends, which Node's own HTTP parser does not know.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRehearsalVault, type RehearsalVault } from '../rehearsal-vault/rehearsal-cluster-set';
import { vaultRequest } from './support/mtls-client';

let vault: RehearsalVault;
let call: (method: string, path: string) => ReturnType<typeof vaultRequest>;

beforeAll(async () => {
  const started = await startRehearsalVault({ officers: 2, threshold: 2 });
  if (!started.ok) throw new Error(started.error.message);
  vault = started.value;
  const id = { caPem: vault.caPem, certPem: vault.clientCertPem, keyPem: vault.clientKeyPem };
  const token = vault.rootToken;
  const written = await vaultRequest(id, vault.primary.apiAddr, 'PUT', 'secret/app/a', { token, body: { v: '1' } });
  expect(written.status).toBe(204);
  call = (method, path) => vaultRequest(id, vault.primary.apiAddr, method, path, { token });
});
afterAll(() => vault?.close());

describe('?list=', () => {
  it.each(['1', 't', 'T', 'TRUE', 'true', 'True'])('list=%s lists', async (value) => {
    const r = await call('GET', `secret/app?list=${value}`);
    expect(r.status).toBe(200);
    expect(r.json.data).toEqual({ keys: ['a'] });
  });

  it.each(['0', 'f', 'F', 'FALSE', 'false', 'False', ''])('list=%s reads', async (value) => {
    const r = await call('GET', `secret/app/a?list=${value}`);
    expect(r.status).toBe(200);
    expect(r.json.data).toEqual({ v: '1' });
  });

  it.each(['yes', 'on', 'tRUE', '2', ' true'])(
    'list=%s is a bare 400, as strconv.ParseBool refuses it',
    async (value) => {
      const r = await call('GET', `secret/app?list=${encodeURIComponent(value)}`);
      expect(r.status).toBe(400);
      expect(r.json).toEqual({ errors: [] });
    },
  );
});

describe('the LIST verb', () => {
  it('lists, as GET ?list=true does', async () => {
    const r = await call('LIST', 'secret/app');
    expect(r.status).toBe(200);
    expect(r.json.data).toEqual({ keys: ['a'] });
    const none = await call('LIST', 'secret/nothing');
    expect([none.status, none.json]).toEqual([404, { errors: [] }]);
  });

  it('answers a method Vault does not know with 405, as Go takes any method', async () => {
    const r = await call('FROBNICATE', 'secret/app');
    expect([r.status, r.json]).toEqual([405, { errors: [] }]);
  });

  it('keeps answering afterwards', async () => {
    await call('LIST', 'secret/app');
    expect((await call('GET', 'secret/app/a')).status).toBe(200);
  });
});
