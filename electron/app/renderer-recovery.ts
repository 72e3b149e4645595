/**
 * Brings the screen back when the window's renderer process dies (a crash, out of memory, killed).
 * The ceremony lives in the main process and the page rebuilds itself from main's snapshot, so
 * reloading the app's page loses nothing submitted: it opens at the ceremony's current step (on
 * Start when there is none), saying why. A page that keeps dying
 * is not reloaded forever: past the limit a native dialog says to restart the app.
 */
import type { WebContents } from 'electron';
import type { ScreenRestart } from '../../shared/ipc/ipc-contract';

export type RecoverableContents = Pick<WebContents, 'on' | 'loadURL'>;

export interface RendererRecoveryOptions {
  /** The app's own page, loaded again after a crash. */
  readonly entryUrl: string;
  readonly now: () => number;
  readonly log: (line: string) => void;
  /** Shown once, when the page has died more often than the limit allows. */
  readonly showError: (title: string, message: string) => void;
  /** Told of each reload, so the reloaded page can say why it started over. */
  readonly onReload?: (restart: ScreenRestart) => void;
  /** Reloads allowed within `windowMs`; the next death within it gives up. */
  readonly maxReloads?: number;
  readonly windowMs?: number;
}

export const GIVE_UP_TITLE = 'The Vault Ceremony screen keeps failing';
export const GIVE_UP_MESSAGE =
  "The app's screen stopped several times in a short while, so it is not being restarted again. " +
  "The ceremony's journal is safe on disk. Quit Vault Ceremony and start it again: " +
  'the ceremony resumes from its journal at the step it had reached.';

// Electron's reasons are a fixed set of words; anything else is not echoed into the log.
const printable = (reason: string): string => (/^[a-z-]{1,40}$/.test(reason) ? reason : 'unknown');

export function recoverRenderer(contents: RecoverableContents, options: RendererRecoveryOptions): void {
  const maxReloads = options.maxReloads ?? 3;
  const windowMs = options.windowMs ?? 60_000;
  let deaths: number[] = [];
  let gaveUp = false;

  contents.on('render-process-gone', (_event, { reason, exitCode }) => {
    if (reason === 'clean-exit' || gaveUp) return;
    const now = options.now();
    deaths = [...deaths.filter((t) => now - t < windowMs), now];
    // Only Electron's reason and the exit code: nothing the page held can be in them.
    const what = `the screen's process ended (${printable(reason)}, exit code ${exitCode})`;
    if (deaths.length > maxReloads) {
      gaveUp = true;
      options.log(`vault-ceremony: ${what}, ${deaths.length} times within ${windowMs / 1000} s: not reloading`);
      options.showError(GIVE_UP_TITLE, GIVE_UP_MESSAGE);
      return;
    }
    options.log(`vault-ceremony: ${what}: reloading the app's page`);
    options.onReload?.({ reason: printable(reason), at: new Date(now).toISOString() });
    contents.loadURL(options.entryUrl).catch(() => options.log("vault-ceremony: reloading the app's page failed"));
  });
  // A busy page (a long verification) may come back; killing it would lose nothing but help no one.
  contents.on('unresponsive', () => options.log('vault-ceremony: the screen is not responding; waiting for it'));
  contents.on('responsive', () => options.log('vault-ceremony: the screen is responding again'));
}
