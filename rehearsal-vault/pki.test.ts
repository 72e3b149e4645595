// @tier integration
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueCertificate, type CertifiedKey } from './pki';

let dir: string;
let ca: CertifiedKey;
let server: CertifiedKey;
let client: CertifiedKey;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pki-test-'));
  ca = await createCa({ commonName: 'Rehearsal CA' });
  server = await issueCertificate(ca, {
    commonName: 'vault.test',
    usage: 'server',
    dnsNames: ['vault.test', 'localhost'],
    ipAddresses: ['127.0.0.1', '::1'],
  });
  client = await issueCertificate(ca, { commonName: 'ceremony laptop', usage: 'client' });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function opensslVerify(caPem: string, leafPem: string, purpose: string): { ok: boolean; output: string } {
  try {
    const output = execFileSync(
      'openssl',
      ['verify', '-CAfile', write('ca.pem', caPem), '-purpose', purpose, write('leaf.pem', leafPem)],
      { encoding: 'utf8', stdio: 'pipe' },
    );
    return { ok: true, output };
  } catch (e) {
    return {
      ok: false,
      output: String((e as { stderr?: string; stdout?: string }).stdout) + String((e as { stderr?: string }).stderr),
    };
  }
}

describe('pki', () => {
  it('openssl accepts the server and client chains for their purposes only', () => {
    expect(opensslVerify(ca.certPem, server.certPem, 'sslserver')).toMatchObject({ ok: true });
    expect(opensslVerify(ca.certPem, client.certPem, 'sslclient')).toMatchObject({ ok: true });
    expect(opensslVerify(ca.certPem, client.certPem, 'sslserver').ok).toBe(false);
    expect(opensslVerify(ca.certPem, server.certPem, 'sslclient').ok).toBe(false);
  });

  it('openssl rejects a leaf against another CA', async () => {
    const other = await createCa({ commonName: 'Other CA' });
    const result = opensslVerify(other.certPem, server.certPem, 'sslserver');
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/unable to get local issuer certificate/);
  });

  it('writes the extensions Vault, curl and browsers expect', () => {
    const caCert = new X509Certificate(ca.certPem);
    const leaf = new X509Certificate(server.certPem);
    expect(caCert.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(caCert)).toBe(true);
    expect(leaf.verify(caCert.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toBe('DNS:vault.test, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(new X509Certificate(client.certPem).keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    const text = execFileSync('openssl', ['x509', '-noout', '-text', '-in', write('leaf.pem', server.certPem)], {
      encoding: 'utf8',
    });
    expect(text).toMatch(/Digital Signature/);
    expect(text).toMatch(/X509v3 Subject Key Identifier/);
    expect(text).toMatch(/X509v3 Authority Key Identifier/);
    expect(text).toMatch(/ecdsa-with-SHA256/);
    expect(text).toMatch(/prime256v1/);
  });

  it('uses a fresh random serial per certificate', async () => {
    const again = await issueCertificate(ca, { commonName: 'vault.test', usage: 'server', dnsNames: ['vault.test'] });
    const serials = new Set([ca, server, client, again].map((c) => c.cert.serialNumber));
    expect(serials.size).toBe(4);
    for (const s of serials) expect(s.length).toBeGreaterThanOrEqual(30);
  });

  it('exports a PKCS#8 key that matches its certificate', () => {
    expect(server.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const key = createPrivateKey(server.keyPem);
    expect(new X509Certificate(server.certPem).checkPrivateKey(key)).toBe(true);
    expect(new X509Certificate(client.certPem).checkPrivateKey(key)).toBe(false);
  });

  it('defaults to a validity that covers now, and honours explicit dates', async () => {
    const leaf = new X509Certificate(server.certPem);
    expect(new Date(leaf.validFrom).getTime()).toBeLessThan(Date.now() - 60_000);
    expect(new Date(leaf.validTo).getTime()).toBeGreaterThan(Date.now() + 7 * 24 * 3600_000);
    const notBefore = new Date('2020-01-01T00:00:00Z');
    const notAfter = new Date('2020-02-01T00:00:00Z');
    const old = await issueCertificate(ca, { commonName: 'old', usage: 'client', notBefore, notAfter });
    expect(old.cert.notBefore.getTime()).toBe(notBefore.getTime());
    expect(old.cert.notAfter.getTime()).toBe(notAfter.getTime());
  });

  it('refuses a server certificate without names and bad IP addresses', async () => {
    await expect(issueCertificate(ca, { commonName: 'nameless', usage: 'server' })).rejects.toThrow(
      /dnsNames or ipAddresses/,
    );
    await expect(
      issueCertificate(ca, { commonName: 'x', usage: 'server', ipAddresses: ['localhost'] }),
    ).rejects.toThrow(/not an IP address/);
  });

  it('escapes the common name so it cannot add attributes', async () => {
    const leaf = await issueCertificate(ca, { commonName: 'a,O=Evil', usage: 'client' });
    // One attribute whose value holds the comma (Node prints one attribute per line).
    expect(new X509Certificate(leaf.certPem).subject).toBe('CN=a\\,O=Evil');
  });

  it('node:tls completes a mutual-TLS handshake with the chain and refuses a stranger', async () => {
    const srv = tls.createServer(
      { key: server.keyPem, cert: server.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true },
      (s) => {
        s.end(`hello ${String(s.getPeerCertificate().subject.CN)}`);
      },
    );
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const { port } = srv.address() as AddressInfo;
    try {
      const greeting = await new Promise<string>((resolve, reject) => {
        const socket = tls.connect(
          {
            host: '127.0.0.1',
            port,
            ca: ca.certPem,
            cert: client.certPem,
            key: client.keyPem,
            rejectUnauthorized: true,
          },
          () => {
            expect(socket.authorized).toBe(true);
          },
        );
        let data = '';
        socket.setEncoding('utf8');
        socket.on('data', (d: string) => (data += d));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
      expect(greeting).toBe('hello ceremony laptop');

      const other = await createCa({ commonName: 'Other CA' });
      const verdict = await new Promise<string>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port, ca: other.certPem, rejectUnauthorized: true });
        socket.on('secureConnect', () => resolve('connected'));
        socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
      // The server sends its CA too (it is in its trust store), so OpenSSL sees a foreign root.
      expect(verdict).toMatch(/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)$/);
    } finally {
      srv.close();
    }
  });
});
