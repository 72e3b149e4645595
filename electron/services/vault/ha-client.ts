/**
 * A client for an HA cluster: every call goes to the node found active by the last
 * `resolveActive()`, which asks sys/leader on every known node. sys/leader, not sys/health:
 * on a DR secondary every node (standbys too) answers health with 472, so the health code
 * cannot tell the active node; `is_self` (the newest `active_time` if two claim it) can.
 *
 * A sealed node cannot say who leads (its sys/leader is 503 "Vault is sealed"), and behind a
 * balancer the next request may reach another node, so such an answer is asked again (bounded).
 *
 * Addresses the cluster gives (a leader_address seen through a load balancer, a 307's Location)
 * are taken only over https and only one hop from a known node: nothing is followed further.
 * The generation attempt lives in the active node's memory alone, so callers re-resolve before
 * each attempt call and compare the node with the one the attempt was started on.
 *
 * Reads (GETs: attempt status, replication status) are safe to repeat, so only they are retried on
 * 503, or the 500 of a standby that finds no leader (bounded backoff), and follow a redirect: one
 * hop, https only, to a known node or the leader that a known node's sys/leader named, and never
 * back to the address that redirected (an api_addr naming the balancer loops). Writes are neither
 * retried nor followed: a share's update, an attempt's start or cancel, promote and the token's
 * delete change state, and a 503 or 307 does not prove the first one was not acted on (a balancer
 * or a dropped answer can hide it); the ceremony re-resolves the active node and re-reads the
 * attempt or the cluster's mode instead.
 */
import { err, ok, type Result } from '../../../shared/result';
import type { VaultClient } from './client';
import type { Leader, VaultError, VaultResult } from './types';

