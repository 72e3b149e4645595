/**
 * One node of a rehearsal HA cluster: its own loopback address and listener, node id and cluster
 * address, and its own process memory, which is where Vault keeps the generation attempt
 * (vault/generate_root.go holds it on the Core, never in storage). Only the active node's slot is
 * in use; a node that steps down keeps its copy, so it reappears if the node becomes active again.
 */
import type { Cluster } from './cluster';
import { OperationTokenSlot } from './op-token-generation';
import { ClusterServer, type ClusterServerOptions } from './server';

/** Vault's default cluster port: request forwarding and raft, TCP pass-through only. */
export const CLUSTER_PORT = 8201;

export class HaNode {
  /** The generation attempt in this node's memory. */
  slot: OperationTokenSlot;
  /** When it last became active (ms since the epoch), or undefined while it is a standby. */
  activeSince: number | undefined;
  private readonly server: ClusterServer;

  constructor(
    readonly id: string,
    readonly host: string,
    private readonly cluster: Cluster,
    server: Omit<ClusterServerOptions, 'host'>,
  ) {
    this.slot = new OperationTokenSlot(cluster);
    this.server = new ClusterServer({ ...server, host });
  }

  get up(): boolean {
    return this.server.listening;
  }
  get apiAddr(): string {
    return `https://${this.host}:${this.server.port}`;
  }
  /** Not listened on: forwarding between nodes is in-process, but the address is what Vault reports. */
  get clusterAddr(): string {
    return `https://${this.host}:${CLUSTER_PORT}`;
  }

  async start(): Promise<void> {
    await this.server.start();
  }

  /** Its listener closes (connections refused); the process, and its memory, live on. */
  async stop(): Promise<void> {
    await this.server.stop();
  }

  /** The process ends: its listener closes and its memory (the attempt) is gone. */
  async kill(): Promise<void> {
    await this.server.stop();
    this.slot = new OperationTokenSlot(this.cluster);
    this.activeSince = undefined;
  }
}
