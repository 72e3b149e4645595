/**
 * A secondary activation token, shown once: its id and TTL, and the token itself to carry to
 * the secondary, masked until someone presses Show (masked to its length, so showing or hiding
 * it moves nothing under the pointer). It is kept nowhere but this panel's props; hiding it (or
 * leaving the screen) drops it for good.
 */
import { useState } from 'react';
import type { OperationOutcome } from '../../shared/replication/replication-operations';

export function ActivationTokenPanel({
  token,
  onHide,
}: {
  token: NonNullable<OperationOutcome['activationToken']>;
  onHide: () => void;
}) {
  const [shown, setShown] = useState(false);
  return (
    <section aria-labelledby="activation-heading" className="card card-attention" data-testid="activation-token">
      <h2 id="activation-heading">Secondary activation token for '{token.id}'</h2>
      <p>
        <strong>Shown once.</strong> It is not stored anywhere: carry it to the secondary's enable or update-primary
        call
        {token.ttlSeconds === null
          ? ''
          : ` within ${token.ttlSeconds >= 120 ? `${Math.floor(token.ttlSeconds / 60)} minutes` : `${token.ttlSeconds} seconds`}`}
        , then hide it.
        {token.wrapped
          ? ' It is a response-wrapping token: it can be unwrapped once, and its use shows in the audit log.'
          : ''}
      </p>
      <dl className="facts">
        <div>
          <dt>Secondary id</dt>
          <dd>{token.id}</dd>
        </div>
        <div>
          <dt>TTL</dt>
          <dd>{token.ttlSeconds === null ? 'not given' : `${token.ttlSeconds} s`}</dd>
        </div>
      </dl>
      <p className="secret-value path" data-testid="activation-token-value">
        <span className="visually-hidden">Activation token: </span>
        {shown ? token.token : '•'.repeat(token.token.length)}
      </p>
      <div className="actions">
        <button type="button" className="secondary" aria-pressed={shown} onClick={() => setShown(!shown)}>
          {shown ? 'Hide the token' : 'Show the token'}
        </button>
        <button type="button" onClick={onHide}>
          I have carried it over: hide it
        </button>
      </div>
    </section>
  );
}