export interface HaClientOptions {
  readonly profileName: string;
  /** The cluster's known addresses: its nodes, or its load balancer. */
  readonly addresses: readonly string[];
  /** A client for one address (same mTLS material for every node); undefined if it cannot be made. */
  connect(address: string): Promise<VaultClient | undefined>;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/** What one node says of itself: reachable or not, whether it leads, its health and raft indices. */
export interface NodeReport {
  readonly address: string;
  readonly reachable: boolean;
  readonly active: boolean;
  /** sys/health's status code (472 on every DR secondary node). */
  readonly healthCode: number | undefined;
  readonly drMode: string | undefined;
  /** sys/leader's raft indices: this node's own log, committed and applied (absent without raft storage). */
  readonly raftCommittedIndex: number | undefined;
  readonly raftAppliedIndex: number | undefined;
  readonly problem: string | undefined;
  /** sys/health's own words, for a node whose code says otherwise (a DR secondary's standbys all answer 472). */
  readonly haConnectionHealthy?: boolean;
  readonly removedFromCluster?: boolean;
  /** sys/health's `sealed`: e.g. a standby after secondary/enable, until unsealed with the primary's keys. */
  readonly sealed?: boolean;
}

/**
 * 474 (or `ha_connection_healthy: false`): a standby whose heartbeats do not reach the active node;
 * 530 (or `removed_from_cluster`): a node removed from raft. On a DR secondary the code is 472 for
 * every node, so the fields decide there. A sealed node has no replication state to report
 * (its modes read "unknown") until someone unseals it.
 */
export function exclusionOf(report: NodeReport): NodeExclusion | undefined {
  if (!report.reachable) return 'unreachable';
  if (report.sealed) return 'sealed';
  if (report.healthCode === 530 || report.removedFromCluster) return 'removed';
  if (report.healthCode === 474 || report.haConnectionHealthy === false) return 'partitioned';
  return undefined;
}

export type HaErrorKind = 'no-active-node' | 'not-settled';

/**
 * The node that leads a settled cluster (HaVaultClient.settle), or undefined while its nodes'
 * reports do not show it settled: exactly one node confirms itself active (`active` is its own
 * is_self, asked at its own address), every answer that can speak for the cluster is in DR mode
 * `mode` (without one, the leader's), and the answers that cannot hear the leader (unreachable,
 * 474, 530) are no more than those that speak, the leader's own among them.
 *
 * Not a strict majority: raft steps a leader down once it cannot reach a quorum, so the leader's
 * own is_self answers for one. Behind a balancer the laptop sees two answers, the leader's and one
 * from whichever node the balancer picked; a standby cut off from the leader picked there must not
 * outvote it (it held the settle for its whole timeout). More answers that cannot hear the leader
 * than answers that can still mean it is about to lose its quorum: wait.
 */
export function settledLeader(reports: readonly NodeReport[], mode?: string): NodeReport | undefined {
  const leading = reports.filter((r) => r.active);
  const speaking = reports.filter((r) => exclusionOf(r) === undefined);
  // Sealed nodes wait for a person with the unseal keys, not for time: the active node speaks without them.
  const voting = reports.filter((r) => !r.sealed);
  const wanted = mode ?? leading[0]?.drMode;
  const settled =
    leading.length === 1 &&
    wanted !== undefined &&
    speaking.every((r) => r.drMode === wanted) &&
    speaking.length * 2 >= voting.length;
  return settled ? leading[0] : undefined;
}

/** Why a node is left out of "every node reports the mode": it cannot speak for the cluster now. */
export type NodeExclusion = 'unreachable' | 'partitioned' | 'removed' | 'sealed';

export interface HaVaultClient extends VaultClient {
  /** The active node's address, once resolved. */
  readonly activeAddress: string | undefined;
  /** Asks every known node who leads; `redirect` (a 307's Location) is one more candidate. */
  resolveActive(redirect?: string): Promise<Result<string, HaErrorKind>>;
  /** Every node's report, as the dashboard and `status` show them. */
  nodes(): Promise<readonly NodeReport[]>;
  /**
   * Waits (backing off, up to `timeoutMs`) until exactly one node leads and every node reports
   * DR mode `mode` (without one, the mode the leader reports): after a promotion or a demotion
   * standbys lag and nobody answers but 503 for a while. Unreachable, partitioned (474) and
   * removed (530) nodes are reported but not waited for, as long as they are no more than the
   * nodes answering with the mode (raft gives the others the new state when they rejoin). Sealed nodes
   * (standbys after secondary/enable) are reported, and neither waited for nor counted.
   */
  settle(mode?: string, timeoutMs?: number): Promise<Result<readonly NodeReport[], HaErrorKind>>;
}

export const SETTLE_TIMEOUT_MS = 120_000;
/** What the room can do when the nodes answer but none names a leader. */
const ELECTING =
  ", and none names a leader: the cluster is electing one (it takes seconds) or has lost its quorum. Retry in a moment; if none leads by then, check its nodes ('vault operator raft list-peers')";
/** After "N of M answers came from a sealed node". */
const SEALED =
  ", which cannot say who leads: unseal it with the cluster's keys, or list the nodes themselves in the profile)";
/** sys/leader is asked this many times in all while a sealed node answers (a balancer may pick another next). */
const LEADER_TRIES = 3;
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2_000;
/** A read answered 503 is tried this many times in all (about 1.5 s of backoff). */
const READ_TRIES = 5;

export function isHaClient(client: VaultClient): client is HaVaultClient {
  return 'resolveActive' in client;
}

/** Connects every known address first, so calls made before any resolution go to the first one. */
export async function createHaClient(options: HaClientOptions): Promise<HaVaultClient | undefined> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const clients = new Map<string, VaultClient>();
  const clientFor = async (address: string) => {
    const key = origin(address);
    if (!clients.has(key)) {
      const c = await options.connect(key);
      if (c) clients.set(key, c);
    }
    return clients.get(key);
  };
  const known = [...new Set(options.addresses.map(origin))];
  for (const address of known) await clientFor(address);
  const connected = clients.get(known[0] ?? '');
  if (!connected) return undefined;
  const first: VaultClient = connected;
  let active: string | undefined;
  /** The leader addresses known nodes named in the last resolution: the one hop beyond them allowed. */
  let named = new Set<string>();
  const current = () => (active === undefined ? undefined : clients.get(active)) ?? first;

