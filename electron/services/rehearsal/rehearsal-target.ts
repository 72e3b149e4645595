/**
 * The rehearsal Vault a headless rehearsal runs against, connected over mutual TLS like any
 * profile: one started in this process, or one `vault-ceremony rehearsal-vault --dir D` runs
 * (read from `D/cluster.json`, its client certificate, and the officer keys it generated).
 *
 * The administrator's and witnesses' rehearsal keys must outlive a crash to resume an external
 * rehearsal, so there they are kept in `D/rehearsal-signers/` (0600), beside the officers'
 * private keys the rehearsal Vault already wrote; an in-process rehearsal keeps them in memory.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import * as openpgp from 'openpgp';
import * as z from 'zod';
import { err, ok, type Result } from '../../../shared/result';
import { describeFsError, fsErrorCode } from '../files/fs-error';
import { readSmallTextFile } from '../files/regular-file';
import type { RehearsalVault } from '../../../rehearsal-vault/rehearsal-cluster-set';
import type { VaultClient } from '../vault/client';
import { connectProfile } from '../vault/connect';
import {
  ADMINISTRATOR,
  castOfficers,
  generateSigners,
  WITNESSES,
  type CastMember,
  type CastOfficer,
  type Signers,
} from './rehearsal-cast';
import { rehearsalEndpointClient } from './rehearsal-vault-client';

export type RehearsalTargetSpec =
  | { readonly kind: 'in-process'; readonly vault: RehearsalVault; readonly officerPassphrase?: string }
  | {
      readonly kind: 'external';
      readonly clusterJson: string;
      readonly officerPassphrase?: string;
      /** The officers' own keys (a cast file) instead of the keys the rehearsal Vault generated. */
      readonly castOfficers?: readonly CastMember[];
    };

export interface RehearsalTarget {
  /** The DR secondary the ceremony promotes, connected and asked its version. */
  readonly client: VaultClient;
  /**
   * A new client for one of the rehearsal's clusters (the DR secondary unless `profile` says the
   * primary), sending `token` as X-Vault-Token when given (Vault 2.x generation calls, sudo calls).
   */
  connect(token?: string, profile?: RehearsalProfile): Promise<Result<VaultClient>>;
  /** Takes the primary down and brings it back (an in-process rehearsal Vault only), to stage a failback. */
  readonly primaryOutage: { down(): Promise<void>; up(): Promise<void> } | undefined;
  /** The major version the DR secondary reports (sys/seal-status). */
  readonly vaultVersion: 1 | 2;
  /** The primary's root token, which the administrator brings to a Vault 2.x ceremony. A secret. */
  readonly primaryRootToken: string;
  readonly officers: readonly CastOfficer[];
  readonly threshold: number;
  /** Where signers' keys persist (external rehearsals); undefined to keep them in memory. */
  readonly signersDir: string | undefined;
}

export type RehearsalTargetErrorKind =
  | 'cluster-unreadable'
  | 'connect-failed'
  | 'officer-keys-missing'
  /** The cast's officers are not the rehearsal Vault's: other names or other keys. */
  | 'cast-mismatch';

export const DR_SECONDARY_PROFILE = 'dr-secondary';
export const PRIMARY_PROFILE = 'primary';
export type RehearsalProfile = typeof DR_SECONDARY_PROFILE | typeof PRIMARY_PROFILE;

export function isRehearsalProfile(name: string): name is RehearsalProfile {
  return name === DR_SECONDARY_PROFILE || name === PRIMARY_PROFILE;
}

type Connected = Omit<RehearsalTarget, 'vaultVersion' | 'client'>;

export async function connectTarget(
  spec: RehearsalTargetSpec,
): Promise<Result<RehearsalTarget, RehearsalTargetErrorKind>> {
  const connected =
    spec.kind === 'in-process'
      ? ok(inProcess(spec.vault, spec.officerPassphrase))
      : await external(spec.clusterJson, spec.officerPassphrase, spec.castOfficers);
  if (!connected.ok) return connected;
  const client = await connected.value.connect();
  if (!client.ok) return err('connect-failed', client.error.message);
  // As an administrator would: the plan's vault_version comes from what the server says it runs.
  const seal = await client.value.sealStatus();
  const major = seal.ok ? /^(\d+)\./.exec(seal.value.data.version ?? '')?.[1] : undefined;
  // A 0.x server (before base62 OTPs) generates like 1.x: no token needed.
  if (major !== '0' && major !== '1' && major !== '2') {
    client.value.close();
    return err(
      'connect-failed',
      seal.ok
        ? `the DR secondary reports Vault version '${seal.value.data.version ?? ''}'; rehearsals know 0.x, 1.x and 2.x`
        : seal.error.message,
    );
  }
  return ok({ ...connected.value, client: client.value, vaultVersion: major === '2' ? 2 : 1 });
}

