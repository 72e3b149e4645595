/**
 * After a promotion rehearsal: the rehearsal Vault now has two primaries, the scene a failback
 * starts from, so offer to rehearse the failback there as its own ceremony (its own kit, journal
 * and signed authorisations). The finished promotion is put away first; its journal stays in its kit.
 */
import { useState, type FormEvent } from 'react';
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';
import { SecretField } from '../components/secret-field';
import type { CeremonyHandle } from './use-ceremony';

/** Whether `ceremony` is a promotion rehearsal that promoted: what a failback rehearsal follows. */
export function offersFailback(ceremony: CeremonySnapshot): boolean {
  return ceremony.plan.rehearsal && ceremony.plan.kind === 'promotion' && ceremony.step === 'finished';
}

export function FailbackOffer({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  const [passphrase, setPassphrase] = useState('');

  async function start(event: FormEvent) {
    event.preventDefault();
    const sent = passphrase;
    setPassphrase('');
    await handle.send('ceremony.startFailbackRehearsal', sent ? { keyPassphrase: sent } : {});
  }

  return (
    <section aria-labelledby="failback-offer-heading" className="card" data-testid="failback-offer">
      <h2 id="failback-offer-heading">Rehearse the failback</h2>
      <p>
        The rehearsal's old primary is still up and reports itself DR primary, so two primaries run. Fail it back as its
        own ceremony: demote it, generate a DR operation token on it from the officers' shares, and point it at '
        {ceremony.plan.profile}' with a secondary activation token, demote and update-primary each authorised by
        signature. This promotion is put away first (export its bundle above if you need it; its journal stays in its
        kit).
      </p>
      <form onSubmit={(event) => void start(event)} noValidate>
        <SecretField
          id="failback-passphrase"
          label="Passphrase for the failback's signing keys"
          value={passphrase}
          onChange={setPassphrase}
          required={false}
          hint="New administrator and witness keys are generated for the failback's kit. Officers keep their keys and passphrase. Leave empty for keys without one."
        />
        <div className="actions">
          <button type="submit" disabled={handle.busy}>
            {handle.busy ? 'Starting the failback…' : 'Rehearse the failback'}
          </button>
        </div>
      </form>
    </section>
  );
}
