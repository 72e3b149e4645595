// @tier integration
import { connect } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, json, startTestServer, type TestPki } from '../../../test/support/mtls-test-server';
import { diagnoseConnectionFailure, type ConnectionError, type FailureContext } from './tls-diagnosis';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});

const context: FailureContext = {
  profileName: 'dc2',
  address: 'https://vault-dr.example.com:8200',
  host: 'vault-dr.example.com',
  port: 8200,
  verifiedName: 'vault-dr.example.com',
  trustedCas: ["'CN=Corp CA'"],
  handshakeDone: false,
  serverSpoke: true,
  certificateAccepted: false,
  responseStarted: false,
  answeredBefore: false,
  request: 'PUT sys/replication/dr/secondary/promote',
  changesState: true,
};

/** The error a client without a certificate gets from a server that requires one. */
async function errorWithoutClientCertificate(version: 'TLSv1.2' | 'TLSv1.3'): Promise<ConnectionError> {
  const server = await startTestServer(pki, (_, res) => json(res, 200, {}), {
    tls: { minVersion: version, maxVersion: version },
  });
  try {
    return await new Promise<ConnectionError>((resolve, reject) => {
      const socket = connect(
        { host: '127.0.0.1', port: server.port, ca: pki.ca.certPem, rejectUnauthorized: true },
        () => {
          // TLS 1.3 finishes our side of the handshake first; the refusal arrives on the next read.
          socket.write('GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\n');
        },
      );
      socket.on('data', () => reject(new Error('the server answered a client without a certificate')));
      socket.on('error', (e: NodeJS.ErrnoException) =>
        resolve({ message: e.message, ...(e.code === undefined ? {} : { code: e.code }) }),
      );
    });
  } finally {
    await server.close();
  }
}

describe('diagnoseConnectionFailure', () => {
  it('names a missing client certificate from the real TLS 1.3 alert', async () => {
    const error = await errorWithoutClientCertificate('TLSv1.3');
    const diagnosis = diagnoseConnectionFailure(error, { ...context, handshakeDone: true });
    expect(diagnosis.kind).toBe('client-certificate-required');
    expect(diagnosis.message).toContain("requires a client certificate and did not receive one (profile 'dc2'");
  });

  it('explains the TLS 1.2 handshake failure a server sends when no client certificate came', async () => {
    const error = await errorWithoutClientCertificate('TLSv1.2');
    const diagnosis = diagnoseConnectionFailure(error, context);
    expect(diagnosis.kind).toBe('tls-failed');
    expect(diagnosis.message).toMatch(/requires a client certificate it did not get/);
  });

  it('maps resolver and routing errors', () => {
    expect(diagnoseConnectionFailure({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' }, context)).toMatchObject({
      kind: 'host-not-found',
      message: expect.stringMatching(/'vault-dr\.example\.com' cannot be resolved .*\/etc\/hosts/),
    });
    expect(diagnoseConnectionFailure({ code: 'EHOSTUNREACH', message: '' }, context)).toMatchObject({
      kind: 'host-unreachable',
    });
    expect(diagnoseConnectionFailure({ code: 'ENETUNREACH', message: '' }, context)).toMatchObject({
      kind: 'host-unreachable',
    });
  });

  it('reads the reason out of a bare EPROTO', () => {
    const eproto = {
      code: 'EPROTO',
      message:
        'write EPROTO 80BC:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:../rec_layer_s3.c:1601:SSL alert number 48',
    };
    expect(diagnoseConnectionFailure(eproto, context).kind).toBe('client-certificate-refused');
  });

  it('says a broken answer to a state-changing request leaves its outcome unknown', () => {
    const broken = diagnoseConnectionFailure(
      { code: 'ECONNRESET', message: 'aborted' },
      { ...context, handshakeDone: true, responseStarted: true },
    );
    expect(broken.kind).toBe('connection-reset');
    expect(broken.message).toContain('while the answer was arriving');
    expect(broken.message).toContain(
      'PUT sys/replication/dr/secondary/promote may have reached Vault: check the status before repeating it.',
    );
    const read = diagnoseConnectionFailure(
      { code: 'ECONNRESET', message: '' },
      { ...context, handshakeDone: true, responseStarted: true, changesState: false, request: 'GET sys/health' },
    );
    expect(read.message).not.toContain('may have reached');
  });

  it('tells a node that went down from a refused certificate by whether it answered before', () => {
    const cut = { code: 'ECONNRESET', message: 'socket hang up' };
    const first = diagnoseConnectionFailure(cut, { ...context, handshakeDone: true });
    expect(first.kind).toBe('client-certificate-refused');
    const later = diagnoseConnectionFailure(cut, { ...context, handshakeDone: true, answeredBefore: true });
    expect(later.kind).toBe('connection-reset');
    expect(later.message).toContain('most likely stopped or restarted');
    expect(later.message).not.toMatch(/refused this laptop's client certificate/);
  });

  it('describes an untrusted server without a probed certificate', () => {
    const d = diagnoseConnectionFailure({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: '' }, context);
    expect(d.kind).toBe('server-certificate-untrusted');
    expect(d.message).not.toContain('issued by');
  });
});
