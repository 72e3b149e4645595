/**
 * Every node of an HA cluster as the dashboard and `vault-ceremony status` show it: its role (from
 * sys/leader's `is_self`, never from the health code, which is 472 on every node of a DR secondary),
 * its sys/health code, whether it is sealed, its raft indices, and one plain verdict for the whole
 * cluster that calls out a standby that is sealed, unreachable, cut off or far behind the active
 * node's raft log. Pure, so both say the same.
 */
import * as z from 'zod';
import type { HealthLevel } from './replication-health';

export const clusterNodeStatusSchema = z.object({
  address: z.string(),
  reachable: z.boolean(),
  /** It says it leads (sys/leader `is_self`). */
  active: z.boolean(),
  /** sys/health's status code; absent when the node did not answer. */
  healthCode: z.number().int().optional(),
  drMode: z.string().optional(),
  /** sys/leader's raft indices: the node's own log, committed and applied to its state. */
  raftCommittedIndex: z.number().int().nonnegative().optional(),
  raftAppliedIndex: z.number().int().nonnegative().optional(),
  /** Why sys/leader could not be read. */
  problem: z.string().optional(),
});
export type ClusterNodeStatus = z.output<typeof clusterNodeStatusSchema>;

export const clusterNodesSchema = z.object({
  nodes: z.array(clusterNodeStatusSchema),
  /** The load balancer the cluster was reached through, when the profile names one; it is not a node. */
  balancer: z.string().optional(),
});
export type ClusterNodes = z.output<typeof clusterNodesSchema>;

export type NodeRole =
  | 'active'
  | 'standby'
  | 'performance standby'
  | 'standby, cut off from the active node'
  | 'removed from the cluster'
  | 'unreachable';

export function nodeRole(node: ClusterNodeStatus): NodeRole {
  if (!node.reachable) return 'unreachable';
  if (node.active) return 'active';
  if (node.healthCode === 530) return 'removed from the cluster';
  if (node.healthCode === 474) return 'standby, cut off from the active node';
  if (node.healthCode === 473) return 'performance standby';
  return 'standby';
}

/** sys/health answers 503 for a sealed node, whatever its role. */
export function isSealed(node: ClusterNodeStatus): boolean {
  return node.healthCode === 503;
}

/** "node 2 (https://…)": the position in the list the profile gives, so people can point at one. */
export function nodeName(nodes: ClusterNodes, node: ClusterNodeStatus): string {
  return `node ${nodes.nodes.indexOf(node) + 1} (${node.address})`;
}

/**
 * How many raft entries a standby may have left to apply, counted from the active node's committed
 * index, before it is called out: Vault's autopilot calls a follower unhealthy beyond the same
 * number (`max_trailing_logs`, default 1000). Below it the gap is the ordinary one of entries in
 * flight and of nodes read a moment apart; above it the standby is catching up (after a restart,
 * say) and would not take over with current data if the active node stepped down now.
 */
export const RAFT_TRAILING_ENTRIES = 1000;

/** How far a standby's applied index trails the active node's committed one, when both are known. */
export function raftLag(active: ClusterNodeStatus, node: ClusterNodeStatus): number | undefined {
  if (active.raftCommittedIndex === undefined || node.raftAppliedIndex === undefined) return undefined;
  return Math.max(0, active.raftCommittedIndex - node.raftAppliedIndex);
}

export interface ClusterVerdict {
  readonly level: HealthLevel;
  /** e.g. "3 nodes, active: node 2 (https://…), all unsealed". */
  readonly summary: string;
  /** Each node that needs a look, worst first. */
  readonly problems: readonly string[];
}

export function describeNodes(cluster: ClusterNodes): ClusterVerdict {
  const { nodes } = cluster;
  const active = nodes.filter((n) => n.active);
  const sealed = nodes.filter((n) => n.reachable && isSealed(n));
  const unreachable = nodes.filter((n) => !n.reachable);
  const cutOff = nodes.filter((n) => n.reachable && !n.active && [474, 530].includes(n.healthCode ?? 0));
  // Against the one active node only: with none or two, which log is current is itself the problem.
  const [leader] = active.length === 1 ? active : [];
  const behind = nodes.flatMap((n) => {
    const lag = leader && n.reachable && n !== leader ? raftLag(leader, n) : undefined;
    if (lag === undefined || lag <= RAFT_TRAILING_ENTRIES) return [];
    return [
      `${nodeName(cluster, n)} is ${lag} raft entries behind the active node (applied ${n.raftAppliedIndex} of ${leader?.raftCommittedIndex}): still catching up, e.g. after a restart, so it cannot take over with current data yet`,
    ];
  });
  const problems = [
    ...unreachable.map((n) => `${nodeName(cluster, n)} is unreachable${n.problem ? `: ${n.problem}` : ''}`),
    ...sealed.map((n) => `${nodeName(cluster, n)} is sealed: it serves nothing and cannot take over until unsealed`),
    ...cutOff.map((n) => `${nodeName(cluster, n)} is a ${nodeRole(n)}`),
    ...behind,
  ];
  if (active.length > 1)
    problems.unshift(
      `${active.length} nodes claim to be active (${active.map((n) => nodeName(cluster, n)).join(', ')}): the newest leader wins, the other is stale`,
    );
  const leads =
    active.length === 0 ? 'no active node' : `active: ${active.map((n) => nodeName(cluster, n)).join(' and ')}`;
  const seal =
    sealed.length === 0 && unreachable.length === 0
      ? 'all unsealed'
      : [
          sealed.length > 0 ? `${sealed.length} sealed` : undefined,
          unreachable.length > 0 ? `${unreachable.length} unreachable` : undefined,
        ]
          .filter(Boolean)
          .join(', ');
  // sys/leader names the active node only: standbys behind a balancer are known only if listed.
  const through = cluster.balancer
    ? `, behind balancer ${cluster.balancer}${nodes.length <= 1 ? ' (standbys not listed in the profile)' : ''}`
    : '';
  const count = `${nodes.length} node${nodes.length === 1 ? '' : 's'}`;
  const level: HealthLevel = active.length !== 1 ? 'critical' : problems.length > 0 ? 'attention' : 'good';
  return { level, summary: `${count}${through}, ${leads}, ${seal}`, problems };
}
