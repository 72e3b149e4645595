/**
 * Transcript viewer: open a bundle folder, verify it offline exactly as `vault-ceremony verify`
 * does, and read it: the verdict first (every problem named), then who signed and when, then
 * the signed text. A text that did not verify is shown under a warning, never as if it had.
 */
import { useState, type FormEvent } from 'react';
import { groupFingerprint } from '../../shared/ceremony/ceremony-steps';
import type { TranscriptBundle } from '../../shared/ipc/ipc-contract';
import { invoke } from '../api';
import { FolderPathField } from '../components/path-field';
import { Notice } from '../components/notice';

export function TranscriptScreen() {
  const [dir, setDir] = useState('');
  const [bundle, setBundle] = useState<TranscriptBundle>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function open(event: FormEvent) {
    event.preventDefault();
    if (dir.trim() === '')
      return setError(
        'Choose the bundle folder first: the one that holds transcript.txt.asc, journal.jsonl and signers/.',
      );
    setBusy(true);
    setBundle(undefined);
    setError(undefined);
    const result = await invoke('transcript.open', { dir: dir.trim() });
    setBusy(false);
    if (!result.ok) return setError(result.error.message);
    setBundle(result.value);
  }

  return (
    <>
      <p>
        Verify a signed transcript bundle offline: every signature, the journal's hash chain, and that the signed text
        is exactly what the journal records. This is the check auditors run with <code>vault-ceremony verify</code>.
      </p>
      <form onSubmit={(event) => void open(event)} noValidate>
        <FolderPathField
          id="bundle-dir"
          purpose="transcript-bundle"
          label="Bundle folder"
          value={dir}
          onChange={setDir}
          required
          hint="The folder holding transcript.txt.asc, journal.jsonl and signers/."
        />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Verifying…' : 'Open and verify'}
          </button>
        </div>
      </form>
      {error && <Notice tone="error">{error}</Notice>}
      {bundle && <BundleReport bundle={bundle} />}
    </>
  );
}

function BundleReport({ bundle }: { bundle: TranscriptBundle }) {
  return (
    <>
      <section
        aria-labelledby="verdict-heading"
        className={`card ${bundle.valid ? 'card-good' : 'card-critical'}`}
        data-testid="bundle-verdict"
      >
        <h2 id="verdict-heading">{bundle.valid ? 'Verified' : 'NOT VERIFIED'}</h2>
        {bundle.valid ? (
          <p>
            Every signature is good and made by a key in the bundle's signers/, the journal's hash chain is intact, and
            the signed text is exactly the transcript the journal renders.
          </p>
        ) : (
          <>
            <p>
              {bundle.problems.length === 1 ? 'One problem was found' : `${bundle.problems.length} problems were found`}
              . Do not rely on this transcript until each is explained.
            </p>
            <ul data-testid="bundle-problems">
              {bundle.problems.map((problem, index) => (
                <li key={index}>
                  <span className="level">{problem.kind}:</span> {problem.message}
                </li>
              ))}
            </ul>
          </>
        )}
        <dl className="facts">
          <div>
            <dt>Folder</dt>
            <dd className="path">{bundle.dir}</dd>
          </div>
          <div>
            <dt>Ceremony</dt>
            <dd>
              {bundle.ceremonyId ?? 'unknown'}
              {bundle.rehearsal && <strong className="rehearsal-tag"> REHEARSAL</strong>}
            </dd>
          </div>
          <div>
            <dt>Journal events</dt>
            <dd>{bundle.events ?? 'unknown'}</dd>
          </div>
          <div>
            <dt>Journal head</dt>
            <dd className="path">{bundle.head ?? 'unknown'}</dd>
          </div>
        </dl>
      </section>

      <section aria-labelledby="signers-heading">
        <h2 id="signers-heading">Signatures</h2>
        {bundle.signatures.length === 0 ? (
          <p>There is no readable signature.</p>
        ) : (
          <table data-testid="bundle-signatures">
            <thead>
              <tr>
                <th scope="col">Signer</th>
                <th scope="col">Key fingerprint</th>
                <th scope="col">Signed at (UTC)</th>
                <th scope="col">Signature</th>
              </tr>
            </thead>
            <tbody>
              {bundle.signatures.map((s, index) => (
                <tr key={index}>
                  <th scope="row">{s.signer}</th>
                  <td className="path">
                    {s.fingerprint.length === 40 ? groupFingerprint(s.fingerprint) : s.fingerprint}
                  </td>
                  <td>
                    <time dateTime={s.created}>{s.created}</time>
                  </td>
                  <td className={s.good ? 'good' : 'bad'}>{s.good ? 'Good' : 'BAD'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="text-heading">
        <h2 id="text-heading">Signed transcript</h2>
        {bundle.transcript === null ? (
          <p>
            transcript.txt.asc is missing or is not an OpenPGP cleartext-signed document, so there is no text to show.
          </p>
        ) : (
          <>
            {!bundle.valid && (
              <Notice tone="error">
                This text did not verify. It is shown so the problems above can be investigated; it is not evidence of
                anything.
              </Notice>
            )}
            <pre className="transcript" tabIndex={0} aria-label="Signed transcript text" data-testid="bundle-text">
              {bundle.transcript}
            </pre>
          </>
        )}
      </section>
    </>
  );
}
