/**
 * A cluster's cluster port (Vault's 8201), apart from its API port, so the two addresses can be
 * confused as they are in real deployments. Replication between rehearsal clusters is
 * in-process; this port only completes a TLS handshake and hangs up, as Vault's cluster port does
 * for anything that does not speak its cluster protocol.
 */
import { createServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { TlsMaterial } from './server';

export interface ClusterPort {
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on `port` (0: any free port; a restarted node passes its previous one to keep its address). */
export async function listenClusterPort(tls: TlsMaterial, host: string, port = 0): Promise<ClusterPort> {
  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem, minVersion: 'TLSv1.2' }, (socket) =>
    socket.destroy(),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
