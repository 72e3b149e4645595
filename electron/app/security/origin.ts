/**
 * The origin of a URL as Chromium sees it. WHATWG URL gives custom schemes an opaque origin
 * ("null"), but the app scheme is registered as standard, so Chromium treats `app://host` as a
 * real origin; we compute it the same way instead of comparing strings by prefix.
 */
export function originOf(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.host === '') return undefined;
  return `${parsed.protocol}//${parsed.host}`;
}
