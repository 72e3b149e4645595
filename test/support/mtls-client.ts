/** A minimal HTTPS client with a client certificate, for talking to the rehearsal Vault in tests. */
import { request } from 'node:https';

export interface MtlsIdentity {
  readonly caPem: string;
  readonly certPem?: string;
  readonly keyPem?: string;
}

export interface HttpResult {
  readonly status: number;
  /** Parsed JSON, or undefined for an empty or non-JSON body. */
  readonly json: any;
  readonly text: string;
  readonly bytes: Buffer;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export function vaultRequest(
  identity: MtlsIdentity,
  apiAddr: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<HttpResult> {
  const url = new URL(`/v1/${path}`, apiAddr);
  const payload =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: identity.caPem,
        ...(identity.certPem ? { cert: identity.certPem, key: identity.keyPem } : {}),
        headers: {
          ...(options.token ? { 'X-Vault-Token': options.token } : {}),
          ...(payload !== undefined
            ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }
            : {}),
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const text = bytes.toString('utf8');
          const isJson = (res.headers['content-type'] ?? '').includes('json');
          resolve({
            status: res.statusCode ?? 0,
            json: text && isJson ? JSON.parse(text) : undefined,
            text,
            bytes,
            headers: res.headers,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
