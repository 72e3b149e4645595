/**
 * Locks down the renderer's session: every permission is refused (Electron grants them all by
 * default), downloads never start, spellchecking (which fetches dictionaries on Linux) is off,
 * and every request that is not for the app's own files is cancelled.
 */
import type { Session } from 'electron';
import { isAllowedRendererRequest } from './request-filter';

export type HardenableSession = Pick<
  Session,
  | 'setPermissionRequestHandler'
  | 'setPermissionCheckHandler'
  | 'setDevicePermissionHandler'
  | 'setSpellCheckerEnabled'
  | 'on'
> & { readonly webRequest: Pick<Session['webRequest'], 'onBeforeRequest'> };

export function hardenSession(session: HardenableSession, options: { readonly development: boolean }): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.setSpellCheckerEnabled(false);
  session.on('will-download', (event) => event.preventDefault());
  session.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedRendererRequest(details, options.development) });
  });
}
