/**
 * Turns a failed connection (OpenSSL verify codes, TLS alerts, socket errors) into a named
 * kind and a message that says what is wrong and what to do, naming the profile. Pure
 * apart from reading the clock: the transport gathers the facts.
 */
import type { AppError } from '../../../shared/result';
import type { ServerCertificateFacts } from './server-certificate';

export type ConnectionFailureKind =
  | 'server-certificate-untrusted'
  | 'server-name-mismatch'
  | 'server-certificate-expired'
  | 'server-certificate-not-yet-valid'
  | 'server-certificate-invalid'
  | 'client-certificate-refused'
  | 'client-certificate-required'
  | 'tls-version-unsupported'
  | 'not-tls'
  | 'tls-failed'
  | 'connection-refused'
  | 'host-not-found'
  | 'host-unreachable'
  | 'connection-reset'
  /** Closed before the server answered our TLS hello: no certificate was asked for, and nothing was sent. */
  | 'closed-before-tls';

export interface FailureContext {
  readonly profileName: string;
  /** The profile's address, e.g. https://vault-dr.example.com:8200. */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  /** The name the certificate must carry: the TLS server name, else the host. */
  readonly verifiedName: string;
  /** Subjects of the CA certificates the profile trusts. */
  readonly trustedCas: readonly string[];
  /** Whether our TLS handshake had completed when the failure came. */
  readonly handshakeDone: boolean;
  /** Whether the server had answered our TLS hello (before it, it cannot have asked for a certificate). */
  readonly serverSpoke: boolean;
  /** Whether the server showed it accepted our certificate: it finished a TLS 1.2 handshake. */
  readonly certificateAccepted: boolean;
  /** Whether any of the response had arrived. */
  readonly responseStarted: boolean;
  /** Whether this address has answered an earlier request over the same TLS material. */
  readonly answeredBefore: boolean;
  /** "PUT sys/…", for messages. */
  readonly request: string;
  /** True for requests that change state, where a lost answer leaves the outcome unknown. */
  readonly changesState: boolean;
}

/** An error from node:https or node:tls: a code and, for name mismatches, the certificate. */
export interface ConnectionError {
  readonly code?: string;
  readonly message: string;
  readonly cert?: { subjectaltname?: string };
}

// OpenSSL verify results meaning "no path from this certificate to a CA we trust".
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);
const INVALID = new Set([
  'INVALID_PURPOSE',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'ERR_TLS_CERT_ALTNAME_FORMAT',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_CHAIN_TOO_LONG',
]);

