// @tier integration
import { createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionProfile } from '../../../shared/profiles/connection-profile';
import { issueCertificate } from '../../../rehearsal-vault/pki';
import { connectProfile } from './connect';
import { createTestPki, json, startTestServer, type TestPki } from '../../../test/support/mtls-test-server';
import { loadTlsMaterial } from './tls-material';

let pki: TestPki;
let dir: string;

beforeAll(async () => {
  pki = await createTestPki();
  dir = mkdtempSync(join(tmpdir(), 'tls-material-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function file(text: string | Buffer): string {
  const path = join(dir, `f${counter++}.pem`);
  writeFileSync(path, text);
  return path;
}

function profile(overrides: Partial<ConnectionProfile> = {}): ConnectionProfile {
  return {
    name: 'dc2',
    address: 'https://127.0.0.1:8200',
    caCertPath: file(pki.ca.certPem + pki.otherCa.certPem),
    clientCertPath: file(pki.client.certPem),
    clientKeyPath: file(pki.client.keyPem),
    ...overrides,
  };
}

async function failure(p: ConnectionProfile) {
  const result = await loadTlsMaterial(p);
  if (result.ok) throw new Error('expected a failure');
  return result.error;
}

describe('loadTlsMaterial', () => {
  it('loads a CA bundle of several certificates, the client certificate and its key', async () => {
    const result = await loadTlsMaterial(profile({ tlsServerName: 'vault.test' }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.ca).toHaveLength(2);
    expect(result.value.cert).toBe(pki.client.certPem.trim());
    expect(Buffer.from(result.value.key).toString()).toBe(pki.client.keyPem);
    expect(result.value.serverName).toBe('vault.test');
  });

  it('reports a missing file by role and path', async () => {
    const p = profile({ caCertPath: join(dir, 'nope.pem') });
    expect(await failure(p)).toMatchObject({
      kind: 'file-missing',
      message: `The CA certificate ${p.caCertPath} (profile 'dc2') does not exist. Check the path in the profile.`,
    });
  });

  it('reports a directory as unreadable', async () => {
    const sub = join(dir, 'a-directory');
    mkdirSync(sub);
    expect(await failure(profile({ clientKeyPath: sub }))).toMatchObject({
      kind: 'file-unreadable',
      message: expect.stringMatching(/client key .* is not a regular file/),
    });
  });

  it('reports text that is not PEM, and swapped certificate and key paths', async () => {
    expect(await failure(profile({ caCertPath: file('hello') }))).toMatchObject({
      kind: 'not-pem',
      message: expect.stringMatching(/CA certificate .* holds no PEM certificate/),
    });
    const swapped = await failure(profile({ clientCertPath: file(pki.client.keyPem) }));
    expect(swapped).toMatchObject({
      kind: 'not-pem',
      message: expect.stringMatching(/swap the certificate and key paths/),
    });
    const swappedKey = await failure(profile({ clientKeyPath: file(pki.client.certPem) }));
    expect(swappedKey).toMatchObject({
      kind: 'not-pem',
      message: expect.stringMatching(/client key .* holds a certificate/),
    });
  });

  it('reports a damaged certificate', async () => {
    const damaged = pki.ca.certPem.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    expect(await failure(profile({ caCertPath: file(damaged) }))).toMatchObject({
      kind: 'certificate-invalid',
      message: expect.stringMatching(/Certificate 1 in the CA certificate/),
    });
  });

  it('reports a key that does not belong to the certificate, without showing the key', async () => {
    const error = await failure(profile({ clientKeyPath: file(pki.foreignClient.keyPem) }));
    expect(error.kind).toBe('key-mismatch');
    expect(error.message).not.toContain('PRIVATE KEY');
  });

  it('reports an encrypted key', async () => {
    const encrypted = createPrivateKey(pki.client.keyPem).export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'pw',
    });
    expect(await failure(profile({ clientKeyPath: file(encrypted) }))).toMatchObject({ kind: 'key-encrypted' });
  });

  it('reports a damaged key', async () => {
    const damaged = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
    expect(await failure(profile({ clientKeyPath: file(damaged) }))).toMatchObject({ kind: 'key-invalid' });
  });

  it('refuses an expired client certificate, showing the dates', async () => {
    const old = await issueCertificate(pki.ca, {
      commonName: 'old laptop',
      usage: 'client',
      notBefore: new Date('2020-01-01Z'),
      notAfter: new Date('2021-01-01Z'),
    });
    const error = await failure(profile({ clientCertPath: file(old.certPem), clientKeyPath: file(old.keyPem) }));
    expect(error.kind).toBe('client-certificate-expired');
    expect(error.message).toContain('expired on 2021-01-01T00:00:00.000Z');
  });

  it('refuses a server certificate used as the client certificate', async () => {
    const error = await failure(
      profile({ clientCertPath: file(pki.server.certPem), clientKeyPath: file(pki.server.keyPem) }),
    );
    expect(error).toMatchObject({ kind: 'not-client-certificate', message: expect.stringMatching(/lacks clientAuth/) });
  });

  it('refuses a file too large to be PEM', async () => {
    expect(await failure(profile({ caCertPath: file(Buffer.alloc(2 * 1024 * 1024, 65)) }))).toMatchObject({
      kind: 'not-pem',
      message: expect.stringMatching(/too large/),
    });
  });
});

describe('connectProfile', () => {
  it('connects with the loaded files (the key buffer is wiped after the TLS context exists)', async () => {
    const server = await startTestServer(pki, (_, res) =>
      json(res, 200, { type: 'shamir', initialized: true, sealed: false, t: 1, n: 1, progress: 0 }),
    );
    try {
      const connected = await connectProfile(profile({ address: server.address }), { token: 'hvs.x' });
      expect(connected.ok).toBe(true);
      if (!connected.ok) return;
      const first = await connected.value.sealStatus();
      const second = await connected.value.sealStatus();
      connected.value.close();
      expect(first.ok && second.ok).toBe(true);
      expect(server.requests.map((r) => r.clientCn)).toEqual(['ceremony laptop', 'ceremony laptop']);
      expect(server.requests[0]!.headers['x-vault-token']).toBe('hvs.x');
    } finally {
      await server.close();
    }
  });

  it('returns the file error instead of a client', async () => {
    const result = await connectProfile(profile({ clientKeyPath: join(dir, 'missing-key.pem') }));
    expect(!result.ok && result.error.kind).toBe('file-missing');
  });
});
