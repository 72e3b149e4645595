/**
 * The acknowledgements the current step still needs: for each, what the person affirms, in the
 * first person, and one button per person who may give it. Nothing moves until they are given;
 * the main process checks each name against its role in the plan.
 *
 * An irreversible step (promote, demote, update-primary, a destructive operation's call) looks like one: a red card saying what
 * the last click does, and each person types the cluster's name before their button wakes. So a
 * run of Enter presses that carried people through the ordinary steps stops at an empty field.
 */
import { useState } from 'react';
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';
import { isIrreversibleStep, type IrreversibleStep } from '../../shared/ceremony/step-catalogue';
import { isConfirmed, TypeToConfirm } from '../components/type-to-confirm';
import type { CeremonyHandle } from './use-ceremony';

const ROLE: Record<string, string> = {
  administrator: 'The administrator',
  witness: 'A witness',
  officer: 'An officer',
};

type Request = CeremonySnapshot['acknowledgements'][number];
/** The irreversible steps of promotions and failbacks, and an operation ceremony's destructive call. */
type DangerStep = IrreversibleStep | 'perform-operation';

export function AcknowledgementPanel({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  if (ceremony.acknowledgements.length === 0) return null;
  const danger: DangerStep | undefined =
    isIrreversibleStep(ceremony.step) || (ceremony.step === 'perform-operation' && ceremony.plan.operation?.destructive)
      ? ceremony.step
      : undefined;
  return (
    <section
      aria-labelledby="acks-heading"
      className={danger ? 'card card-danger' : 'card'}
      data-testid={danger ? 'irreversible-authorisation' : 'acknowledgements'}
    >
      <h2 id="acks-heading">{danger ? `Irreversible: ${ceremony.title}` : 'Acknowledgements needed'}</h2>
      {danger && (
        <p className="danger-sentence" data-testid="irreversible-sentence">
          {whatHappens(danger, ceremony)} It cannot be undone.
        </p>
      )}
      <ul className="ack-list">
        {ceremony.acknowledgements.map((request, i) => (
          <Acknowledgement
            key={`${ceremony.step}-${i}-${request.anyOf.map((o) => o.name).join()}`}
            request={request}
            ceremony={ceremony}
            handle={handle}
            danger={danger}
            last={ceremony.acknowledgements.length === 1}
          />
        ))}
      </ul>
    </section>
  );
}

function Acknowledgement({
  request,
  ceremony,
  handle,
  danger,
  last,
}: {
  request: Request;
  ceremony: CeremonySnapshot;
  handle: CeremonyHandle;
  danger: DangerStep | undefined;
  last: boolean;
}) {
  const [typed, setTyped] = useState('');
  const cluster = ceremony.plan.profile;
  const first = request.anyOf[0]!;
  const who =
    request.anyOf.length === 1
      ? `${first.name} (${first.role})`
      : `${ROLE[first.role] ?? first.role}: any one of ${request.anyOf.map((o) => o.name).join(', ')}`;
  const armed = !danger || isConfirmed(cluster, typed);
  return (
    <li className="ack">
      <p className="ack-who">{who}</p>
      <blockquote className="ack-text">{first.text}</blockquote>
      {danger && <TypeToConfirm expected={cluster} value={typed} onChange={setTyped} what="authorise" next />}
      <div className="actions">
        {request.anyOf.map((option) => (
          <button
            key={option.name}
            type="button"
            className={danger ? 'danger' : undefined}
            disabled={handle.busy || !armed}
            onClick={() =>
              void handle.send('ceremony.act', {
                type: 'acknowledge',
                step: ceremony.step,
                actor: option.name,
                role: option.role,
              })
            }
          >
            {danger
              ? last
                ? `${actionNow(danger, ceremony)} now, as ${option.name}`
                : `Authorise as ${option.name}`
              : `Confirm as ${option.name}`}
          </button>
        ))}
      </div>
    </li>
  );
}

/** What the laptop does the moment the last authorisation is given. */
function whatHappens(step: DangerStep, ceremony: CeremonySnapshot): string {
  const cluster = `'${ceremony.plan.profile}'`;
  switch (step) {
    case 'perform-operation':
      return `When the last authorisation below is given, the laptop calls '${ceremony.plan.operation?.title ?? '?'}' on ${cluster} at once.`;
    case 'promote':
      return (
        `When the last authorisation below is given, the laptop promotes ${cluster} to DR primary at once` +
        (ceremony.action?.force ? ', WITH FORCE: writes not yet replicated from the old primary are lost.' : '.') +
        ' Vault is briefly unavailable while it changes mode.'
      );
    case 'demote':
      return `When the last authorisation below is given, the laptop demotes ${cluster} at once: it stops serving clients as a primary.`;
    case 'update-primary':
      return `When the last authorisation below is given, the laptop points ${cluster} at the new primary at once: its data is replaced by the new primary's.`;
  }
}

function actionNow(step: DangerStep, ceremony: CeremonySnapshot): string {
  if (step === 'perform-operation') return ceremony.plan.operation?.title ?? 'Perform the operation';
  return step === 'promote' ? 'Promote' : step === 'demote' ? 'Demote' : 'Update primary';
}
