/**
 * Test support: a real HTTPS server on 127.0.0.1 that demands client certificates, and the
 * certificates (from pki.ts) for every way a connection can be wrong. Used by the vault
 * client tests; the rehearsal Vault is the faithful server, this one only answers what a
 * test tells it to.
 */
import { createServer, type ServerOptions } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createCa, issueCertificate, type CertifiedKey } from '../../rehearsal-vault/pki';

export interface TestPki {
  readonly ca: CertifiedKey;
  readonly otherCa: CertifiedKey;
  /** For 127.0.0.1, localhost and vault.test. */
  readonly server: CertifiedKey;
  /** Only for vault-dr.internal. */
  readonly serverOtherName: CertifiedKey;
  readonly serverExpired: CertifiedKey;
  readonly serverNotYetValid: CertifiedKey;
  readonly client: CertifiedKey;
  /** A client certificate from otherCa, which the server does not trust. */
  readonly foreignClient: CertifiedKey;
}

export async function createTestPki(): Promise<TestPki> {
  const ca = await createCa({ commonName: 'Test Vault CA' });
  const otherCa = await createCa({ commonName: 'Unrelated CA' });
  const names = { dnsNames: ['localhost', 'vault.test'], ipAddresses: ['127.0.0.1'] };
  return {
    ca,
    otherCa,
    server: await issueCertificate(ca, { commonName: 'vault.test', usage: 'server', ...names }),
    serverOtherName: await issueCertificate(ca, {
      commonName: 'vault-dr.internal',
      usage: 'server',
      dnsNames: ['vault-dr.internal'],
    }),
    serverExpired: await issueCertificate(ca, {
      commonName: 'vault.test',
      usage: 'server',
      ...names,
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2020-02-01T00:00:00Z'),
    }),
    serverNotYetValid: await issueCertificate(ca, {
      commonName: 'vault.test',
      usage: 'server',
      ...names,
      notBefore: new Date(Date.now() + 10 * 24 * 3600_000),
      notAfter: new Date(Date.now() + 40 * 24 * 3600_000),
    }),
    client: await issueCertificate(ca, { commonName: 'ceremony laptop', usage: 'client' }),
    foreignClient: await issueCertificate(otherCa, { commonName: 'stranger', usage: 'client' }),
  };
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** Common name of the client certificate the server verified. */
  readonly clientCn: string | undefined;
}

export type Handler = (request: RecordedRequest, response: ServerResponse) => void;

export interface TestServer {
  readonly address: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Answers JSON with the status given, as Vault does. */
export function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

export async function startTestServer(
  pki: TestPki,
  handler: Handler,
  options: { cert?: CertifiedKey; tls?: ServerOptions } = {},
): Promise<TestServer> {
  const cert = options.cert ?? pki.server;
  const requests: RecordedRequest[] = [];
  const server = createServer(
    {
      key: cert.keyPem,
      cert: cert.certPem,
      ca: pki.ca.certPem,
      requestCert: true,
      rejectUnauthorized: true,
      ...options.tls,
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          clientCn: typeof peer?.subject?.CN === 'string' ? peer.subject.CN : undefined,
        };
        requests.push(recorded);
        handler(recorded, res);
      });
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `https://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
