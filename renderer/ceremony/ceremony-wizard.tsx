/**
 * The running ceremony, one step at a time: the step and the line to read aloud, then exactly
 * one thing to do (witness a deviation, retry a failed call, enter a share or a token, sign,
 * or acknowledge), with the way to raise a deviation or cancel always at hand. When the step
 * changes, focus moves to its heading, so everyone, with any assistive technology, lands on it.
 */
import { useEffect, useRef } from 'react';
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';
import { everyoneSigned, isTerminalStep } from '../../shared/ceremony/step-catalogue';
import { Notice } from '../components/notice';
import { AcknowledgementPanel } from './acknowledgement-panel';
import { CancelPanel } from './cancel-panel';
import { CeremonyHeader } from './ceremony-header';
import { OpenDeviations, RaiseDeviation } from './deviation-panel';
import { ExportPanel } from './export-panel';
import { RetryPanel } from './retry-panel';
import { ShareEntry } from './share-entry';
import { SigningPanel } from './signing-panel';
import { StepList } from './step-list';
import { TokenEntry } from './token-entry';
import type { CeremonyHandle } from './use-ceremony';

export function CeremonyWizard({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (!first.current) heading.current?.focus();
    first.current = false;
  }, [ceremony.step]);

  const ended = isTerminalStep(ceremony.step);
  const signed = everyoneSigned(
    ceremony.plan,
    ceremony.signatures.map((s) => s.signer),
  );

  return (
    <>
      <CeremonyHeader ceremony={ceremony} />
      <div className="wizard" data-testid="wizard" data-busy={handle.busy ? 'true' : 'false'}>
        <div className="wizard-main">
          <h2 ref={heading} tabIndex={-1} className="step-title" data-testid="step-title">
            {ceremony.title}
          </h2>
          <figure className="read-aloud">
            <figcaption>{ceremony.plan.administrator.name} reads aloud</figcaption>
            <blockquote data-testid="script">{ceremony.script}</blockquote>
          </figure>
          {ceremony.kitDir && !ended && (
            <p className="hint" data-testid="kit-dir">
              Rehearsal kit (keys, shares and plan for everyone taking part):{' '}
              <span className="path">{ceremony.kitDir}</span>
            </p>
          )}
          {ceremony.stopped && (
            <Notice tone="error">
              {ceremony.lastError?.message ?? 'The ceremony stopped.'} Nothing more can happen in this ceremony: its
              journal could not be written. Fix the disk, then restart the app to resume from the journal.
            </Notice>
          )}
          {ceremony.blocker && <Notice tone="error">{ceremony.blocker}</Notice>}
          <OpenDeviations ceremony={ceremony} handle={handle} />
          {!ceremony.stopped && ceremony.awaiting !== 'deviation' && <NextMove ceremony={ceremony} handle={handle} />}
          {ended && (
            <section
              aria-labelledby="outcome-heading"
              className={`card ${ceremony.step === 'finished' ? 'card-good' : 'card-critical'}`}
              data-testid="outcome"
            >
              <h2 id="outcome-heading">
                {ceremony.step === 'finished'
                  ? ceremony.plan.kind === 'promotion'
                    ? 'Promoted and recorded'
                    : 'Failed back and recorded'
                  : ceremony.title}
              </h2>
              {ceremony.looseEnds.length === 0 ? (
                <p>Nothing is left open on Vault.</p>
              ) : (
                <>
                  <p>Left for someone to deal with:</p>
                  <ul>
                    {ceremony.looseEnds.map((l) => (
                      <li key={l}>{l}</li>
                    ))}
                  </ul>
                </>
              )}
            </section>
          )}
          {ended && signed && <ExportPanel ceremony={ceremony} handle={handle} />}
          {(ended || ceremony.stopped) && (
            <div className="actions">
              <button
                type="button"
                className="secondary"
                disabled={handle.busy}
                onClick={() => void handle.send('ceremony.close', {})}
              >
                Close this ceremony
              </button>
            </div>
          )}
          {!ended && !ceremony.stopped && (
            <div className="actions side-actions">
              <RaiseDeviation ceremony={ceremony} handle={handle} />
              <CancelPanel ceremony={ceremony} handle={handle} />
            </div>
          )}
          <p className="hint journal-line">
            Journal: <span className="path">{ceremony.journal.path}</span>, {ceremony.journal.events} events, head{' '}
            <span className="path">{ceremony.journal.head}</span>
          </p>
        </div>
        <StepList ceremony={ceremony} />
      </div>
    </>
  );
}

function NextMove({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  if (ceremony.input === 'retry') return <RetryPanel ceremony={ceremony} handle={handle} />;
  return (
    <>
      {ceremony.lastError && (
        <Notice tone="error" testId="last-error">
          The last try did not succeed: {ceremony.lastError.message}
        </Notice>
      )}
      {ceremony.step === 'promote' && ceremony.acknowledgements.length > 0 && !ceremony.action?.force && (
        <p className="hint">
          If Vault refuses because the secondary is still catching up, and the old primary is confirmed gone, the
          administrator raises a “Promote with force” deviation; once a witness confirms it, the forced promotion is
          authorised here.
        </p>
      )}
      {ceremony.input === 'share' ? (
        <ShareEntry ceremony={ceremony} handle={handle} />
      ) : ceremony.input === 'root-token' || ceremony.input === 'batch-token' ? (
        <TokenEntry ceremony={ceremony} handle={handle} />
      ) : ceremony.input === 'signature' ? (
        <SigningPanel ceremony={ceremony} handle={handle} />
      ) : (
        <>
          <AcknowledgementPanel ceremony={ceremony} handle={handle} />
          {handle.error && <Notice tone="error">{handle.error.message}</Notice>}
        </>
      )}
    </>
  );
}
