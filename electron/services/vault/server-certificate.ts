/**
 * The names and dates of the certificate a Vault server presented, for error messages ("expired
 * on …", "issued by …"). Node verifies the certificate when the handshake completes and, when it
 * fails, destroys the socket at once, discarding the certificate. The transport therefore reads
 * it just before Node's check, on the very connection that is then refused: no second connection,
 * no switch that turns verification off, and nothing sent. The result is only ever displayed.
 */
import type { PeerCertificate, TLSSocket } from 'node:tls';

export interface ServerCertificateFacts {
  readonly subject: string;
  readonly issuer: string;
  /** As the certificate states them, e.g. "DNS:vault.example.com, IP Address:10.0.0.5". */
  readonly altNames: string | undefined;
  readonly validFrom: Date;
  readonly validTo: Date;
}

/**
 * Calls `seen` with the server's certificate once the handshake has finished, before Node judges
 * it. 'secure' is the (undocumented, long-standing) event Node's own verification listens to; if a
 * future Node stops emitting it, messages lose the certificate's details and nothing else changes
 * (electron/services/vault/transport.test.ts would show it).
 */
export function watchServerCertificate(
  socket: TLSSocket,
  seen: (facts: ServerCertificateFacts | undefined) => void,
): void {
  socket.prependOnceListener('secure', () => seen(factsOf(socket.getPeerCertificate())));
}

function factsOf(cert: PeerCertificate | undefined): ServerCertificateFacts | undefined {
  if (!cert || Object.keys(cert).length === 0) return undefined;
  return {
    subject: distinguishedName(cert.subject),
    issuer: distinguishedName(cert.issuer),
    altNames: cert.subjectaltname,
    validFrom: new Date(cert.valid_from),
    validTo: new Date(cert.valid_to),
  };
}

/** "CN=vault, O=Example" from Node's parsed name object. */
export function distinguishedName(name: Record<string, string | string[] | undefined> | undefined): string {
  if (!name) return '(none)';
  return Object.entries(name)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}
