/**
 * Said on the page the main process loaded again after the window's renderer process died, so
 * the person knows why the screen started over and that the ceremony itself did not.
 */
import type { ScreenRestart } from '../../shared/ipc/ipc-contract';
import { clock } from '../ceremony/step-report';
import { Notice } from './notice';

export function ScreenRestartedNotice({
  restart,
  onOpenCeremony,
}: {
  restart: ScreenRestart;
  onOpenCeremony: () => void;
}) {
  return (
    <Notice tone="info" testId="screen-restarted">
      The screen was restarted at {clock(restart.at)} after its process ended ({restart.reason}). The ceremony is where
      it was; only what was typed and not yet submitted must be entered again.{' '}
      <button type="button" onClick={onOpenCeremony}>
        Open the ceremony
      </button>
    </Notice>
  );
}
