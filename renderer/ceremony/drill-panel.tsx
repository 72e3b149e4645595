/**
 * Rehearsal drills on an HA cluster, offered only when the main process says this ceremony has them
 * (an in-app rehearsal with several nodes): a leader change now, mid-ceremony. The wizard is not told
 * what follows: the ceremony finds the change on its next call, as it would on the day.
 */
import { useState } from 'react';
import type { CeremonySnapshot, RehearsalDrill } from '../../shared/ceremony/ceremony-snapshot';
import { drawnText } from '../../shared/record/visible-text';
import { useDisclosure } from '../components/disclosure';
import type { CeremonyHandle } from './use-ceremony';

const DRILL: Record<RehearsalDrill, { readonly label: string; readonly what: string }> = {
  'step-down': {
    label: 'Step down the active node',
    what: 'Another node takes over; the attempt stays in the old node’s memory only.',
  },
  'hard-kill': {
    label: 'Kill the active node',
    what: 'Its process ends and the attempt with it; another node takes over.',
  },
};

export function DrillPanel({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  const { open, setOpen, opener, panel, onKeyDown } = useDisclosure();
  const [done, setDone] = useState<string>();

  if (ceremony.drills.length === 0) return null;
  if (!open)
    return (
      <button type="button" className="secondary" ref={opener} onClick={() => setOpen(true)}>
        Rehearsal drills…
      </button>
    );

  async function run(drill: RehearsalDrill) {
    const answer = await handle.call('ceremony.drill', { drill });
    if (answer) setDone(answer.done);
  }

  return (
    <section aria-labelledby="drill-heading" className="card" ref={panel} onKeyDown={onKeyDown} data-testid="drills">
      <h2 id="drill-heading">Rehearsal drills</h2>
      <p>Practise a leader change mid-ceremony. The ceremony is not told: it must notice on its next step.</p>
      <ul className="drills">
        {ceremony.drills.map((drill) => (
          <li key={drill}>
            <button type="button" className="secondary" disabled={handle.busy} onClick={() => void run(drill)}>
              {DRILL[drill].label}
            </button>{' '}
            {DRILL[drill].what}
          </li>
        ))}
      </ul>
      <p role="status" data-testid="drill-done">
        {done ? `Drill: ${drawnText(done)}.` : ''}
      </p>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          Close the drills
        </button>
      </div>
    </section>
  );
}
