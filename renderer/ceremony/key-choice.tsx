/**
 * Where a person's key is, for a share or a signature: a key file in this app (with its
 * passphrase), or their key in GnuPG, maybe on a smartcard (their GnuPG home and the card PIN).
 * The PIN and passphrase live in the form only until it sends them; the main process checks the
 * GnuPG key against the plan's fingerprint, and the card in the reader, before the PIN is used.
 */
import { FilePathField, FolderPathField } from '../components/path-field';
import { SecretField } from '../components/secret-field';

export interface KeyChoiceState {
  readonly backend: 'file' | 'gnupg';
  readonly keyPath: string;
  readonly passphrase: string;
  readonly homedir: string;
  readonly pin: string;
}

export const NO_KEY_CHOSEN: KeyChoiceState = { backend: 'file', keyPath: '', passphrase: '', homedir: '', pin: '' };

/** What the channels take: a key file, or a GnuPG home with the typed PIN. */
export type KeyChoice =
  { kind: 'openpgp'; privateKeyPath: string; passphrase?: string } | { kind: 'gpg'; homedir: string; pin: string };

export function keyChoiceReady(state: KeyChoiceState): boolean {
  return state.backend === 'file' ? state.keyPath.trim() !== '' : state.homedir.trim() !== '' && state.pin !== '';
}

export function keyChoiceOf(state: KeyChoiceState): KeyChoice {
  return state.backend === 'file'
    ? {
        kind: 'openpgp',
        privateKeyPath: state.keyPath.trim(),
        ...(state.passphrase ? { passphrase: state.passphrase } : {}),
      }
    : { kind: 'gpg', homedir: state.homedir.trim(), pin: state.pin };
}

/** The state once sent: the secrets are gone, the paths stay for another try. */
export function withoutSecrets(state: KeyChoiceState): KeyChoiceState {
  return { ...state, passphrase: '', pin: '' };
}

/** Where a signer's key file is: in a rehearsal, the kit's generated key; else their own file. */
export function signingKeyHint(kitDir: string | null, signer: string): string {
  return kitDir ? `In this rehearsal: ${kitDir}/signers/${signer}.key.asc` : 'Your armored private key file.';
}

export function KeyChoiceFields({
  id,
  who,
  state,
  onChange,
  keyFileLabel,
  keyFileHint,
  keyFilePurpose,
}: {
  /** Prefix of the fields' ids: `${id}-key`, `${id}-passphrase`, `${id}-homedir`, `${id}-pin`. */
  readonly id: string;
  /** Whose key, for the legend ("The officer's key"). */
  readonly who: string;
  readonly state: KeyChoiceState;
  /**
   * Takes an update of the previous state, not a new state: a key file chosen in a dialog arrives
   * later, and a field typed into meanwhile must not put back the empty path it was rendered with.
   */
  readonly onChange: (update: (previous: KeyChoiceState) => KeyChoiceState) => void;
  /** The key file field's label: "Private key", "Signing key". */
  readonly keyFileLabel: string;
  readonly keyFileHint: string;
  readonly keyFilePurpose: 'officer-private-key' | 'signing-key';
}) {
  const set = (change: Partial<KeyChoiceState>) => onChange((previous) => ({ ...previous, ...change }));
  return (
    <>
      <fieldset className="choices">
        <legend>{who} key is</legend>
        <label className="choice">
          <input
            type="radio"
            name={`${id}-backend`}
            checked={state.backend === 'file'}
            onChange={() => set({ backend: 'file', pin: '' })}
          />
          <span>Key in this app (file)</span>
        </label>
        <label className="choice">
          <input
            type="radio"
            name={`${id}-backend`}
            checked={state.backend === 'gnupg'}
            onChange={() => set({ backend: 'gnupg', passphrase: '' })}
          />
          <span>Key in GnuPG / on a smartcard</span>
        </label>
      </fieldset>
      {state.backend === 'file' ? (
        <>
          <FilePathField
            id={`${id}-key`}
            purpose={keyFilePurpose}
            label={keyFileLabel}
            value={state.keyPath}
            onChange={(keyPath) => set({ keyPath })}
            required
            hint={keyFileHint}
            next={state.keyPath.trim() === ''}
          />
          <SecretField
            id={`${id}-passphrase`}
            label="Key passphrase"
            value={state.passphrase}
            onChange={(passphrase) => set({ passphrase })}
            required={false}
            hint="Leave empty if the key has none. It is used once and forgotten."
            next={state.keyPath.trim() !== ''}
          />
        </>
      ) : (
        <>
          <FolderPathField
            id={`${id}-homedir`}
            purpose="gnupg-home"
            label="GnuPG home"
            value={state.homedir}
            onChange={(homedir) => set({ homedir })}
            required
            hint="The folder holding the key or the card's stub, e.g. /home/you/.gnupg. The key there must be the one the plan pins; a card must be inserted."
            next={state.homedir.trim() === ''}
          />
          <SecretField
            id={`${id}-pin`}
            label="Card PIN"
            value={state.pin}
            onChange={(pin) => set({ pin })}
            hint="The card's PIN (or the GnuPG key's passphrase). It goes to gpg once and is forgotten; a wrong PIN is never tried again on its own, as the card locks after a few."
            next={state.homedir.trim() !== ''}
          />
        </>
      )}
    </>
  );
}
