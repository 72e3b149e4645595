/**
 * When the laptop's last Vault call failed: what went wrong (Vault's or the connection's own
 * words, with what to do), and the way on. Nothing is retried on its own. A connection problem
 * is fixed on the Connection profiles screen, then "Reconnect and try again" uses the fixed
 * profile without losing the ceremony.
 */
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';
import type { CeremonyHandle } from './use-ceremony';

export function RetryPanel({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  return (
    <section aria-labelledby="retry-heading" className="card card-critical" data-testid="retry-panel">
      <h2 id="retry-heading">The laptop's last step did not succeed</h2>
      <p role="alert">{ceremony.lastError?.message ?? ceremony.lastResult ?? 'The last action failed.'}</p>
      <p>
        Fix what the message names, then try again. If the connection profile was wrong (a CA, a certificate, an
        address), correct it on the Connection profiles screen first, then reconnect.
      </p>
      <div className="actions">
        <button
          type="button"
          disabled={handle.busy}
          onClick={() => void handle.send('ceremony.retry', { reconnect: false })}
        >
          Try again
        </button>
        <button
          type="button"
          className="secondary"
          disabled={handle.busy}
          onClick={() => void handle.send('ceremony.retry', { reconnect: true })}
        >
          Reconnect and try again
        </button>
      </div>
    </section>
  );
}
