/**
 * The replication dashboard's verdict in plain language: what sys/health, sys/seal-status and
 * sys/replication/status together say about a cluster, worst first, each finding a sentence an
 * officer can act on. Pure, so the CLI can print the same words.
 */
import { formatDuration } from './format-duration';
import type { ReplicationBlock, ReplicationOverview } from './replication-overview';

export type HealthLevel = 'critical' | 'attention' | 'good' | 'info';

export interface HealthFinding {
  readonly level: HealthLevel;
  readonly text: string;
}

export interface HealthVerdict {
  /** The worst finding's level; 'unknown' when no endpoint answered. */
  readonly level: HealthLevel | 'unknown';
  readonly findings: readonly HealthFinding[];
}

const ORDER: Record<HealthLevel, number> = { critical: 0, attention: 1, good: 2, info: 3 };

/** Above this, replicated data is old enough to mention (Vault's canary is written every few seconds). */
export const LAG_ATTENTION_MS = 30_000;

const SYNCING_STATES = new Set(['merkle-diff', 'merkle-sync', 'bootstrapping']);

function replicationFindings(kind: 'DR' | 'performance', block: ReplicationBlock): HealthFinding[] {
  const out: HealthFinding[] = [];
  const Kind = kind === 'DR' ? 'DR' : 'Performance';
  if (block.corrupted_merkle_tree) {
    out.push({
      level: 'critical',
      text: `The ${kind} replication Merkle tree is corrupted: the cluster needs a reindex before its data can be trusted.`,
    });
  }
  if (block.reindex_in_progress)
    out.push({ level: 'attention', text: `A ${kind} reindex is in progress; status figures may move until it ends.` });

  switch (block.mode) {
    case 'disabled':
      out.push({ level: 'info', text: `${Kind} replication is not enabled on this cluster.` });
      break;
    case 'bootstrapping':
      out.push({
        level: 'attention',
        text: `${Kind} replication is still being set up on this cluster (bootstrapping).`,
      });
      break;
    case 'primary': {
      const known = block.known_secondaries ?? [];
      out.push({
        level: 'info',
        text: `This cluster is a ${kind} primary with ${known.length} known secondar${known.length === 1 ? 'y' : 'ies'}.`,
      });
      for (const secondary of block.secondaries ?? []) {
        if (secondary.connection_status === 'disconnected') {
          const heartbeat = secondary.last_heartbeat ? ` (last heartbeat ${secondary.last_heartbeat})` : '';
          out.push({
            level: 'attention',
            text: `${Kind} secondary ${secondary.node_id ?? secondary.api_address ?? '(unnamed)'} is disconnected${heartbeat}.`,
          });
        }
      }
      break;
    }
    case 'secondary': {
      const state = block.state ? ` (state ${block.state})` : '';
      if (block.connection_state === 'ready') {
        out.push({ level: 'good', text: `This cluster is a ${kind} secondary connected to its primary${state}.` });
      } else {
        const connection = block.connection_state
          ? `connection state '${block.connection_state}'`
          : 'no connection state reported';
        out.push({
          level: 'attention',
          text: `This ${kind} secondary is not connected to its primary (${connection}). If the primary is down, that is expected before a promotion; otherwise check the network between the clusters.`,
        });
      }
      if (block.state !== undefined && SYNCING_STATES.has(block.state)) {
        out.push({
          level: 'attention',
          text: `The ${kind} secondary is re-synchronising with its primary (${block.state}): its data may be behind.`,
        });
      }
      const lag = Math.max(...(block.primaries ?? []).map((p) => p.replication_primary_canary_age_ms ?? 0), 0);
      if (lag > LAG_ATTENTION_MS) {
        out.push({
          level: 'attention',
          text: `The newest data replicated from the primary is ${formatDuration(lag)} old.`,
        });
      }
      break;
    }
    default:
      out.push({
        level: 'attention',
        text: `${Kind} replication reports a mode this app does not know: '${block.mode}'.`,
      });
  }
  return out;
}

export function describeHealth(overview: ReplicationOverview): HealthVerdict {
  const findings: HealthFinding[] = [];
  const { health, seal, replication } = overview;

  if (health.ok) {
    const h = health.value;
    if (!h.initialized) findings.push({ level: 'critical', text: 'Vault is not initialised.' });
    else if (h.status === 530 || h.removed_from_cluster)
      findings.push({
        level: 'critical',
        text: 'This node was removed from its raft cluster: it serves nothing. Point the profile at a node that is still a member.',
      });
    else if (h.sealed)
      findings.push({
        level: 'critical',
        text: 'Vault is sealed: it serves nothing until it is unsealed with its unseal (or recovery) keys.',
      });
    else if (h.status === 472)
      findings.push({
        level: 'good',
        text: 'This node is the active node of a DR secondary cluster: it is unsealed and replicates from its primary.',
      });
    else if (h.status === 473)
      findings.push({
        level: 'good',
        text: 'This node is an unsealed performance standby: it serves reads and forwards writes to the active node.',
      });
    else if (h.status === 474 || h.ha_connection_healthy === false) {
      const since =
        h.last_request_forwarding_heartbeat_ms === undefined
          ? ''
          : ` (last heartbeat ${formatDuration(h.last_request_forwarding_heartbeat_ms)} ago)`;
      findings.push({
        level: 'critical',
        text: `This standby cannot reach its active node${since}. Check the active node and the network between them before a ceremony.`,
      });
    } else if (h.standby) {
      findings.push({
        level: 'attention',
        text: "This node is a standby, not the active node. Point the profile at the active node or the cluster's load balancer before a ceremony.",
      });
    } else findings.push({ level: 'good', text: 'This node is active and unsealed.' });
  }
  if (seal.ok && seal.value.sealed && seal.value.progress > 0) {
    findings.push({
      level: 'attention',
      text: `Unsealing is in progress: ${seal.value.progress} of ${seal.value.t} keys entered.`,
    });
  }
  if (replication.ok) {
    findings.push(
      ...replicationFindings('DR', replication.value.dr),
      ...replicationFindings('performance', replication.value.performance),
    );
  }
  for (const [what, part] of [
    ['health', health],
    ['seal status', seal],
    ['replication status', replication],
  ] as const) {
    if (!part.ok) findings.push({ level: 'attention', text: `The ${what} could not be read: ${part.error.message}` });
  }

  findings.sort((a, b) => ORDER[a.level] - ORDER[b.level]);
  const answered = health.ok || seal.ok || replication.ok;
  return { level: answered ? (findings[0]?.level ?? 'good') : 'unknown', findings };
}
