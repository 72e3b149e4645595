/** The ceremony's steps in order, the current one marked, so everyone sees where they are and what comes. */
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';

export function StepList({ ceremony }: { ceremony: CeremonySnapshot }) {
  const current = ceremony.steps.findIndex((s) => s.id === ceremony.step);
  return (
    <nav aria-label="Ceremony steps" className="step-list">
      <ol>
        {ceremony.steps.map((step, i) => (
          <li
            key={step.id}
            aria-current={i === current ? 'step' : undefined}
            className={i < current ? 'step-done' : i === current ? 'step-current' : 'step-todo'}
          >
            {step.title}
            {i < current && <span className="visually-hidden"> (done)</span>}
          </li>
        ))}
      </ol>
      {current < 0 && <p className="hint">Now: {ceremony.title}</p>}
    </nav>
  );
}
