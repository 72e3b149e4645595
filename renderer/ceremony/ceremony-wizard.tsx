/**
 * The running ceremony, one step at a time, laid out so the current action is on screen without
 * scrolling on a small laptop: anything that blocks the ceremony (a deviation to witness, a failed
 * call, a stopped journal) takes over the top; then the step, the line to read aloud, what Vault
 * and the laptop reported, and exactly one thing to do. The journal and kit details wait in one
 * collapsible place below.
 *
 * Keyboard: after every request the main process answers, focus moves to the next thing to do
 * (the control marked `data-next`, else the first enabled control of the action), and a live
 * region says what was reported and where the ceremony now stands.
 */
import { useEffect, useRef } from 'react';
import { groupFingerprint } from '../../shared/ceremony/ceremony-steps';
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';
import { everyoneSigned, isTerminalStep } from '../../shared/ceremony/step-catalogue';
import { drawnText } from '../../shared/record/visible-text';
import { Notice } from '../components/notice';
import { AbortedBanner } from './aborted-banner';
import { AcknowledgementPanel } from './acknowledgement-panel';
import { ActivationTokenHandover } from './activation-token-handover';
import { CancelPanel } from './cancel-panel';
import { DrillPanel } from './drill-panel';
import { CeremonyHeader } from './ceremony-header';
import { OpenDeviations, RaiseDeviation } from './deviation-panel';
import { PeerCheck } from './peer-check';
import { PlanReview, PlanRows } from './plan-review';
import { ExportPanel } from './export-panel';
import { FailbackOffer, offersFailback } from './failback-offer';
import { LeftBehind } from './left-behind';
import { NextSteps } from './next-steps';
import { RetryPanel } from './retry-panel';
import { ShareEntry } from './share-entry';
import { SigningPanel } from './signing-panel';
import { StepList } from './step-list';
import { StepReport } from './step-report';
import { TokenEntry, wantsToken } from './token-entry';
import type { CeremonyHandle } from './use-ceremony';

