/**
 * A client for an HA cluster: every call goes to the node found active by the last
 * `resolveActive()`, which asks sys/leader on every known node. sys/leader, not sys/health:
 * on a DR secondary every node (standbys too) answers health with 472, so the health code
 * cannot tell the active node; `is_self` (the newest `active_time` if two claim it) can.
 *
 * Addresses the cluster gives (a leader_address seen through a load balancer, a 307's Location)
 * are taken only over https and only one hop from a known node: nothing is followed further.
 * The generation attempt lives in the active node's memory alone, so callers re-resolve before
 * each attempt call and compare the node with the one the attempt was started on.
 */
import { err, ok, type Result } from '../../../shared/result';
import type { VaultClient } from './client';
import type { Leader, VaultResult } from './types';

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
  readonly raftCommittedIndex: number | undefined;
  readonly problem: string | undefined;
}

export type HaErrorKind = 'no-active-node' | 'not-settled';

export interface HaVaultClient extends VaultClient {
  /** The active node's address, once resolved. */
  readonly activeAddress: string | undefined;
  /** Asks every known node who leads; `redirect` (a 307's Location) is one more candidate. */
  resolveActive(redirect?: string): Promise<Result<string, HaErrorKind>>;
  /** Every node's report, as the dashboard and `status` show them. */
  nodes(): Promise<readonly NodeReport[]>;
  /**
   * Waits (backing off, up to `timeoutMs`) until exactly one node leads and every node reports
   * DR mode `mode`: after a promotion standbys lag and nobody answers but 503 for a while.
   */
  settle(mode: string, timeoutMs?: number): Promise<Result<readonly NodeReport[], HaErrorKind>>;
}

export const SETTLE_TIMEOUT_MS = 120_000;
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2_000;

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
  const current = () => (active === undefined ? undefined : clients.get(active)) ?? first;

  async function leaders(addresses: readonly string[]) {
    return Promise.all(
      addresses.map(async (address) => {
        const c = await clientFor(address);
        return { address, answer: c ? await c.leader() : unreachable(address) };
      }),
    );
  }

  async function resolveActive(redirect?: string): Promise<Result<string, HaErrorKind>> {
    const asked = await leaders(known);
    // A node speaks for itself only: a balancer's answer comes from whichever node it picked.
    const claims = (answers: typeof asked) =>
      answers.flatMap(({ address, answer }) =>
        answer.ok && answer.value.data.is_self && [address, ''].includes(origin(answer.value.data.leader_address))
          ? [{ address, leader: answer.value.data }]
          : [],
      );
    // One hop beyond the known addresses: the leader they name (e.g. behind a balancer), or a redirect.
    const named = asked.flatMap(({ answer }) => (answer.ok ? [answer.value.data.leader_address] : []));
    const hops = [...new Set([...named, ...(redirect ? [redirect] : [])].filter(isHttps).map(origin))].filter(
      (h) => !known.includes(h),
    );
    const found = [...claims(asked), ...claims(await leaders(hops))];
    const leader = found.sort((a, b) => activeTime(b.leader) - activeTime(a.leader))[0];
    if (!leader) {
      const why = asked.map(({ address, answer }) =>
        answer.ok ? `${address}: not active` : `${address}: ${answer.error.message}`,
      );
      return err('no-active-node', `no node of '${options.profileName}' reports itself active (${why.join('; ')})`);
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
          active: leader.ok && leader.value.data.is_self,
          healthCode: health.ok ? health.value.status : health.error.status,
          drMode: health.ok ? health.value.data.replication_dr_mode : undefined,
          raftCommittedIndex: leader.ok ? leader.value.data.raft_committed_index : undefined,
          problem: leader.ok ? undefined : leader.error.message,
        };
      }),
    );
  }

  async function settle(mode: string, timeoutMs = SETTLE_TIMEOUT_MS) {
    const deadline = now() + timeoutMs;
    let wait = FIRST_BACKOFF_MS;
    for (;;) {
      const reports = await nodes();
      const leading = reports.filter((r) => r.active);
      if (leading.length === 1 && reports.every((r) => r.reachable && r.drMode === mode)) {
        active = leading[0]!.address;
        return ok(reports);
      }
      if (now() + wait > deadline) {
        const seen = reports.map((r) => `${r.address} ${r.active ? 'active' : 'standby'} ${r.drMode ?? '?'}`);
        return err(
          'not-settled',
          `'${options.profileName}' did not settle within ${Math.round(timeoutMs / 1000)} s with one active node and every node '${mode}': ${seen.join(', ')}`,
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
      return current().generateRoot;
    },
    get generateRecoveryToken() {
      return current().generateRecoveryToken;
    },
    get drOperationToken() {
      return current().drOperationToken;
    },
    get dr() {
      return current().dr;
    },
    get performance() {
      return current().performance;
    },
    replicationStatus: () => current().replicationStatus(),
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

/** Never from https to plain http: a redirect or leader address must keep TLS. */
function isHttps(address: string): boolean {
  return address.toLowerCase().startsWith('https://');
}

function unreachable(address: string): VaultResult<Leader> {
  return { ok: false, error: { kind: 'invalid-request', message: `no client could be made for ${address}` } };
}

function activeTime(leader: Leader): number {
  const t = Date.parse(leader.active_time ?? '');
  return Number.isNaN(t) ? 0 : t;
}
