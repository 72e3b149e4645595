/**
 * One cluster's HTTPS listener on loopback with mutual TLS: clients must present a certificate
 * signed by the rehearsal CA, or the handshake fails. Requests become ApiRequests for
 * http-api.ts; injected faults may delay or drop a response. Secrets in bodies are never logged.
 */
import { createServer, type Server } from 'node:https';
import { STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ApiRequest, ApiResponse } from './http-api';

const MAX_BODY_BYTES = 1024 * 1024;

export interface TlsMaterial {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** What to do to one response: wait first, and/or drop the connection instead of answering. */
export interface ResponseFault {
  readonly delayMs?: number;
  readonly drop?: boolean;
}

export interface ClusterServerOptions {
  readonly tls: TlsMaterial;
  readonly host: string;
  readonly handle: (request: ApiRequest) => Promise<ApiResponse>;
  /** Consulted once per request. */
  readonly faultFor?: (request: ApiRequest) => ResponseFault | undefined;
}

export class ClusterServer {
  private server: Server | undefined;
  private portValue = 0;

  constructor(private readonly options: ClusterServerOptions) {}

  get port(): number {
    return this.portValue;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Listens on `port` (0: any free port; a restart reuses the previous one). */
  async start(port = this.portValue): Promise<number> {
    if (this.server) return this.portValue;
    const { tls } = this.options;
    const server = createServer(
      {
        key: tls.keyPem,
        cert: tls.certPem,
        ca: tls.caPem,
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
      },
      (req, res) => void this.serve(req, res),
    );
    server.on(
      'clientError',
      (error: Error & { code?: string; rawPacket?: Buffer }, socket: Socket) => void this.serveUnparsed(error, socket),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.portValue = (server.address() as AddressInfo).port;
    return this.portValue;
  }

  /** Stops listening and cuts every open connection, as a crashed or stopped node would. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let response: ApiResponse;
    try {
      const body = await readBody(req);
      if (body === undefined) {
        send(res, { status: 413, body: { errors: ['http: request body too large'] } });
        return;
      }
      const answered = await this.answer(req.method ?? 'GET', req.url ?? '/', req.headers, body);
      if (answered === 'dropped') {
        req.socket.destroy();
        return;
      }
      response = answered;
    } catch {
      response = { status: 500, body: { errors: ['internal error'] } };
    }
    send(res, response);
  }

  /** The request as http-api.ts sees it, answered, with any injected fault applied. */
  private async answer(
    method: string,
    rawUrl: string,
    headers: IncomingHttpHeaders,
    body: string,
  ): Promise<ApiResponse | 'dropped'> {
    const url = new URL(rawUrl, 'https://rehearsal.invalid');
    if (!url.pathname.startsWith('/v1/')) return { status: 404, body: { errors: [] } };
    const request: ApiRequest = {
      method: method.toUpperCase(),
      path: decodePath(url.pathname.slice('/v1/'.length)),
      query: url.searchParams,
      token: tokenOf(headers),
      body,
    };
    const fault = this.options.faultFor?.(request);
    const response = await this.options.handle(request);
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    return fault?.drop ? 'dropped' : response;
  }

  /**
   * Node's HTTP parser knows a fixed list of methods, without LIST, which Vault lists with
   * (`curl -X LIST`); Go's net/http takes any method and Vault answers one it does not know with
   * 405. Such a request reaches here as a parse error with its bytes: its head is read here and
   * answered as Vault would (LIST carries no body Vault reads), and the connection closed, since
   * the parser cannot go on. Anything else unparsable gets Node's usual bare 400.
   */
  private async serveUnparsed(error: Error & { code?: string; rawPacket?: Buffer }, socket: Socket): Promise<void> {
    const head = error.code === 'HPE_INVALID_METHOD' ? requestHead(error.rawPacket) : undefined;
    let response: ApiResponse | 'dropped' = { status: 400, body: undefined };
    if (head) {
      try {
        response = await this.answer(head.method, head.target, head.headers, '');
      } catch {
        response = { status: 500, body: { errors: ['internal error'] } };
      }
    }
    if (response === 'dropped' || !socket.writable) {
      socket.destroy();
      return;
    }
    const { status, headers, body } = serialise(response);
    const lines = Object.entries({ ...headers, Connection: 'close' }).map(([k, v]) => `${k}: ${v}\r\n`);
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.join('')}\r\n`);
    socket.end(body);
  }
}

/** A request's method, target and headers from its raw bytes, when the whole head is there. */
function requestHead(
  raw: Buffer | undefined,
): { method: string; target: string; headers: IncomingHttpHeaders } | undefined {
  const text = raw?.toString('latin1') ?? '';
  const end = text.indexOf('\r\n\r\n');
  const [requestLine, ...fields] = text.slice(0, end).split('\r\n');
  const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}) (\/\S*) HTTP\/1\.[01]$/.exec(requestLine ?? '');
  if (end < 0 || !match) return undefined;
  const headers: IncomingHttpHeaders = {};
  for (const field of fields) {
    const colon = field.indexOf(':');
    if (colon > 0) headers[field.slice(0, colon).trim().toLowerCase()] = field.slice(colon + 1).trim();
  }
  return { method: match[1]!, target: match[2]!, headers };
}

/** Status, headers and body text of an answer, as Vault writes them. */
function serialise(response: ApiResponse): {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
} {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', ...response.headers };
  if (response.raw) {
    const { contentType, bytes } = response.raw;
    return {
      status: response.status,
      headers: { ...headers, 'Content-Type': contentType, 'Content-Length': String(bytes.length) },
      body: bytes,
    };
  }
  if (response.body === undefined) return { status: response.status, headers, body: '' };
  // Go's json.Encoder ends with a newline.
  const text = `${JSON.stringify(response.body)}\n`;
  return {
    status: response.status,
    headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) },
    body: text,
  };
}

function send(res: ServerResponse, response: ApiResponse): void {
  if (res.destroyed) return;
  const { status, headers, body } = serialise(response);
  res.writeHead(status, headers).end(body);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  for (const c of chunks) c.fill(0);
  return text;
}

/** X-Vault-Token, else an `Authorization: Bearer` token, as Vault's getTokenFromReq. */
function tokenOf(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['x-vault-token'];
  const direct = Array.isArray(header) ? header[0] : header;
  if (direct) return direct;
  const auth = headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