// TLS alerts the server sends about our client certificate, and what each means.
const CLIENT_CERT_ALERTS: Record<string, string> = {
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'it does not trust the CA that issued it',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE:
    'it rejected it as a bad certificate (unknown issuer, wrong key usage or a broken chain)',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'it could not accept it',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'it considers it expired (or not yet valid by its clock)',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: 'it has been revoked',
  ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: 'its type or usage is not supported',
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: 'access was denied for it',
  ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR: 'its signature did not verify',
};
const CERT_REQUIRED_ALERTS = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE',
]);
const VERSION_ERRORS = new Set([
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'ERR_SSL_VERSION_TOO_LOW',
]);
const NOT_TLS = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_RECORD_LAYER_FAILURE',
]);
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'ETIMEDOUT', 'EADDRNOTAVAIL']);
const NOT_FOUND = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export function diagnoseConnectionFailure(
  error: ConnectionError,
  context: FailureContext,
  server?: ServerCertificateFacts,
  now: Date = new Date(),
): AppError<ConnectionFailureKind> {
  const code = canonicalCode(error);
  const { address } = context;
  const profile = `profile '${context.profileName}'`;
  const fail = (kind: ConnectionFailureKind, message: string): AppError<ConnectionFailureKind> => ({ kind, message });

  if (UNTRUSTED.has(code)) {
    const seen = server
      ? ` Its certificate is for ${server.subject}, issued by ${server.issuer}; the profile trusts ${context.trustedCas.join(' and ') || 'no CA'}.`
      : '';
    return fail(
      'server-certificate-untrusted',
      `The Vault server at ${address} presented a certificate that is not signed by the CA in ${profile} (${code}).${seen} Check that the profile's CA file holds the CA (and any intermediate) that signed Vault's certificate, and that the address points at the intended Vault.`,
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = error.cert?.subjectaltname ?? server?.altNames;
    const has = names ? `names ${names}` : 'no subject alternative names';
    return fail(
      'server-name-mismatch',
      `The Vault server at ${address} has a certificate for ${has}, which does not include '${context.verifiedName}' (${profile}). If this is the right server, set the profile's TLS server name (VAULT_TLS_SERVER_NAME) to one of those names; otherwise correct the address.`,
    );
  }
  if (code === 'CERT_HAS_EXPIRED') {
    const when = server ? `expired on ${server.validTo.toISOString()}` : 'has expired';
    return fail(
      'server-certificate-expired',
      `The Vault server certificate at ${address} ${when} (${profile}); this laptop's clock says ${now.toISOString()}. Renew Vault's certificate, or correct this laptop's clock if it is wrong.`,
    );
  }
  if (code === 'CERT_NOT_YET_VALID') {
    const when = server ? `is not valid until ${server.validFrom.toISOString()}` : 'is not valid yet';
    return fail(
      'server-certificate-not-yet-valid',
      `The Vault server certificate at ${address} ${when} (${profile}); this laptop's clock says ${now.toISOString()}. Clocks on air-gapped laptops drift: check this laptop's date and time first.`,
    );
  }
  if (INVALID.has(code)) {
    return fail(
      'server-certificate-invalid',
      `The Vault server certificate at ${address} cannot be accepted for a TLS server (${code}: ${error.message}) (${profile}). Vault's listener needs a certificate issued for server authentication.`,
    );
  }
  const clientReason = CLIENT_CERT_ALERTS[code];
  if (clientReason !== undefined) {
    return fail(
      'client-certificate-refused',
      `Vault at ${address} refused this laptop's client certificate: ${clientReason} (${profile}, ${code}). Check that the profile's client certificate is issued by a CA that Vault's listener trusts (tls_client_ca_file) and is valid for client authentication.`,
    );
  }
  if (CERT_REQUIRED_ALERTS.has(code)) {
    return fail(
      'client-certificate-required',
      `Vault at ${address} requires a client certificate and did not receive one (${profile}, ${code}). Check that the profile names the client certificate and its key.`,
    );
  }
  if (VERSION_ERRORS.has(code)) {
    return fail(
      'tls-version-unsupported',
      `Vault at ${address} offers only TLS versions older than 1.2, which this app refuses (${profile}, ${code}). Configure Vault's listener with tls_min_version = "tls12" or newer.`,
    );
  }
  if (NOT_TLS.has(code)) {
    return fail(
      'not-tls',
      `${address} did not answer with TLS (${profile}, ${code}). The port may serve plain HTTP, or be Vault's cluster port (8201) instead of its API port (8200).`,
    );
  }
  if (code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE') {
    return fail(
      'tls-failed',
      `Vault at ${address} aborted the TLS handshake (${profile}, ${code}): it found no cipher suite in common with this app, or it requires a client certificate it did not get. Check Vault's listener settings and the profile's client certificate.`,
    );
  }
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO') {
    return fail('tls-failed', `The TLS handshake with Vault at ${address} failed (${profile}, ${code}).`);
  }
  if (code === 'ECONNREFUSED') {
    return fail(
      'connection-refused',
      `Nothing accepts connections at ${context.host}:${context.port} (${profile}). Check the address and port, and that Vault is running.`,
    );
  }
  if (NOT_FOUND.has(code)) {
    return fail(
      'host-not-found',
      `The host name '${context.host}' cannot be resolved (${profile}, ${code}). Check the address; an air-gapped laptop may need an entry in /etc/hosts.`,
    );
  }
  if (UNREACHABLE.has(code)) {
    return fail(
      'host-unreachable',
      `${context.host}:${context.port} cannot be reached (${profile}, ${code}). Check the network link, routes and firewall between this laptop and Vault.`,
    );
  }
  // A node that answered this very certificate before did not start refusing it: it went down.
  if (RESET.has(code) && context.handshakeDone && !context.responseStarted && context.answeredBefore) {
    return fail(
      'connection-reset',
      `Vault at ${address} accepted this laptop's certificate earlier but closed the connection before answering ${context.request} (${profile}, ${code}). The node most likely stopped or restarted; on an HA cluster the app looks for the active node again.${unknownOutcome(context)}`,
    );
  }
  // A TCP balancer with no node to send to (active-only, and none active) accepts and closes at once.
  if (RESET.has(code) && !context.serverSpoke) {
    return fail(
      'closed-before-tls',
      `${address} closed the connection before the TLS handshake began (${profile}, ${code}): nothing answered this laptop's TLS hello, so no client certificate was asked for or refused, and ${context.request} was not sent. If ${address} is a load balancer, the load balancer closed the connection: no node may be active behind it; check sys/leader on each node (GET /v1/sys/leader at each node's own address). Otherwise a firewall, or a service that is not Vault's listener, closed it.`,
    );
  }
  if (RESET.has(code) && context.certificateAccepted && !context.responseStarted) {
    return fail(
      'connection-reset',
      `Vault at ${address} accepted this laptop's certificate (the TLS handshake completed) but the connection was closed before it answered ${context.request} (${profile}, ${code}). A load balancer or the node closed it: if ${address} is a load balancer, no node may be active behind it; check sys/leader on each node.${unknownOutcome(context)}`,
    );
  }
  if (RESET.has(code) && context.handshakeDone && !context.responseStarted) {
    return fail(
      'client-certificate-refused',
      `Vault at ${address} closed the connection right after the TLS handshake without answering ${context.request} (${profile}, ${code}). Most likely it refused this laptop's client certificate: under TLS 1.3 a server reports that only after the handshake. Check that the client certificate is issued by a CA Vault's listener trusts.${unknownOutcome(context)}`,
    );
  }
  if (RESET.has(code) && !context.handshakeDone) {
    return fail(
      'connection-reset',
      `Vault at ${address} closed the connection during the TLS handshake (${profile}, ${code}). Servers do this when they refuse the client certificate without saying why: check that the profile's client certificate is issued by a CA Vault's listener trusts. A firewall or a different service at this address can do the same.`,
    );
  }
  const phase = context.responseStarted
    ? 'while the answer was arriving'
    : context.handshakeDone
      ? 'before Vault answered'
      : 'during the TLS handshake';
  return fail(
    'connection-reset',
    `The connection to Vault at ${address} was broken ${phase} (${profile}, ${code || error.message}).${unknownOutcome(context)}`,
  );
}

/**
 * Node reports some TLS failures as a bare EPROTO with OpenSSL's text ("…:SSL routines:
 * ssl3_read_bytes:tlsv1 alert protocol version:…"); derive the ERR_SSL_* code Node uses
 * elsewhere for the same reason, so one table covers both.
 */
function canonicalCode(error: ConnectionError): string {
  const code = error.code ?? '';
  if (code !== 'EPROTO') return code;
  const reason = /SSL routines:[^:]*:([^:]+):/.exec(error.message)?.[1];
  return reason
    ? `ERR_SSL_${reason
        .trim()
        .toUpperCase()
        .replace(/[^A-Z0-9]+/g, '_')}`
    : code;
}

/** For state-changing requests whose answer was lost: say the outcome is unknown. */
export function unknownOutcome(context: Pick<FailureContext, 'changesState' | 'request'>): string {
  return context.changesState
    ? ` ${context.request} may have reached Vault: check the status before repeating it.`
    : '';
}
