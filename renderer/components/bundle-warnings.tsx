/**
 * What does not change a bundle's verdict but must not be missed, in a card of its own under it:
 * what an auditor browsing the folder would otherwise read beside a verified record (entries no
 * signature covers), and odd times. The viewer shows it for a bundle it opened, the export panel
 * for the bundle it wrote: the same words `vault-ceremony verify` prints as WARNING lines.
 */
import { useId } from 'react';
import type { TranscriptBundle } from '../../shared/ipc/ipc-contract';
import { summariseProblems, unshownLine } from '../../shared/record/problem-summary';
import { drawnText } from '../../shared/record/visible-text';

export function BundleWarnings({ warnings }: { warnings: TranscriptBundle['warnings'] }) {
  const heading = useId();
  if (warnings.length === 0) return null;
  const { shown, unshown } = summariseProblems(warnings);
  return (
    <section aria-labelledby={heading} className="card card-attention outside-text" data-testid="bundle-warnings">
      <h2 id={heading}>
        ⚠ {warnings.length === 1 ? 'Warning' : `${warnings.length} warnings`}: not covered by the verdict
      </h2>
      <ul className="problems">
        {shown.map((warning, index) => (
          <li key={index} data-kind={warning.kind}>
            {drawnText(warning.message)}
          </li>
        ))}
        {unshown.map((more) => (
          <li key={more.kind}>{unshownLine(more)}</li>
        ))}
      </ul>
    </section>
  );
}
