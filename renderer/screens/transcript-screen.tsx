/**
 * Transcript viewer: open a bundle folder, verify it offline exactly as `vault-ceremony verify`
 * does (with the auditor's keyring or fingerprint list as anchors), and read it: the verdict
 * first, one of three that look nothing alike (verified and anchored; consistent but anchored by
 * nothing; not verified, every problem named), then who must sign and who signed, each signed
 * authorisation of what cannot be undone, then the signed text. A text that did not verify is shown under a warning, never as if it had. Every string from
 * the bundle is shown through drawnText (visibleText, with long runs of combining marks cut), so
 * it cannot hide or reorder what is on screen, nor hang the renderer.
 * Right under the verdict, whatever it is, come its warnings: files in the folder no signature
 * covers, and times that are odd; the verdict itself says to read them.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { groupFingerprint } from '../../shared/ceremony/ceremony-steps';
import type { TranscriptBundle } from '../../shared/ipc/ipc-contract';
import { keyringNames } from '../../shared/record/keyring-names';
import { summariseProblems, unshownLine } from '../../shared/record/problem-summary';
import { drawnLines, drawnText } from '../../shared/record/visible-text';
import { invoke } from '../api';
import { FilePathField, FolderPathField } from '../components/path-field';
import { BundleWarnings } from '../components/bundle-warnings';
import { Notice } from '../components/notice';

export function TranscriptScreen() {
  const [dir, setDir] = useState('');
  const [keyring, setKeyring] = useState('');
  const [fingerprints, setFingerprints] = useState('');
  const [bundle, setBundle] = useState<TranscriptBundle>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  // Counts changes to what is verified (folder, keys, fingerprints) and opens: a verdict, or an
  // answer still on its way, is only ever shown for the very fields it was given.
  const generation = useRef(0);
  // A verification still running when the person leaves the screen is stopped: nobody will read it.
  useEffect(() => () => void invoke('transcript.cancel', {}), []);

  /** Sets a field, and takes down the verdict, which was for what the fields said before. */
  const field = (set: (value: string) => void) => (value: string) => {
    generation.current++;
    setBundle(undefined);
    set(value);
  };

  async function open(event: FormEvent) {
    event.preventDefault();
    if (dir.trim() === '')
      return setError(
        'Choose the bundle folder first: the one that holds transcript.txt.asc, journal.jsonl and signers/.',
      );
    setBusy(true);
    setBundle(undefined);
    setError(undefined);
    const opened = ++generation.current;
    const result = await invoke('transcript.open', {
      dir: dir.trim(),
      ...(keyring.trim() ? { keyrings: [keyring.trim()] } : {}),
      ...(fingerprints.trim() ? { fingerprints: fingerprints.trim() } : {}),
    });
    setBusy(false);
    if (opened !== generation.current) return;
    // It names the paths given, and a folder's name may have come with the bundle.
    if (!result.ok) return setError(drawnText(result.error.message));
    setBundle(result.value);
  }

  return (
    <>
      <p>
        Verify a signed transcript bundle offline: every signature, the journal's hash chain, that the signed text is
        exactly what the journal records, and that the signers are exactly the administrator and witnesses the journal
        names. This is the check auditors run with <code>vault-ceremony verify</code>. To know the signers are who the
        journal says, give their public keys or fingerprints as you obtained them, not from the bundle.
      </p>
      <form onSubmit={(event) => void open(event)} noValidate>
        <FolderPathField
          id="bundle-dir"
          purpose="transcript-bundle"
          label="Bundle folder"
          value={dir}
          onChange={field(setDir)}
          required
          hint="The folder holding transcript.txt.asc, journal.jsonl and signers/."
        />
        <FilePathField
          id="auditor-keyring"
          purpose="auditor-keyring"
          label="Signers' public keys"
          value={keyring}
          onChange={field(setKeyring)}
          hint="A keyring you obtained independently of the bundle (armored, or from gpg --export)."
        />
        <FilePathField
          id="auditor-fingerprints"
          purpose="auditor-fingerprints"
          label="Signers' fingerprints"
          value={fingerprints}
          onChange={field(setFingerprints)}
          hint="A text file with one 40-hex-digit fingerprint a line, as you obtained them."
        />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Verifying…' : 'Open and verify'}
          </button>
          {busy && (
            <button type="button" className="secondary" onClick={() => void invoke('transcript.cancel', {})}>
              Stop verifying
            </button>
          )}
        </div>
      </form>
      {error && <Notice tone="error">{error}</Notice>}
      {bundle && <BundleReport bundle={bundle} />}
    </>
  );
}

