/**
 * One node of a rehearsal HA cluster: its own loopback address, API listener and cluster-port
 * listener (./cluster-port.ts), node id, and its own process memory, which is where Vault keeps the generation attempt
 * (vault/generate_root.go holds it on the Core, never in storage). Only the active node's slot is
 * in use; a node that steps down keeps its copy, so it reappears if the node becomes active again.
 */
import type { NodeView } from './api/seal-routes';
import type { Cluster } from './cluster';
import { OperationTokenSlot } from './op-token-generation';
import { listenClusterPort, type ClusterPort } from './cluster-port';
import { ClusterServer, type ClusterServerOptions } from './server';

export class HaNode {
  /** The generation attempt in this node's memory. */
  slot: OperationTokenSlot;
  /** When it last became active (ms since the epoch), or undefined while it is a standby. */
  activeSince: number | undefined;
  /** A drill cut this standby off (474) or removed it from raft (530): what its sys/health keeps saying. */
  isolated: NodeView | undefined;
  private readonly server: ClusterServer;
  private clusterPort: ClusterPort | undefined;
  private clusterPortNumber = 0;

  constructor(
    readonly id: string,
    readonly host: string,
    private readonly cluster: Cluster,
    private readonly serverOptions: Omit<ClusterServerOptions, 'host'>,
  ) {
    this.slot = new OperationTokenSlot(cluster);
    this.server = new ClusterServer({ ...serverOptions, host });
  }

  get up(): boolean {
    return this.server.listening;
  }
  get apiAddr(): string {
    return `https://${this.host}:${this.server.port}`;
  }
  /** A real listener apart from the API port, though forwarding between nodes stays in-process. */
  get clusterAddr(): string {
    return `https://${this.host}:${this.clusterPortNumber}`;
  }

  /** Listens on both ports; a restart reuses the ports it had, so its addresses stay. */
  async start(): Promise<void> {
    await this.server.start();
    this.clusterPort ??= await listenClusterPort(this.serverOptions.tls, this.host, this.clusterPortNumber);
    this.clusterPortNumber = this.clusterPort.port;
  }

  /** Its listeners close (connections refused); the process, and its memory, live on. */
  async stop(): Promise<void> {
    await this.server.stop();
    await this.clusterPort?.close();
    this.clusterPort = undefined;
  }

  /** The process ends: its listeners close and its memory (the attempt) is gone. */
  async kill(): Promise<void> {
    await this.stop();
    this.slot = new OperationTokenSlot(this.cluster);
    this.activeSince = undefined;
  }
}
