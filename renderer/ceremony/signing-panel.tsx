/**
 * Signing: the transcript people sign is shown here in full, then the administrator signs it
 * and each witness countersigns, each with their own key file and passphrase, or their key in
 * GnuPG or on a smartcard and its PIN (used once in the main process and forgotten).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { groupFingerprint } from '../../shared/ceremony/ceremony-steps';
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';
import { Notice } from '../components/notice';
import {
  KeyChoiceFields,
  keyChoiceOf,
  keyChoiceReady,
  NO_KEY_CHOSEN,
  signingKeyHint,
  withoutSecrets,
} from './key-choice';
import type { CeremonyHandle } from './use-ceremony';

export function SigningPanel({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  const options = ceremony.acknowledgements[0]?.anyOf ?? [];
  const [signer, setSigner] = useState('');
  const [key, setKey] = useState(NO_KEY_CHOSEN);
  const [transcript, setTranscript] = useState<string | null>();
  const current = options.find((o) => o.name === signer) ?? (options.length === 1 ? options[0] : undefined);
  const people = [ceremony.plan.administrator, ...ceremony.plan.witnesses];
  const fingerprint = people.find((p) => p.name === current?.name)?.fingerprint;

  useEffect(() => {
    void handle.call('ceremony.transcript', {}).then((t) => setTranscript(t?.text ?? null));
    // Read once per signer (the form is fresh for each): the signed text does not change.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- on purpose, see above
  }, [ceremony.plan.id]);

  async function sign(event: FormEvent) {
    event.preventDefault();
    if (!current) return;
    const sent = keyChoiceOf(key);
    setKey(withoutSecrets(key));
    await handle.send('ceremony.sign', { signer: current.name, key: sent });
  }

  return (
    <section aria-labelledby="sign-heading" className="card">
      <h2 id="sign-heading">Read and sign the transcript</h2>
      <p>
        Signed so far:{' '}
        {ceremony.signatures.length === 0 ? 'nobody' : ceremony.signatures.map((s) => s.signer).join(', ')}. The
        administrator signs first, then each witness.
      </p>
      <details className="transcript-details" open>
        <summary>The transcript to sign</summary>
        {transcript === undefined ? (
          // The same box the transcript fills, so the form below does not move when it arrives.
          <pre className="transcript" role="status">
            Reading the transcript…
          </pre>
        ) : transcript === null ? (
          <p>The record is not closed yet.</p>
        ) : (
          <pre className="transcript" tabIndex={0} data-testid="sign-transcript-text">
            {transcript}
          </pre>
        )}
      </details>
      <form onSubmit={(event) => void sign(event)} noValidate>
        {options.length > 1 && (
          <div className="field">
            <label htmlFor="sign-signer">Who signs now</label>
            <select id="sign-signer" value={signer} onChange={(e) => setSigner(e.target.value)}>
              <option value="">Choose…</option>
              {options.map((o) => (
                <option key={o.name} value={o.name}>
                  {o.name} ({o.role})
                </option>
              ))}
            </select>
          </div>
        )}
        {current && (
          <>
            <blockquote className="ack-text">
              {current.name}: {current.text}
            </blockquote>
            {fingerprint && (
              <p className="hint">
                The plan pins key {groupFingerprint(fingerprint)} for {current.name}.
              </p>
            )}
            <KeyChoiceFields
              id="sign"
              who="Your"
              state={key}
              onChange={setKey}
              keyFilePurpose="signing-key"
              keyFileLabel="Signing key"
              keyFileHint={signingKeyHint(ceremony.kitDir, current.name)}
            />
          </>
        )}
        {handle.error && <Notice tone="error">{handle.error.message}</Notice>}
        <div className="actions">
          <button type="submit" disabled={handle.busy || !current || !keyChoiceReady(key)}>
            {current ? `Sign as ${current.name}` : 'Sign'}
          </button>
        </div>
      </form>
    </section>
  );
}
