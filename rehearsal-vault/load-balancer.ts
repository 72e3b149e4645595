/**
 * A TCP pass-through load balancer in front of an HA cluster's API listeners, as operators put
 * one in front of Vault: TLS (and the client certificate) still ends at the node. Round-robin
 * spreads connections over every node that is up, so most land on standbys; active-only sends
 * each to the active node, as a balancer health-checking sys/health for 200 does.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { HaCluster } from './ha-cluster';

export type BalancerMode = 'round-robin' | 'active-only';

export class LoadBalancer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private next = 0;
  private portValue = 0;

  constructor(
    private readonly ha: HaCluster,
    readonly mode: BalancerMode,
    private readonly host: string,
  ) {}

  fronts(ha: HaCluster): boolean {
    return this.ha === ha;
  }

  get address(): string {
    return `https://${this.host}:${this.portValue}`;
  }

  async start(): Promise<void> {
    const server = createServer((client) => this.pass(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, this.host, () => resolve());
    });
    this.portValue = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
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
