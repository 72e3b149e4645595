/**
 * Serves the built renderer on 127.0.0.1 exactly as the app:// protocol does: the same file
 * resolution (no traversal) and the same headers, CSP included. Only GET and HEAD.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readRendererFile, statusFor } from '../electron/app/security/app-protocol';

export interface RendererServer {
  readonly origin: string;
  close(): Promise<void>;
}

export async function startRendererServer(rendererDir: string): Promise<RendererServer> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405).end();
      return;
    }
    const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    void readRendererFile(rendererDir, pathname).then((file) => {
      if (!file.ok) {
        response.writeHead(statusFor(file.error.kind)).end();
        return;
      }
      response.writeHead(200, { ...file.value.headers, 'Content-Length': String(file.value.body.byteLength) });
      response.end(request.method === 'HEAD' ? undefined : file.value.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
