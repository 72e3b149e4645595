/**
 * The activation token a secondary-token ceremony made, handed over during its post-check: masked
 * until someone reveals it, copied to the clipboard once (by the main process), or saved to a new
 * file only its owner can read. The page holds the token only while it is revealed; the journal
 * holds only its SHA-256, shown here so people can check what reached the secondary.
 */
import { useState } from 'react';
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';
import type { CeremonyHandle } from './use-ceremony';

const MASK = '•'.repeat(24);

export function ActivationTokenHandover({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  const [revealed, setRevealed] = useState<string>();
  const handover = ceremony.activationToken;
  if (!handover) return null;

  async function toggle() {
    if (revealed !== undefined) return setRevealed(undefined);
    const answer = await handle.call('ceremony.revealActivationToken', {});
    if (answer) setRevealed(answer.token);
  }

  return (
    <section aria-labelledby="activation-heading" className="card card-attention" data-testid="activation-token">
      <h2 id="activation-heading">Secondary activation token</h2>
      <p>
        <strong>Handed over now, and only now.</strong> Carry it to the secondary&apos;s enable or update-primary call:
        copy it once, or save it to a file only you can read. It is forgotten when this step is confirmed; the journal
        keeps only its SHA-256.
      </p>
      <p className="secret-value path" data-testid="activation-token-value">
        <span className="visually-hidden">Activation token: </span>
        {revealed ?? MASK}
      </p>
      <dl className="facts">
        <div>
          <dt>SHA-256</dt>
          <dd className="path" data-testid="activation-token-sha256">
            {handover.sha256}
          </dd>
        </div>
        {handover.savedTo && (
          <div>
            <dt>Saved to</dt>
            <dd className="path" data-testid="activation-token-saved">
              {handover.savedTo}
            </dd>
          </div>
        )}
      </dl>
      <div className="actions">
        <button
          type="button"
          className="secondary"
          aria-pressed={revealed !== undefined}
          disabled={handle.busy}
          onClick={() => void toggle()}
        >
          {revealed === undefined ? 'Reveal the token' : 'Hide the token'}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={handle.busy || handover.copied}
          onClick={() => void handle.send('ceremony.copyActivationToken', {})}
        >
          {handover.copied ? 'Copied once' : 'Copy once'}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={handle.busy}
          onClick={() => void handle.send('ceremony.saveActivationToken', {})}
        >
          Save to a file…
        </button>
      </div>
    </section>
  );
}
