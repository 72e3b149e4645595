/**
 * `vault-ceremony rehearsal-vault --dir DIR [--officers N] [--threshold T]
 *   [--officer-keys a.asc,b.asc,…] [--vault-version 1|2] [--otp-length 28|26|0] [--passphrase-file F]
 *   [--nodes 1|3|5] [--balancer round-robin|active-only|misconfigured-8201] [--topology dr|dr2|perf-dr]`
 *
 * Starts a rehearsal primary and DR secondary (or a larger topology) on loopback (mutual TLS), writes what people and
 * tools need into DIR, and `DIR/cluster.json` last, once both accept connections. Serves until
 * SIGINT/SIGTERM, then stops cleanly and removes cluster.json (so it exists only while the
 * clusters run). Never prints a share, key or token.
 */
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { makeFolder, writeFileAtomically } from '../../electron/services/files/durable-write';
import { lockFolder } from '../../electron/services/files/folder-lock';
import { describeFsError, fsErrorPath } from '../../electron/services/files/fs-error';
import { readSmallFile } from '../../electron/services/files/regular-file';
import {
  startRehearsalVault,
  TOPOLOGIES,
  type RehearsalClusterInfo,
  type RehearsalEndpoint,
  type RehearsalVault,
  type SuppliedOfficerKey,
} from '../../rehearsal-vault/rehearsal-cluster-set';
import { BALANCER_MODES } from '../../rehearsal-vault/load-balancer';
import { parseCommandLine, usageError, wholeNumber, type CommandUsage } from '../command-line';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliIo, type Command } from '../io';
import { otpLengthOption } from '../otp-length-option';
import { readPassphraseFile } from '../passphrase';
import type { OtpLength } from '../../rehearsal-vault/token-store';

const USAGE = `usage: vault-ceremony rehearsal-vault --dir DIR [--officers N] [--threshold T]
         [--officer-keys a.asc,b.asc,...] [--vault-version 1|2] [--otp-length 28|26|0]
         [--passphrase-file F] [--nodes 1|3|5] [--balancer round-robin|active-only|misconfigured-8201]
         [--topology dr|dr2|perf-dr]

Starts a REHEARSAL Vault: a primary and a DR secondary (replication running) on 127.0.0.1,
requiring the client certificate it writes. The primary is initialised with one PGP-encrypted
unseal share per officer, as 'vault operator init -pgp-keys' would hand them out.
  --dir DIR             where to write ca.pem, client.pem, client-key.pem, officers/, shares/
                        and, once both clusters accept connections, cluster.json
  --officers N          officers (and shares) when generating keys (default 5)
  --threshold T         shares needed to generate a DR operation token (default 3)
  --officer-keys LIST   comma-separated public key files (armored or binary), one per officer,
                        named after the file; no private keys are generated or written
  --vault-version 1|2   2: generating a DR operation token needs a Vault token (default 1)
  --otp-length 28|26|0  the otp_length the Vault reports: 28 (hvs. tokens, default), 26 (s. tokens,
                        disable_ssc_tokens), 0 (a server before 0.11: UUID tokens, 24-character OTPs)
  --passphrase-file F   protect the generated officer keys with the passphrase in F
  --nodes N             nodes per cluster (1, 3 or 5; default 1), each on its own 127.0.C.N
                        address: one active, standbys forwarding to it
  --balancer MODE       a TCP pass-through balancer in front of each cluster, round-robin over
                        every node or active-only; cluster.json's api_addr is then the balancer.
                        misconfigured-8201 also fronts the cluster port (8201), terminating TLS
                        round-robin there: forwarding and replication fail, as they do in Vault
  --topology T          dr (default): a primary and a DR secondary; dr2: a primary and two DR
                        secondaries (dc2 is dr_secondary, dc3 the other); perf-dr: a primary, its DR
                        secondary, a performance secondary and the performance secondary's own DR
                        secondary. cluster.json's clusters lists every cluster and its role
Runs until Ctrl-C (SIGINT) or SIGTERM.
`;

const COMMAND: CommandUsage = { name: 'rehearsal-vault', usage: USAGE };

export const rehearsalVaultCommand: Command = (argv, io) => {
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return runRehearsalVault(argv, io, stopped).finally(() => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  });
};

