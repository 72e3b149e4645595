/**
 * The acknowledgements the current step still needs: for each, what the person affirms, in the
 * first person, and one button per person who may give it. Nothing moves until they are given;
 * the main process checks each name against its role in the plan.
 *
 * An irreversible step (promote, demote, update-primary, a destructive operation's call) looks like one: a red card saying what
 * the last authorisation does, and each person types the cluster's name before their button wakes. So a
 * run of Enter presses that carried people through the ordinary steps stops at an empty field.
 * And a click does not authorise it: each person signs the statement shown with their own key
 * file and passphrase (used once in the main process and forgotten, as for the transcript).
 * Aborting the ceremony and waiving a step look the same: once proposed (the cancel panel's
 * abort, a token-not-deleted deviation), the administrator and a witness sign them here, and the
 * statement quotes the reason given.
 */
import { useState, type FormEvent } from 'react';
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';
import { groupFingerprint } from '../../shared/ceremony/ceremony-steps';
import { isIrreversibleStep, STEPS, type IrreversibleStep } from '../../shared/ceremony/step-catalogue';
import {
  KeyChoiceFields,
  keyChoiceOf,
  keyChoiceReady,
  NO_KEY_CHOSEN,
  signingKeyHint,
  withoutSecrets,
} from './key-choice';
import { isConfirmed, TypeToConfirm } from '../components/type-to-confirm';
import type { CeremonyHandle } from './use-ceremony';

const ROLE: Record<string, string> = {
  administrator: 'The administrator',
  witness: 'A witness',
  officer: 'An officer',
};

type Request = CeremonySnapshot['acknowledgements'][number];
/** What is authorised by signature: an irreversible step's call, or aborting or waiving once proposed. */
type Danger = IrreversibleStep | 'abort' | 'waive';

export function AcknowledgementPanel({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  if (ceremony.acknowledgements.length === 0) return null;
  const step = ceremony.step;
  const danger: Danger | undefined =
    ceremony.proposal?.kind ??
    (isIrreversibleStep(step, ceremony.plan.operation?.destructive ?? false) ? step : undefined);
  return (
    <section
      aria-labelledby="acks-heading"
      className={danger ? 'card card-danger' : 'card'}
      data-testid={danger ? 'irreversible-authorisation' : 'acknowledgements'}
    >
      <h2 id="acks-heading">{danger ? `Irreversible: ${heading(danger, ceremony)}` : 'Acknowledgements needed'}</h2>
      {danger && (
        <p className="danger-sentence" data-testid="irreversible-sentence">
          {whatHappens(danger, ceremony)} It cannot be undone.
        </p>
      )}
      {danger && ceremony.authorisation && (
        <details className="transcript-details">
          <summary>The statement each person signs (SHA-256 {ceremony.authorisation.sha256})</summary>
          <pre className="transcript" tabIndex={0} data-testid="authorisation-statement">
            {ceremony.authorisation.statement}
          </pre>
        </details>
      )}
      <ul className="ack-list">
        {ceremony.acknowledgements.map((request, i) =>
          danger ? (
            <SignedAuthorisation
              key={`${ceremony.step}-${i}-${request.anyOf.map((o) => o.name).join()}`}
              request={request}
              ceremony={ceremony}
              handle={handle}
              danger={danger}
              last={ceremony.acknowledgements.length === 1}
            />
          ) : (
            <Acknowledgement
              key={`${ceremony.step}-${i}-${request.anyOf.map((o) => o.name).join()}`}
              request={request}
              ceremony={ceremony}
              handle={handle}
            />
          ),
        )}
      </ul>
    </section>
  );
}

function who(request: Request): string {
  const first = request.anyOf[0]!;
  return request.anyOf.length === 1
    ? `${first.name} (${first.role})`
    : `${ROLE[first.role] ?? first.role}: any one of ${request.anyOf.map((o) => o.name).join(', ')}`;
}

function Acknowledgement({
  request,
  ceremony,
  handle,
}: {
  request: Request;
  ceremony: CeremonySnapshot;
  handle: CeremonyHandle;
}) {
  return (
    <li className="ack">
      <p className="ack-who">{who(request)}</p>
      <blockquote className="ack-text">{request.anyOf[0]!.text}</blockquote>
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
            {`Confirm as ${option.name}`}
          </button>
        ))}
      </div>
    </li>
  );
}

