/**
 * HTTPS with mutual TLS to one Vault address. The server is always verified against the
 * profile's CA (there is no switch to turn that off), TLS 1.2 is the floor, every request
 * has a deadline, and nothing is retried: a repeated share submission or promote must be
 * the operator's decision. Request bodies carry secrets, so their bytes are wiped after use
 * and never appear in errors.
 */
import { X509Certificate } from 'node:crypto';
import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import {
  connect as tlsConnect,
  createSecureContext,
  type ConnectionOptions,
  type SecureContext,
  type TLSSocket,
} from 'node:tls';
import { wipe } from '../../../shared/codecs/bytes';
import { err, ok, type Result } from '../../../shared/result';
import { watchServerCertificate, type ServerCertificateFacts } from './server-certificate';
import {
  diagnoseConnectionFailure,
  unknownOutcome,
  type ConnectionError,
  type ConnectionFailureKind,
  type FailureContext,
} from './tls-diagnosis';

export type TransportErrorKind = ConnectionFailureKind | 'timeout' | 'response-too-large' | 'invalid-response';

export const DEFAULT_TIMEOUT_MS = 15_000;
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface TransportTls {
  /** Trusted CA certificates (PEM); a string may hold several. */
  readonly ca: string | readonly string[];
  readonly cert: string;
  /** Client private key (PEM). Only read while the client is created; the caller may wipe it afterwards. */
  readonly key: string | Uint8Array;
  /** The name to expect in the server certificate (and send as SNI) instead of the address's host. */
  readonly serverName?: string;
}

export interface TransportOptions {
  readonly profileName: string;
  readonly address: string;
  readonly tls: TransportTls;
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
}

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface TransportRequest {
  readonly method: HttpMethod;
  /** Path under /v1/, e.g. "sys/health". */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as JSON when present. */
  readonly body?: unknown;
  readonly timeoutMs?: number;
}

export interface TransportResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON, or undefined when the body was empty (e.g. 204). */
  readonly body: unknown;
}

export interface Transport {
  readonly profileName: string;
  readonly address: string;
  request(request: TransportRequest): Promise<Result<TransportResponse, TransportErrorKind>>;
  /** Closes every connection; later requests fail. */
  close(): void;
}

interface Target {
  readonly host: string;
  readonly port: number;
  readonly basePath: string;
}