/** The command with its stop condition injected (tests resolve `stopped` themselves). */
export async function runRehearsalVault(argv: string[], io: CliIo, stopped: Promise<void>): Promise<number> {
  const parsed = await parseOptions(argv, io);
  if (typeof parsed === 'number') return parsed;
  const { dir } = parsed;
  const fail = (message: string, code: number) => {
    io.stderr(`vault-ceremony rehearsal-vault: ${message}\n`);
    return code;
  };

  const started = await startRehearsalVault(parsed.options);
  if (!started.ok) return fail(started.error.message, started.error.kind === 'setup-failed' ? EXIT_FAILED : EXIT_USAGE);
  const vault = started.value;
  try {
    try {
      await makeFolder(dir, { named: true });
    } catch (e) {
      return fail(`cannot use --dir ${dir}: ${describeFsError(e)}`, EXIT_USAGE);
    }
    // One rehearsal Vault per folder: a second would replace the first's certificates and keys.
    const lock = lockFolder(dir, `the rehearsal Vault folder ${dir}`);
    if (!lock.ok) return fail(lock.error.message, EXIT_FAILED);
    const clusterJson = join(dir, 'cluster.json');
    try {
      // A stale cluster.json from an earlier run would point waiters at dead ports.
      await rm(clusterJson, { force: true });
      await writeBundle(dir, vault);
      io.stdout(summary(dir, vault));
      await stopped;
      io.stdout('Stopping the rehearsal Vault.\n');
      return EXIT_OK;
    } catch (e) {
      return fail(`could not write ${fsErrorPath(e) ?? `into ${dir}`}: ${describeFsError(e)}`, EXIT_FAILED);
    } finally {
      await rm(clusterJson, { force: true }).catch(() => undefined);
      lock.value.release();
    }
  } finally {
    await vault.close();
  }
}

interface ParsedOptions {
  readonly dir: string;
  readonly options: Parameters<typeof startRehearsalVault>[0] & object;
}

