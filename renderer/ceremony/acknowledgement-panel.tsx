/**
 * The acknowledgements the current step still needs: for each, what the person affirms, in the
 * first person, and one button per person who may give it. Nothing moves until they are given;
 * the main process checks each name against its role in the plan.
 */
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';
import type { CeremonyHandle } from './use-ceremony';

const ROLE: Record<string, string> = {
  administrator: 'The administrator',
  witness: 'A witness',
  officer: 'An officer',
};

export function AcknowledgementPanel({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  if (ceremony.acknowledgements.length === 0) return null;
  return (
    <section aria-labelledby="acks-heading" className="card">
      <h2 id="acks-heading">Acknowledgements needed</h2>
      <ul className="ack-list">
        {ceremony.acknowledgements.map((request, i) => {
          const first = request.anyOf[0]!;
          const who =
            request.anyOf.length === 1
              ? `${first.name} (${first.role})`
              : `${ROLE[first.role] ?? first.role}: any one of ${request.anyOf.map((o) => o.name).join(', ')}`;
          return (
            <li key={i} className="ack">
              <p className="ack-who">{who}</p>
              <blockquote className="ack-text">{first.text}</blockquote>
              <div className="actions">
                {request.anyOf.map((option) => (
                  <button
                    key={option.name}
                    type="button"
                    disabled={handle.busy}
                    onClick={() =>
                      void handle.send('ceremony.act', {
                        type: 'acknowledge',
                        step: ceremony.step,
                        actor: option.name,
                        role: option.role,
                      })
                    }
                  >
                    Confirm as {option.name}
                  </button>
                ))}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
