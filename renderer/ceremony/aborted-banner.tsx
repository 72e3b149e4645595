/**
 * An aborted ceremony, unmistakable on every screen after its abort was signed: ABORTED, where and
 * why, who authorised it, and that nothing more is done on Vault. While the transcript is still
 * being signed it also lists what the abort left behind (the outcome card lists it once it ends).
 */
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';
import { STEPS } from '../../shared/ceremony/step-catalogue';
import { LeftBehind } from './left-behind';

export function AbortedBanner({ ceremony, ended }: { ceremony: CeremonySnapshot; ended: boolean }) {
  const aborted = ceremony.aborted;
  if (!aborted) return null;
  return (
    <section aria-labelledby="aborted-heading" className="card card-critical" data-testid="aborted-banner">
      <h2 id="aborted-heading">ABORTED</h2>
      <p>
        Aborted at “{STEPS[aborted.step].title}”, authorised by {aborted.authorisedBy.join(' and ')} with their own
        keys. The reason, as signed: “{aborted.reason}”
      </p>
      <p>
        Nothing more is done on {ceremony.plan.profile}.{' '}
        {ended
          ? 'The transcript saying so is signed by everyone; export it for the auditors below.'
          : 'The administrator, then each witness, now signs the transcript that records the abort.'}
      </p>
      {!ended && <LeftBehind looseEnds={ceremony.looseEnds} />}
    </section>
  );
}
