/**
 * A small PKI for the rehearsal Vault and for tests: a CA and the server and client
 * certificates it issues, ECDSA P-256 with SHA-256, as PEM that `node:tls`, `openssl`,
 * `curl` and the `vault` CLI accept. Not for production certificates: keys live in memory
 * and are exported unencrypted.
 */
import { isIP } from 'node:net';
import { webcrypto } from 'node:crypto';
// @peculiar/x509 registers its providers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

const crypto = webcrypto as unknown as Crypto;
x509.cryptoProvider.set(crypto);

const KEY_ALGORITHM: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING_ALGORITHM: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 24 * 60 * 60 * 1000;

export interface CertifiedKey {
  readonly certPem: string;
  /** PKCS#8 PEM ("BEGIN PRIVATE KEY"), unencrypted. */
  readonly keyPem: string;
  readonly signer: CryptoKeyPair;
  readonly cert: x509.X509Certificate;
}

export interface CaOptions {
  commonName: string;
  notBefore?: Date;
  notAfter?: Date;
}

export interface LeafOptions {
  commonName: string;
  usage: 'server' | 'client';
  dnsNames?: string[];
  ipAddresses?: string[];
  notBefore?: Date;
  notAfter?: Date;
}

/** A self-signed CA, valid by default from a day ago (clock skew) for 90 days. */
export async function createCa(options: CaOptions): Promise<CertifiedKey> {
  const keys = await generateKeys();
  const name = distinguishedName(options.commonName);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name,
      keys,
      notBefore: options.notBefore ?? daysFromNow(-1),
      notAfter: options.notAfter ?? daysFromNow(90),
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return certified(cert, keys);
}

/**
 * A leaf certificate signed by `ca`, valid by default from a day ago for 30 days.
 * Server certificates must name at least one DNS name or IP address: clients match the
 * host against the subject alternative names only.
 */
export async function issueCertificate(ca: CertifiedKey, options: LeafOptions): Promise<CertifiedKey> {
  const names = subjectAltNames(options);
  if (options.usage === 'server' && names.length === 0) {
    throw new TypeError(`server certificate '${options.commonName}' needs dnsNames or ipAddresses`);
  }
  const keys = await generateKeys();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(
      [options.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
      false,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
    await x509.AuthorityKeyIdentifierExtension.create(ca.signer.publicKey, false, crypto),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  const cert = await x509.X509CertificateGenerator.create(
    {
      subject: distinguishedName(options.commonName),
      issuer: ca.cert.subject,
      publicKey: keys.publicKey,
      signingKey: ca.signer.privateKey,
      notBefore: options.notBefore ?? daysFromNow(-1),
      notAfter: options.notAfter ?? daysFromNow(30),
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions,
    },
    crypto,
  );
  return certified(cert, keys);
}

function subjectAltNames(options: LeafOptions): x509.JsonGeneralName[] {
  const dns = (options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value }));
  const ips = (options.ipAddresses ?? []).map((value) => {
    if (isIP(value) === 0) throw new TypeError(`'${value}' is not an IP address`);
    return { type: 'ip' as const, value };
  });
  return [...dns, ...ips];
}

function distinguishedName(commonName: string): string {
  if (commonName.trim() === '') throw new TypeError('a certificate needs a common name');
  // RFC 4514 escaping, so a name containing ',' or '=' cannot smuggle in other attributes.
  return `CN=${commonName.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`).replace(/^[ #]|\s$/g, (c) => `\\${c}`)}`;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  // Extractable so the private key can be written as PKCS#8 for node:tls and the vault CLI.
  return crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

async function certified(cert: x509.X509Certificate, signer: CryptoKeyPair): Promise<CertifiedKey> {
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', signer.privateKey);
  const keyPem = x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
  return { certPem: cert.toString('pem'), keyPem, signer, cert };
}

function daysFromNow(days: number): Date {
  return new Date(Date.now() + days * DAY_MS);
}
