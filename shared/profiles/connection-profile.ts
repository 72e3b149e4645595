/**
 * A connection profile: where the Vault DR secondary is and which files prove who we are
 * and whom we trust. The renderer may see it, so it holds paths, never key material or
 * tokens. There is deliberately no way to skip certificate verification.
 */
import * as z from 'zod';
import { err, ok, type Result } from '../result';

export type ConnectionProfileErrorKind = 'invalid-profile' | 'missing-variable' | 'skip-verify-refused';

// https only: the connection carries unseal shares and tokens. No user info, query or
// fragment; an optional path prefix is kept for Vault behind a reverse proxy.
const HTTPS_ADDRESS =
  /^https:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?(\/[A-Za-z0-9._~\-/%]*)?$/;
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
// Sent as an HTTP header: visible ASCII only, Vault's path form without stray slashes.
const ABSOLUTE_PATH = /^(\/|[A-Za-z]:[\\/]|\\\\)/;

const filePath = (what: string) =>
  z
    .string()
    .min(1, `${what} is empty`)
    .refine((p) => !p.includes('\0'), `${what} contains a NUL character`)
    .refine((p) => ABSOLUTE_PATH.test(p), `${what} must be an absolute path`);

const httpsAddress = (what: string) =>
  z
    .string()
    .transform((a) =>
      a
        .trim()
        .replace(/\/+$/, '')
        .replace(/^https:/i, 'https:'),
    )
    .refine(
      (a) => a.startsWith('https://'),
      `${what} must start with https:// (plain http would expose shares and tokens)`,
    )
    .refine(validAddress, `${what} must look like https://host[:port][/prefix], without user, query or fragment`);

// A name, not an IP: it is sent as SNI, which may not carry addresses (RFC 6066).
const tlsServerName = z
  .string()
  .regex(HOST_NAME, 'TLS server name must be a DNS host name')
  .refine((n) => !/^\d+(\.\d+){3}$/.test(n), 'TLS server name must be a DNS host name, not an IP address');

/** One node of an HA cluster: its address, and the name its certificate carries when that is not the profile's. */
export const clusterNodeSchema = z.union([
  httpsAddress('node address'),
  z.strictObject({ address: httpsAddress('node address'), tlsServerName: tlsServerName.optional() }),
]);
export type ClusterNode = z.infer<typeof clusterNodeSchema>;

export const connectionProfileSchema = z
  .strictObject({
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/,
        'name must be 1–64 letters, digits, spaces, dots, dashes or underscores',
      ),
    /** The cluster's address: its active node, or the load balancer in front of it. */
    address: httpsAddress('address'),
    /**
     * An HA cluster's nodes, with this profile's mTLS material (and, per node, its own server name
     * if need be): the app asks each who leads (sys/leader) and sends ceremony calls to the active node.
     */
    nodes: z.array(clusterNodeSchema).min(1, 'list at least one node, or leave the list out').max(9).optional(),
    /**
     * `address` is a load balancer, not a node: the active node is found through the `leader_address`
     * its sys/leader answer names, and the balancer is never shown or used as a node.
     */
    balancer: z.boolean().optional(),
    caCertPath: filePath('CA certificate path'),
    clientCertPath: filePath('client certificate path'),
    clientKeyPath: filePath('client key path'),
    tlsServerName: tlsServerName.optional(),
  })
  .superRefine((profile, context) => {
    const seen = new Set<string>();
    for (const [i, node] of (profile.nodes ?? []).entries()) {
      const address = nodeAddress(node).toLowerCase();
      if (seen.has(address))
        context.addIssue({ code: 'custom', path: ['nodes', i], message: `node ${address} is listed twice` });
      seen.add(address);
      if (profile.balancer && address === profile.address.toLowerCase())
        context.addIssue({
          code: 'custom',
          path: ['nodes', i],
          message: `node ${address} is also the profile's address, which is marked as a load balancer: a balancer is not a node`,
        });
    }
  });

export type ConnectionProfile = z.infer<typeof connectionProfileSchema>;

export function nodeAddress(node: ClusterNode): string {
  return typeof node === 'string' ? node : node.address;
}

/** A node as typed on a command line or in a form: `ADDR`, or `ADDR=SERVER_NAME` for a node whose certificate names another host. */
export function clusterNodeFromText(text: string): ClusterNode {
  const [address = '', serverName] = text.trim().split('=', 2);
  return serverName === undefined ? address : { address, tlsServerName: serverName };
}

