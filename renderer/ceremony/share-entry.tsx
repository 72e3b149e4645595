/**
 * One officer at the keyboard enters their share. First the pasted PGP message is checked to
 * see whose it is (nothing is decrypted yet): the officer and key fingerprint are shown to
 * compare with their card or `gpg -K`. Then it is decrypted in the main process with their key
 * file and passphrase, or with their key in GnuPG or on a smartcard (their GnuPG home and PIN),
 * and sent for the nonce on screen. A plaintext share goes the same way from a masked field.
 *
 * The wizard mounts a fresh form for every attempt and share count (its `key`), so nothing of the
 * last officer stays. What the form keeps after a refusal: the pasted message and key file or GnuPG home (ciphertext
 * and a path, nothing secret) when only the passphrase or PIN was wrong; never the passphrase, PIN or a plaintext share.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { groupFingerprint } from '../../shared/ceremony/ceremony-steps';
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';
import type { Value } from '../../shared/ipc/ipc-contract';
import { Notice } from '../components/notice';
import { SecretField } from '../components/secret-field';
import { KeyChoiceFields, keyChoiceOf, keyChoiceReady, NO_KEY_CHOSEN, withoutSecrets } from './key-choice';
import type { CeremonyHandle } from './use-ceremony';

type Inspection = Value<'ceremony.inspectShare'>;
type Form = 'pgp' | 'plaintext';

export function ShareEntry({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  const waiting = ceremony.acknowledgements[0]?.anyOf ?? [];
  const [form, setForm] = useState<Form>('pgp');
  const [pasted, setPasted] = useState('');
  const [inspection, setInspection] = useState<Inspection>();
  const [actor, setActor] = useState('');
  const [key, setKey] = useState(NO_KEY_CHOSEN);
  const [plaintext, setPlaintext] = useState('');
  const [problem, setProblem] = useState<string>();

  // Once the owner is shown, the officer's next move is their key: focus goes there.
  useEffect(() => {
    const [path, secret] = key.backend === 'file' ? ['key', 'passphrase'] : ['homedir', 'pin'];
    const chosen = key.backend === 'file' ? key.keyPath : key.homedir;
    if (inspection) document.getElementById(`share-${chosen.trim() ? secret : path}`)?.focus();
    // Only when a share was just checked, not on every keystroke in the key field.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- on purpose, see above
  }, [inspection]);

  const statement = waiting.find((o) => o.name === actor)?.text;

  async function inspect(event: FormEvent) {
    event.preventDefault();
    setProblem(undefined);
    handle.clearError();
    const found = await handle.call('ceremony.inspectShare', { pasted });
    if (!found) return setInspection(undefined);
    setInspection(found);
    if (waiting.some((o) => o.name === found.officer)) setActor(found.officer);
    else {
      setActor('');
      setProblem(
        `This share is ${found.officer}'s, who is not expected now: their share is already entered in this attempt, or they were marked absent or replaced. ` +
          `Waiting for: ${waiting.map((o) => o.name).join(', ') || 'nobody'}. The officer at the keyboard pastes their own share.`,
      );
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(undefined);
    if (!actor) return setProblem('Choose who is at the keyboard entering this share.');
    const unlock = keyChoiceOf(key);
    const secretShare = plaintext;
    // Secrets leave the form now, whatever the answer.
    setKey(withoutSecrets(key));
    setPlaintext('');
    await (form === 'plaintext'
      ? handle.send('ceremony.submitShare', { officer: actor, pasted: secretShare, unlock: { kind: 'plaintext' } })
      : handle.send('ceremony.submitShare', { officer: actor, pasted, unlock }));
  }

  // A share for another officer, or not a share at all, is of no use to keep.
  useEffect(() => {
    if (handle.error?.kind === 'wrong-officer' || handle.error?.kind === 'invalid-share') {
      setPasted('');
      setInspection(undefined);
    }
  }, [handle.error]);

  const keyHint =
    ceremony.kitDir && actor
      ? `In this rehearsal: ${ceremony.kitDir}/officers/${actor}.key.asc`
      : 'The officer’s private key file (armored). For a smartcard, choose GnuPG above.';

  return (
    <section aria-labelledby="share-heading" className="card">
      <h2 id="share-heading">Enter a share</h2>
      <p>
        Waiting for{' '}
        {ceremony.progress ? `${ceremony.progress.required - ceremony.progress.entered} more share(s)` : 'shares'} from:{' '}
        <strong data-testid="waiting-officers">{waiting.map((o) => o.name).join(', ') || 'nobody'}</strong>.
      </p>
      <fieldset className="choices">
        <legend>The officer's share is</legend>
        <label className="choice">
          <input type="radio" name="share-form" checked={form === 'pgp'} onChange={() => setForm('pgp')} />
          <span>PGP-encrypted (from vault operator init -pgp-keys)</span>
        </label>
        <label className="choice">
          <input
            type="radio"
            name="share-form"
            checked={form === 'plaintext'}
            onChange={() => (setForm('plaintext'), setInspection(undefined))}
          />
          <span>A plaintext share (hex or base64)</span>
        </label>
      </fieldset>

      {form === 'pgp' && (
        <form onSubmit={(event) => void inspect(event)} noValidate>
          <div className="field">
            <label htmlFor="share-pasted">Encrypted share</label>
            <p id="share-pasted-hint" className="hint">
              Paste the officer's share message. It is ciphertext; it is decrypted only after you have seen whose it is.
              {ceremony.kitDir ? ` In this rehearsal: ${ceremony.kitDir}/shares/<officer>.b64.` : ''}
            </p>
            <textarea
              id="share-pasted"
              value={pasted}
              onChange={(e) => (setPasted(e.target.value), setInspection(undefined))}
              autoComplete="off"
              autoCorrect="off"
              autoCapitalize="off"
              spellCheck={false}
              aria-describedby="share-pasted-hint"
              rows={3}
              data-next={inspection ? undefined : 'true'}
            />
          </div>
          <div className="actions">
            <button type="submit" disabled={handle.busy || pasted.trim() === ''}>
              Check whose share this is
            </button>
          </div>
        </form>
      )}

      {form === 'pgp' && inspection && (
        <div className="share-owner" data-testid="share-owner">
          <p>
            This share is for <strong>{inspection.officer}</strong>, encrypted to key{' '}
            <span className="path">{inspection.keyId}</span> of fingerprint{' '}
            <span className="path">{groupFingerprint(inspection.fingerprint)}</span>. Compare it with the officer's card
            or <code>gpg -K</code>.
          </p>
        </div>
      )}

      {problem && <Notice tone="error">{problem}</Notice>}

      {((form === 'pgp' && inspection && actor) || form === 'plaintext') && (
        <form onSubmit={(event) => void submit(event)} noValidate>
          <div className="field">
            <label htmlFor="share-actor">At the keyboard</label>
            <select id="share-actor" value={actor} onChange={(e) => setActor(e.target.value)}>
              <option value="">Choose…</option>
              {waiting.map((o) => (
                <option key={o.name} value={o.name}>
                  {o.name}
                </option>
              ))}
            </select>
          </div>
          {statement && (
            <blockquote className="ack-text" data-testid="share-statement">
              {actor}: {statement}
            </blockquote>
          )}
          {form === 'plaintext' ? (
            <SecretField
              id="share-plaintext"
              label="Plaintext share"
              value={plaintext}
              onChange={setPlaintext}
              hint="Hex or base64, as Vault printed it. It is never stored."
              next
            />
          ) : (
            <KeyChoiceFields
              id="share"
              who="The officer's"
              state={key}
              onChange={setKey}
              keyFileLabel="Private key"
              keyFileHint={keyHint}
              keyFilePurpose="officer-private-key"
            />
          )}
          {handle.error && <Notice tone="error">{handle.error.message}</Notice>}
          <div className="actions">
            <button
              type="submit"
              disabled={
                handle.busy ||
                !actor ||
                (form === 'pgp' && !keyChoiceReady(key)) ||
                (form === 'plaintext' && plaintext.trim() === '')
              }
            >
              {handle.busy
                ? 'Decrypting and sending…'
                : form === 'plaintext'
                  ? 'Enter the share'
                  : 'Decrypt and enter the share'}
            </button>
          </div>
        </form>
      )}
      {!((form === 'pgp' && inspection && actor) || form === 'plaintext') && handle.error && (
        <Notice tone="error">{handle.error.message}</Notice>
      )}
    </section>
  );
}
