/**
 * What Vault answered to one operation, as an operator would read it in Vault's audit log:
 * the call, the HTTP status, the request id, Vault's warnings, and its data with every secret
 * replaced by a marker (done in the main process; nothing secret reaches this component).
 */
import type { OperationOutcome } from '../../shared/replication/replication-operations';
import { operationTitle } from '../../shared/replication/replication-operations';

export function VaultAnswer({ outcome }: { outcome: OperationOutcome }) {
  return (
    <section aria-labelledby="answer-heading" className="card card-good" data-testid="operation-result">
      <h2 id="answer-heading">Done: {operationTitle(outcome.operation, outcome.replication)}</h2>
      <p role="status">
        Vault at {outcome.address} ({outcome.label}) answered HTTP {outcome.status} to {outcome.path}.
      </p>
      <dl className="facts">
        <div>
          <dt>Request id</dt>
          <dd className="path">{outcome.requestId ?? 'none given'}</dd>
        </div>
        <div>
          <dt>Warnings</dt>
          <dd>
            {outcome.warnings.length === 0 ? (
              'none'
            ) : (
              <ul>
                {outcome.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            )}
          </dd>
        </div>
      </dl>
      {outcome.data !== null && (
        <>
          <h3>Vault's data (secrets replaced)</h3>
          <pre className="json">{JSON.stringify(outcome.data, null, 2)}</pre>
        </>
      )}
    </section>
  );
}
