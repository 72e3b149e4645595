/**
 * Keeps the ceremony window out of screenshots and screen sharing (Windows and macOS honour
 * this; Linux has no such mechanism), since it shows nonces, progress and, on request, tokens.
 */
import type { BrowserWindow } from 'electron';

export function hardenWindow(window: Pick<BrowserWindow, 'setContentProtection'>): void {
  window.setContentProtection(true);
}
