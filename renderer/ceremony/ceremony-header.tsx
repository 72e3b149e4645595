/**
 * Always on screen while a ceremony runs: which ceremony (REHEARSAL or LIVE), which step of how
 * many, and, once the attempt is started, its nonce and the shares entered so far. Every officer
 * compares the nonce here with the one read aloud before entering a share.
 */
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';

export function CeremonyHeader({ ceremony }: { ceremony: CeremonySnapshot }) {
  const index = ceremony.steps.findIndex((s) => s.id === ceremony.step);
  // Before the attempt starts there is a nonce to come; after it completes (or on a batch-token path) there is none.
  const attemptAt = ceremony.steps.findIndex((s) => s.id === 'start-attempt');
  const nonce = ceremony.nonce ?? (index >= 0 && index <= attemptAt ? 'not pinned yet' : '—');
  return (
    <section className="ceremony-header" aria-label="Ceremony status" data-testid="ceremony-header">
      <p className="ceremony-name">
        <strong className={ceremony.plan.rehearsal ? 'rehearsal-tag' : 'live-tag'}>
          {ceremony.plan.rehearsal ? 'REHEARSAL' : 'LIVE'}
        </strong>{' '}
        {ceremony.plan.title}{' '}
        <span className="muted">
          ({ceremony.plan.id}, profile {ceremony.plan.profile})
        </span>
      </p>
      <dl className="ceremony-facts">
        <div>
          <dt>Step</dt>
          <dd data-testid="ceremony-step">
            {index >= 0 ? `${index + 1} of ${ceremony.steps.length}: ` : ''}
            {ceremony.title}
          </dd>
        </div>
        <div>
          <dt>Nonce</dt>
          <dd className="nonce" data-testid="ceremony-nonce">
            {nonce}
          </dd>
        </div>
        <div>
          <dt>Shares</dt>
          <dd data-testid="ceremony-progress">
            {ceremony.progress ? `${ceremony.progress.entered} of ${ceremony.progress.required} entered` : '—'}
          </dd>
        </div>
      </dl>
    </section>
  );
}
