/**
 * The administrator enters a token the ceremony asks for, once the administrator and a witness
 * have authorised it: the primary's root token (Vault 2.x), the batch DR operation token, their own
 * Vault token with sudo (a failback's demote and secondary-token, an operation), or an activation
 * token. Masked, sent once, cleared; asked for again after a restart. In a rehearsal the rehearsal
 * Vault's own root token can stand in for a root or Vault token without anyone seeing it.
 */
import { useState, type FormEvent } from 'react';
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';
import { Notice } from '../components/notice';
import { SecretField } from '../components/secret-field';
import type { CeremonyHandle } from './use-ceremony';

/** What each token input asks for, and whether the rehearsal Vault's root token may stand in for it. */
const TOKENS: Partial<Record<NonNullable<CeremonySnapshot['input']>, { what: string; rehearsalRoot: boolean }>> = {
  'root-token': { what: "the primary's root token", rehearsalRoot: true },
  'batch-token': { what: 'the batch DR operation token', rehearsalRoot: false },
  'vault-token': { what: 'a Vault token with sudo on sys/replication', rehearsalRoot: true },
  'activation-token': { what: 'the secondary activation token', rehearsalRoot: false },
};

/** Whether the ceremony waits for a token this panel takes. */
export function wantsToken(ceremony: CeremonySnapshot): boolean {
  return ceremony.input !== null && TOKENS[ceremony.input] !== undefined;
}

export function TokenEntry({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  const [token, setToken] = useState('');
  const asked = (ceremony.input && TOKENS[ceremony.input]) || { what: 'the token', rehearsalRoot: false };
  const label = asked.what.charAt(0).toUpperCase() + asked.what.slice(1);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const sent = token;
    setToken('');
    await handle.send('ceremony.provideToken', { token: sent });
  }

  return (
    <section aria-labelledby="token-heading" className="card">
      <h2 id="token-heading">
        {ceremony.plan.administrator.name} enters {asked.what}
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
          {asked.rehearsalRoot && ceremony.kitDir !== null && (
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