export function clusterNodeText(node: ClusterNode): string {
  return typeof node === 'string' || node.tlsServerName === undefined
    ? nodeAddress(node)
    : `${node.address}=${node.tlsServerName}`;
}

/** Whether the profile names an HA cluster: several nodes to ask, or a balancer to discover through. */
export function isHaProfile(profile: ConnectionProfile): boolean {
  return profile.balancer === true || (profile.nodes?.length ?? 0) > 0;
}

function validAddress(address: string): boolean {
  const match = HTTPS_ADDRESS.exec(address);
  const port = match?.[2];
  return match !== null && (port === undefined || (Number(port) >= 1 && Number(port) <= 65535));
}

/** Validates untrusted input (a file, an IPC message) as a profile. */
export function parseConnectionProfile(input: unknown): Result<ConnectionProfile, 'invalid-profile'> {
  const parsed = connectionProfileSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const problems = parsed.error.issues.map((i) =>
    i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message,
  );
  return err('invalid-profile', `The connection profile is not valid: ${problems.join('; ')}.`);
}

// Go's strconv.ParseBool false values: anything else means "skip" (or is an error) to Vault.
const FALSE_VALUES = new Set(['', '0', 'f', 'F', 'false', 'FALSE', 'False']);

export interface VaultEnvOptions {
  /** Directory that relative VAULT_CACERT/VAULT_CLIENT_* paths are relative to (the shell's cwd). */
  cwd?: string;
}

/**
 * Builds a profile from the environment variables the `vault` CLI reads, so an operator's
 * working shell configuration carries over. Everything needed for mutual TLS must be set.
 */
export function profileFromVaultEnv(
  env: Record<string, string | undefined>,
  name: string,
  options: VaultEnvOptions = {},
): Result<ConnectionProfile, ConnectionProfileErrorKind> {
  const skip = env['VAULT_SKIP_VERIFY'];
  if (skip !== undefined && !FALSE_VALUES.has(skip)) {
    return err(
      'skip-verify-refused',
      'VAULT_SKIP_VERIFY is set: this tool always verifies the Vault server certificate. Unset it and set VAULT_CACERT to the CA that signed the server certificate.',
    );
  }
  const required = {
    VAULT_ADDR: 'the Vault API address, e.g. https://vault-dr.example.com:8200',
    VAULT_CACERT: 'a PEM file with the CA that signed the Vault server certificate',
    VAULT_CLIENT_CERT: 'the PEM client certificate for mutual TLS',
    VAULT_CLIENT_KEY: 'the PEM private key of that client certificate',
  } as const;
  const missing = Object.entries(required).filter(([variable]) => (env[variable] ?? '').trim() === '');
  if (missing.length > 0) {
    const capathHint =
      env['VAULT_CAPATH'] && !env['VAULT_CACERT']
        ? ' VAULT_CAPATH (a directory) is not supported: point VAULT_CACERT at a PEM bundle instead.'
        : '';
    return err(
      'missing-variable',
      `Cannot import profile '${name}' from the environment: ${missing.map(([v, what]) => `${v} (${what})`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set.${capathHint}`,
    );
  }
  const path = (variable: string): string => {
    const value = env[variable]!.trim();
    if (ABSOLUTE_PATH.test(value) || options.cwd === undefined) return value;
    return `${options.cwd.replace(/[\\/]+$/, '')}/${value.replace(/^\.\//, '')}`;
  };
  const candidate: Record<string, string> = {
    name,
    address: env['VAULT_ADDR']!.trim(),
    caCertPath: path('VAULT_CACERT'),
    clientCertPath: path('VAULT_CLIENT_CERT'),
    clientKeyPath: path('VAULT_CLIENT_KEY'),
  };
  const serverName = env['VAULT_TLS_SERVER_NAME']?.trim();
  if (serverName) candidate['tlsServerName'] = serverName;
  // VAULT_NAMESPACE is deliberately not imported: replication and operation-token endpoints
  // exist only in the root namespace, and a namespace header would make them fail.
  const parsed = parseConnectionProfile(candidate);
  if (parsed.ok) return parsed;
  return err('invalid-profile', `${parsed.error.message} (imported from VAULT_* variables)`);
}
