// @tier integration
import { createServer as createHttpServer } from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import {
  connect as connectTcp,
  createServer as createNetServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { tmpdir } from 'node:os';
import { createServer as createTlsServer } from 'node:tls';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../shared/result';
import type { CertifiedKey } from '../../../rehearsal-vault/pki';
import {
  createTestPki,
  json,
  startTestServer,
  type Handler,
  type TestPki,
  type TestServer,
} from '../../../test/support/mtls-test-server';
import {
  createTransport,
  type Transport,
  type TransportErrorKind,
  type TransportOptions,
  type TransportResponse,
} from './transport';

let pki: TestPki;
const cleanup: Array<() => unknown> = [];

beforeAll(async () => {
  pki = await createTestPki();
});

afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

function transport(
  address: string,
  overrides: Partial<TransportOptions> & { client?: CertifiedKey; caPem?: string; serverName?: string } = {},
): Transport {
  const client = overrides.client ?? pki.client;
  const t = createTransport({
    profileName: 'dc2',
    address,
    tls: {
      ca: overrides.caPem ?? pki.ca.certPem,
      cert: client.certPem,
      key: client.keyPem,
      ...(overrides.serverName ? { serverName: overrides.serverName } : {}),
    },
    ...(overrides.timeoutMs === undefined ? {} : { timeoutMs: overrides.timeoutMs }),
    ...(overrides.maxResponseBytes === undefined ? {} : { maxResponseBytes: overrides.maxResponseBytes }),
  });
  cleanup.push(() => t.close());
  return t;
}

async function serve(handler: Handler, options?: Parameters<typeof startTestServer>[2]): Promise<TestServer> {
  const server = await startTestServer(pki, handler, options);
  cleanup.push(() => server.close());
  return server;
}

const healthy: Handler = (_, res) => json(res, 200, { initialized: true });

/** `openssl s_server`, which (like Vault's Go listener) sends a TLS alert when it refuses a client certificate. */
async function opensslServer(versionFlag: string): Promise<{ address: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sserver-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of [
    ['cert.pem', pki.server.certPem],
    ['key.pem', pki.server.keyPem],
    ['ca.pem', pki.ca.certPem],
  ])
    writeFileSync(join(dir, name!), text!);
  const free = createNetServer();
  await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
  const { port } = free.address() as AddressInfo;
  await new Promise<void>((resolve) => free.close(() => resolve()));
  const child = spawn(
    'openssl',
    [
      's_server',
      '-quiet',
      '-www',
      '-accept',
      `127.0.0.1:${port}`,
      '-cert',
      'cert.pem',
      '-key',
      'key.pem',
      '-CAfile',
      'ca.pem',
      '-Verify',
      '1',
      '-verify_return_error',
      versionFlag,
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  cleanup.push(() => child.kill());
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) =>
      connectTcp(port, '127.0.0.1')
        .once('connect', function (this: Socket) {
          this.destroy();
          resolve(true);
        })
        .once('error', () => resolve(false)),
    );
    if (up) return { address: `https://127.0.0.1:${port}` };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('openssl s_server did not start');
}

function failure(result: Result<TransportResponse, TransportErrorKind>) {
  expect(result.ok, 'expected a failure').toBe(false);
  if (result.ok) throw new Error('unreachable');
  return result.error;
}