  const writes = <T extends object>(endpoints: T): T =>
    explainingLoops(endpoints, current().address, options.profileName);

  /** A read on the current node, retried on 503 and following at most one redirect (see the header). */
  async function read<T>(call: (c: VaultClient) => Promise<VaultResult<T>>): Promise<VaultResult<T>> {
    let wait = FIRST_BACKOFF_MS;
    for (let tries = 1; ; tries += 1) {
      const from = current();
      const answer = await call(from);
      if (!answer.ok && isRedirect(answer.error.status)) return follow(from.address, answer.error, call);
      if (answer.ok || !findsNoLeader(answer.error) || tries >= READ_TRIES) return answer;
      await sleep(wait);
      wait = Math.min(wait * 2, MAX_BACKOFF_MS);
    }
  }

  async function follow<T>(
    from: string,
    redirect: VaultError,
    call: (c: VaultClient) => Promise<VaultResult<T>>,
  ): Promise<VaultResult<T>> {
    const location = redirect.location ?? '';
    const target = origin(location);
    const refuse = (why: string): VaultResult<T> => ({
      ok: false,
      error: {
        ...redirect,
        kind: 'unexpected-response',
        message: `Vault at ${from} redirected a read to ${location || '(no Location)'} (HTTP ${redirect.status}, profile '${options.profileName}'). ${why}`,
      },
    });
    if (!isHttps(location)) return refuse('Refused: a redirect must stay on https.');
    if (target === origin(from)) return refuse(loopAdvice(options.profileName, from));
    if (!known.includes(target) && !named.has(target))
      return refuse(
        `Refused: ${target} is neither a node of profile '${options.profileName}' nor the leader its nodes name; add it to the profile if it belongs to the cluster.`,
      );
    // The same call at the target's origin: Vault's Location keeps the request's path and query.
    const c = await clientFor(target);
    if (!c) return refuse(`No client could be made for ${target}.`);
    const again = await call(c);
    if (!again.ok && isRedirect(again.error.status)) return refuse(loopAdvice(options.profileName, target));
    return again;
  }

  /**
   * Each address's sys/leader; one answered by a sealed node is asked again (up to LEADER_TRIES in
   * all): behind a balancer the next request may reach an unsealed node, which knows who leads.
   */
  async function leaders(addresses: readonly string[]) {
    return Promise.all(
      addresses.map(async (address) => {
        const c = await clientFor(address);
        if (!c) return { address, answer: unreachable(address), sealed: 0, tries: 1 };
        let sealed = 0;
        for (let tries = 1; ; tries += 1) {
          const answer = await c.leader();
          if (answer.ok || !fromSealedNode(answer.error)) return { address, answer, sealed, tries };
          sealed += 1;
          if (tries >= LEADER_TRIES) return { address, answer, sealed, tries };
        }
      }),
    );
  }

