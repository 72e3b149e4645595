/**
 * Applied to every web contents the app creates (through `web-contents-created`), so no window,
 * frame or webview escapes it: no new windows, no navigation away from the app, no webviews.
 */
import type { WebContents } from 'electron';
import { isAllowedNavigation } from './navigation-guard';

export type HardenableWebContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

export function hardenWebContents(contents: HardenableWebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const guard = (event: { readonly url: string; preventDefault(): void }): void => {
    if (!isAllowedNavigation(event.url)) event.preventDefault();
  };
  // will-frame-navigate covers sub-frames too; will-navigate is kept for the main frame in case
  // a future Electron routes one and not the other.
  contents.on('will-frame-navigate', guard);
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
