/**
 * Replication dashboard: DR and performance replication, health and seal status of one
 * cluster, in Vault's own field names with a plain-language verdict on top. It refreshes on a
 * timer and always shows how old what it shows is, so nobody acts on a stale picture.
 */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { formatDuration } from '../../shared/replication/format-duration';
import type { AppInfo, ClusterTarget } from '../../shared/ipc/ipc-contract';
import { describeHealth } from '../../shared/replication/replication-health';
import type {
  HealthSummary,
  ReplicationBlock,
  ReplicationOverview,
  SealSummary,
} from '../../shared/replication/replication-overview';
import { invoke } from '../api';
import { ClusterSelect, useClusterPicker } from '../components/cluster-picker';
import { Notice } from '../components/notice';
import { useNow } from '../components/use-now';
import { formatAge } from '../format-age';
import { ClusterNodesSection } from './cluster-nodes-section';
import { LEVEL_LABEL } from './health-level-label';

export const REFRESH_MS = 10_000;

const HEALTH_STATUS: Record<number, string> = {
  200: 'active, unsealed',
  429: 'unsealed standby',
  472: 'DR secondary, active',
  473: 'performance standby',
  501: 'not initialised',
  503: 'sealed',
};

type Row = readonly [label: string, value: ReactNode];

function Facts({ rows, testId }: { rows: readonly Row[]; testId?: string }) {
  const shown = rows.filter(([, value]) => value !== undefined && value !== null && value !== '');
  return (
    <dl className="facts" data-testid={testId}>
      {shown.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

const list = (items: readonly string[] | null | undefined) =>
  items && items.length > 0 ? items.join(', ') : undefined;
const ms = (value: number | undefined) => (value === undefined ? undefined : formatDuration(value));

function Peers({ caption, peers }: { caption: string; peers: NonNullable<ReplicationBlock['primaries']> }) {
  if (peers.length === 0) return null;
  return (
    <table className="peers">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Node or API address</th>
          <th scope="col">Cluster address</th>
          <th scope="col">Connection</th>
          <th scope="col">Last heartbeat</th>
          <th scope="col">Clock skew</th>
          <th scope="col">Replication lag</th>
        </tr>
      </thead>
      <tbody>
        {peers.map((peer, index) => (
          <tr key={`${peer.node_id ?? peer.api_address ?? ''}-${index}`}>
            <th scope="row">{peer.node_id ?? peer.api_address ?? '—'}</th>
            <td>{peer.cluster_address ?? '—'}</td>
            <td>{peer.connection_status ?? '—'}</td>
            <td>{peer.last_heartbeat ?? '—'}</td>
            <td>{ms(peer.clock_skew_ms) ?? '—'}</td>
            <td>{ms(peer.replication_primary_canary_age_ms) ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ReplicationSection({ title, block, testId }: { title: string; block: ReplicationBlock; testId: string }) {
  const lag = Math.max(...(block.primaries ?? []).map((p) => p.replication_primary_canary_age_ms ?? -1), -1);
  return (
    <section aria-labelledby={`${testId}-heading`} className="card" data-testid={testId}>
      <h2 id={`${testId}-heading`}>{title}</h2>
      <Facts
        rows={[
          ['Mode', block.mode],
          ['State', block.state],
          ['Connection state', block.connection_state],
          ['Cluster ID', block.cluster_id],
          ['Secondary ID', block.secondary_id],
          ['Primary cluster address', block.primary_cluster_addr],
          ['Known primary cluster addresses', list(block.known_primary_cluster_addrs)],
          ['Known secondaries', list(block.known_secondaries)],
          ['Last WAL', block.last_wal],
          ['Last DR WAL', block.last_dr_wal],
          ['Last performance WAL', block.last_performance_wal],
          ['Last remote WAL', block.last_remote_wal],
          ['Replication lag (age of newest primary canary)', lag >= 0 ? formatDuration(lag) : undefined],
          ['Merkle root', block.merkle_root],
          [
            'Merkle tree corrupted',
            block.corrupted_merkle_tree === undefined ? undefined : block.corrupted_merkle_tree ? 'yes' : 'no',
          ],
        ]}
      />
      <Peers caption="Primaries" peers={block.primaries ?? []} />
      <Peers caption="Secondaries" peers={block.secondaries ?? []} />
    </section>
  );
}

function NodeSection({ health, seal }: { health: ReplicationOverview['health']; seal: ReplicationOverview['seal'] }) {
  const h: HealthSummary | undefined = health.ok ? health.value : undefined;
  const s: SealSummary | undefined = seal.ok ? seal.value : undefined;
  return (
    <section aria-labelledby="node-heading" className="card" data-testid="node">
      <h2 id="node-heading">Node and seal</h2>
      <Facts
        rows={[
          ['Health', h ? `HTTP ${h.status}: ${HEALTH_STATUS[h.status] ?? 'unexpected status'}` : undefined],
          ['Vault version', h?.version ?? s?.version],
          ['Cluster name', h?.cluster_name],
          ['Sealed', (h ?? s) === undefined ? undefined : (h ?? s)!.sealed ? 'yes' : 'no'],
          ['Seal type', s ? `${s.type}${s.recovery_seal ? ' (recovery keys)' : ''}` : undefined],
          ['Key threshold', s ? `${s.t} of ${s.n}` : undefined],
          ['Unseal progress', s?.sealed ? `${s.progress} of ${s.t}` : undefined],
          ['Storage', s?.storage_type],
        ]}
      />
    </section>
  );
}

export function DashboardScreen({ info, onChooseTarget }: { info: AppInfo | undefined; onChooseTarget: () => void }) {
  const [overview, setOverview] = useState<ReplicationOverview>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const now = useNow(1000);
  const generation = useRef(0);
  const picker = useClusterPicker(info, setError);
  const { targets, selected } = picker;

  const refresh = useCallback(async (target: ClusterTarget) => {
    const mine = ++generation.current;
    setLoading(true);
    const result = await invoke('replication.status', { target });
    // A reply for a cluster no longer selected is dropped.
    if (mine !== generation.current) return;
    setLoading(false);
    if (result.ok) {
      setOverview(result.value);
      setError(undefined);
    } else setError(result.error.message);
  }, []);

  const target = picker.entry?.target;

  useEffect(() => {
    if (target === undefined) return;
    setOverview(undefined);
    void refresh(target);
    const timer = window.setInterval(() => void refresh(target), REFRESH_MS);
    return () => {
      window.clearInterval(timer);
      // eslint-disable-next-line react-hooks/exhaustive-deps -- a counter, not a DOM node: bump whatever it is now
      generation.current++;
    };
    // Keyed on the selection, not the target object: an equal new object must not restart the timer.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- on purpose, see above
  }, [selected, targets, refresh]);

  if (targets !== undefined && targets.length === 0) {
    return (
      <>
        <p>No connection profile is saved, so there is no cluster to show.</p>
        <button type="button" className="secondary" onClick={onChooseTarget}>
          Back to Start
        </button>
      </>
    );
  }

  const verdict = overview ? describeHealth(overview) : undefined;
  const fetchedAt = overview ? new Date(overview.fetchedAt) : undefined;
  const stale = fetchedAt !== undefined && now.getTime() - fetchedAt.getTime() > 3 * REFRESH_MS;

  return (
    <>
      <div className="toolbar">
        <ClusterSelect id="dashboard-target" picker={picker} />
        <button
          type="button"
          className="secondary"
          onClick={() => target && void refresh(target)}
          disabled={loading || target === undefined}
        >
          Refresh now
        </button>
        <p className="age" data-testid="age">
          {fetchedAt ? (
            <>
              Updated <time dateTime={overview!.fetchedAt}>{formatAge(fetchedAt, now)}</time>
              {stale ? ' — out of date' : ''}; refreshes every {REFRESH_MS / 1000} s
            </>
          ) : targets === undefined && info?.mode === 'rehearsal' && !error ? (
            'Starting the rehearsal Vault…'
          ) : loading ? (
            'Reading status…'
          ) : (
            ''
          )}
        </p>
      </div>
      {error && <Notice tone="error">{error}</Notice>}
      {overview && verdict && (
        <>
          <section
            aria-labelledby="verdict-heading"
            className={`card verdict verdict-${verdict.level}`}
            data-testid="verdict"
          >
            <h2 id="verdict-heading">
              Health: <span className="level">{LEVEL_LABEL[verdict.level]}</span>
            </h2>
            <ul>
              {verdict.findings.map((finding) => (
                <li key={finding.text} className={`finding finding-${finding.level}`}>
                  <span className="level">{LEVEL_LABEL[finding.level]}:</span> {finding.text}
                </li>
              ))}
            </ul>
          </section>
          {overview.cluster && <ClusterNodesSection cluster={overview.cluster} />}
          {overview.replication.ok && (
            <>
              <ReplicationSection
                title="Disaster recovery (DR) replication"
                block={overview.replication.value.dr}
                testId="dr"
              />
              <ReplicationSection
                title="Performance replication"
                block={overview.replication.value.performance}
                testId="performance"
              />
            </>
          )}
          <NodeSection health={overview.health} seal={overview.seal} />
        </>
      )}
    </>
  );
}
