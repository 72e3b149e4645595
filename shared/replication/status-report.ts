/**
 * One node's replication state for `vault-ceremony status`: the same overview and verdict the
 * dashboard shows (describeHealth), as plain text for a person or one JSON object for scripts.
 * Pure, so the words cannot drift from the dashboard's.
 */
import {
  describeNodes,
  isSealed,
  nodeName,
  nodeRole,
  type ClusterNodeStatus,
  type ClusterNodes,
  type ClusterVerdict,
} from './cluster-nodes';
import { formatDuration } from './format-duration';
import { describeHealth, type HealthVerdict } from './replication-health';
import type { ReplicationBlock, ReplicationOverview } from './replication-overview';

type Peer = NonNullable<ReplicationBlock['primaries']>[number];

/** What `status --json` prints: at least {"dr":{"mode","state"},"performance":{"mode"},"health":{…}}. */
export interface StatusReport {
  readonly address: string;
  readonly fetched_at: string;
  readonly verdict: HealthVerdict;
  readonly dr: Record<string, unknown> & { readonly mode: string; readonly state: string | null };
  readonly performance: Record<string, unknown> & { readonly mode: string; readonly state: string | null };
  readonly health: Record<string, unknown>;
  readonly seal: Record<string, unknown>;
  /** An HA cluster: every node as it answered, and the verdict on them. */
  readonly cluster?: ClusterNodes & { readonly verdict: ClusterVerdict };
}

export function statusReport(overview: ReplicationOverview): StatusReport {
  const block = (kind: 'dr' | 'performance') => {
    if (!overview.replication.ok) return { mode: 'unknown', state: null, error: overview.replication.error.message };
    const b = overview.replication.value[kind];
    return { ...b, mode: b.mode, state: b.state ?? null };
  };
  return {
    address: overview.address,
    fetched_at: overview.fetchedAt,
    verdict: describeHealth(overview),
    dr: block('dr'),
    performance: block('performance'),
    health: overview.health.ok ? { ...overview.health.value } : { error: overview.health.error.message },
    seal: overview.seal.ok ? { ...overview.seal.value } : { error: overview.seal.error.message },
    ...(overview.cluster ? { cluster: { ...overview.cluster, verdict: describeNodes(overview.cluster) } } : {}),
  };
}

const HEALTH_MEANING: Record<number, string> = {
  200: 'active',
  429: 'standby',
  472: 'DR secondary, active',
  473: 'performance standby',
  474: 'standby that cannot reach its active node',
  501: 'not initialised',
  503: 'sealed',
  530: 'removed from its cluster',
};

function peerLine(peer: Peer): string {
  const parts = [peer.connection_status ?? 'status unknown'];
  if (peer.last_heartbeat) parts.push(`last heartbeat ${peer.last_heartbeat}`);
  if (peer.replication_primary_canary_age_ms !== undefined)
    parts.push(`newest replicated data ${formatDuration(peer.replication_primary_canary_age_ms)} old`);
  if (peer.clock_skew_ms !== undefined) parts.push(`clock skew ${formatDuration(Math.abs(peer.clock_skew_ms))}`);
  return `    ${peer.node_id ?? peer.api_address ?? '(unnamed)'}${peer.api_address && peer.node_id ? ` (${peer.api_address})` : ''}: ${parts.join(', ')}`;
}

function blockLines(label: string, report: StatusReport['dr']): string[] {
  if (typeof report['error'] === 'string') return [`${label}: could not be read (${report['error']})`];
  const b = report as unknown as ReplicationBlock;
  if (b.mode === 'disabled') return [`${label}: disabled`];
  const head = [
    b.mode,
    b.state ? `state ${b.state}` : undefined,
    b.connection_state ? `connection ${b.connection_state}` : undefined,
  ];
  const lines = [`${label}: ${head.filter(Boolean).join(', ')}`];
  if (b.cluster_id) lines.push(`  cluster id ${b.cluster_id}`);
  if (b.primary_cluster_addr) lines.push(`  primary cluster address ${b.primary_cluster_addr}`);
  const wals = (
    [
      ['last_wal', b.last_wal],
      ['last_dr_wal', b.last_dr_wal],
      ['last_performance_wal', b.last_performance_wal],
      ['last_remote_wal', b.last_remote_wal],
    ] as const
  ).filter(([, v]) => v !== undefined);
  if (wals.length > 0) lines.push(`  WAL ${wals.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const peers = [...(b.primaries ?? []), ...(b.secondaries ?? [])];
  if (peers.length > 0) lines.push(`  ${b.mode === 'primary' ? 'secondaries' : 'primaries'}:`, ...peers.map(peerLine));
  return lines;
}

function nodeLine(cluster: ClusterNodes, node: ClusterNodeStatus): string {
  const parts: string[] = [nodeRole(node)];
  if (node.healthCode !== undefined)
    parts.push(`health ${node.healthCode}${isSealed(node) ? ' (sealed)' : node.reachable ? ', unsealed' : ''}`);
  if (node.drMode) parts.push(`DR mode ${node.drMode}`);
  if (node.raftCommittedIndex !== undefined || node.raftAppliedIndex !== undefined)
    parts.push(`raft committed index ${node.raftCommittedIndex ?? '?'}, applied ${node.raftAppliedIndex ?? '?'}`);
  if (!node.reachable && node.problem) parts.push(node.problem);
  return `  ${node.active ? '*' : ' '} ${nodeName(cluster, node)}: ${parts.join(', ')}`;
}

function clusterLines(cluster: NonNullable<StatusReport['cluster']>): string[] {
  const { verdict } = cluster;
  return [
    `Cluster: ${verdict.level}: ${verdict.summary}`,
    ...verdict.problems.map((p) => `  ${p}`),
    ...cluster.nodes.map((n) => nodeLine(cluster, n)),
  ];
}

export function statusText(report: StatusReport): string {
  const { verdict, health, seal } = report;
  const lines = [`Vault at ${report.address} (read ${report.fetched_at})`];
  lines.push(`Verdict: ${verdict.level}`, ...verdict.findings.map((f) => `  ${f.level}: ${f.text}`));
  if (report.cluster) lines.push(...clusterLines(report.cluster));
  lines.push(...blockLines('DR replication', report.dr), ...blockLines('Performance replication', report.performance));
  if (typeof health['status'] === 'number') {
    const version = typeof health['version'] === 'string' ? `, version ${health['version']}` : '';
    lines.push(`Health: HTTP ${health['status']} (${HEALTH_MEANING[health['status']] ?? 'unexpected'})${version}`);
  } else lines.push(`Health: could not be read (${String(health['error'])})`);
  if (typeof seal['sealed'] === 'boolean') {
    lines.push(
      `Seal: ${String(seal['type'])}, ${seal['sealed'] ? 'sealed' : 'unsealed'}, threshold ${String(seal['t'])} of ${String(seal['n'])}`,
    );
  } else lines.push(`Seal: could not be read (${String(seal['error'])})`);
  return `${lines.join('\n')}\n`;
}
