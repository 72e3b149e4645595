/**
 * What Vault and the laptop actually reported in this step, above the attestations that cite it:
 * the call, its HTTP outcome and time, and the fields people attest to (DR mode and state, the
 * connection to the primary, how far behind it is, the attempt's nonce and progress). For a DR
 * secondary, a plain verdict on whether it has caught up with its primary.
 */
import type { CeremonySnapshot, VaultAnswer } from '../../shared/ceremony/ceremony-snapshot';
import { LAG_ATTENTION_MS } from '../../shared/replication/replication-health';
import { formatDuration } from '../../shared/replication/format-duration';

export function StepReport({ ceremony }: { ceremony: CeremonySnapshot }) {
  const answers = ceremony.reported.filter((a) => a.step === ceremony.step);
  const earlier = ceremony.reported.filter((a) => a.step !== ceremony.step && a.warnings.length > 0);
  if (answers.length === 0 && earlier.length === 0 && !ceremony.lastResult) return null;
  return (
    <section aria-labelledby="report-heading" className="report" data-testid="step-report">
      <h3 id="report-heading">What was reported</h3>
      {ceremony.lastResult && ceremony.input !== 'retry' && (
        <p className="report-laptop" data-testid="laptop-report">
          The laptop: {ceremony.lastResult}
        </p>
      )}
      {answers.map((a) => (
        <AnswerFacts key={`${a.time}-${a.call}-${a.profile}`} answer={a} planProfile={ceremony.plan.profile} />
      ))}
      {earlier.map((a) => (
        <p key={`${a.time}-${a.call}`} className="report-warning" data-testid="vault-warning">
          Vault warned after {a.call}: {a.warnings.join(' ')}
        </p>
      ))}
    </section>
  );
}

function AnswerFacts({ answer, planProfile }: { answer: VaultAnswer; planProfile: string }) {
  const r = answer.replication;
  // Whether it has caught up is asked of the cluster being promoted, not of a peer asked before promoting.
  const own = answer.profile === null || answer.profile === planProfile;
  const verdict = r?.mode === 'secondary' && own ? secondaryVerdict(r) : undefined;
  return (
    <div className="answer" data-testid="vault-report">
      <p className="answer-call">
        Vault answered <span className="path">{answer.call}</span>
        {answer.profile && (
          <>
            {' '}
            on <strong>{answer.profile}</strong>
          </>
        )}{' '}
        with <strong>{answer.status === null ? 'no HTTP answer' : `HTTP ${answer.status}`}</strong> at{' '}
        <time dateTime={answer.time}>{clock(answer.time)}</time>
        {answer.requestId ? (
          <>
            {' '}
            (request <span className="path">{answer.requestId}</span>)
          </>
        ) : null}
        {answer.error ? `: ${answer.error}` : '.'}
      </p>
      <dl className="answer-facts">
        {r && (
          <>
            <Fact term="DR mode" value={r.mode} strong />
            {r.state && <Fact term="State" value={r.state} />}
            {r.mode === 'secondary' && <Fact term="Connection" value={r.connectionState ?? 'not reported'} />}
            {r.mode === 'secondary' && <Fact term="Last heartbeat" value={r.lastHeartbeat ?? 'none reported'} />}
            {r.canaryAgeMs !== null && (
              <Fact term="Newest replicated data" value={`${formatDuration(r.canaryAgeMs)} old`} />
            )}
            {r.lastRemoteWal !== null && <Fact term="Last WAL from primary" value={String(r.lastRemoteWal)} />}
            {r.lastDrWal !== null && <Fact term="Last DR WAL" value={String(r.lastDrWal)} />}
          </>
        )}
        {answer.attempt && (
          <>
            <Fact term="Attempt" value={answer.attempt.started ? 'started' : 'none open'} />
            {answer.attempt.nonce && <Fact term="Nonce" value={answer.attempt.nonce} strong />}
            {answer.attempt.started && (
              <Fact term="Shares" value={`${answer.attempt.progress} of ${answer.attempt.required}`} />
            )}
          </>
        )}
      </dl>
      {answer.warnings.length > 0 && (
        <p className="report-warning" data-testid="vault-warning">
          Vault warns: {answer.warnings.join(' ')}
        </p>
      )}
      {verdict && (
        <p className={`verdict-line verdict-${verdict.level}`} data-testid="secondary-verdict">
          <strong>{verdict.level === 'good' ? 'Caught up: ' : 'Check before promoting: '}</strong>
          {verdict.text}
        </p>
      )}
    </div>
  );
}

function Fact({ term, value, strong }: { term: string; value: string; strong?: boolean }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd className={strong ? 'strong' : undefined}>{value}</dd>
    </div>
  );
}

/** Whether the DR secondary is connected and current, in the words the guides use before a failover. */
function secondaryVerdict(r: NonNullable<VaultAnswer['replication']>): { level: 'good' | 'attention'; text: string } {
  const wal = r.lastRemoteWal === null ? '' : ` (WAL ${r.lastRemoteWal})`;
  if (r.connectionState !== 'ready')
    return {
      level: 'attention',
      text:
        `it is not connected to its primary (connection ${r.connectionState ?? 'not reported'}). If the old primary is down, ` +
        `that is expected: its data is as of the last heartbeat${r.lastHeartbeat ? ` at ${r.lastHeartbeat}` : ''}${wal}.`,
    };
  if (r.canaryAgeMs !== null && r.canaryAgeMs > LAG_ATTENTION_MS)
    return {
      level: 'attention',
      text: `it is connected but its newest data is ${formatDuration(r.canaryAgeMs)} old${wal}; let it catch up first if the primary still runs.`,
    };
  return { level: 'good', text: `connected to its primary and streaming${wal}.` };
}

/** The time of day in UTC, as people compare it with a wall clock and Vault's audit log. */
export function clock(iso: string): string {
  return `${iso.slice(11, 19)} UTC`;
}
