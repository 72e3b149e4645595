/**
 * The administrator enters the primary's root token (Vault 2.x) or the batch DR operation token,
 * once the administrator and a witness have authorised it. Masked, sent once, cleared. In a
 * rehearsal the rehearsal Vault's own root token can be used without anyone seeing it.
 */
import { useState, type FormEvent } from 'react';
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';
import { Notice } from '../components/notice';
import { SecretField } from '../components/secret-field';
import type { CeremonyHandle } from './use-ceremony';

export function TokenEntry({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  const [token, setToken] = useState('');
  const root = ceremony.input === 'root-token';
  const label = root ? "The primary's root token" : 'The batch DR operation token';

  async function submit(event: FormEvent) {
    event.preventDefault();
    const sent = token;
    setToken('');
    await handle.send('ceremony.provideToken', { token: sent });
  }

  return (
    <section aria-labelledby="token-heading" className="card">
      <h2 id="token-heading">
        {ceremony.plan.administrator.name} enters {root ? "the primary's root token" : 'the batch DR operation token'}
      </h2>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <SecretField
          id="ceremony-token"
          label={label}
          value={token}
          onChange={setToken}
          hint="Kept in the laptop's memory for this ceremony only; never shown, stored or written to the journal."
        />
        {handle.error && <Notice tone="error">{handle.error.message}</Notice>}
        <div className="actions">
          <button type="submit" disabled={handle.busy || token.trim() === ''}>
            Enter the token
          </button>
          {root && ceremony.kitDir !== null && (
            <button
              type="button"
              className="secondary"
              disabled={handle.busy}
              onClick={() => void handle.send('ceremony.provideToken', { rehearsalRootToken: true })}
            >
              Use the rehearsal Vault's root token
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
