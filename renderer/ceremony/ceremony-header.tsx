/**
 * Always on screen while a ceremony runs, in one or two short rows: which ceremony (REHEARSAL or
 * LIVE) against which cluster, the true step (or that it is stopped for a deviation, or off the
 * planned script), the nonce, the shares entered, and the step after this one. When Vault reports
 * a nonce other than the pinned one, both are shown: every officer compares the nonce here with the
 * one read aloud before entering a share.
 */
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';

export function CeremonyHeader({ ceremony }: { ceremony: CeremonySnapshot }) {
  const index = ceremony.steps.findIndex((s) => s.id === ceremony.step);
  // Before the attempt starts there is a nonce to come; after it completes (or on a batch-token path) there is none.
  const attemptAt = ceremony.steps.findIndex((s) => s.id === 'start-attempt');
  const pinned = ceremony.nonce ?? (index >= 0 && index <= attemptAt ? 'not pinned yet' : '—');
  const observed = [...ceremony.reported].reverse().find((a) => a.attempt?.nonce)?.attempt?.nonce;
  const changed = ceremony.nonce !== null && observed !== undefined && observed !== ceremony.nonce;
  const where =
    index >= 0
      ? `${index + 1} of ${ceremony.steps.length}: ${ceremony.title}`
      : `${ceremony.title} (a detour from the ${ceremony.steps.length} planned steps)`;
  const next = index >= 0 ? ceremony.steps[index + 1]?.title : undefined;
  return (
    <section className="ceremony-header" aria-label="Ceremony status" data-testid="ceremony-header">
      <dl className="ceremony-facts">
        <div>
          <dt className="visually-hidden">Ceremony</dt>
          <dd>
            <strong className={ceremony.plan.rehearsal ? 'rehearsal-tag' : 'live-tag'}>
              {ceremony.plan.rehearsal ? 'REHEARSAL' : 'LIVE'}
            </strong>{' '}
            <span className="visually-hidden">{ceremony.plan.kind} of </span>
            <strong>{ceremony.plan.profile}</strong>
          </dd>
        </div>
        <div>
          <dt>{ceremony.awaiting === 'deviation' ? 'Stopped before' : 'Step'}</dt>
          <dd data-testid="ceremony-step">{where}</dd>
        </div>
        <div>
          <dt>Nonce</dt>
          <dd className={changed ? 'nonce bad' : 'nonce'} data-testid="ceremony-nonce">
            {changed ? `${pinned} pinned; Vault now reports ${observed}` : pinned}
          </dd>
        </div>
        <div>
          <dt>Shares</dt>
          <dd data-testid="ceremony-progress">
            {ceremony.progress ? `${ceremony.progress.entered} of ${ceremony.progress.required} entered` : '—'}
          </dd>
        </div>
        {next && (
          <div className="header-next">
            <dt>Next</dt>
            <dd>{next}</dd>
          </div>
        )}
      </dl>
    </section>
  );
}