/**
 * How much of the text is shown, in UTF-16 units: a 10,000-event ceremony, far longer than any
 * real one, has a 3.3 MB transcript, and a hostile bundle's 16 MB transcript.txt (within the file
 * cap) crashed the renderer, every screen of the app with it.
 */
const TEXT_SHOWN = 4_000_000;

const VERDICTS = {
  anchored: {
    card: 'card-good',
    title: '✔ Verified: signers anchored by your keys',
    text: "Every signature is good and made by the key of the person the journal names, each key is one you supplied, the journal's hash chain is intact, and the signed text is exactly the transcript the journal renders.",
  },
  unanchored: {
    card: 'card-attention',
    title: '⚠ Consistent, but NOT anchored: who signed is unproven',
    text: 'The bundle is intact and signed by the keys its journal names, but nothing you supplied vouches for those keys: a forger could build such a bundle with keys of their own. Compare each fingerprint below with one you obtained from that person, or open it again with their public keys or fingerprints.',
  },
  failed: { card: 'card-critical', title: '✘ NOT VERIFIED', text: '' },
} as const;

function BundleReport({ bundle }: { bundle: TranscriptBundle }) {
  const verdict = VERDICTS[bundle.verdict];
  const problems = summariseProblems(bundle.problems);
  const heading = useRef<HTMLHeadingElement>(null);
  // Focus lands on the verdict, as on the wizard's outcome, so it is read out and on screen.
  useEffect(() => heading.current?.focus(), []);
  return (
    <>
      <section
        aria-labelledby="verdict-heading"
        className={`card ${verdict.card} outside-text`}
        data-testid="bundle-verdict"
        data-verdict={bundle.verdict}
      >
        <h2 id="verdict-heading" ref={heading} tabIndex={-1}>
          {verdict.title}
        </h2>
        {bundle.verdict !== 'failed' ? (
          <>
            <p>{verdict.text}</p>
            {bundle.warnings.length > 0 && (
              <p>
                <strong>
                  ⚠ But read the {bundle.warnings.length === 1 ? 'warning' : `${bundle.warnings.length} warnings`}{' '}
                  below: this verdict covers only the signed record.
                </strong>
              </p>
            )}
          </>
        ) : (
          <>
            <p>
              {bundle.problems.length === 1
                ? 'One problem was found'
                : `${bundle.problems.length.toLocaleString('en-US')} problems were found`}
              . Do not rely on this transcript until each is explained.
            </p>
            <ul className="problems" data-testid="bundle-problems">
              {problems.shown.map((problem, index) => (
                <li key={index}>
                  <span className="level">{problem.kind}:</span> {drawnText(problem.message)}
                </li>
              ))}
              {problems.unshown.map((more) => (
                <li key={more.kind}>{unshownLine(more)}</li>
              ))}
            </ul>
          </>
        )}
        <dl className="facts">
          <div>
            <dt>Folder</dt>
            <dd className="path">{drawnText(bundle.dir)}</dd>
          </div>
          <div>
            <dt>Ceremony</dt>
            <dd>
              {bundle.ceremonyId === null ? 'unknown' : drawnText(bundle.ceremonyId)}
              {bundle.rehearsal && <strong className="rehearsal-tag"> REHEARSAL</strong>}
            </dd>
          </div>
          <div>
            <dt>Outcome</dt>
            <dd>{bundle.outcome === null ? 'not stated' : drawnText(bundle.outcome)}</dd>
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
      <BundleWarnings warnings={bundle.warnings} />

      <section aria-labelledby="required-heading">
        <h2 id="required-heading">Who must sign (from the journal's plan)</h2>
        {bundle.signers.length === 0 ? (
          <p>The journal's plan cannot be read, so nobody is known to be required to sign.</p>
        ) : (
          <table className="outside-text" data-testid="bundle-signers">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Key fingerprint</th>
                <th scope="col">Anchored by your keys</th>
                <th scope="col">Your keyring names the key</th>
              </tr>
            </thead>
            <tbody>
              {bundle.signers.map((s, index) => (
                <tr key={index}>
                  <th scope="row">{drawnText(s.name)}</th>
                  <td>{s.role}</td>
                  <td className="path">{groupFingerprint(s.fingerprint)}</td>
                  <td className={s.anchored ? 'good' : 'bad'}>{s.anchored ? 'Yes' : 'NO'}</td>
                  <td>
                    <KeyringNames ids={s.keyringUserIds} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {bundle.verdict === 'anchored' && (
          <p>
            The names are the journal's, which the signers wrote: check that each key is that person's (your keyring's
            names for it are shown beside it).
          </p>
        )}
      </section>

      <section aria-labelledby="signers-heading">
        <h2 id="signers-heading">Signatures</h2>
        {bundle.signatures.length === 0 ? (
          <p>There is no readable signature.</p>
        ) : (
          <table className="outside-text" data-testid="bundle-signatures">
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
                  <th scope="row">{drawnText(s.signer)}</th>
                  <td className="path">
                    {s.fingerprint.length === 40 ? groupFingerprint(s.fingerprint) : drawnText(s.fingerprint)}
                  </td>
                  <td>
                    <time dateTime={s.created}>{drawnText(s.created)}</time>
                  </td>
                  <td className={s.good ? 'good' : 'bad'}>
                    {s.good ? 'Good' : 'BAD'}
                    <KeySince notes={s.since} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="authorisations-heading">
        <h2 id="authorisations-heading">Signed authorisations (what cannot be undone)</h2>
        {bundle.authorisations.length === 0 ? (
          <p>The journal records no signed authorisation.</p>
        ) : (
          <table className="outside-text" data-testid="bundle-authorisations">
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">What was authorised</th>
                <th scope="col">Signer</th>
                <th scope="col">Role</th>
                <th scope="col">Key fingerprint</th>
                <th scope="col">Anchored by your keys</th>
                <th scope="col">Signature</th>
              </tr>
            </thead>
            <tbody>
              {bundle.authorisations.map((a, index) => {
                const anchored = bundle.signers.some((s) => s.anchored && s.fingerprint === a.fingerprint);
                return (
                  <tr key={index}>
                    <th scope="row">{drawnText(a.step)}</th>
                    <td>{drawnText(a.action)}</td>
                    <td>{drawnText(a.signer)}</td>
                    <td>{drawnText(a.role)}</td>
                    <td className="path">{groupFingerprint(a.fingerprint)}</td>
                    <td className={anchored ? 'good' : 'bad'}>{anchored ? 'Yes' : 'NO'}</td>
                    <td className={a.good ? 'good' : 'bad'}>
                      {a.good ? 'Good' : 'BAD'}
                      <KeySince notes={a.since} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="text-heading">
        <h2 id="text-heading">Signed transcript</h2>
        {bundle.transcript === null ? (
          <p>Neither transcript.txt.asc nor transcript.txt could be read, so there is no text to show.</p>
        ) : (
          <>
            {bundle.verdict === 'failed' && (
              <Notice tone="error">
                This text did not verify. It is shown so the problems above can be investigated; it is not evidence of
                anything.
              </Notice>
            )}
            <pre className="transcript" tabIndex={0} aria-label="Signed transcript text" data-testid="bundle-text">
              {drawnLines(bundle.transcript.slice(0, TEXT_SHOWN)).map((line, index) => (
                <span key={index} className="transcript-line">{`${line}\n`}</span>
              ))}
            </pre>
            {bundle.transcript.length > TEXT_SHOWN && (
              <p data-testid="bundle-text-unshown">
                Only the first {TEXT_SHOWN.toLocaleString('en-US')} characters of the text are shown; the other{' '}
                {(bundle.transcript.length - TEXT_SHOWN).toLocaleString('en-US')} are not. No real ceremony's transcript
                is this long.
              </p>
            )}
          </>
        )}
      </section>
    </>
  );
}

/** Whom the auditor's keyrings know a key as: the first few user IDs, then how many more. */
function KeyringNames({ ids }: { ids: readonly string[] }) {
  if (ids.length === 0) return '—';
  const { shown, more } = keyringNames(ids);
  return `${shown.map(drawnText).join('; ')}${more > 0 ? ` and ${more.toLocaleString('en-US')} more` : ''}`;
}

/** What became of a good signature's key since it signed (expired, superseded, retired): it stands, and says so. */
function KeySince({ notes }: { notes: readonly string[] }) {
  return notes.map((note, index) => (
    <small key={index} className="key-since">
      <br />
      since: {drawnText(note)}
    </small>
  ));
}
