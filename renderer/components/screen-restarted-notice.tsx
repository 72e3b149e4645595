/**
 * Said on the page the main process loaded again after the window's renderer process died, so
 * the person knows why the screen started over and that the ceremony itself did not. The page
 * opens at the ceremony when main holds one, else on Start. Once shown, main is told, so a later
 * ordinary reload does not say it again.
 */
import { useEffect } from 'react';
import type { ScreenRestart } from '../../shared/ipc/ipc-contract';
import { invoke } from '../api';
import { clock } from '../ceremony/step-report';
import { Notice } from './notice';

/** What the reloaded page found in the main process: a ceremony (opened at its step), none, or it could not tell. */
export type CeremonyOnRestart = 'opened' | 'none' | 'unknown';

export function ScreenRestartedNotice({
  restart,
  ceremony,
  onOpenCeremony,
}: {
  restart: ScreenRestart;
  ceremony: CeremonyOnRestart;
  onOpenCeremony: () => void;
}) {
  useEffect(() => void invoke('app.screenRestartShown', { at: restart.at }), [restart.at]);
  const why = `The screen was restarted at ${clock(restart.at)} after its process ended (${restart.reason})`;
  const retype = 'only what was typed and not yet submitted must be entered again.';
  const said: Record<CeremonyOnRestart, string> = {
    opened: `${why}, so it opened again here, at the ceremony's current step. The ceremony is where it was; ${retype}`,
    none: `${why}. No ceremony is in progress; ${retype}`,
    unknown: `${why}. The ceremony is where it was; ${retype}`,
  };
  return (
    <Notice tone="info" testId="screen-restarted">
      {said[ceremony]}
      {ceremony === 'unknown' && (
        <>
          {' '}
          <button type="button" onClick={onOpenCeremony}>
            Open the ceremony
          </button>
        </>
      )}
    </Notice>
  );
}