/** One person's signed authorisation: who, the cluster's name typed, their key file and passphrase. */
function SignedAuthorisation({
  request,
  ceremony,
  handle,
  danger,
  last,
}: {
  request: Request;
  ceremony: CeremonySnapshot;
  handle: CeremonyHandle;
  danger: Danger;
  last: boolean;
}) {
  const [typed, setTyped] = useState('');
  const [chosen, setChosen] = useState('');
  const [key, setKey] = useState(NO_KEY_CHOSEN);
  const cluster = ceremony.plan.profile;
  const current = request.anyOf.length === 1 ? request.anyOf[0] : request.anyOf.find((o) => o.name === chosen);
  const people = [ceremony.plan.administrator, ...ceremony.plan.witnesses];
  const fingerprint = people.find((p) => p.name === current?.name)?.fingerprint;
  const id = `authorise-${request.anyOf[0]!.role}`;
  const armed = isConfirmed(cluster, typed) && current !== undefined && keyChoiceReady(key);

  async function authorise(event: FormEvent) {
    event.preventDefault();
    if (!current || !armed) return;
    const sent = keyChoiceOf(key);
    setKey(withoutSecrets(key));
    await handle.send('ceremony.authorise', { actor: current.name, key: sent });
  }

  return (
    <li className="ack">
      <p className="ack-who">{who(request)}</p>
      <blockquote className="ack-text">{request.anyOf[0]!.text}</blockquote>
      <form onSubmit={(event) => void authorise(event)} noValidate>
        {request.anyOf.length > 1 && (
          <div className="field">
            <label htmlFor={`${id}-who`}>Who authorises</label>
            <select id={`${id}-who`} value={chosen} onChange={(e) => setChosen(e.target.value)}>
              <option value="">Choose…</option>
              {request.anyOf.map((o) => (
                <option key={o.name} value={o.name}>
                  {o.name} ({o.role})
                </option>
              ))}
            </select>
          </div>
        )}
        <TypeToConfirm expected={cluster} value={typed} onChange={setTyped} what="authorise" next />
        {current && fingerprint && (
          <p className="hint">
            {current.name} signs the statement with the key the plan pins: {groupFingerprint(fingerprint)}.
          </p>
        )}
        <KeyChoiceFields
          id={id}
          who={`${current?.name ?? 'Their'}'s`}
          state={key}
          onChange={setKey}
          keyFilePurpose="signing-key"
          keyFileLabel="Signing key"
          keyFileHint={signingKeyHint(ceremony.kitDir, current?.name ?? '')}
        />
        <div className="actions">
          <button type="submit" className="danger" disabled={handle.busy || !armed}>
            {last ? `${actionNow(danger)} now, as ${current?.name ?? '…'}` : `Authorise as ${current?.name ?? '…'}`}
          </button>
        </div>
      </form>
    </li>
  );
}

function heading(danger: Danger, ceremony: CeremonySnapshot): string {
  if (danger === 'abort') return 'Abort the ceremony';
  if (danger === 'waive') return `Waive “${STEPS[ceremony.proposal?.step ?? ceremony.step].title}”`;
  return ceremony.title;
}

/** What the laptop does the moment the last authorisation is given. */
function whatHappens(danger: Danger, ceremony: CeremonySnapshot): string {
  const cluster = `'${ceremony.plan.profile}'`;
  const reason = `The reason, as each person signs it: “${ceremony.proposal?.reason ?? ''}”.`;
  switch (danger) {
    case 'abort':
      return `When the last authorisation below is given, the ceremony is aborted at once: nothing more is done on ${cluster}, and what it leaves behind (an open attempt, an undeleted token) is listed for someone to clean up. ${reason}`;
    case 'waive':
      return `When the last authorisation below is given, the DR operation token is recorded as not deleted, and the ceremony goes on without deleting it: the token never expires. ${reason}`;
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
    case 'perform-operation':
      return `When the last authorisation below is given, the laptop calls '${ceremony.plan.operation?.title ?? 'the operation'}' on ${cluster} at once.`;
  }
}

function actionNow(danger: Danger): string {
  const words: Record<Danger, string> = {
    abort: 'Abort',
    waive: 'Waive',
    promote: 'Promote',
    demote: 'Demote',
    'update-primary': 'Update primary',
    'perform-operation': 'Perform the operation',
  };
  return words[danger];
}
