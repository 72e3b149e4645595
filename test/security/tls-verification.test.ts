// @tier integration
/**
 * Certificate verification cannot be switched off. The source holds no way to skip it (a scan of
 * every shipped module), the environment variables other tools honour do not weaken it, and a
 * refused server is diagnosed from the refused connection itself: exactly one TCP connection,
 * nothing sent, and still the certificate's names and dates in the message.
 *
 * Each failure kind (unknown CA, name mismatch, expired, not yet valid, client certificate
 * refused or missing, TLS 1.1) has its own test over real TLS in electron/services/vault/transport.test.ts
 * and electron/services/vault/tls-diagnosis.test.ts; VAULT_SKIP_VERIFY is refused at profile import in
 * shared/profiles/connection-profile.test.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../support/mtls-test-server';
import { createTransport, type TransportErrorKind } from '../../electron/services/vault/transport';
import type { CertifiedKey } from '../../rehearsal-vault/pki';

const ROOT = join(import.meta.dirname, '../..');
/** Everything that ships: the app's layers, the command and the rehearsal Vault it runs. */
const SHIPPED = ['electron', 'cli', 'shared', 'renderer', 'rehearsal-vault'];

/** Ways Node (and Vault's own conventions) offer to accept a server without verifying it. */
const SKIPS: ReadonlyArray<readonly [RegExp, string]> = [
  [/rejectUnauthorized\s*[:=](?!\s*true\b)/, 'rejectUnauthorized set to anything but true'],
  [/NODE_TLS_REJECT_UNAUTHORIZED/, 'NODE_TLS_REJECT_UNAUTHORIZED'],
  [/checkServerIdentity/, 'a checkServerIdentity override'],
  [/VAULT_SKIP_VERIFY|tls_skip_verify|InsecureSkipVerify|insecure_skip/i, 'a skip-verify setting'],
  [/\binsecure\s*:\s*true|--insecure\b|['"\s]-k['"\s]/, "an insecure flag (curl's -k)"],
  [/setDefaultCACertificates|NODE_EXTRA_CA_CERTS|tls\.rootCertificates/, 'a change to the trusted CAs'],
];
/**
 * The one audited exception: the profile import reads VAULT_SKIP_VERIFY only to refuse it
 * (shared/profiles/connection-profile.test.ts: 'refuses VAULT_SKIP_VERIFY unless it says false').
 */
const ALLOWED = new Map([['shared/profiles/connection-profile.ts', /VAULT_SKIP_VERIFY/]]);

function shippedFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return shippedFiles(path);
    return /\.(ts|tsx|mjs|cjs|js)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('no way to skip certificate verification', () => {
  it('no shipped module holds one (the profile import may only name VAULT_SKIP_VERIFY to refuse it)', () => {
    const files = SHIPPED.flatMap((dir) => shippedFiles(join(ROOT, dir)));
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((file) => {
      const path = relative(ROOT, file);
      return readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          SKIPS.filter(([pattern]) => pattern.test(line) && !ALLOWED.get(path)?.test(line)).map(
            ([, what]) => `${path}:${i + 1}: ${what}`,
          ),
        );
    });
    expect(found).toEqual([]);
  });

  it('the scan would catch each form it looks for', () => {
    const lines = [
      '{ rejectUnauthorized: false }',
      'options.rejectUnauthorized = verify;',
      "process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0'",
      'checkServerIdentity: () => undefined',
      "if (env.VAULT_SKIP_VERIFY === 'true')",
      "execFile('curl', ['-k', url])",
    ];
    for (const line of lines)
      expect(
        SKIPS.some(([pattern]) => pattern.test(line)),
        line,
      ).toBe(true);
    expect(SKIPS.some(([pattern]) => pattern.test('rejectUnauthorized: true,'))).toBe(false);
  });
});

describe('a refused server is diagnosed from the refused connection', () => {
  let pki: TestPki;
  const servers: Server[] = [];

  beforeAll(async () => {
    pki = await createTestPki();
  });
  afterAll(async () => {
    for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
  });

  /** A TLS server that counts TCP connections and requests, and answers none it is not asked to. */
  async function countingServer(
    cert: CertifiedKey,
  ): Promise<{ address: string; connections: () => number; requests: () => number }> {
    let connections = 0;
    let requests = 0;
    const server = createServer(
      { key: cert.keyPem, cert: cert.certPem, ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: true },
      (_, res) => {
        requests++;
        res.end('{}');
      },
    );
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return {
      address: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
      connections: () => connections,
      requests: () => requests,
    };
  }

  const cases: ReadonlyArray<
    readonly [string, (p: TestPki) => CertifiedKey, (p: TestPki) => string, TransportErrorKind, RegExp]
  > = [
    [
      'an unknown CA',
      (p) => p.server,
      (p) => p.otherCa.certPem,
      'server-certificate-untrusted',
      /issued by CN=Test Vault CA/,
    ],
    [
      'an expired certificate',
      (p) => p.serverExpired,
      (p) => p.ca.certPem,
      'server-certificate-expired',
      /expired on 2020-02-01T00:00:00\.000Z/,
    ],
    [
      'a certificate not yet valid',
      (p) => p.serverNotYetValid,
      (p) => p.ca.certPem,
      'server-certificate-not-yet-valid',
      /not valid until \d{4}-/,
    ],
    [
      'a name mismatch',
      (p) => p.serverOtherName,
      (p) => p.ca.certPem,
      'server-name-mismatch',
      /DNS:vault-dr\.internal/,
    ],
  ];

  for (const [what, cert, ca, kind, detail] of cases) {
    it(`${what}: one connection, no request, and the certificate's details in the message`, async () => {
      const server = await countingServer(cert(pki));
      const transport = createTransport({
        profileName: 'dc2',
        address: server.address,
        tls: { ca: ca(pki), cert: pki.client.certPem, key: pki.client.keyPem },
      });
      const result = await transport.request({
        method: 'PUT',
        path: 'sys/replication/dr/secondary/generate-operation-token/update',
        body: { key: 'share', nonce: 'n' },
      });
      transport.close();
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.kind).toBe(kind);
      expect(result.error.message).toMatch(detail);
      // Give a stray second connection (like the diagnostic probe this replaced) time to show up.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(server.connections()).toBe(1);
      expect(server.requests()).toBe(0);
    });
  }

  it('NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment changes nothing', async () => {
    const server = await countingServer(pki.server);
    const before = process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
    process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const transport = createTransport({
        profileName: 'dc2',
        address: server.address,
        tls: { ca: pki.otherCa.certPem, cert: pki.client.certPem, key: pki.client.keyPem },
      });
      const result = await transport.request({ method: 'GET', path: 'sys/health' });
      transport.close();
      expect(!result.ok && result.error.kind).toBe('server-certificate-untrusted');
      expect(server.requests()).toBe(0);
    } finally {
      process.off('warning', onWarning);
      if (before === undefined) delete process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
      else process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = before;
    }
  });
});
