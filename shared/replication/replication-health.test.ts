import { describe, expect, it } from 'vitest';
import { describeHealth } from './replication-health';
import type { HealthSummary, ReplicationBlock, ReplicationOverview, SealSummary } from './replication-overview';

const activeDrSecondaryHealth: HealthSummary = {
  status: 472,
  initialized: true,
  sealed: false,
  standby: false,
  replication_dr_mode: 'secondary',
  replication_performance_mode: 'disabled',
};
const unsealed: SealSummary = { type: 'shamir', initialized: true, sealed: false, t: 3, n: 5, progress: 0 };
const disabled: ReplicationBlock = { mode: 'disabled' };
const drSecondary: ReplicationBlock = {
  mode: 'secondary',
  state: 'stream-wals',
  connection_state: 'ready',
  last_remote_wal: 812,
  primaries: [
    { api_address: 'https://vault-a:8200', connection_status: 'connected', replication_primary_canary_age_ms: 1200 },
  ],
};

function overview(parts: {
  health?: HealthSummary | string;
  seal?: SealSummary | string;
  dr?: ReplicationBlock;
  performance?: ReplicationBlock;
  replication?: string;
}): ReplicationOverview {
  const answer = <T>(value: T | string) =>
    typeof value === 'string'
      ? { ok: false as const, error: { kind: 'connection-refused', message: value } }
      : { ok: true as const, value };
  return {
    label: 'dc2',
    address: 'https://vault-dr.example.com:8200',
    fetchedAt: '2026-01-01T00:00:00.000Z',
    health: answer(parts.health ?? activeDrSecondaryHealth),
    seal: answer(parts.seal ?? unsealed),
    replication: parts.replication
      ? { ok: false, error: { kind: 'vault-error', message: parts.replication } }
      : { ok: true, value: { dr: parts.dr ?? drSecondary, performance: parts.performance ?? disabled } },
  };
}

const texts = (o: ReplicationOverview) => describeHealth(o).findings.map((f) => `${f.level}: ${f.text}`);

describe('describeHealth', () => {
  it('calls a connected, unsealed DR secondary good and says what it is', () => {
    const verdict = describeHealth(overview({}));
    expect(verdict.level).toBe('good');
    expect(texts(overview({}))).toEqual([
      'good: This node is the active node of a DR secondary cluster: it is unsealed and replicates from its primary.',
      'good: This cluster is a DR secondary connected to its primary (state stream-wals).',
      'info: Performance replication is not enabled on this cluster.',
    ]);
  });

  it('puts a sealed or uninitialised Vault first, as critical', () => {
    const sealed = overview({
      health: { ...activeDrSecondaryHealth, status: 503, sealed: true },
      seal: { ...unsealed, sealed: true, progress: 2 },
    });
    expect(describeHealth(sealed).level).toBe('critical');
    expect(texts(sealed).slice(0, 2)).toEqual([
      'critical: Vault is sealed: it serves nothing until it is unsealed with its unseal (or recovery) keys.',
      'attention: Unsealing is in progress: 2 of 3 keys entered.',
    ]);
    expect(texts(overview({ health: { ...activeDrSecondaryHealth, status: 501, initialized: false } }))[0]).toBe(
      'critical: Vault is not initialised.',
    );
  });

  it('warns about a secondary that lost its primary, explaining when that is expected', () => {
    const lost = overview({
      dr: { ...drSecondary, connection_state: 'transient_failure', state: 'idle', primaries: [] },
    });
    expect(describeHealth(lost).level).toBe('attention');
    expect(texts(lost)[0]).toBe(
      "attention: This DR secondary is not connected to its primary (connection state 'transient_failure'). If the primary is down, that is expected before a promotion; otherwise check the network between the clusters.",
    );
  });

  it('reports re-synchronisation, replication lag and a corrupted Merkle tree', () => {
    const behind = overview({
      dr: {
        ...drSecondary,
        state: 'merkle-sync',
        corrupted_merkle_tree: true,
        primaries: [{ replication_primary_canary_age_ms: 95_000 }],
      },
    });
    expect(texts(behind)).toEqual([
      'critical: The DR replication Merkle tree is corrupted: the cluster needs a reindex before its data can be trusted.',
      'attention: The DR secondary is re-synchronising with its primary (merkle-sync): its data may be behind.',
      'attention: The newest data replicated from the primary is 95 s old.',
      'good: This node is the active node of a DR secondary cluster: it is unsealed and replicates from its primary.',
      'good: This cluster is a DR secondary connected to its primary (state merkle-sync).',
      'info: Performance replication is not enabled on this cluster.',
    ]);
  });

  it('describes a primary and names each disconnected secondary', () => {
    const primary = overview({
      health: { ...activeDrSecondaryHealth, status: 200, replication_dr_mode: 'primary' },
      dr: {
        mode: 'primary',
        known_secondaries: ['dr-east', 'dr-west'],
        secondaries: [
          { node_id: 'dr-east', connection_status: 'connected' },
          { node_id: 'dr-west', connection_status: 'disconnected', last_heartbeat: '2026-01-01T00:00:00Z' },
        ],
      },
    });
    expect(texts(primary)).toEqual([
      'attention: DR secondary dr-west is disconnected (last heartbeat 2026-01-01T00:00:00Z).',
      'good: This node is active and unsealed.',
      'info: This cluster is a DR primary with 2 known secondaries.',
      'info: Performance replication is not enabled on this cluster.',
    ]);
  });

  it('tells a standby node apart from the active one', () => {
    const standby = overview({ health: { ...activeDrSecondaryHealth, status: 429, standby: true } });
    expect(texts(standby)[0]).toMatch(/^attention: This node is a standby, not the active node/);
  });

  it('calls a removed node (530) and a standby cut off from its active node (474) critical', () => {
    const removed = overview({
      health: { ...activeDrSecondaryHealth, status: 530, standby: true, removed_from_cluster: true },
    });
    expect(texts(removed)[0]).toMatch(/^critical: This node was removed from its raft cluster/);
    const cutOff = overview({
      health: {
        ...activeDrSecondaryHealth,
        status: 474,
        standby: true,
        ha_connection_healthy: false,
        last_request_forwarding_heartbeat_ms: 12_000,
      },
    });
    expect(texts(cutOff)[0]).toBe(
      'critical: This standby cannot reach its active node (last heartbeat 12 s ago). Check the active node and the network between them before a ceremony.',
    );
  });

  it('keeps what did answer when an endpoint fails, and is unknown when none answers', () => {
    const partial = overview({ replication: "Vault says 'permission denied'" });
    expect(describeHealth(partial).level).toBe('attention');
    expect(texts(partial)).toContain(
      "attention: The replication status could not be read: Vault says 'permission denied'",
    );
    const none = overview({ health: 'refused', seal: 'refused', replication: 'refused' });
    expect(describeHealth(none).level).toBe('unknown');
  });
});
