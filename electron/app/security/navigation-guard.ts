/**
 * Where a frame of the app may navigate: only within the app's own origin. The renderer switches
 * screens without navigating, so anything else is a link, a redirect or an injected location
 * change, and is stopped. The URL is parsed, never compared by prefix.
 */
import { APP_ORIGIN } from './app-protocol';
import { originOf } from './origin';

export function isAllowedNavigation(url: string): boolean {
  return originOf(url) === APP_ORIGIN;
}
