/**
 * A complete rehearsal: a primary and a DR secondary (optionally a performance secondary, or one
 * of the larger topologies: a second DR secondary, or a performance secondary with a DR secondary
 * of its own), each on its own mutual-TLS loopback listeners, with replication running, the
 * primary initialised with one PGP-encrypted share per officer exactly as `vault operator init
 * -pgp-keys` would hand them out. This is what the CLI's `rehearsal-vault`, the app's rehearsal
 * mode and the integration tests start.
 */
import { wipe } from '../shared/codecs/bytes';
import { err, ok, type Result } from '../shared/result';
import { generateOfficerKey, type OfficerKeyAlgorithm } from './officer-keys';
import { readRecipientKey, vaultKeyBase64 } from './vault-share-encryption';
import { createCa, issueCertificate } from './pki';
import { Cluster, type VaultVersion } from './cluster';
import { RehearsalFaults, type ClusterRole } from './faults';
import { HaCluster } from './ha-cluster';
import { LoadBalancer, type BalancerMode } from './load-balancer';
import { ReplicationNetwork } from './replication';
import { INSTANT, type BootstrapTiming, type ReplicationKind } from './replication-state';
import type { OtpLength } from './token-store';

export interface SuppliedOfficerKey {
  readonly name: string;
  /** Armored, or base64 of the binary key. */
  readonly publicKey: string;
}

export interface RehearsalVaultOptions {
  /** Officers to generate keys for (default 5); ignored when `officerKeys` is given. */
  readonly officers?: number;
  /** Shares needed (default 3, or all shares when there are fewer). */
  readonly threshold?: number;
  /** The officers' own public keys: no private key is ever generated or held for them. */
  readonly officerKeys?: readonly SuppliedOfficerKey[];
  /** Protects generated officer keys. */
  readonly passphrase?: string;
  readonly keyAlgorithm?: OfficerKeyAlgorithm;
  readonly vaultVersion?: VaultVersion;
  /** generate-root's `otp_length` (default 28): 26 for `s.` tokens, 0 for a server before Vault 0.11. */
  readonly otpLength?: OtpLength;
  readonly performanceSecondary?: boolean;
  /** Which clusters run (default `dr`: a primary and one DR secondary); see TOPOLOGIES. */
  readonly topology?: RehearsalTopology;
  /** How long a secondary/enable over the API bootstraps and merkle-syncs (default a few seconds each). */
  readonly secondaryBootstrap?: BootstrapTiming;
  /** Nodes per cluster (1, 3 or 5; default 1), each on its own loopback address: one active, the rest standbys. */
  readonly nodes?: number;
  /**
   * A load balancer in front of each cluster; its address becomes the cluster's api_addr. Round-robin
   * and active-only pass TCP through to the API ports; misconfigured-8201 also fronts the cluster
   * port (8201), terminating TLS and spreading it round-robin, so forwarding and replication fail.
   */
  readonly balancer?: BalancerMode;
  /** How long an HA cluster's standbys lag after a promotion or demotion (default 1000 ms). */
  readonly settleMs?: number;
}

export interface RehearsalOfficer {
  readonly name: string;
  readonly fingerprint: string;
  readonly publicKeyArmored: string | undefined;
  /** Only for generated keys. A secret. */
  readonly privateKeyArmored: string | undefined;
  /** What `vault operator init -pgp-keys` would hand this officer: base64 of a binary OpenPGP message. */
  readonly encryptedShare: string;
}

export interface RehearsalNode {
  readonly id: string;
  readonly apiAddr: string;
  /** Its cluster port, apart from the API port, as Vault's 8201 is from 8200. */
  readonly clusterAddr: string;
}

export interface RehearsalEndpoint {
  /** The balancer's address when there is one, else the first node's. */
  readonly apiAddr: string;
  /** The first node's cluster port, or the misconfigured balancer's in front of them. */
  readonly clusterAddr: string;
  readonly nodes: readonly RehearsalNode[];
  readonly balancerAddr: string | undefined;
}