describe('transport over mutual TLS', () => {
  it('completes a request with a good profile, presenting the client certificate', async () => {
    const server = await serve(healthy);
    const result = await transport(server.address).request({
      method: 'GET',
      path: 'sys/health',
      query: { standbyok: 'true' },
    });
    expect(result).toMatchObject({ ok: true, value: { status: 200, body: { initialized: true } } });
    expect(server.requests[0]).toMatchObject({
      method: 'GET',
      url: '/v1/sys/health?standbyok=true',
      clientCn: 'ceremony laptop',
    });
  });

  it('keeps the address path prefix and sends JSON bodies', async () => {
    const server = await serve((_, res) => json(res, 200, {}));
    await transport(`${server.address}/vault-dr`).request({ method: 'PUT', path: 'sys/x', body: { a: 1 } });
    expect(server.requests[0]).toMatchObject({ url: '/vault-dr/v1/sys/x', body: '{"a":1}' });
    expect(server.requests[0]!.headers['content-type']).toBe('application/json');
  });

  it('names an unknown CA, with the issuer it saw and the CA it trusts', async () => {
    const server = await serve(healthy);
    const error = failure(
      await transport(server.address, { caPem: pki.otherCa.certPem }).request({ method: 'GET', path: 'sys/health' }),
    );
    expect(error.kind).toBe('server-certificate-untrusted');
    expect(error.message).toContain("not signed by the CA in profile 'dc2'");
    expect(error.message).toContain('issued by CN=Test Vault CA');
    expect(error.message).toContain("the profile trusts 'CN=Unrelated CA'");
    expect(server.requests).toHaveLength(0);
  });

  it('names a host name mismatch with the certificate names, and the TLS server name fixes it', async () => {
    const server = await serve(healthy, { cert: pki.serverOtherName });
    const error = failure(await transport(server.address).request({ method: 'GET', path: 'sys/health' }));
    expect(error.kind).toBe('server-name-mismatch');
    expect(error.message).toContain('DNS:vault-dr.internal');
    expect(error.message).toContain("does not include '127.0.0.1'");
    expect(error.message).toMatch(/TLS server name \(VAULT_TLS_SERVER_NAME\)/);
    expect(server.requests).toHaveLength(0);

    const fixed = await transport(server.address, { serverName: 'vault-dr.internal' }).request({
      method: 'GET',
      path: 'sys/health',
    });
    expect(fixed.ok).toBe(true);
  });

  it('reports an expired server certificate with its date and the local clock', async () => {
    const server = await serve(healthy, { cert: pki.serverExpired });
    const error = failure(await transport(server.address).request({ method: 'GET', path: 'sys/health' }));
    expect(error.kind).toBe('server-certificate-expired');
    expect(error.message).toContain('expired on 2020-02-01T00:00:00.000Z');
    expect(error.message).toMatch(/clock says \d{4}-/);
  });

  it('reports a server certificate that is not yet valid, pointing at the clock', async () => {
    const server = await serve(healthy, { cert: pki.serverNotYetValid });
    const error = failure(await transport(server.address).request({ method: 'GET', path: 'sys/health' }));
    expect(error.kind).toBe('server-certificate-not-yet-valid');
    expect(error.message).toContain(`not valid until ${pki.serverNotYetValid.cert.notBefore.toISOString()}`);
    expect(error.message).toMatch(/check this laptop's date and time/);
  });

  it('reports a client certificate from another CA as refused when the refusal comes after the TLS 1.3 handshake', async () => {
    const server = await serve(healthy, { tls: { minVersion: 'TLSv1.3' } });
    const error = failure(
      await transport(server.address, { client: pki.foreignClient }).request({
        method: 'PUT',
        path: 'sys/x',
        body: { key: 'share-bytes' },
      }),
    );
    expect(error.kind).toBe('client-certificate-refused');
    expect(error.message).toContain(
      "closed the connection right after the TLS handshake without answering PUT sys/x (profile 'dc2'",
    );
    expect(error.message).not.toContain('share-bytes');
    expect(server.requests).toHaveLength(0);
  });

  it('points at the client certificate when a TLS 1.2 server hangs up mid-handshake without an alert', async () => {
    // Node's TLS server (unlike Go's) drops a refused client certificate without an alert.
    const server = await serve(healthy, { tls: { maxVersion: 'TLSv1.2' } });
    const error = failure(
      await transport(server.address, { client: pki.foreignClient }).request({ method: 'GET', path: 'sys/health' }),
    );
    expect(error.kind).toBe('connection-reset');
    expect(error.message).toMatch(/during the TLS handshake .*refuse the client certificate/);
  });

  it('says a listener that closes before TLS begins (a balancer with no active node) refused no certificate', async () => {
    // What a TCP balancer does when it has no node to pass the connection to: accept, then close.
    const closing: Server = createNetServer((s) => s.destroy());
    await new Promise<void>((resolve) => closing.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => closing.close(() => resolve())));
    const { port } = closing.address() as AddressInfo;
    const error = failure(
      await transport(`https://127.0.0.1:${port}`).request({
        method: 'PUT',
        path: 'sys/x',
        body: { key: 'share-bytes' },
      }),
    );
    expect(error.kind).toBe('closed-before-tls');
    expect(error.message).toContain(
      'the load balancer closed the connection: no node may be active behind it; check sys/leader on each node',
    );
    expect(error.message).toContain('PUT sys/x was not sent');
    expect(error.message).not.toMatch(/refused this laptop's client certificate|client certificate is issued/);
  });

  it('does not say a listener closed before TLS when it answered the hello, then reset mid-handshake', async () => {
    // The first bytes of a handshake record, then a reset: the server spoke, so it was not a silent balancer.
    const partial: Server = createNetServer((s) =>
      s.once('data', () => s.write(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x40, 0x02]), () => s.resetAndDestroy())),
    );
    await new Promise<void>((resolve) => partial.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => partial.close(() => resolve())));
    const { port } = partial.address() as AddressInfo;
    const error = failure(await transport(`https://127.0.0.1:${port}`).request({ method: 'GET', path: 'sys/health' }));
    expect(error.kind).toBe('connection-reset');
    expect(error.message).toMatch(/during the TLS handshake .*refuse the client certificate/);
  });

  it('says a server that completed a TLS 1.2 handshake accepted the certificate, when it then closes unanswered', async () => {
    const server = createTlsServer(
      {
        key: pki.server.keyPem,
        cert: pki.server.certPem,
        ca: pki.ca.certPem,
        requestCert: true,
        rejectUnauthorized: true,
        maxVersion: 'TLSv1.2',
      },
      // The request arrives only after the handshake: closing then leaves no doubt it completed.
      (socket) => socket.once('data', () => socket.destroy()),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const error = failure(await transport(`https://127.0.0.1:${port}`).request({ method: 'GET', path: 'sys/leader' }));
    expect(error.kind).toBe('connection-reset');
    expect(error.message).toMatch(/accepted this laptop's certificate \(the TLS handshake completed\)/);
    expect(error.message).toContain('check sys/leader on each node');
  });

  for (const version of ['-tls1_2', '-tls1_3']) {
    it(`names the TLS alert an OpenSSL server sends for a client certificate from another CA (${version})`, async () => {
      const server = await opensslServer(version);
      const error = failure(
        await transport(server.address, { client: pki.foreignClient }).request({ method: 'GET', path: 'sys/health' }),
      );
      expect(error.kind).toBe('client-certificate-refused');
      expect(error.message).toContain(
        "refused this laptop's client certificate: it does not trust the CA that issued it (profile 'dc2'",
      );
      const good = await transport(server.address).request({ method: 'GET', path: 'sys/health' });
      // s_server -www answers with an HTML status page: proof the handshake and request passed.
      expect(!good.ok && good.error.kind).toBe('invalid-response');
    });
  }

  it('reports connection refused with host and port', async () => {
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = failure(await transport(`https://127.0.0.1:${port}`).request({ method: 'GET', path: 'sys/health' }));
    expect(error.kind).toBe('connection-refused');
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  it('times out a server that accepts TLS but never answers, warning that a write may have landed', async () => {
    const server = await serve(() => undefined);
    const started = Date.now();
    const error = failure(
      await transport(server.address, { timeoutMs: 700 }).request({
        method: 'PUT',
        path: 'sys/generate-root/update',
        body: { key: 'abcd1234', nonce: 'n' },
      }),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('did not answer within 0.7 s');
    expect(error.message).toContain('may have reached Vault: check the status before repeating it');
    expect(error.message).not.toContain('abcd1234');
  });

  it('times out a listener that never starts TLS', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createNetServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanup.push(
      () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), silent.close(() => resolve()))),
    );
    const { port } = silent.address() as AddressInfo;
    const error = failure(
      await transport(`https://127.0.0.1:${port}`, { timeoutMs: 500 }).request({ method: 'GET', path: 'sys/health' }),
    );
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('did not complete the connection within 0.5 s');
    expect(error.message).not.toMatch(/may have reached Vault/);
  });

  it('refuses a server that offers only TLS 1.1', async () => {
    const server = await serve(healthy, {
      tls: { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' },
    });
    const error = failure(await transport(server.address).request({ method: 'GET', path: 'sys/health' }));
    expect(error.kind).toBe('tls-version-unsupported');
    expect(error.message).toContain('tls_min_version');
    expect(server.requests).toHaveLength(0);
  });

  it('recognises a plain-HTTP port', async () => {
    const http = createHttpServer((_, res) => res.end('{}'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
    const { port } = http.address() as AddressInfo;
    const error = failure(await transport(`https://127.0.0.1:${port}`).request({ method: 'GET', path: 'sys/health' }));
    expect(error.kind).toBe('not-tls');
    expect(error.message).toMatch(/plain HTTP/);
  });

  it('reports a body that is not JSON with its status and an excerpt', async () => {
    const server = await serve((_, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html><title>502 Bad Gateway</title></html>');
    });
    const error = failure(await transport(server.address).request({ method: 'GET', path: 'sys/health' }));
    expect(error.kind).toBe('invalid-response');
    expect(error.message).toContain('HTTP 502');
    expect(error.message).toContain('text/html');
    expect(error.message).toContain('502 Bad Gateway');
  });

  it('returns an empty body as undefined (204)', async () => {
    const server = await serve((_, res) => {
      res.writeHead(204);
      res.end();
    });
    expect(
      await transport(server.address).request({ method: 'DELETE', path: 'sys/generate-root/attempt' }),
    ).toMatchObject({ ok: true, value: { status: 204, body: undefined } });
  });

  it('refuses a response larger than the cap, declared or streamed', async () => {
    const big = JSON.stringify({ padding: 'x'.repeat(4096) });
    const declared = await serve((_, res) => json(res, 200, { padding: 'x'.repeat(4096) }));
    expect(
      failure(
        await transport(declared.address, { maxResponseBytes: 1024 }).request({ method: 'GET', path: 'sys/health' }),
      ).kind,
    ).toBe('response-too-large');
    const streamed = await serve((_, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(big.slice(0, 2000));
      res.end(big.slice(2000));
    });
    const error = failure(
      await transport(streamed.address, { maxResponseBytes: 1024 }).request({ method: 'GET', path: 'sys/health' }),
    );
    expect(error.kind).toBe('response-too-large');
    expect(error.message).toContain('more than 1024 bytes');
  });

  it('accepts the default 4 MiB cap but not more', async () => {
    const size = 4 * 1024 * 1024;
    const server = await serve((req, res) =>
      json(res, 200, { padding: 'x'.repeat(req.url.includes('over') ? size : size - 64) }),
    );
    const t = transport(server.address);
    expect((await t.request({ method: 'GET', path: 'under' })).ok).toBe(true);
    expect(failure(await t.request({ method: 'GET', path: 'over' })).kind).toBe('response-too-large');
  });

  it('fails requests after close without reaching the server', async () => {
    const server = await serve(healthy);
    const t = transport(server.address);
    t.close();
    expect(failure(await t.request({ method: 'GET', path: 'sys/health' })).kind).toBe('connection-reset');
    expect(server.requests).toHaveLength(0);
  });

  it('rejects an address or TLS material that validation should have refused', () => {
    expect(() => transport('http://127.0.0.1:1')).toThrow(/not an https address/);
    expect(() => transport('https://u:p@127.0.0.1:1')).toThrow(/user, query or fragment/);
    expect(() =>
      createTransport({
        profileName: 'dc2',
        address: 'https://127.0.0.1:1',
        tls: { ca: pki.ca.certPem, cert: pki.client.certPem, key: pki.server.keyPem },
      }),
    ).toThrow(/TLS material of profile 'dc2' is unusable/);
  });
});