  async function resolveActive(redirect?: string): Promise<Result<string, HaErrorKind>> {
    const asked = await leaders(known);
    const claims = (answers: typeof asked) =>
      answers.flatMap(({ address, answer }) =>
        answer.ok && speaksForItself(address, answer.value.data) ? [{ address, leader: answer.value.data }] : [],
      );
    // One hop beyond the known addresses: the leader they name (e.g. behind a balancer), or a redirect.
    const leaderAddresses = asked.flatMap(({ answer }) => (answer.ok ? [answer.value.data.leader_address] : []));
    named = new Set(leaderAddresses.filter(isHttps).map(origin));
    const hops = [...new Set([...leaderAddresses, ...(redirect ? [redirect] : [])].filter(isHttps).map(origin))].filter(
      (h) => !known.includes(h),
    );
    const found = [...claims(asked), ...claims(await leaders(hops))];
    const leader = found.sort((a, b) => activeTime(b.leader) - activeTime(a.leader))[0];
    if (!leader) {
      const why = asked.map(({ address, answer, sealed, tries }) => {
        const said = !answer.ok
          ? `${address}: ${answer.error.message}`
          : origin(answer.value.data.leader_address) === address
            ? `${address}: answered by a standby that names ${address} itself as the leader: ${balancerAdvice(options.profileName)}`
            : `${address}: not active`;
        return sealed === 0 ? said : `${said} (${sealed} of ${tries} answers came from a sealed node${SEALED}`;
      });
      // Answering, yet naming no leader: what Vault says while its nodes elect one (sys/leader's leader_address "").
      const electing =
        asked.some(({ answer }) => answer.ok) &&
        !asked.some(({ answer }) => answer.ok && answer.value.data.leader_address);
      return err(
        'no-active-node',
        `no node of '${options.profileName}' reports itself active (${why.join('; ')})${electing ? ELECTING : ''}`,
      );
    }
    active = leader.address;
    return ok(leader.address);
  }

  async function nodes(): Promise<readonly NodeReport[]> {
    const addresses = [...new Set([...known, ...(active ? [active] : [])])];
    return Promise.all(
      addresses.map(async (address): Promise<NodeReport> => {
        const c = (await clientFor(address)) ?? first;
        const [leader, health] = await Promise.all([c.leader(), c.health()]);
        // Any HTTP answer (a 503 while settling too) means the node is up.
        const reachable = leader.ok || health.ok || health.error.status !== undefined;
        return {
          address,
          reachable,
          active: leader.ok && speaksForItself(address, leader.value.data),
          healthCode: health.ok ? health.value.status : health.error.status,
          drMode: health.ok ? health.value.data.replication_dr_mode : undefined,
          raftCommittedIndex: leader.ok ? leader.value.data.raft_committed_index : undefined,
          raftAppliedIndex: leader.ok ? leader.value.data.raft_applied_index : undefined,
          problem: leader.ok ? undefined : leader.error.message,
          ...(health.ok && health.value.data.ha_connection_healthy !== undefined
            ? { haConnectionHealthy: health.value.data.ha_connection_healthy }
            : {}),
          ...(health.ok && health.value.data.removed_from_cluster !== undefined
            ? { removedFromCluster: health.value.data.removed_from_cluster }
            : {}),
          ...(health.ok && health.value.data.sealed ? { sealed: true } : {}),
        };
      }),
    );
  }

  async function settle(mode?: string, timeoutMs = SETTLE_TIMEOUT_MS) {
    const deadline = now() + timeoutMs;
    let wait = FIRST_BACKOFF_MS;
    for (;;) {
      // Behind a balancer the nodes are not known addresses: the leader they name is asked too (one hop).
      await resolveActive();
      const reports = await nodes();
      const leader = settledLeader(reports, mode);
      if (leader) {
        active = leader.address;
        return ok(reports);
      }
      if (now() + wait > deadline) {
        const seen = reports.map(
          (r) => `${r.address} ${r.active ? 'active' : 'standby'} ${exclusionOf(r) ?? r.drMode ?? '?'}`,
        );
        return err(
          'not-settled',
          `'${options.profileName}' did not settle within ${Math.round(timeoutMs / 1000)} s with one active node and every node ${mode ? `'${mode}'` : 'in its DR mode'}: ${seen.join(', ')}`,
        );
      }
      await sleep(wait);
      wait = Math.min(wait * 2, MAX_BACKOFF_MS);
    }
  }