/**
 * dr: primary + DR secondary (dc2); dr2: primary + two DR secondaries (dc2, dc3); perf-dr:
 * primary + its DR secondary + a performance secondary + the performance secondary's DR secondary.
 */
export type RehearsalTopology = 'dr' | 'dr2' | 'perf-dr';
export const TOPOLOGIES: readonly RehearsalTopology[] = ['dr', 'dr2', 'perf-dr'];

/** One cluster of the topology: what it is and where it replicates from. */
export interface RehearsalClusterInfo {
  readonly role: ClusterRole;
  /** Its name (cluster.json's, and its nodes' ids' prefix): 'primary', 'dr-secondary', 'dc3-dr-secondary', … */
  readonly name: string;
  readonly replication: 'primary' | 'dr-secondary' | 'performance-secondary';
  /** The name of the cluster it replicates from; undefined for the primary. */
  readonly primary: string | undefined;
  readonly endpoint: RehearsalEndpoint;
  /**
   * Its own root token where its token store is not the primary's (a performance secondary, and
   * a DR secondary of one, which copies it). A secret.
   */
  readonly rootToken: string | undefined;
}

export interface RehearsalVault {
  readonly primary: RehearsalEndpoint;
  readonly drSecondary: RehearsalEndpoint;
  /** With its own root token: performance secondaries do not share the primary's tokens. */
  readonly performanceSecondary: (RehearsalEndpoint & { readonly rootToken: string }) | undefined;
  readonly caPem: string;
  readonly clientCertPem: string;
  /** The client certificate's key (unencrypted PKCS#8). */
  readonly clientKeyPem: string;
  /** The primary's root token (also valid on the DR secondary, whose token store is the primary's). */
  readonly rootToken: string;
  readonly shares: number;
  readonly threshold: number;
  readonly vaultVersion: VaultVersion;
  readonly otpLength: OtpLength;
  readonly officers: readonly RehearsalOfficer[];
  readonly faults: RehearsalFaults;
  /** Every cluster of the topology, the primary first. */
  readonly clusters: readonly RehearsalClusterInfo[];
  /** The simulated clusters, for in-process drills and assertions. */
  cluster(role: ClusterRole): Cluster;
  /** A cluster's nodes and who leads: leader-change drills and which node received what. */
  ha(role: ClusterRole): HaCluster;
  close(): Promise<void>;
}

export type RehearsalVaultErrorKind = 'invalid-options' | 'invalid-officer-key' | 'setup-failed';

const DEFAULT_OFFICERS = 5;
const DEFAULT_THRESHOLD = 3;
const LOOPBACK = '127.0.0.1';
const NODE_COUNTS = [1, 3, 5];
const DEFAULT_SETTLE_MS = 1_000;

interface ClusterPlan {
  readonly name: string;
  /** Where it replicates from and how; undefined for the primary. */
  readonly upstream?: { readonly role: ClusterRole; readonly kind: ReplicationKind };
}

const PLANS: Record<ClusterRole, ClusterPlan> = {
  primary: { name: 'primary' },
  drSecondary: { name: 'dr-secondary', upstream: { role: 'primary', kind: 'dr' } },
  dc3DrSecondary: { name: 'dc3-dr-secondary', upstream: { role: 'primary', kind: 'dr' } },
  performanceSecondary: { name: 'perf-secondary', upstream: { role: 'primary', kind: 'performance' } },
  performanceDrSecondary: { name: 'perf-dr-secondary', upstream: { role: 'performanceSecondary', kind: 'dr' } },
};

/** The clusters a topology runs, each after the one it replicates from. */
function topologyRoles(options: RehearsalVaultOptions): ClusterRole[] {
  switch (options.topology ?? 'dr') {
    case 'dr2':
      return ['primary', 'drSecondary', 'dc3DrSecondary'];
    case 'perf-dr':
      return ['primary', 'drSecondary', 'performanceSecondary', 'performanceDrSecondary'];
    case 'dr':
      return options.performanceSecondary
        ? ['primary', 'drSecondary', 'performanceSecondary']
        : ['primary', 'drSecondary'];
  }
}