function inProcess(vault: RehearsalVault, passphrase: string | undefined): Connected {
  const endpoint = { [DR_SECONDARY_PROFILE]: vault.drSecondary, [PRIMARY_PROFILE]: vault.primary };
  const officers = castOfficers(vault.officers, passphrase);
  return {
    connect: async (token, profile = DR_SECONDARY_PROFILE) =>
      ok(await rehearsalEndpointClient(vault, profile, endpoint[profile], token)),
    primaryOutage: {
      down: () => vault.faults.takeDown('primary'),
      up: () => vault.faults.bringUp('primary'),
    },
    primaryRootToken: vault.rootToken,
    officers,
    threshold: vault.threshold,
    signersDir: undefined,
  };
}

// `nodes` and `balancer` are optional so a cluster.json written before HA rehearsals still serves.
const clusterEntrySchema = z.object({
  api_addr: z.string(),
  nodes: z.array(z.object({ api_addr: z.string() })).optional(),
  balancer: z.string().nullable().optional(),
});

const clusterSchema = z.object({
  // Optional so a cluster.json written before failback rehearsals still serves a promotion.
  primary: clusterEntrySchema.optional(),
  dr_secondary: clusterEntrySchema,
  ca_cert: z.string(),
  client_cert: z.string(),
  client_key: z.string(),
  root_token: z.string(),
  threshold: z.number().int().min(1),
  officers: z.array(
    z.object({
      name: z.string(),
      fingerprint: z.string(),
      public_key: z.string(),
      private_key: z.string().nullable(),
      encrypted_share: z.string(),
    }),
  ),
});

async function external(
  clusterJson: string,
  passphrase: string | undefined,
  cast: readonly CastMember[] | undefined,
): Promise<Result<Connected, RehearsalTargetErrorKind>> {
  const dir = dirname(resolve(clusterJson));
  const at = (path: string) => (isAbsolute(path) ? path : join(dir, path));
  const text = await readSmallTextFile(clusterJson, 'the cluster file');
  if (!text.ok)
    return err(
      'cluster-unreadable',
      /does not exist/.test(text.error.message)
        ? `cannot read the cluster file ${clusterJson}: it does not exist (is \`vault-ceremony rehearsal-vault --dir DIR\` running?)`
        : text.error.message,
    );
  let cluster: z.infer<typeof clusterSchema>;
  try {
    cluster = clusterSchema.parse(JSON.parse(text.value));
  } catch (e) {
    const why =
      e instanceof SyntaxError
        ? 'it is not valid JSON (cut short, or not a cluster.json)'
        : 'it is not the cluster.json rehearsal-vault writes';
    return err('cluster-unreadable', `cannot read the cluster file ${clusterJson}: ${why}`);
  }
  if (cast) {
    const unknown = cast.find((c) => !cluster.officers.some((o) => o.name === c.name));
    if (unknown)
      return err(
        'cast-mismatch',
        `the cast names officer '${unknown.name}', who holds no share of this rehearsal Vault`,
      );
  }
  const officers: CastOfficer[] = [];
  for (const o of cluster.officers) {
    const own = cast?.find((c) => c.name === o.name);
    if (cast && !own)
      return err(
        'cast-mismatch',
        `officer '${o.name}' holds a share of this rehearsal Vault, but the cast names no such officer`,
      );
    // The share is encrypted to the Vault's key for this officer: the cast's key must be that one.
    if (own && own.fingerprint !== o.fingerprint.toLowerCase())
      return err(
        'cast-mismatch',
        `the cast names key ${own.fingerprint.toUpperCase()} for officer '${o.name}', but this rehearsal Vault encrypted their share to ${o.fingerprint.toUpperCase()}`,
      );
    if (!own && o.private_key === null)
      return err(
        'officer-keys-missing',
        `officer '${o.name}' brought their own key, so this rehearsal Vault holds no private key to decrypt their share headless: give the officers' keys with --cast CAST.json, or rehearse in the app`,
      );
    const files = await Promise.all([
      readSmallTextFile(at(o.public_key), `officer '${o.name}'s public key`),
      own || o.private_key === null ? ok('') : readSmallTextFile(at(o.private_key), `officer '${o.name}'s private key`),
      readSmallTextFile(at(o.encrypted_share), `officer '${o.name}'s encrypted share`),
    ]);
    const [publicKey, privateKey, share] = files;
    if (!publicKey.ok) return err('cluster-unreadable', publicKey.error.message);
    if (!privateKey.ok) return err('cluster-unreadable', privateKey.error.message);
    if (!share.ok) return err('cluster-unreadable', share.error.message);
    if (own) {
      officers.push({
        ...own,
        publicKeyArmored: publicKey.value,
        encryptedShare: share.value.trim(),
        keySupplied: o.private_key === null,
      });
      continue;
    }
    if (passphrase === undefined && (await isProtected(privateKey.value)))
      return err(
        'officer-keys-missing',
        `officer '${o.name}'s key is protected by a passphrase: give the file rehearsal-vault's --passphrase-file read with --officer-passphrase-file`,
      );
    officers.push({
      name: o.name,
      fingerprint: o.fingerprint,
      publicKeyArmored: publicKey.value,
      privateKeyArmored: privateKey.value,
      passphrase,
      encryptedShare: share.value.trim(),
      keySupplied: false,
    });
  }
  const tls = {
    caCertPath: at(cluster.ca_cert),
    clientCertPath: at(cluster.client_cert),
    clientKeyPath: at(cluster.client_key),
  };
  const entry = { [DR_SECONDARY_PROFILE]: cluster.dr_secondary, [PRIMARY_PROFILE]: cluster.primary };
  return ok({
    connect: async (token, name = DR_SECONDARY_PROFILE) => {
      const at = entry[name];
      if (at === undefined)
        return err(
          'cluster-unreadable',
          `${clusterJson} names no primary address; restart rehearsal-vault to rewrite it`,
        );
      // Behind a balancer the active node is found through it; otherwise among the nodes.
      const nodes = (at.nodes ?? []).map((n) => n.api_addr);
      const ha = at.balancer ? { balancer: true } : nodes.length > 1 ? { nodes } : {};
      return connectProfile(
        { name, address: at.balancer ?? at.api_addr, ...tls, ...ha },
        token === undefined ? {} : { token },
      );
    },
    // Another process runs it: the primary cannot be taken down from here.
    primaryOutage: undefined,
    primaryRootToken: cluster.root_token,
    officers,
    threshold: cluster.threshold,
    signersDir: join(dir, 'rehearsal-signers'),
  });
}

