/**
 * How a secondary reaches its primary to unwrap an activation token, and whether it trusts the
 * answer: the unwrap goes to `primary_api_addr` when given, else to the address inside the token;
 * the primary's certificate is checked against `ca_file`, else `ca_path`, else the host's trust
 * store (go-rootcerts' LoadCACerts order). Rehearsal hosts trust the rehearsal CA, as a real
 * deployment would have installed its own. Failures read as Go's HTTP client words them; the
 * prefix Vault puts before them is UNCONFIRMED (docs/vault-unconfirmed.md).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { err, ok, type Result } from '../shared/result';
import type { Cluster } from './cluster';

export interface UnwrapOptions {
  readonly primaryApiAddr?: string;
  readonly caFile?: string;
  readonly caPath?: string;
}

type Trust = 'host' | readonly X509Certificate[];

/** The cluster that answers the unwrap, or the error the secondary would report. */
export function reachUnwrapTarget(
  clusters: Iterable<Cluster>,
  tokenAddr: string,
  options: UnwrapOptions,
): Result<Cluster, 'unwrap-failed'> {
  const trust = loadTrust(options);
  if (!trust.ok) return trust;
  const addr = options.primaryApiAddr || tokenAddr;
  const failed = (why: string) => err('unwrap-failed', `Put "${addr}/v1/sys/wrapping/unwrap": ${why}`);
  const all = [...clusters];
  const target = all.find((c) => c.up && sameAddress(c.apiAddr, addr));
  if (!target) {
    // A cluster port hangs up on HTTP; anything else has nobody listening.
    if (all.some((c) => c.clusterAddr !== '' && sameAddress(c.clusterAddr, addr))) return failed('EOF');
    return failed(`dial tcp ${hostPort(addr)}: connect: connection refused`);
  }
  if (trust.value !== 'host' && !issuedByAny(target.serverCertPem, trust.value))
    return failed('tls: failed to verify certificate: x509: certificate signed by unknown authority');
  return ok(target);
}

/** host:port of an address, with or without its scheme (update_primary_addrs leave it out). */
export function sameAddress(a: string, b: string): boolean {
  return hostPort(a) === hostPort(b);
}

function hostPort(addr: string): string {
  return addr.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
}

/** go-rootcerts LoadCACerts with its texts: ca_file wins over ca_path; neither means the host's store. */
function loadTrust(options: UnwrapOptions): Result<Trust, 'unwrap-failed'> {
  if (options.caFile) {
    const text = readText(options.caFile);
    if (typeof text !== 'string') return err('unwrap-failed', `Error loading CA File: ${text.error}`);
    const certs = certificates(text);
    if (certs.length === 0)
      return err('unwrap-failed', `Error loading CA File: Couldn't parse PEM in: ${options.caFile}`);
    return ok(certs);
  }
  if (options.caPath) {
    const certs: X509Certificate[] = [];
    for (const file of filesUnder(options.caPath)) {
      const text = readText(file);
      if (typeof text !== 'string') return err('unwrap-failed', `Error loading file from CAPath: ${text.error}`);
      const found = certificates(text);
      if (found.length === 0) return err('unwrap-failed', `Error loading CA Path: Couldn't parse PEM in: ${file}`);
      certs.push(...found);
    }
    return ok(certs);
  }
  return ok('host');
}

function readText(path: string): string | { error: string } {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code;
    return { error: `open ${path}: ${why ?? String(e)}` };
  }
}

function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .map((name) => join(dir, name))
      .filter((path) => statSync(path).isFile())
      .sort();
  } catch {
    // filepath.Walk reports a missing root through the file read that follows.
    return [dir];
  }
}

function certificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.flatMap((block) => {
    try {
      return [new X509Certificate(block)];
    } catch {
      return [];
    }
  });
}

function issuedByAny(certPem: string, cas: readonly X509Certificate[]): boolean {
  if (certPem === '') return true;
  const cert = new X509Certificate(certPem);
  return cas.some(
    (ca) => ca.fingerprint256 === cert.fingerprint256 || (cert.checkIssued(ca) && cert.verify(ca.publicKey)),
  );
}
