/**
 * Stopping a ceremony, made deliberate: cancelling asks for the reason and a second click, is
 * witnessed, and still runs the closing steps that apply (cancel the attempt, delete a token
 * already generated, sign). Aborting stops at once and leaves loose ends, so it also needs the
 * word typed, and this only proposes it: the administrator and a witness then authorise it by
 * signing with their own keys (the authorisation card takes over). Neither is offered once the
 * machine would refuse it (after promotion).
 */
import { useState } from 'react';
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';
import { useDisclosure } from '../components/disclosure';
import { Notice } from '../components/notice';
import { isConfirmed, TypeToConfirm } from '../components/type-to-confirm';
import type { CeremonyHandle } from './use-ceremony';

export function CancelPanel({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  const { open, setOpen, opener, panel, onKeyDown } = useDisclosure();
  const [reason, setReason] = useState('');
  const [abortWord, setAbortWord] = useState('');
  const admin = ceremony.plan.administrator.name;

  if (!ceremony.canCancel) return null;
  if (!open)
    return (
      <button type="button" className="secondary" ref={opener} onClick={() => setOpen(true)}>
        Cancel the ceremony…
      </button>
    );

  async function stop(type: 'cancel' | 'abort') {
    if (await handle.send('ceremony.act', { type, actor: admin, reason })) {
      setOpen(false);
      setReason('');
      setAbortWord('');
    }
  }

  return (
    <section aria-labelledby="cancel-heading" className="card card-critical" ref={panel} onKeyDown={onKeyDown}>
      <h2 id="cancel-heading">Cancel the ceremony?</h2>
      <p>
        Cancelling is a deviation a witness confirms. The laptop then still runs the closing steps that apply: it
        cancels an open attempt, deletes a DR operation token already generated, and everyone signs the transcript of
        what happened.
      </p>
      <div className="field">
        <label htmlFor="cancel-reason">Why (for the record)</label>
        <textarea
          id="cancel-reason"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          rows={2}
          maxLength={500}
        />
      </div>
      {handle.error && <Notice tone="error">{handle.error.message}</Notice>}
      <div className="actions">
        <button
          type="button"
          className="danger"
          disabled={handle.busy || reason.trim() === ''}
          onClick={() => void stop('cancel')}
        >
          Cancel the ceremony
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Keep going
        </button>
      </div>
      <details className="abort">
        <summary>Abort at once instead (emergencies only)</summary>
        <p>
          Aborting stops the ceremony as soon as the administrator and a witness have each signed it with their own key:
          no attempt is cancelled and no token is deleted; the loose ends are listed for someone to clean up.
        </p>
        <TypeToConfirm expected="abort" value={abortWord} onChange={setAbortWord} what="abort the ceremony" />
        <button
          type="button"
          className="danger"
          disabled={handle.busy || reason.trim() === '' || !isConfirmed('abort', abortWord)}
          onClick={() => void stop('abort')}
        >
          Propose aborting: sign next
        </button>
      </details>
    </section>
  );
}