  return {
    profileName: options.profileName,
    get address() {
      return active ?? known[0]!;
    },
    get activeAddress() {
      return active;
    },
    get generateRoot() {
      return { ...writes(current().generateRoot), status: () => read((c) => c.generateRoot.status()) };
    },
    get generateRecoveryToken() {
      return {
        ...writes(current().generateRecoveryToken),
        status: () => read((c) => c.generateRecoveryToken.status()),
      };
    },
    get drOperationToken() {
      return { ...writes(current().drOperationToken), status: () => read((c) => c.drOperationToken.status()) };
    },
    get dr() {
      return { ...writes(current().dr), status: () => read((c) => c.dr.status()) };
    },
    get performance() {
      return { ...writes(current().performance), status: () => read((c) => c.performance.status()) };
    },
    replicationStatus: () => read((c) => c.replicationStatus()),
    health: (query) => current().health(query),
    sealStatus: () => current().sealStatus(),
    leader: () => current().leader(),
    decodeToken: (o) => current().decodeToken(o),
    resolveActive,
    nodes,
    settle,
    close: () => {
      for (const c of clients.values()) c.close();
      clients.clear();
    },
  };
}

/** `https://host:port`, lowercased, without a path: how nodes are compared and named. */
export function origin(address: string): string {
  if (address === '') return '';
  try {
    const u = new URL(address);
    return `${u.protocol}//${u.host}`.toLowerCase();
  } catch {
    return address;
  }
}

/**
 * 503, or the 500 a forwarding standby answers while no node leads ("local node not active but
 * active cluster node not found"; older Vault: "node not active but active node not found").
 */
function findsNoLeader(error: VaultError): boolean {
  return (
    error.status === 503 ||
    (error.status === 500 && (error.errors ?? []).some((e) => /active (cluster )?node not found/.test(e)))
  );
}

/** sys/leader on a sealed node: core.Leader fails with ErrSealed, which Vault answers 503 "Vault is sealed". */
function fromSealedNode(error: VaultError): boolean {
  return error.status === 503 && (error.errors ?? []).some((e) => /Vault is sealed/.test(e));
}

function isRedirect(status: number | undefined): boolean {
  return status === 307 || status === 308;
}

function loopAdvice(profileName: string, address: string): string {
  return `Redirect loop: ${address} sends requests back to itself. ${balancerAdvice(profileName)}`;
}

function balancerAdvice(profileName: string): string {
  return `The nodes' api_addr names the load balancer, so a standby sends clients back to it. Set each node's api_addr to its own address, or list the nodes themselves in profile '${profileName}'.`;
}

type AnyCall = (...args: never[]) => Promise<VaultResult<unknown>>;

/**
 * The endpoints with every write's 307 back to the address that sent it named as the api_addr
 * loop it is (writes are never followed; the generic redirect advice would point at the balancer).
 */
function explainingLoops<T extends object>(endpoints: T, from: string, profileName: string): T {
  const wrap = (value: unknown): unknown => {
    if (typeof value === 'object' && value !== null) return explainingLoops(value, from, profileName);
    if (typeof value !== 'function') return value;
    return async (...args: never[]) => {
      const answer = await (value as AnyCall)(...args);
      if (answer.ok || !isRedirect(answer.error.status) || origin(answer.error.location ?? '') !== origin(from))
        return answer;
      // The client's first sentence names the request and where it was sent; its advice is replaced.
      return {
        ok: false,
        error: { ...answer.error, message: `${answer.error.message.split('. ')[0]}. ${loopAdvice(profileName, from)}` },
      };
    };
  };
  return Object.fromEntries(Object.entries(endpoints).map(([name, value]) => [name, wrap(value)])) as T;
}

/** Never from https to plain http: a redirect or leader address must keep TLS. */
function isHttps(address: string): boolean {
  return address.toLowerCase().startsWith('https://');
}

function unreachable(address: string): VaultResult<Leader> {
  return { ok: false, error: { kind: 'invalid-request', message: `no client could be made for ${address}` } };
}

/**
 * A node speaks for itself only: a balancer's answer comes from whichever node it picked, so an
 * `is_self` counts only where the leader address it gives is the address asked (or empty).
 */
function speaksForItself(address: string, leader: Leader): boolean {
  return leader.is_self && [address, ''].includes(origin(leader.leader_address));
}

function activeTime(leader: Leader): number {
  const t = Date.parse(leader.active_time ?? '');
  return Number.isNaN(t) ? 0 : t;
}