async function parseOptions(argv: string[], io: CliIo): Promise<ParsedOptions | number> {
  const parsed = parseCommandLine(argv, io, COMMAND, {
    dir: { type: 'string' },
    officers: { type: 'string' },
    threshold: { type: 'string' },
    'officer-keys': { type: 'string' },
    'vault-version': { type: 'string' },
    'otp-length': { type: 'string' },
    'passphrase-file': { type: 'string' },
    nodes: { type: 'string' },
    balancer: { type: 'string' },
    topology: { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const dir = values.dir;
  if (!dir)
    return usageError(
      io,
      COMMAND,
      '--dir is required: the directory to write the CA, client certificate, shares and cluster.json into',
    );

  const officers = wholeNumber(values.officers, '--officers', 1, 255);
  const threshold = wholeNumber(values.threshold, '--threshold', 1, 255);
  if (typeof officers === 'string') return usageError(io, COMMAND, officers);
  if (typeof threshold === 'string') return usageError(io, COMMAND, threshold);
  const nodes = wholeNumber(values.nodes, '--nodes', 1, 5);
  if (typeof nodes === 'string') return usageError(io, COMMAND, nodes);
  if (nodes !== undefined && ![1, 3, 5].includes(nodes))
    return usageError(io, COMMAND, `--nodes must be 1, 3 or 5 (raft needs an odd number), not ${nodes}`);
  const balancer = values.balancer;
  if (balancer !== undefined && !isOneOf(BALANCER_MODES, balancer))
    return usageError(io, COMMAND, `--balancer must be ${BALANCER_MODES.join(', ')}, not '${balancer}'`);
  const topology = values.topology;
  if (topology !== undefined && !isOneOf(TOPOLOGIES, topology))
    return usageError(io, COMMAND, `--topology must be ${TOPOLOGIES.join(', ')}, not '${topology}'`);
  const version = values['vault-version'];
  if (version !== undefined && version !== '1' && version !== '2')
    return usageError(io, COMMAND, `--vault-version must be 1 or 2, not '${version}'`);
  const otpLength = otpLengthOption(values['otp-length']);
  if (typeof otpLength === 'string') return usageError(io, COMMAND, otpLength);

  const keyFiles = values['officer-keys'];
  const passphraseFile = values['passphrase-file'];
  if (keyFiles !== undefined && passphraseFile !== undefined) {
    return usageError(
      io,
      COMMAND,
      '--passphrase-file protects generated officer keys; with --officer-keys no keys are generated',
    );
  }
  let officerKeys: SuppliedOfficerKey[] | undefined;
  if (keyFiles !== undefined) {
    const read = await readOfficerKeys(keyFiles);
    if (typeof read === 'string') return usageError(io, COMMAND, read);
    officerKeys = read;
  }
  let passphrase: string | undefined;
  if (passphraseFile !== undefined) {
    const read = await readPassphraseFile(passphraseFile, '--passphrase-file');
    if (!read.ok) return usageError(io, COMMAND, read.error.message);
    passphrase = read.value;
    if (passphrase === '') return usageError(io, COMMAND, `--passphrase-file ${passphraseFile} is empty`);
  }
  return {
    dir,
    options: {
      ...(officers !== undefined ? { officers } : {}),
      ...(threshold !== undefined ? { threshold } : {}),
      ...(officerKeys ? { officerKeys } : {}),
      ...(passphrase !== undefined ? { passphrase } : {}),
      ...(nodes !== undefined ? { nodes } : {}),
      ...(balancer !== undefined ? { balancer } : {}),
      ...(topology !== undefined ? { topology } : {}),
      vaultVersion: version === '2' ? 2 : 1,
      ...(otpLength !== undefined ? { otpLength } : {}),
    },
  };
}

function isOneOf<T extends string>(allowed: readonly T[], value: string): value is T {
  return (allowed as readonly string[]).includes(value);
}

/** Officer names come from the file names (`alice.asc` → alice) and name the files written. */
async function readOfficerKeys(list: string): Promise<SuppliedOfficerKey[] | string> {
  const files = list
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (files.length === 0) return '--officer-keys needs at least one file';
  const keys: SuppliedOfficerKey[] = [];
  for (const file of files) {
    const name = basename(file).replace(/(\.pub)?\.(asc|gpg|pgp|key|pub)$/i, '');
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
      return `officer key file '${file}' gives the name '${name}'; rename it to letters, digits, '.', '_' or '-'`;
    }
    if (keys.some((k) => k.name === name))
      return `two officer key files are both named '${name}'; each officer needs their own file name`;
    const read = await readSmallFile(file, 'the officer key file');
    if (!read.ok) return read.error.message;
    const bytes = read.value;
    const text = bytes.toString('utf8');
    // Armored text as is; a binary key (`gpg --export`) as Vault takes it, base64.
    keys.push({ name, publicKey: text.includes('-----BEGIN PGP') ? text : bytes.toString('base64') });
  }
  return keys;
}

/**
 * Writes every file, cluster.json last and atomically so a waiter never reads half of it. Each file
 * replaces its name (never writing through a link planted there) and the subfolders must be real
 * folders; keys, shares and cluster.json (the root token) are readable only by their owner.
 */
export async function writeBundle(dir: string, vault: RehearsalVault): Promise<void> {
  const write = (name: string, text: string, mode: number) => writeFileAtomically(join(dir, name), text, mode);
  await makeFolder(join(dir, 'officers'));
  await makeFolder(join(dir, 'shares'));
  await write('ca.pem', vault.caPem, PUBLIC);
  await write('client.pem', vault.clientCertPem, PUBLIC);
  await write('client-key.pem', vault.clientKeyPem, SECRET);
  const officers = [];
  for (const o of vault.officers) {
    const publicKey = `officers/${o.name}.pub.asc`;
    const privateKey = o.privateKeyArmored === undefined ? null : `officers/${o.name}.key.asc`;
    const encryptedShare = `shares/${o.name}.b64`;
    if (o.publicKeyArmored !== undefined) await write(publicKey, o.publicKeyArmored, PUBLIC);
    if (privateKey !== null) await write(privateKey, o.privateKeyArmored!, SECRET);
    await write(encryptedShare, `${o.encryptedShare}\n`, SECRET);
    officers.push({
      name: o.name,
      fingerprint: o.fingerprint,
      public_key: publicKey,
      private_key: privateKey,
      encrypted_share: encryptedShare,
    });
  }
  const cluster = {
    primary: clusterEntry(vault.primary),
    dr_secondary: clusterEntry(vault.drSecondary),
    ca_cert: 'ca.pem',
    client_cert: 'client.pem',
    client_key: 'client-key.pem',
    root_token: vault.rootToken,
    threshold: vault.threshold,
    shares: vault.shares,
    officers,
    // Only a larger topology adds the list: the default keeps exactly the brief's shape, which
    // scripts written against it may compare key for key.
    ...(vault.clusters.length > 2 ? { clusters: vault.clusters.map(clusterListing) } : {}),
  };
  await write('cluster.json', `${JSON.stringify(cluster, null, 2)}\n`, SECRET);
}

const PUBLIC = 0o644;
const SECRET = 0o600;

/** A cluster's addresses (api_addr is its balancer's when it has one), every node, and the balancer. */
function clusterEntry(endpoint: RehearsalEndpoint) {
  return {
    api_addr: endpoint.apiAddr,
    cluster_addr: endpoint.clusterAddr,
    nodes: endpoint.nodes.map((n) => ({ id: n.id, api_addr: n.apiAddr, cluster_addr: n.clusterAddr })),
    balancer: endpoint.balancerAddr ?? null,
  };
}

/** One cluster of the topology: its name, role, where it replicates from, and its addresses. */
function clusterListing(info: RehearsalClusterInfo) {
  return {
    name: info.name,
    role: info.replication,
    primary: info.primary ?? null,
    ...clusterEntry(info.endpoint),
    ...(info.rootToken === undefined ? {} : { root_token: info.rootToken }),
  };
}

function summary(dir: string, vault: RehearsalVault): string {
  const p = (f: string) => join(dir, f);
  const first = vault.officers[0];
  const tls = `--cacert ${p('ca.pem')} --cert ${p('client.pem')} --key ${p('client-key.pem')}`;
  return [
    'REHEARSAL Vault running (simulated; not a real Vault, never use its keys for anything else)',
    ...vault.clusters.map(
      (c) =>
        `  ${c.name.padEnd(17)}  ${c.primary ? `${ROLE_LABEL[c.replication]} of ${c.primary}: ` : ''}${describeEndpoint(c.endpoint)}`,
    ),
    ...(vault.clusters.some((c) => c.endpoint.clusterAddr !== c.endpoint.nodes[0]?.clusterAddr)
      ? [
          '  misconfigured  each balancer also fronts port 8201, terminating TLS: replication and forwarding fail, as in Vault',
        ]
      : []),
    `  Vault version  ${vault.cluster('drSecondary').version}${vault.vaultVersion === 2 ? ' (generating a DR operation token needs a Vault token)' : ''}`,
    `  otp_length     ${vault.otpLength === 0 ? 'none (before 0.11: 24-character base64 OTPs, UUID tokens)' : `${vault.otpLength}`}`,
    `  officers       ${vault.shares}, threshold ${vault.threshold}: encrypted shares in ${p('shares')}/, keys in ${p('officers')}/`,
    `  cluster.json   ${p('cluster.json')} (holds the root token; readable only by you)`,
    '',
    ...vaultCliSteps(vault.vaultVersion, vault.drSecondary.apiAddr, p, vault.otpLength),
    'With curl:',
    `  curl ${tls} ${vault.drSecondary.apiAddr}/v1/sys/replication/dr/status`,
    ...(first
      ? [
          `An officer reads their share with GnuPG${first.privateKeyArmored !== undefined ? ` (after gpg --import ${p(`officers/${first.name}.key.asc`)})` : ''}:`,
          `  base64 -d < ${p(`shares/${first.name}.b64`)} | gpg -dq`,
        ]
      : []),
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

const ROLE_LABEL: Record<RehearsalClusterInfo['replication'], string> = {
  primary: 'primary',
  'dr-secondary': 'DR secondary',
  'performance-secondary': 'performance secondary',
};

function describeEndpoint(endpoint: RehearsalEndpoint): string {
  if (endpoint.nodes.length === 1 && endpoint.balancerAddr === undefined)
    return `${endpoint.apiAddr}  (cluster address ${endpoint.clusterAddr})`;
  const nodes = endpoint.nodes.map((n) => n.apiAddr).join(', ');
  return `${endpoint.apiAddr}  (${endpoint.balancerAddr ? 'balancer in front of ' : ''}nodes ${nodes}; the first is active; cluster addresses in cluster.json)`;
}

/**
 * The DR operation-token ceremony with the real `vault` CLI, as command/operator_generate_root.go
 * reads its flags: `-generate-otp` is checked before anything else and only prints an OTP, so
 * `-init` goes without it (Vault 0.11.2+ generates the OTP and prints it once). A server before
 * 0.11 makes no OTP, so there the OTP comes from `-generate-otp` (which reads otp_length as 0 and
 * prints base64 of 16 bytes) and goes to `-init -otp`. `-decode` asks the attempt's status for
 * otp_length, so it too needs the address and, on 2.x, a token. Vault 2.x refuses the generation
 * endpoints without a token; a primary root token works on the secondary.
 */
export function vaultCliSteps(
  version: 1 | 2,
  drSecondaryAddr: string,
  path: (file: string) => string,
  otpLength: OtpLength = 28,
): string[] {
  return [
    `With the vault CLI (Vault ${version}.x):`,
    `  export VAULT_ADDR=${drSecondaryAddr} VAULT_CACERT=${path('ca.pem')} VAULT_CLIENT_CERT=${path('client.pem')} VAULT_CLIENT_KEY=${path('client-key.pem')}`,
    ...(version === 2
      ? [
          `  export VAULT_TOKEN="$(node -p "require('${path('cluster.json')}').root_token")"   # 2.x: generation needs a token`,
        ]
      : []),
    '  vault read sys/replication/dr/status',
    ...(otpLength === 0
      ? [
          '  vault operator generate-root -dr-token -generate-otp          # prints a 24-character OTP: keep it',
          '  vault operator generate-root -dr-token -init -otp=OTP         # a server before 0.11 makes no OTP itself',
        ]
      : ['  vault operator generate-root -dr-token -init                  # Vault prints the OTP once: keep it']),
    '  vault operator generate-root -dr-token                        # each officer in turn; prompts for the share',
    '  vault operator generate-root -dr-token -decode=ENCODED_TOKEN -otp=OTP',
  ];
}