export function CeremonyWizard({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  const action = useRef<HTMLDivElement>(null);
  const deviation = ceremony.awaiting === 'deviation';
  const blocked = ceremony.stopped || deviation || ceremony.input === 'retry' || ceremony.blocker !== null;
  // A new step, or a blocking state taking over, is shown from the top, whatever was scrolled before.
  const first = useRef(true);
  useEffect(() => {
    if (!first.current) window.scrollTo(0, 0);
    first.current = false;
  }, [blocked, ceremony.step]);
  useFocusNextAction(action, handle.busy);

  const ended = isTerminalStep(ceremony.step);
  const signed = everyoneSigned(
    ceremony.plan,
    ceremony.signatures.map((s) => s.signer),
  );
  return (
    <>
      <CeremonyHeader ceremony={ceremony} />
      <p className="visually-hidden" role="status" data-testid="announcement">
        {announcement(ceremony)}
      </p>
      <div className="wizard" data-testid="wizard" data-busy={handle.busy ? 'true' : 'false'}>
        <div className="wizard-main">
          <div ref={action} className="action-area">
            {blocked && (
              <div className="takeover" data-testid="takeover">
                {ceremony.stopped && (
                  <Notice tone="error">
                    {ceremony.lastError?.message ?? 'The ceremony stopped.'} Nothing more can happen in this ceremony:
                    its journal could not be written. Fix the disk, then restart the app to resume from the journal.
                  </Notice>
                )}
                {ceremony.blocker && <Notice tone="error">{ceremony.blocker}</Notice>}
                <OpenDeviations ceremony={ceremony} handle={handle} />
                {/* An abort or waiver awaiting signatures: signed here, as an irreversible step is. */}
                {!ceremony.stopped && ceremony.proposal && (
                  <>
                    <AcknowledgementPanel ceremony={ceremony} handle={handle} />
                    {handle.error && <Notice tone="error">{handle.error.message}</Notice>}
                  </>
                )}
                {!ceremony.stopped && !deviation && ceremony.input === 'retry' && (
                  <RetryPanel ceremony={ceremony} handle={handle} />
                )}
              </div>
            )}
            <AbortedBanner ceremony={ceremony} ended={ended} />
            <h2 className="step-title" data-testid="step-title">
              {deviation ? `Then: ${ceremony.title}` : ceremony.title}
            </h2>
            {!deviation && (
              <figure className="read-aloud">
                <figcaption>{ceremony.plan.administrator.name} reads aloud</figcaption>
                <blockquote data-testid="script">{ceremony.script}</blockquote>
              </figure>
            )}
            {!deviation && <StepReport ceremony={ceremony} />}
            {!deviation && ceremony.step === 'roll-call' && <PlanReview plan={ceremony.plan} />}
            {!deviation && <PeerCheck ceremony={ceremony} />}
            {!deviation && ceremony.activationToken && (
              // Keyed by the token's hash, so a revealed token leaves the page with its handover.
              <ActivationTokenHandover key={ceremony.activationToken.sha256} ceremony={ceremony} handle={handle} />
            )}
            {!ceremony.stopped && !deviation && ceremony.input !== 'retry' && (
              <NextMove ceremony={ceremony} handle={handle} />
            )}
            {ended && <Outcome ceremony={ceremony} />}
            {ended && signed && <ExportPanel ceremony={ceremony} handle={handle} />}
            {offersFailback(ceremony) && <FailbackOffer ceremony={ceremony} handle={handle} />}
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
          </div>
          {/* After a signed abort only the signing remains: no deviation, cancel or drill is accepted. */}
          {!ended && !ceremony.stopped && !ceremony.aborted && (
            <div className="actions side-actions">
              <RaiseDeviation ceremony={ceremony} handle={handle} />
              <CancelPanel ceremony={ceremony} handle={handle} />
              <DrillPanel ceremony={ceremony} handle={handle} />
            </div>
          )}
          <RecordDetails ceremony={ceremony} ended={ended} />
        </div>
        <StepList ceremony={ceremony} />
      </div>
    </>
  );
}

/**
 * When a request settles and focus was lost (the button pressed was disabled while busy, or is
 * gone with the state it belonged to), focus the next thing to do. On first showing too, so the
 * first Tab after "Start" lands on the first person's action, not on the page's top.
 */
function useFocusNextAction(area: React.RefObject<HTMLDivElement | null>, busy: boolean): void {
  const wasBusy = useRef(true);
  useEffect(() => {
    const settled = wasBusy.current && !busy;
    wasBusy.current = busy;
    if (!settled || !area.current) return;
    const active = document.activeElement as HTMLElement | null;
    const lost =
      !active || active === document.body || !active.isConnected || (active as HTMLButtonElement).disabled === true;
    if (!lost) return;
    const next =
      area.current.querySelector<HTMLElement>('[data-next="true"]:not(:disabled)') ??
      area.current.querySelector<HTMLElement>('select:not(:disabled), button:not(:disabled), textarea:not(:disabled)');
    if (!next) return;
    next.focus({ preventScroll: true });
    reveal(next, [
      area.current.querySelector<HTMLElement>('.takeover h2, .step-title'),
      next.closest('.card')?.querySelector<HTMLElement>('h2') ?? null,
    ]);
  }, [busy, area]);
}

/**
 * Scrolls so the next action and its context are on screen together below the sticky ceremony
 * header (which names the step): the page's top when they fit there; else the first context, in
 * order of preference (what took over the top or the step's title, then the heading of the
 * action's own card), that fits placed just under the header; else the action alone. The
 * browser's own scroll on focus puts a control at the screen's edge, under the header.
 */
function reveal(action: HTMLElement, contexts: readonly (HTMLElement | null)[]): void {
  const header = document.querySelector('.ceremony-header')?.getBoundingClientRect().height ?? 0;
  const margin = 8;
  const top = (element: HTMLElement) => element.getBoundingClientRect().top + window.scrollY;
  const actionTop = top(action);
  const actionBottom = actionTop + action.getBoundingClientRect().height;
  const fits = (scrollY: number) =>
    actionTop - scrollY >= header + margin && actionBottom - scrollY <= window.innerHeight - margin;
  const candidates = [
    0,
    ...contexts.flatMap((context) => (context ? [Math.max(0, top(context) - header - margin)] : [])),
  ];
  window.scrollTo(0, candidates.find(fits) ?? actionBottom - window.innerHeight + margin);
}

/** What a screen reader hears after each answer: what was reported, and what the ceremony waits for now. */
function announcement(ceremony: CeremonySnapshot): string {
  const index = ceremony.steps.findIndex((s) => s.id === ceremony.step);
  const where = index >= 0 ? `Step ${index + 1} of ${ceremony.steps.length}: ${ceremony.title}.` : `${ceremony.title}.`;
  if (ceremony.proposal)
    return `Stopped: ${ceremony.proposal.kind === 'abort' ? 'aborting' : 'the waiver'} must be authorised by the administrator's and a witness's signatures. ${where}`;
  if (ceremony.awaiting === 'deviation') return `Stopped: a deviation must be witnessed. ${where}`;
  if (ceremony.aborted && ceremony.step === 'sign-transcript')
    return `ABORTED: nothing more is done on Vault; everyone now signs the transcript. ${where}`;
  return `${ceremony.lastResult ? `${ceremony.lastResult} ` : ''}${where}`;
}

function NextMove({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  return (
    <>
      {ceremony.lastError && (
        <Notice tone="error" testId="last-error">
          The last try did not succeed: {ceremony.lastError.message}
        </Notice>
      )}
      {ceremony.input === 'share' ? (
        // A new attempt (nonce) or share count means a new officer: a fresh form.
        <ShareEntry key={`${ceremony.nonce}-${ceremony.progress?.entered}`} ceremony={ceremony} handle={handle} />
      ) : wantsToken(ceremony) ? (
        <TokenEntry ceremony={ceremony} handle={handle} />
      ) : ceremony.input === 'signature' ? (
        // Each signer gets a fresh form: nothing of the last signer's key or passphrase stays.
        <SigningPanel key={ceremony.signatures.length} ceremony={ceremony} handle={handle} />
      ) : (
        <>
          <AcknowledgementPanel ceremony={ceremony} handle={handle} />
          {/* At the end this is also the export's error, which may name what the chosen folder holds. */}
          {handle.error && <Notice tone="error">{drawnText(handle.error.message)}</Notice>}
        </>
      )}
      {ceremony.step === 'promote' && ceremony.acknowledgements.length > 0 && !ceremony.action?.force && (
        <p className="hint">
          If Vault refuses because the secondary is still catching up, and the old primary is confirmed gone, the
          administrator raises a “Promote with force” deviation; once a witness confirms it, the forced promotion is
          authorised here.
        </p>
      )}
    </>
  );
}

function Outcome({ ceremony }: { ceremony: CeremonySnapshot }) {
  const finished = ceremony.step === 'finished';
  return (
    <section
      aria-labelledby="outcome-heading"
      className={`card ${finished ? 'card-good' : 'card-critical'}`}
      data-testid="outcome"
    >
      {/* Focus lands on the outcome itself, so it is read (and on screen) before the export below. */}
      <h2 id="outcome-heading" tabIndex={-1} data-next="true">
        {finished
          ? ceremony.plan.kind === 'promotion'
            ? 'Promoted and recorded'
            : 'Failed back and recorded'
          : ceremony.title}
      </h2>
      {ceremony.looseEnds.length === 0 ? (
        <p>Nothing is left open on Vault.</p>
      ) : (
        <LeftBehind looseEnds={ceremony.looseEnds} />
      )}
      <NextSteps ceremony={ceremony} />
    </section>
  );
}

/** The ceremony's record (journal, its head, the rehearsal kit): needed for audits, not at every step. */
function RecordDetails({ ceremony, ended }: { ceremony: CeremonySnapshot; ended: boolean }) {
  return (
    <details className="record-details" data-testid="record-details">
      <summary>Record details: plan, journal{ceremony.kitDir ? ', rehearsal kit' : ''}</summary>
      <dl className="facts">
        <div>
          <dt>Plan</dt>
          <dd>
            {ceremony.plan.title} ({ceremony.plan.id})
          </dd>
        </div>
        <PlanRows plan={ceremony.plan} />
        <div>
          <dt>Journal</dt>
          <dd className="path">{ceremony.journal.path}</dd>
        </div>
        <div>
          <dt>Events, head</dt>
          <dd>
            {ceremony.journal.events}, <span className="path">{ceremony.journal.head}</span>
          </dd>
        </div>
        {ceremony.plan.rehearsal && ceremony.plan.officers.some((o) => o.keySource !== null) && (
          <div>
            <dt>Officers' keys</dt>
            <dd>
              <ul data-testid="rehearsal-keys">
                {ceremony.plan.officers.map((o) => (
                  <li key={o.name}>
                    {o.name}:{' '}
                    {o.keySource === 'supplied'
                      ? `real key ${groupFingerprint(o.fingerprint)} (supplied)`
                      : 'generated for the rehearsal'}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
        {ceremony.kitDir && !ended && (
          <div>
            <dt>Rehearsal kit</dt>
            <dd data-testid="kit-dir">
              Keys, shares and plan for everyone taking part: <span className="path">{ceremony.kitDir}</span>
            </dd>
          </div>
        )}
      </dl>
    </details>
  );
}
