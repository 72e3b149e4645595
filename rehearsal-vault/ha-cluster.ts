/**
 * One rehearsal cluster as N nodes on integrated storage: one active node, the others standbys,
 * all sharing the cluster's replicated state (seal, storage, replication) but each with its own
 * memory (./ha-node.ts). Requests are routed per node by ./standby-routing.ts; this holds who
 * leads, the leader changes drills cause, and the settling after a role change.
 *
 * Enabling a secondary seals the standbys until each is unsealed with the primary's keys; a
 * sealed node is never elected.
 *
 * As on integrated storage (raft), a node is elected only with the votes of a majority of the
 * cluster's voters, itself included: a voter down or cut off from it cannot vote. Without a
 * majority no node leads (sys/leader names none, and requests a standby would forward answer 500
 * or 503) until a node restarts, is reconnected or catches up; then one is elected. A leader that
 * can no longer reach a majority steps down. (A node sealed apart still counts as a voter here:
 * whether its raft layer runs while its keyring is the old one is UNCONFIRMED.)
 *
 * With one node this is the single-node cluster the rehearsal always had: it leads, never
 * settles, and answers exactly as before.
 */
import { wipe } from '../shared/codecs/bytes';
import type { Cluster } from './cluster';
import { HaNode } from './ha-node';
import type { ApiRequest, ApiResponse } from './http-api';
import type { ReplicationNetwork } from './replication';
import type { ResponseFault, TlsMaterial } from './server';
import { routeOnNode, type Forwarding } from './standby-routing';

export type { Forwarding } from './standby-routing';

export interface HaClusterOptions {
  readonly cluster: Cluster;
  readonly network: ReplicationNetwork;
  readonly tls: TlsMaterial;
  /** One loopback address per node. */
  readonly hosts: readonly string[];
  /** How long standbys lag behind a DR or performance role change (no leader answers meanwhile). */
  readonly settleMs: number;
  readonly faultFor?: (request: ApiRequest) => ResponseFault | undefined;
}

/** One request as a node received it, and which node acted on it (undefined: none did). */
export interface ReceivedRequest {
  readonly node: string;
  readonly method: string;
  readonly path: string;
  readonly actedOn: string | undefined;
  readonly status: number;
}

const RECEIVED_KEPT = 10_000;

export class HaCluster {
  readonly nodes: readonly HaNode[];
  /** What a standby does with a request it cannot answer itself. */
  forwarding: Forwarding = 'forward';
  /**
   * A misconfigured balancer's address that every node's cluster_addr names: cluster traffic goes
   * through it and fails, so standbys cannot forward (./standby-routing.ts).
   */
  clusterPortFront: string | undefined;
  /** Every request any node received, oldest first (the last 10 000). */
  readonly received: ReceivedRequest[] = [];
  /** Drill: the api_addr every node advertises (sys/leader, a 307's Location) instead of its own, e.g. the balancer's. */
  advertisedApiAddr: string | undefined;
  /** Drill hook: sees each request as a node receives it, before it is routed (to fault at that moment). */
  onRequest: ((node: HaNode, request: ApiRequest) => void) | undefined;
  private activeNode: HaNode | undefined;
  private settle: { readonly until: number; readonly staleDrMode: string } | undefined;

