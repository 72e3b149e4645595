/**
 * Turns Electron's `event.senderFrame` into the plain description the registry checks. The frame
 * is null, or throws on access, once it has navigated away or been destroyed; either way the
 * request is treated as coming from nowhere and refused.
 */
import type { IpcMainInvokeEvent } from 'electron';
import type { SenderFrame } from './handler-registry';

export function senderFrameOf(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): SenderFrame | null {
  try {
    const frame = event.senderFrame;
    if (frame === null || frame.isDestroyed() || frame.detached) return null;
    return { url: frame.url, isMainFrame: frame.parent === null };
  } catch {
    return null;
  }
}
