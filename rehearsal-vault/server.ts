/**
 * One cluster's HTTPS listener on loopback with mutual TLS: clients must present a certificate
 * signed by the rehearsal CA, or the handshake fails. Requests become ApiRequests for
 * http-api.ts; injected faults may delay or drop a response. Secrets in bodies are never logged.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
      const url = new URL(req.url ?? '/', 'https://rehearsal.invalid');
      if (!url.pathname.startsWith('/v1/')) {
        send(res, { status: 404, body: { errors: [] } });
        return;
      }
      const request: ApiRequest = {
        method: (req.method ?? 'GET').toUpperCase(),
        path: decodePath(url.pathname.slice('/v1/'.length)),
        query: url.searchParams,
        token: tokenOf(req),
        body,
      };
      const fault = this.options.faultFor?.(request);
      response = await this.options.handle(request);
      if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault?.drop) {
        req.socket.destroy();
        return;
      }
    } catch {
      response = { status: 500, body: { errors: ['internal error'] } };
    }
    send(res, response);
  }
}

function send(res: ServerResponse, response: ApiResponse): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', ...response.headers };
  if (response.raw) {
    const { contentType, bytes } = response.raw;
    res
      .writeHead(response.status, { ...headers, 'Content-Type': contentType, 'Content-Length': bytes.length })
      .end(bytes);
    return;
  }
  if (response.body === undefined) {
    res.writeHead(response.status, headers).end();
    return;
  }
  // Go's json.Encoder ends with a newline.
  const text = `${JSON.stringify(response.body)}\n`;
  res
    .writeHead(response.status, {
      ...headers,
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
    })
    .end(text);
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
function tokenOf(req: IncomingMessage): string | undefined {
  const header = req.headers['x-vault-token'];
  const direct = Array.isArray(header) ? header[0] : header;
  if (direct) return direct;
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
