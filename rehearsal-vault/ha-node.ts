/**
 * One node of a rehearsal HA cluster: its own loopback address, API listener and cluster-port
 * listener (./cluster-port.ts), node id, and its own process memory, which is where Vault keeps the generation attempt
 * (vault/generate_root.go holds it on the Core, never in storage). Only the active node's slot is
 * in use; a node that steps down keeps its copy, so it reappears if the node becomes active again.
 *
 * Enabling a secondary replaces the cluster's keyring with the primary's: the active node carries
 * on, but each standby seals until it is unsealed with the primary's keys. Such a standby holds
 * its own seal meanwhile, and shares its cluster's again once unsealed.
 */
import type { NodeView } from './api/seal-routes';
import type { Cluster } from './cluster';
import { OperationTokenSlot } from './op-token-generation';
import { listenClusterPort, type ClusterPort } from './cluster-port';
import { ClusterServer, type ClusterServerOptions } from './server';
import { ShamirSeal } from './shamir-seal';

export class HaNode {
  /** The generation attempt in this node's memory. */
  slot: OperationTokenSlot;
  /** When it last became active (ms since the epoch), or undefined while it is a standby. */
  activeSince: number | undefined;
  /** A drill cut this standby off (474) or removed it from raft (530): what its sys/health keeps saying. */
  isolated: NodeView | undefined;
  /** A drill held this standby's raft log at this index (catching up after a restart): what sys/leader reports. */
  raftHeldAt: number | undefined;
  private readonly server: ClusterServer;
  private clusterPort: ClusterPort | undefined;
  private clusterPortNumber = 0;
  private ownSeal: ShamirSeal | undefined;

  constructor(
    readonly id: string,
    readonly host: string,
    private readonly cluster: Cluster,
    private readonly serverOptions: Omit<ClusterServerOptions, 'host'>,
  ) {
    this.slot = new OperationTokenSlot(cluster);
    this.server = new ClusterServer({ ...serverOptions, host });
  }

  /** Its own seal while it is sealed apart from its cluster, else the cluster's. */
  get seal(): ShamirSeal {
    return this.ownSeal ?? this.cluster.seal;
  }
  /** Sealed apart from its cluster: it answers only seal-status, unseal and health. */
  get sealedApart(): boolean {
    return this.ownSeal !== undefined;
  }

  /** Its keyring is no longer the cluster's: it seals until unsealed with the cluster's (the primary's) keys. */
  sealApart(): void {
    const seal = new ShamirSeal();
    seal.adopt(this.cluster.seal);
    this.ownSeal = seal;
  }

  /** Once unsealed, it serves with its cluster's seal again. */
  rejoinIfUnsealed(): void {
    if (this.ownSeal && !this.ownSeal.sealed) this.ownSeal = undefined;
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