/** A lone node listens on 127.0.0.1; an HA cluster's node i on 127.0.C.i, C the cluster's number. */
function nodeHosts(clusterIndex: number, nodes: number): string[] {
  return nodes === 1 ? [LOOPBACK] : Array.from({ length: nodes }, (_, i) => `127.0.${clusterIndex + 1}.${i + 1}`);
}

export async function startRehearsalVault(
  options: RehearsalVaultOptions = {},
): Promise<Result<RehearsalVault, RehearsalVaultErrorKind>> {
  const plan = planOfficers(options);
  if (!plan.ok) return plan;
  const nodeCount = options.nodes ?? 1;
  if (options.topology !== undefined && !TOPOLOGIES.includes(options.topology))
    return err('invalid-options', `the topology is one of ${TOPOLOGIES.join(', ')}, not '${String(options.topology)}'`);
  if (options.topology !== undefined && options.topology !== 'dr' && options.performanceSecondary)
    return err('invalid-options', `the ${options.topology} topology already says which secondaries run`);
  const roles = topologyRoles(options);
  if (!NODE_COUNTS.includes(nodeCount))
    return err(
      'invalid-options',
      `a rehearsal cluster has 1, 3 or 5 nodes (raft needs an odd number), not ${nodeCount}`,
    );
  const { shares, threshold } = plan.value;
  const vaultVersion = options.vaultVersion ?? 1;
  const otpLength = options.otpLength ?? 28;
  if (otpLength === 0 && vaultVersion === 2)
    return err(
      'invalid-options',
      'a legacy server (otp_length 0) is a Vault before 0.11, so it cannot also be Vault 2: choose one',
    );

  // Officers first: a bad supplied key must fail before anything listens.
  const officerKeys = await prepareOfficerKeys(options, shares);
  if (!officerKeys.ok) return officerKeys;

  const ca = await createCa({ commonName: 'vault-ceremony rehearsal CA' });
  const serverCert = await issueCertificate(ca, {
    commonName: 'rehearsal vault',
    usage: 'server',
    dnsNames: ['localhost'],
    ipAddresses: [LOOPBACK, ...roles.flatMap((_, c) => (nodeCount === 1 ? [] : nodeHosts(c, nodeCount)))],
  });
  const clientCert = await issueCertificate(ca, { commonName: 'vault-ceremony rehearsal client', usage: 'client' });
  const tls = { caPem: ca.certPem, certPem: serverCert.certPem, keyPem: serverCert.keyPem };

  const network = new ReplicationNetwork(options.secondaryBootstrap);
  const clusters = new Map<ClusterRole, Cluster>();
  const topologies = new Map<ClusterRole, HaCluster>();
  const balancers: LoadBalancer[] = [];
  const faults = new RehearsalFaults({
    cluster: (role) => required(clusters.get(role), role),
    server: (role) => required(topologies.get(role), role),
    network,
  });
  const close = async () => {
    await Promise.all(balancers.map((b) => b.stop()));
    await Promise.all([...topologies.values()].map((t) => t.stop()));
  };
  const endpoint = (role: ClusterRole): RehearsalEndpoint => {
    const ha = required(topologies.get(role), role);
    const balancer = balancers.find((b) => b.fronts(ha));
    return {
      apiAddr: ha.cluster.apiAddr,
      clusterAddr: ha.cluster.clusterAddr,
      nodes: ha.nodes.map((n) => ({ id: n.id, apiAddr: n.apiAddr, clusterAddr: n.clusterAddr })),
      balancerAddr: balancer?.address,
    };
  };

  try {
    for (const [index, role] of roles.entries()) {
      const cluster = new Cluster({
        name: PLANS[role].name,
        vaultVersion,
        otpLength,
      });
      network.add(cluster);
      const ha = new HaCluster({
        cluster,
        network,
        tls,
        hosts: nodeHosts(index, nodeCount),
        settleMs: options.settleMs ?? DEFAULT_SETTLE_MS,
        faultFor: (request) => faults.faultFor(role, request),
      });
      await ha.start();
      cluster.apiAddr = ha.nodes[0]!.apiAddr;
      cluster.clusterAddr = ha.nodes[0]!.clusterAddr;
      cluster.serverCertPem = serverCert.certPem;
      if (options.balancer) {
        const balancer = new LoadBalancer(ha, options.balancer, LOOPBACK, tls);
        await balancer.start();
        balancers.push(balancer);
        cluster.apiAddr = balancer.address;
        // Every node's cluster_addr names the balancer, so forwarding and replication go through it.
        if (balancer.clusterAddress) cluster.clusterAddr = ha.clusterPortFront = balancer.clusterAddress;
      }
      clusters.set(role, cluster);
      topologies.set(role, ha);
    }
    const primary = required(clusters.get('primary'), 'primary');

    const init = await primary.initialize({
      secretShares: shares,
      secretThreshold: threshold,
      pgpKeys: officerKeys.value.map((k) => k.vaultKey),
    });
    if (!init.ok) throw new Error(init.error.message);
    const primaryShares = init.value.shares;
    const copyOfShares = () => primaryShares.map((share) => Uint8Array.from(share));
    unsealWith(primary, copyOfShares());
    const officers = officerKeys.value.map(({ vaultKey: _, ...officer }, i) => ({
      ...officer,
      encryptedShare: init.value.keysBase64[i]!,
    }));

    const rootTokens = new Map<ClusterRole, string>();
    try {
      for (const role of roles) {
        const upstream = PLANS[role].upstream;
        if (!upstream) continue;
        const secondary = required(clusters.get(role), role);
        const from = required(clusters.get(upstream.role), upstream.role);
        await joinAsSecondary(network, from, secondary, upstream.kind, PLANS[role].name);
        // Enabling a secondary seals its standbys; an operator unseals them with the primary's shares.
        const ha = required(topologies.get(role), role);
        ha.sealStandbys();
        ha.unsealStandbys(copyOfShares());
        // What generate-root with the primary's shares would give on a performance secondary; its DR
        // secondary copies its token store, so the token serves there too.
        const inherited = rootTokens.get(upstream.role);
        if (upstream.kind === 'performance')
          rootTokens.set(role, secondary.storage.tokens.createRoot('sys/generate-root').id);
        else if (inherited) rootTokens.set(role, inherited);
      }
    } finally {
      wipe(...primaryShares);
    }
    primary.storage.kv.set('rehearsal/created', { at: new Date().toISOString() });
    primary.recordWrite();
    // A misconfigured balancer's cluster port: replication through it stops from here on.
    for (const b of balancers) if (b.clusterAddress) network.misroute(b.clusterAddress);

    const perfToken = rootTokens.get('performanceSecondary');
    const performanceSecondary: RehearsalVault['performanceSecondary'] =
      perfToken === undefined ? undefined : { ...endpoint('performanceSecondary'), rootToken: perfToken };
    const infos: RehearsalClusterInfo[] = roles.map((role) => {
      const upstream = PLANS[role].upstream;
      return {
        role,
        name: PLANS[role].name,
        replication: !upstream ? 'primary' : upstream.kind === 'dr' ? 'dr-secondary' : 'performance-secondary',
        primary: upstream ? PLANS[upstream.role].name : undefined,
        endpoint: endpoint(role),
        rootToken: rootTokens.get(role),
      };
    });

    return ok({
      primary: endpoint('primary'),
      drSecondary: endpoint('drSecondary'),
      performanceSecondary,
      caPem: ca.certPem,
      clientCertPem: clientCert.certPem,
      clientKeyPem: clientCert.keyPem,
      rootToken: init.value.rootToken,
      shares,
      threshold,
      vaultVersion,
      otpLength,
      officers,
      faults,
      clusters: infos,
      cluster: (role) => required(clusters.get(role), role),
      ha: (role) => required(topologies.get(role), role),
      close,
    });
  } catch (e) {
    await close();
    return err('setup-failed', `the rehearsal Vault could not start: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function planOfficers(
  options: RehearsalVaultOptions,
): Result<{ shares: number; threshold: number }, RehearsalVaultErrorKind> {
  const shares = options.officerKeys?.length ?? options.officers ?? DEFAULT_OFFICERS;
  if (options.officerKeys && options.officers !== undefined && options.officers !== shares) {
    return err(
      'invalid-options',
      `${options.officerKeys.length} officer keys were given but --officers says ${options.officers}; give one key per officer`,
    );
  }
  if (!Number.isInteger(shares) || shares < 1 || shares > 255)
    return err('invalid-options', `the number of officers must be 1 to 255, not ${shares}`);
  const threshold = options.threshold ?? Math.min(DEFAULT_THRESHOLD, shares);
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > shares) {
    return err(
      'invalid-options',
      `the threshold must be between 1 and the number of officers (${shares}), not ${threshold}`,
    );
  }
  if (shares > 1 && threshold === 1)
    return err(
      'invalid-options',
      'with more than one officer the threshold must be at least 2 (Vault refuses a 1-of-n seal)',
    );
  return ok({ shares, threshold });
}

type PreparedOfficer = Omit<RehearsalOfficer, 'encryptedShare'> & { readonly vaultKey: string };

async function prepareOfficerKeys(
  options: RehearsalVaultOptions,
  shares: number,
): Promise<Result<PreparedOfficer[], RehearsalVaultErrorKind>> {
  if (options.officerKeys) {
    const out: PreparedOfficer[] = [];
    for (const supplied of options.officerKeys) {
      const r = await readRecipientKey(supplied.publicKey, { allowArmored: true });
      if (!r.ok) return err('invalid-officer-key', `officer '${supplied.name}': ${r.error.message}`);
      out.push({
        name: supplied.name,
        fingerprint: r.value.fingerprint,
        publicKeyArmored: r.value.key.armor(),
        privateKeyArmored: undefined,
        vaultKey: vaultKeyBase64(r.value),
      });
    }
    return ok(out);
  }
  const generated = await Promise.all(
    Array.from({ length: shares }, (_, i) =>
      generateOfficerKey({
        name: `officer-${i + 1}`,
        ...(options.keyAlgorithm ? { algorithm: options.keyAlgorithm } : {}),
        ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
      }),
    ),
  );
  const out: PreparedOfficer[] = [];
  for (const key of generated) {
    const r = await readRecipientKey(key.publicKeyArmored, { allowArmored: true });
    if (!r.ok) return err('setup-failed', `a generated officer key is unusable: ${r.error.message}`);
    out.push({
      name: key.name,
      fingerprint: key.fingerprint,
      publicKeyArmored: key.publicKeyArmored,
      privateKeyArmored: key.privateKeyArmored,
      vaultKey: vaultKeyBase64(r.value),
    });
  }
  return ok(out);
}

/** Initialises and unseals a secondary-to-be, then enables replication from the primary. */
async function joinAsSecondary(
  network: ReplicationNetwork,
  primary: Cluster,
  secondary: Cluster,
  kind: 'dr' | 'performance',
  id: string,
): Promise<void> {
  if (primary.replication[kind].mode !== 'primary') {
    const enabled = network.enablePrimary(primary, kind);
    if (!enabled.ok) throw new Error(enabled.error.message);
  }
  const own = await secondary.initialize({ secretShares: 1, secretThreshold: 1 });
  if (!own.ok) throw new Error(own.error.message);
  unsealWith(secondary, own.value.shares);
  const token = network.secondaryToken(primary, kind, id, 30 * 60);
  if (!token.ok) throw new Error(token.error.message);
  // The rehearsal starts with replication already running: no bootstrap to wait for.
  const joined = network.enableSecondary(secondary, kind, token.value.token, { timing: INSTANT });
  if (!joined.ok) throw new Error(joined.error.message);
}

/** Unseals with the first threshold of `shares`, then wipes them all. */
function unsealWith(cluster: Cluster, shares: readonly Uint8Array[]): void {
  const threshold = cluster.seal.config?.threshold ?? 0;
  for (const share of shares.slice(0, threshold)) {
    const r = cluster.seal.unseal(share);
    if (!r.ok) throw new Error(r.error.message);
  }
  wipe(...shares);
}

function required<T>(value: T | undefined, role: string): T {
  if (value === undefined) throw new Error(`this rehearsal has no ${role} cluster`);
  return value;
}
