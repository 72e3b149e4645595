/**
 * Loads a profile's CA bundle, client certificate and client key into memory, checking
 * each file before any connection is attempted, so a wrong path or a mismatched key is
 * reported as exactly that rather than as a TLS alert from the server.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { ConnectionProfile } from '../../../shared/profiles/connection-profile';
import { err, ok, type Result } from '../../../shared/result';

export type TlsMaterialErrorKind =
  | 'file-missing'
  | 'file-unreadable'
  | 'not-pem'
  | 'certificate-invalid'
  | 'key-invalid'
  | 'key-encrypted'
  | 'key-mismatch'
  | 'client-certificate-expired'
  | 'not-client-certificate';

export interface TlsMaterial {
  /** Each trusted CA certificate as its own PEM block. */
  readonly ca: readonly string[];
  /** The client certificate PEM, followed by any intermediates the file holds. */
  readonly cert: string;
  /** The private key PEM bytes. Secret: the caller wipes it once the TLS context exists. */
  readonly key: Uint8Array;
  readonly serverName?: string;
}

// A PEM file of certificates or one key is kilobytes; refuse to slurp a wrong, huge file.
const MAX_FILE_BYTES = 1024 * 1024;
const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

export async function loadTlsMaterial(profile: ConnectionProfile): Promise<Result<TlsMaterial, TlsMaterialErrorKind>> {
  const caText = await readText(profile.caCertPath, 'CA certificate', profile.name);
  if (!caText.ok) return caText;
  const ca = certificates(caText.value, profile.caCertPath, 'CA certificate', profile.name);
  if (!ca.ok) return ca;

  const certText = await readText(profile.clientCertPath, 'client certificate', profile.name);
  if (!certText.ok) return certText;
  const chain = certificates(certText.value, profile.clientCertPath, 'client certificate', profile.name);
  if (!chain.ok) return chain;
  const leaf = new X509Certificate(chain.value[0]!);
  const usable = checkClientCertificate(leaf, profile, new Date());
  if (!usable.ok) return usable;

  const keyBytes = await readBytes(profile.clientKeyPath, 'client key', profile.name);
  if (!keyBytes.ok) return keyBytes;
  const key = parseKey(keyBytes.value, profile);
  if (!key.ok) {
    keyBytes.value.fill(0);
    return key;
  }
  if (!leaf.checkPrivateKey(key.value)) {
    keyBytes.value.fill(0);
    return err(
      'key-mismatch',
      `The client key ${profile.clientKeyPath} does not belong to the client certificate ${profile.clientCertPath} (profile '${profile.name}'): use the key that was generated with that certificate.`,
    );
  }
  return ok({
    ca: ca.value,
    cert: chain.value.join('\n'),
    key: keyBytes.value,
    ...(profile.tlsServerName === undefined ? {} : { serverName: profile.tlsServerName }),
  });
}

async function readBytes(
  path: string,
  what: string,
  profileName: string,
): Promise<Result<Buffer, TlsMaterialErrorKind>> {
  try {
    const info = await stat(path);
    if (!info.isFile())
      return err('file-unreadable', `The ${what} ${path} (profile '${profileName}') is not a regular file.`);
    if (info.size > MAX_FILE_BYTES)
      return err(
        'not-pem',
        `The ${what} ${path} (profile '${profileName}') is ${info.size} bytes: too large for a PEM file. Check the path.`,
      );
    return ok(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      return err(
        'file-missing',
        `The ${what} ${path} (profile '${profileName}') does not exist. Check the path in the profile.`,
      );
    if (code === 'EACCES' || code === 'EPERM')
      return err(
        'file-unreadable',
        `The ${what} ${path} (profile '${profileName}') cannot be read: permission denied for this user.`,
      );
    return err(
      'file-unreadable',
      `The ${what} ${path} (profile '${profileName}') cannot be read (${code ?? 'unknown error'}).`,
    );
  }
}

async function readText(
  path: string,
  what: string,
  profileName: string,
): Promise<Result<string, TlsMaterialErrorKind>> {
  const bytes = await readBytes(path, what, profileName);
  return bytes.ok ? ok(bytes.value.toString('utf8')) : bytes;
}

/** Every CERTIFICATE block in the text, each one parsed, in file order. */
function certificates(
  text: string,
  path: string,
  what: string,
  profileName: string,
): Result<string[], TlsMaterialErrorKind> {
  const blocks = text.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) {
    const hint = /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)
      ? ' It holds a private key: did you swap the certificate and key paths?'
      : '';
    return err(
      'not-pem',
      `The ${what} ${path} (profile '${profileName}') holds no PEM certificate ("-----BEGIN CERTIFICATE-----").${hint}`,
    );
  }
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      return err(
        'certificate-invalid',
        `Certificate ${i + 1} in the ${what} ${path} (profile '${profileName}') is damaged and cannot be parsed.`,
      );
    }
  }
  return ok(blocks);
}

function checkClientCertificate(
  leaf: X509Certificate,
  profile: ConnectionProfile,
  now: Date,
): Result<void, TlsMaterialErrorKind> {
  const from = new Date(leaf.validFrom);
  const to = new Date(leaf.validTo);
  if (now < from || now > to) {
    const when = now < from ? `is not valid until ${from.toISOString()}` : `expired on ${to.toISOString()}`;
    return err(
      'client-certificate-expired',
      `The client certificate ${profile.clientCertPath} (profile '${profile.name}') ${when}; this laptop's clock says ${now.toISOString()}. Vault will refuse it: renew the certificate, or correct the clock if it is wrong.`,
    );
  }
  // Vault (Go crypto/tls) checks the extended key usage of client certificates.
  // Node's types omit that keyUsage is undefined when the certificate has no such extension.
  const usage = leaf.keyUsage as readonly string[] | undefined;
  if (usage !== undefined && !usage.includes(CLIENT_AUTH)) {
    return err(
      'not-client-certificate',
      `The client certificate ${profile.clientCertPath} (profile '${profile.name}') is not issued for client authentication (its extended key usage lacks clientAuth), so Vault will refuse it. Use a certificate made for TLS clients.`,
    );
  }
  return ok(undefined);
}

function parseKey(bytes: Buffer, profile: ConnectionProfile): Result<KeyObject, TlsMaterialErrorKind> {
  const where = `The client key ${profile.clientKeyPath} (profile '${profile.name}')`;
  const header = /-----BEGIN ([A-Z ]*PRIVATE KEY)-----/.exec(bytes.toString('latin1'))?.[1];
  if (header === undefined) {
    const hint = bytes.includes('-----BEGIN CERTIFICATE-----')
      ? ' It holds a certificate: did you swap the certificate and key paths?'
      : '';
    return err('not-pem', `${where} holds no PEM private key ("-----BEGIN PRIVATE KEY-----").${hint}`);
  }
  if (header === 'ENCRYPTED PRIVATE KEY' || bytes.includes('Proc-Type: 4,ENCRYPTED')) {
    return err(
      'key-encrypted',
      `${where} is encrypted with a passphrase, which Vault's client settings do not support either. Decrypt it into a file only this user can read (openssl pkey -in KEY -out KEY.pem).`,
    );
  }
  try {
    return ok(createPrivateKey({ key: bytes, format: 'pem' }));
  } catch {
    return err('key-invalid', `${where} is not a usable private key (damaged or of an unsupported type).`);
  }
}
