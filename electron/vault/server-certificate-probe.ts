/**
 * After a request fails certificate verification, Node has already discarded the server's
 * certificate, yet the useful message needs its names and dates ("expired on …", "issued
 * by …"). This opens a second TLS connection only to read that certificate. It sends no
 * client certificate and no application data, and closes as soon as the handshake ends,
 * so skipping verification here exposes nothing: the result is only ever displayed.
 */
import { connect } from 'node:tls';

export interface ServerCertificateFacts {
  readonly subject: string;
  readonly issuer: string;
  /** As the certificate states them, e.g. "DNS:vault.example.com, IP Address:10.0.0.5". */
  readonly altNames: string | undefined;
  readonly validFrom: Date;
  readonly validTo: Date;
}

export interface ProbeTarget {
  readonly host: string;
  readonly port: number;
  readonly serverName?: string;
}

/** The server's certificate, or undefined when it cannot be read within the time limit. */
export function probeServerCertificate(target: ProbeTarget, timeoutMs: number): Promise<ServerCertificateFacts | undefined> {
  return new Promise((resolve) => {
    const socket = connect({
      host: target.host,
      port: target.port,
      ...(target.serverName === undefined ? {} : { servername: target.serverName }),
      minVersion: 'TLSv1.2',
      rejectUnauthorized: false, // Display only: see the module comment.
    });
    const done = (facts: ServerCertificateFacts | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(facts);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      if (!cert || Object.keys(cert).length === 0) return done(undefined);
      done({
        subject: distinguishedName(cert.subject),
        issuer: distinguishedName(cert.issuer),
        altNames: cert.subjectaltname,
        validFrom: new Date(cert.valid_from),
        validTo: new Date(cert.valid_to),
      });
    });
    socket.once('error', () => done(undefined));
  });
}

/** "CN=vault, O=Example" from Node's parsed name object. */
export function distinguishedName(name: Record<string, string | string[] | undefined> | undefined): string {
  if (!name) return '(none)';
  return Object.entries(name)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}
