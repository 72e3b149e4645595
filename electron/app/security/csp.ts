/**
 * The renderer's Content Security Policy. It loads only its own bundled scripts and styles,
 * reaches no network (every Vault request goes through the main process), and cannot be framed,
 * submit forms or rebase URLs. Trusted Types forbid string-to-DOM sinks such as innerHTML
 * outright: React does not need them, and an injected string then cannot become markup.
 */
const directives: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'none'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data:"],
  ['connect-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
  ['require-trusted-types-for', "'script'"],
  ['trusted-types', "'none'"],
];

function policy(entries: ReadonlyArray<readonly [string, string]>): string {
  return entries.map(([name, value]) => `${name} ${value}`).join('; ');
}

/** Sent as the `Content-Security-Policy` header on every renderer file. */
export const CONTENT_SECURITY_POLICY = policy(directives);

/** For index.html's meta tag: browsers ignore `frame-ancestors` there (and warn), so it is left out. */
export const META_CONTENT_SECURITY_POLICY = policy(directives.filter(([name]) => name !== 'frame-ancestors'));
