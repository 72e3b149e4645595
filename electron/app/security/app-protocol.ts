/**
 * The `app://vault-ceremony/` scheme that serves the built renderer. A custom scheme rather than
 * `file://` gives the renderer a real origin to check senders against, and no reach into the
 * file system: only regular files under the renderer directory are served, after resolving
 * `..`, encoded separators and symbolic links.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { err, ok, type Result } from '../../../shared/result';
import { CONTENT_SECURITY_POLICY } from './csp';

export const APP_SCHEME = 'app';
export const APP_HOST = 'vault-ceremony';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** For `protocol.registerSchemesAsPrivileged`: a standard, secure origin, with nothing extra allowed. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: {
    standard: true,
    secure: true,
    supportFetchAPI: false,
    corsEnabled: false,
    stream: false,
    bypassCSP: false,
  },
} as const;

/** Only what a Vite build emits; anything else is refused rather than served as a guess. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export type RendererFileError = 'bad-request' | 'not-found' | 'forbidden';

export interface RendererFile {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly headers: Readonly<Record<string, string>>;
}

/** Headers for every renderer file: the CSP, and no sniffing, caching or embedding. */
export function rendererHeaders(contentType: string): Readonly<Record<string, string>> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
  };
}

/**
 * Reads the file a URL path names under `rendererDir` (an absolute path). The path is the
 * URL's pathname, still percent-encoded; "/" means index.html.
 */
export async function readRendererFile(
  rendererDir: string,
  urlPathname: string,
): Promise<Result<RendererFile, RendererFileError>> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPathname);
  } catch {
    return err('bad-request', 'The path is not valid percent-encoding.');
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) {
    return err('bad-request', 'The path must be absolute and contain no NUL or backslash.');
  }
  const relativePath = decoded === '/' ? '/index.html' : decoded;
  const contentType = CONTENT_TYPES[extname(relativePath).toLowerCase()];
  if (contentType === undefined) return err('forbidden', 'Only the renderer’s own file types are served.');

  const root = resolve(rendererDir);
  const candidate = resolve(root, `.${relativePath}`);
  if (!candidate.startsWith(root + sep)) return err('forbidden', 'The path leaves the renderer directory.');
  try {
    // Resolve symbolic links on both sides, so a link inside the directory cannot point out of it.
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
    if (!realFile.startsWith(realRoot + sep)) return err('forbidden', 'The path leaves the renderer directory.');
    if (!(await stat(realFile)).isFile()) return err('not-found', 'No such file in the renderer.');
    return ok({ body: new Uint8Array(await readFile(realFile)), headers: rendererHeaders(contentType) });
  } catch {
    return err('not-found', 'No such file in the renderer.');
  }
}

const STATUS: Readonly<Record<RendererFileError, number>> = { 'bad-request': 400, 'not-found': 404, forbidden: 403 };

export function statusFor(error: RendererFileError): number {
  return STATUS[error];
}

/** The `protocol.handle('app', …)` handler: GET and HEAD on this app's host only. */
export async function handleAppRequest(rendererDir: string, request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return new Response(null, { status: 403 });
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
  const file = await readRendererFile(rendererDir, url.pathname);
  if (!file.ok) return new Response(null, { status: statusFor(file.error.kind) });
  return new Response(request.method === 'HEAD' ? null : file.value.body, { status: 200, headers: file.value.headers });
}