/** Throws TypeError for an address or TLS material that validation should have refused. */
export function createTransport(options: TransportOptions): Transport {
  const target = parseAddress(options.address);
  const { profileName, address } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const serverName = options.tls.serverName;
  const secureContext = contextFor(options);
  const trustedCas = caSubjects(options.tls.ca);
  // A private agent: no sockets or TLS sessions shared with other clients, nothing kept alive.
  // Node gives agent options precedence over request options, so verification is fixed here.
  const agent = new Agent({
    keepAlive: false,
    maxCachedSessions: 0,
    secureContext,
    rejectUnauthorized: true,
    ...(serverName === undefined ? {} : { servername: serverName }),
  });
  // A TLS socket counts only the bytes it decrypted; its own TCP socket counts the handshake's too:
  // so a failure can tell a server that never answered our hello from one that did.
  const tcpOf = new WeakMap<TLSSocket, Socket>();
  agent.createConnection = (connection: ConnectionOptions) => {
    const tcp = tcpConnect({ host: connection.host ?? target.host, port: connection.port ?? target.port });
    const tls = tlsConnect({ ...connection, socket: tcp });
    tcpOf.set(tls, tcp);
    return tls;
  };
  let closed = false;
  // Set once any answer arrived: a later reset after the handshake is then not a refused certificate.
  let answeredBefore = false;

  function request(r: TransportRequest): Promise<Result<TransportResponse, TransportErrorKind>> {
    const label = `${r.method} ${r.path}`;
    const changesState = r.method !== 'GET';
    const deadline = r.timeoutMs ?? timeoutMs;
    const payload = r.body === undefined ? undefined : Buffer.from(JSON.stringify(r.body), 'utf8');
    const headers: Record<string, string> = { Accept: 'application/json', 'X-Vault-Request': 'true', ...r.headers };
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const query = r.query && Object.keys(r.query).length > 0 ? `?${new URLSearchParams(r.query).toString()}` : '';

    return new Promise((resolve) => {
      if (closed)
        return resolve(
          err('connection-reset', `The connection for profile '${profileName}' was closed; reconnect to continue.`),
        );
      let handshakeDone = false;
      let tcp: Socket | undefined;
      let certificateAccepted = false;
      let responseStarted = false;
      let settled = false;
      const chunks: Buffer[] = [];
      const finish = (result: Result<TransportResponse, TransportErrorKind>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        wipe(payload, ...chunks);
        resolve(result);
      };
      const req = httpsRequest({
        host: target.host,
        port: target.port,
        path: `${target.basePath}/v1/${r.path}${query}`,
        method: r.method,
        headers,
        agent,
      });
      const timer = setTimeout(() => {
        req.destroy();
        const what = handshakeDone
          ? `did not ${responseStarted ? 'finish its answer' : 'answer'} within ${deadline / 1000} s for ${label} (profile '${profileName}'). Check that Vault is running and not overloaded.${unknownOutcome({ changesState, request: label })}`
          : `did not complete the connection within ${deadline / 1000} s for ${label} (profile '${profileName}'). Check that Vault is running and that no firewall silently drops the connection.`;
        finish(err('timeout', `Vault at ${address} ${what}`));
      }, deadline);

      let serverCertificate: ServerCertificateFacts | undefined;
      req.on('socket', (socket) => {
        const tls = socket as TLSSocket;
        tls.once('secureConnect', () => {
          handshakeDone = true;
          // TLS 1.2 ends with the server's Finished, sent only once it accepted our certificate;
          // TLS 1.3 ends on our side first, and the server judges the certificate after.
          certificateAccepted = tls.getProtocol() === 'TLSv1.2';
        });
        tcp = tcpOf.get(tls);
        watchServerCertificate(tls, (facts) => (serverCertificate = facts));
      });
      const fail = (e: ConnectionError): void => {
        // The request and the response can both report one broken connection: diagnose once.
        if (settled) return;
        const context: FailureContext = {
          profileName,
          address,
          host: target.host,
          port: target.port,
          verifiedName: serverName ?? target.host,
          trustedCas,
          handshakeDone,
          serverSpoke: (tcp?.bytesRead ?? 0) > 0,
          certificateAccepted,
          responseStarted,
          answeredBefore,
          request: label,
          changesState,
        };
        const { kind, message } = diagnoseConnectionFailure(e, context, serverCertificate);
        finish(err(kind, message));
      };
      req.on('error', fail);
      req.on('response', (res) => {
        responseStarted = true;
        answeredBefore = true;
        const declared = Number(res.headers['content-length'] ?? 0);
        let size = 0;
        const tooLarge = (): void => {
          req.destroy();
          finish(
            err(
              'response-too-large',
              `Vault at ${address} sent more than ${maxBytes} bytes for ${label} (profile '${profileName}'); refusing to read it. Is the address really the Vault API?`,
            ),
          );
        };
        if (declared > maxBytes) return tooLarge();
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          size += chunk.length;
          chunks.push(chunk);
          if (size > maxBytes) tooLarge();
        });
        res.on('error', fail);
        res.on('end', () => {
          if (settled) return;
          if (!res.complete) return fail({ code: 'ECONNRESET', message: 'response cut short' });
          const raw = Buffer.concat(chunks);
          const parsed = parseBody(raw, res.statusCode ?? 0, res.headers['content-type'], label, address, profileName);
          wipe(raw);
          finish(parsed.ok ? ok({ status: res.statusCode ?? 0, headers: res.headers, body: parsed.value }) : parsed);
        });
      });
      req.end(payload);
    });
  }

  return {
    profileName,
    address,
    request,
    close() {
      closed = true;
      agent.destroy();
    },
  };
}

function parseAddress(address: string): Target {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new TypeError(`'${address}' is not a URL`);
  }
  if (url.protocol !== 'https:') throw new TypeError(`'${address}' is not an https address`);
  if (url.username || url.password || url.search || url.hash)
    throw new TypeError(`'${address}' must not carry a user, query or fragment`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port === '' ? 443 : Number(url.port), basePath: url.pathname.replace(/\/+$/, '') };
}

function contextFor(options: TransportOptions): SecureContext {
  const { ca, cert, key, serverName } = options.tls;
  if (serverName !== undefined && isIP(serverName) !== 0)
    throw new TypeError('the TLS server name must be a host name, not an IP address');
  const keyBytes = typeof key === 'string' ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  try {
    return createSecureContext({
      ca: typeof ca === 'string' ? ca : [...ca],
      cert,
      key: keyBytes,
      minVersion: 'TLSv1.2',
    });
  } catch (e) {
    // OpenSSL's reason ("key values mismatch", "no start line") names no key material.
    throw new TypeError(`the TLS material of profile '${options.profileName}' is unusable: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

function caSubjects(ca: string | readonly string[]): string[] {
  const pems = (typeof ca === 'string' ? [ca] : [...ca]).flatMap(
    (p) => p.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [],
  );
  return pems.map((pem) => {
    try {
      return `'${new X509Certificate(pem).subject.split('\n').join(', ')}'`;
    } catch {
      return "'(unreadable certificate)'";
    }
  });
}

function parseBody(
  raw: Buffer,
  status: number,
  contentType: string | undefined,
  label: string,
  address: string,
  profileName: string,
): Result<unknown, TransportErrorKind> {
  const text = raw.toString('utf8');
  if (text.trim() === '') return ok(undefined);
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    // A short printable excerpt helps recognise a proxy or another service; it is server output, not ours.
    const excerpt = text.slice(0, 60).replace(/[^\x20-\x7e]/g, ' ');
    return err(
      'invalid-response',
      `Vault at ${address} answered ${label} with HTTP ${status} and a body that is not JSON (${contentType ?? 'no content type'}: '${excerpt}') (profile '${profileName}'). Is the address the Vault API, rather than a proxy or another service?`,
    );
  }
}
