/**
 * Which requests the renderer's session lets through: its own files over the app scheme, and
 * nothing else. The renderer has no network; the Vault client runs in the main process, which
 * this filter does not see.
 */
import { APP_ORIGIN } from './app-protocol';
import { originOf } from './origin';

export interface RequestToFilter {
  readonly url: string;
  readonly resourceType: string;
}

export function isAllowedRendererRequest(request: RequestToFilter, development: boolean): boolean {
  if (originOf(request.url) === APP_ORIGIN) return true;
  // The CSP allows data: images (icons inlined by the build); nothing else may be a data: URL.
  if (request.url.startsWith('data:') && request.resourceType === 'image') return true;
  return development && request.url.startsWith('devtools://');
}
