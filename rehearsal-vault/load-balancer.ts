/**
 * A load balancer in front of an HA cluster, as operators put one in front of Vault. Round-robin
 * and active-only pass TCP through to the API listeners, so TLS (and the client certificate)
 * still ends at the node: round-robin spreads connections over every node that is up, so most
 * land on standbys; active-only sends each to the active node, as a balancer health-checking
 * sys/health for 200 does.
 *
 * misconfigured-8201 passes the API through round-robin too, but also fronts the cluster port
 * (8201) the way it must not be: it terminates TLS there with its own listener and spreads the
 * traffic round-robin. Vault's cluster traffic (request forwarding, replication) authenticates
 * with its own certificates end to end, so through it nothing gets across; the rehearsal's
 * replication and forwarding are in-process, and fail by the address (./replication.ts,
 * ./standby-routing.ts). Its listener answers a TLS handshake and hangs up.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { listenClusterPort, type ClusterPort } from './cluster-port';
import type { HaCluster } from './ha-cluster';
import type { TlsMaterial } from './server';

export type BalancerMode = 'round-robin' | 'active-only' | 'misconfigured-8201';
export const BALANCER_MODES: readonly BalancerMode[] = ['round-robin', 'active-only', 'misconfigured-8201'];

export class LoadBalancer {
  private server: Server | undefined;
  private clusterPort: ClusterPort | undefined;
  private readonly sockets = new Set<Socket>();
  private next = 0;
  private portValue = 0;

  constructor(
    private readonly ha: HaCluster,
    readonly mode: BalancerMode,
    private readonly host: string,
    private readonly tls: TlsMaterial,
  ) {}

  fronts(ha: HaCluster): boolean {
    return this.ha === ha;
  }

  get address(): string {
    return `https://${this.host}:${this.portValue}`;
  }

  /** Its cluster-port listener's address, when it (wrongly) fronts the cluster port. */
  get clusterAddress(): string | undefined {
    return this.clusterPort ? `https://${this.host}:${this.clusterPort.port}` : undefined;
  }

  async start(): Promise<void> {
    const server = createServer((client) => this.pass(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, this.host, () => resolve());
    });
    this.portValue = (server.address() as AddressInfo).port;
    this.server = server;
    if (this.mode === 'misconfigured-8201') this.clusterPort = await listenClusterPort(this.tls, this.host);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await this.clusterPort?.close();
    this.clusterPort = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private pass(client: Socket): void {
    const node = this.pick();
    if (!node) {
      client.destroy();
      return;
    }
    const url = new URL(node);
    const upstream = connect(Number(url.port), url.hostname);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }

  private pick(): string | undefined {
    if (this.mode === 'active-only') return this.ha.active?.apiAddr;
    const up = this.ha.nodes.filter((n) => n.up);
    if (up.length === 0) return undefined;
    const node = up[this.next % up.length]!;
    this.next += 1;
    return node.apiAddr;
  }
}