  constructor(private readonly options: HaClusterOptions) {
    const { cluster } = options;
    this.nodes = options.hosts.map(
      (host, i) =>
        new HaNode(`${cluster.name}-node-${i + 1}`, host, cluster, {
          tls: options.tls,
          handle: (request) => this.handle(this.nodes[i]!, request),
          ...(options.faultFor ? { faultFor: options.faultFor } : {}),
        }),
    );
    // A node removed from raft is no longer a peer.
    cluster.raftPeers = () =>
      this.nodes
        .filter((n) => n.isolated?.membership !== 'removed')
        .map((n) => ({
          node_id: n.id,
          address: n.clusterAddr.replace(/^https:\/\//, ''),
          leader: n === this.activeNode,
          voter: true,
        }));
  }

  get cluster(): Cluster {
    return this.options.cluster;
  }
  get network(): ReplicationNetwork {
    return this.options.network;
  }

  /** The node that leads, unless the cluster is still settling after a role change. */
  get active(): HaNode | undefined {
    return this.settling ? undefined : this.activeNode;
  }

  /** The DR mode standbys still report while the cluster settles after a role change. */
  get staleDrMode(): string | undefined {
    return this.settling ? this.settle?.staleDrMode : undefined;
  }

  node(id: string): HaNode {
    const found = this.nodes.find((n) => n.id === id);
    if (!found) throw new Error(`${this.cluster.name} has no node '${id}'`);
    return found;
  }

  /** Starts (or restarts) every node's listener; the first leads unless one already does. */
  async start(): Promise<void> {
    for (const node of this.nodes) await node.start();
    this.cluster.up = true;
    this.electIfLeaderless(this.nodes[0]);
  }

  /** Every node stops answering (connections refused); who leads, and what it holds, stay. */
  async stop(): Promise<void> {
    for (const node of this.nodes) await node.stop();
    this.cluster.up = false;
  }

  /**
   * The active node steps down (sys/step-down, or it lost leadership) and the next node that is up
   * and wins a majority's votes takes over (the old one again when none other can); the old node
   * keeps its attempt in memory. Returns the new active node, if any.
   */
  stepDown(options: { readonly leaderlessMs?: number } = {}): HaNode | undefined {
    const old = this.activeNode;
    if (old) old.activeSince = undefined;
    // An election takes a while; until it ends, requests a standby would forward answer 503.
    if (options.leaderlessMs)
      this.settle = {
        until: Date.now() + options.leaderlessMs,
        staleDrMode: this.network.modeOf(this.cluster, 'dr'),
      };
    return this.electAfter(old);
  }

  /** The active node's process is killed (its attempt dies with it); the next node a majority elects takes over. */
  async hardKill(): Promise<HaNode | undefined> {
    const old = this.activeNode;
    if (!old) return undefined;
    await old.kill();
    this.cluster.up = this.nodes.some((n) => n.up);
    return this.electAfter(old);
  }

  /** Makes this node the leader now (a drill: the old leader comes back into office). */
  makeActive(id: string): void {
    if (this.activeNode) this.activeNode.activeSince = undefined;
    this.lead(this.node(id));
  }

  /**
   * Drill: a standby stops hearing the active node (474) or is removed from raft (530). It keeps
   * reporting the DR mode it had, since it no longer learns of role changes.
   */
  isolate(id: string, membership: 'standby-unhealthy' | 'removed'): void {
    const node = this.node(id);
    if (node === this.activeNode) throw new Error(`${id} leads; isolate a standby`);
    node.isolated = { membership, drMode: this.network.modeOf(this.cluster, 'dr') };
    this.stepDownWithoutQuorum();
  }

  /** Drill: an isolated standby hears the cluster again (the partition heals); a leaderless cluster elects. */
  reconnect(id: string): void {
    this.node(id).isolated = undefined;
    this.electIfLeaderless();
  }

  /**
   * Drill: this standby stops applying the raft log where it is now (as one still catching up after
   * a restart) while the cluster writes on; `catchUp` lets it take in the rest.
   */
  holdRaftBack(id: string): void {
    const node = this.node(id);
    if (node === this.activeNode) throw new Error(`${id} leads; hold back a standby`);
    node.raftHeldAt = this.cluster.storage.wal;
  }

  catchUp(id: string): void {
    this.node(id).raftHeldAt = undefined;
    this.electIfLeaderless();
  }

  /** A killed node starts again, as a standby (or, when none leads, as the leader a majority elects, itself first). */
  async restartNode(id: string): Promise<void> {
    const node = this.node(id);
    await node.start();
    this.cluster.up = true;
    this.electIfLeaderless(node);
  }

  /** secondary/enable gave the cluster the primary's keyring: every standby seals. */
  sealStandbys(): void {
    for (const node of this.nodes) if (node !== this.activeNode) node.sealApart();
  }

  /** What an operator does next: unseal each sealed standby with the primary's shares (wiped here). */
  unsealStandbys(shares: readonly Uint8Array[]): void {
    const threshold = this.cluster.seal.config?.threshold ?? 0;
    for (const node of this.nodes.filter((n) => n.sealedApart)) {
      for (const share of shares.slice(0, threshold)) {
        const r = node.seal.unseal(share);
        if (!r.ok) throw new Error(`${node.id} refused the primary's share: ${r.error.message}`);
      }
      node.rejoinIfUnsealed();
    }
    wipe(...shares);
    this.electIfLeaderless();
  }

  private electAfter(old: HaNode | undefined): HaNode | undefined {
    const from = old ? this.nodes.indexOf(old) : -1;
    const order = [...this.nodes.slice(from + 1), ...this.nodes.slice(0, from + 1)];
    // The old leader (last in `order`) wins again only when no other node can: after sys/step-down
    // it waits before it bids for the lock again.
    const next = order.find((n) => this.electable(n));
    this.activeNode = undefined;
    if (next) this.lead(next);
    return next;
  }

  /** With no leader, an election: `first` wins if it can, else the first node that can. */
  private electIfLeaderless(first?: HaNode): void {
    if (this.activeNode) return;
    const next = first && this.electable(first) ? first : this.nodes.find((n) => this.electable(n));
    if (next) this.lead(next);
  }

  /**
   * A sealed or isolated node cannot take over; nor can a standby held back (raft elects only a
   * node whose log is current), nor one that cannot win a majority's votes.
   */
  private electable(n: HaNode): boolean {
    return n.up && !n.sealedApart && !n.isolated && n.raftHeldAt === undefined && this.hasQuorum(n);
  }

  /**
   * Whether `candidate` reaches a majority of the cluster's voters, itself included: a node removed
   * from raft is no voter, and a voter down or cut off from the rest cannot vote.
   */
  private hasQuorum(candidate: HaNode): boolean {
    const voters = this.nodes.filter((n) => n.isolated?.membership !== 'removed');
    const votes = voters.filter((n) => n === candidate || (n.up && !n.isolated));
    return votes.includes(candidate) && votes.length > voters.length / 2;
  }

  /** A leader that can no longer reach a majority of voters steps down (raft's leader lease); none is elected. */
  private stepDownWithoutQuorum(): void {
    const leader = this.activeNode;
    if (!leader || this.hasQuorum(leader)) return;
    leader.activeSince = undefined;
    this.activeNode = undefined;
  }

  private lead(node: HaNode): void {
    this.activeNode = node;
    node.raftHeldAt = undefined;
    node.activeSince = Date.now();
    this.cluster.slot = node.slot;
  }

  private get settling(): boolean {
    if (this.settle && Date.now() >= this.settle.until) this.settle = undefined;
    return this.settle !== undefined;
  }

  private async handle(node: HaNode, request: ApiRequest): Promise<ApiResponse> {
    const drModeBefore = this.cluster.replication.dr.mode;
    const perfModeBefore = this.cluster.replication.performance.mode;
    const reportedBefore = this.network.modeOf(this.cluster, 'dr');
    this.onRequest?.(node, request);
    const { response, actedOn } = await routeOnNode(this, node, request);
    const enabled = (before: string, kind: 'dr' | 'performance') =>
      before === 'disabled' && this.cluster.replication[kind].mode === 'secondary';
    if (enabled(drModeBefore, 'dr') || enabled(perfModeBefore, 'performance')) this.sealStandbys();
    // A role change (DR or performance) reloads replication on every node: standbys lag, nobody
    // leads for a while (vault-protocol.md §3: "Vault will be unavailable for a brief period").
    const changed =
      this.cluster.replication.dr.mode !== drModeBefore || this.cluster.replication.performance.mode !== perfModeBefore;
    if (this.nodes.length > 1 && changed)
      this.settle = { until: Date.now() + this.options.settleMs, staleDrMode: reportedBefore };
    if (this.received.length >= RECEIVED_KEPT) this.received.shift();
    this.received.push({
      node: node.id,
      method: request.method,
      path: request.path,
      actedOn: actedOn?.id,
      status: response.status,
    });
    return response;
  }
}