/**
 * The administrator's and witnesses' keys: new ones in memory (each with its own passphrase), or,
 * with `dir`, the ones saved there by an earlier run (created unprotected, 0600, if there are none).
 */
export async function rehearsalSigners(dir: string | undefined): Promise<Result<Signers, 'cluster-unreadable'>> {
  if (dir === undefined) return ok(await generateSigners('random'));
  const names = [ADMINISTRATOR, ...WITNESSES];
  const file = (name: string) => join(dir, `${name}.key.asc`);
  try {
    const saved = await Promise.all(names.map((n) => readFile(file(n), 'utf8')));
    const [administrator, ...witnesses] = await Promise.all(
      saved.map((armored, i) => memberFromKey(names[i]!, armored)),
    );
    return ok({ administrator: administrator!, witnesses });
  } catch (e) {
    if (fsErrorCode(e) !== 'ENOENT')
      return err(
        'cluster-unreadable',
        `cannot read the rehearsal signers' keys in ${dir}: ${e instanceof Error ? e.message : String(e)}`,
      );
  }
  const signers = await generateSigners(undefined);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const m of [signers.administrator, ...signers.witnesses]) {
      await writeFile(file(m.name), m.privateKeyArmored, { mode: 0o600, flag: 'wx' });
    }
  } catch (e) {
    return err('cluster-unreadable', `cannot save the rehearsal signers' keys in ${dir}: ${describeFsError(e)}`);
  }
  return ok(signers);
}

async function isProtected(armored: string): Promise<boolean> {
  try {
    return !(await openpgp.readPrivateKey({ armoredKey: armored })).isDecrypted();
  } catch {
    return false; // not a key: decrypting the share says so, naming the officer
  }
}

async function memberFromKey(name: string, armored: string): Promise<CastMember> {
  const key = await openpgp.readPrivateKey({ armoredKey: armored });
  return {
    name,
    fingerprint: key.getFingerprint(),
    publicKeyArmored: key.toPublic().armor(),
    privateKeyArmored: armored,
    passphrase: undefined,
  };
}
