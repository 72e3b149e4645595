/**
 * Fault injection for rehearsal drills and tests: an in-process API, deliberately not reachable
 * over HTTP. Restart a cluster (losing the generation attempt, as Vault does), take it down
 * and back up, slow or drop its responses, cut it off from replication, cancel or replace the
 * attempt as "someone else", and make promote insist on `force`.
 */
import { randomBytes } from 'node:crypto';
import { generateOtp } from '../shared/codecs/otp';
import type { Cluster, HaMembership } from './cluster';
import type { ApiRequest } from './http-api';
import type { ReplicationNetwork } from './replication';
import type { ResponseFault } from './server';

/**
 * The clusters a rehearsal can run: the primary, its DR secondary (dc2), a second DR secondary
 * (dc3), a performance secondary, and the performance secondary's own DR secondary.
 */
export type ClusterRole =
  'primary' | 'drSecondary' | 'dc3DrSecondary' | 'performanceSecondary' | 'performanceDrSecondary';

export interface ResponseFaultOptions {
  /** Only requests whose path (after /v1/) matches; all when omitted. */
  readonly path?: RegExp;
  /** How many matching responses to affect; every one when omitted. */
  readonly times?: number;
}

interface Rule extends ResponseFault {
  readonly path: RegExp | undefined;
  remaining: number;
}

/** A cluster's listeners, all of its nodes at once. */
export interface ClusterListeners {
  start(): Promise<unknown>;
  stop(): Promise<void>;
}

export interface FaultTargets {
  cluster(role: ClusterRole): Cluster;
  server(role: ClusterRole): ClusterListeners;
  readonly network: ReplicationNetwork;
}

export class RehearsalFaults {
  private readonly rules = new Map<ClusterRole, Rule[]>();

  constructor(private readonly targets: FaultTargets) {}

  /** Answers after `ms` milliseconds (the request itself is handled at once). */
  delayResponses(role: ClusterRole, ms: number, options: ResponseFaultOptions = {}): void {
    this.addRule(role, { delayMs: ms }, options);
  }

  /** Handles the request but closes the connection instead of answering: the client never learns the outcome. */
  dropResponses(role: ClusterRole, options: ResponseFaultOptions = {}): void {
    this.addRule(role, { drop: true }, options);
  }

  clearResponseFaults(role?: ClusterRole): void {
    if (role) this.rules.delete(role);
    else this.rules.clear();
  }

  /** Used by the cluster's server for each request. */
  faultFor(role: ClusterRole, request: ApiRequest): ResponseFault | undefined {
    const rule = this.rules.get(role)?.find((r) => r.remaining > 0 && (!r.path || r.path.test(request.path)));
    if (!rule) return undefined;
    rule.remaining -= 1;
    return { ...(rule.delayMs ? { delayMs: rule.delayMs } : {}), ...(rule.drop ? { drop: true } : {}) };
  }

  /** Stops and restarts the cluster on the same port; in-memory state is lost. */
  async restart(role: ClusterRole, options: { sealed?: boolean } = {}): Promise<void> {
    await this.takeDown(role);
    this.targets.cluster(role).restart(options.sealed ?? false);
    await this.bringUp(role);
  }

  /** The cluster stops answering (connections refused) and stops replicating. */
  async takeDown(role: ClusterRole): Promise<void> {
    this.targets.cluster(role).up = false;
    await this.targets.server(role).stop();
  }

  async bringUp(role: ClusterRole): Promise<void> {
    await this.targets.server(role).start();
    this.targets.cluster(role).up = true;
    this.targets.network.catchUpAll();
  }

  /** A partition around the cluster: replication to and from it stops (connection_state changes). */
  cutReplication(role: ClusterRole = 'drSecondary'): void {
    this.targets.network.cut(this.targets.cluster(role));
  }

  restoreReplication(role: ClusterRole = 'drSecondary'): void {
    this.targets.network.restore(this.targets.cluster(role));
  }

  /** Someone else cancels the attempt in progress (DELETE …/attempt). */
  cancelAttempt(role: ClusterRole = 'drSecondary'): void {
    this.targets.cluster(role).slot.clear();
  }

  /** Someone else cancels and starts their own attempt: the nonce changes under the officers. */
  async replaceAttempt(role: ClusterRole = 'drSecondary'): Promise<string> {
    const cluster = this.targets.cluster(role);
    const family = cluster.slot.current?.family ?? (cluster.isDrSecondary ? 'dr-operation-token' : 'root');
    cluster.slot.clear();
    const otp = generateOtp(cluster.otpLength, randomBytes);
    if (!otp.ok) throw new Error(otp.error.message);
    const r = await cluster.slot.start(family, { otp: otp.value });
    if (!r.ok) throw new Error(`could not start the replacement attempt: ${r.error.message}`);
    return r.value.nonce;
  }

  /**
   * The node answers sys/health as a standby (429), a standby that lost the active node (474),
   * or a node removed from its raft cluster (530), so the dashboard's verdicts can be rehearsed.
   */
  setHaMembership(role: ClusterRole, membership: HaMembership): void {
    this.targets.cluster(role).haMembership = membership;
  }

  /**
   * The DR secondary follows no primary, as update-primary with `token: ""` leaves it: so a drill can
   * have Vault not act on an update-primary whose answer the laptop never got.
   */
  forgetPrimary(role: ClusterRole): void {
    const forgot = this.targets.network.updatePrimary(this.targets.cluster(role), 'dr', {
      token: '',
      updatePrimaryAddrs: undefined,
    });
    if (!forgot.ok) throw new Error(forgot.error.message);
  }

  /** Promote answers 503 "still catching up" unless `force` is set. */
  requireForceToPromote(on = true): void {
    this.targets.network.requireForceToPromote = on;
  }

  /** A write on the primary, so WALs move (and lag behind while replication is cut). */
  writeOnPrimary(path = 'rehearsal/drill', data: Record<string, unknown> = { at: new Date().toISOString() }): void {
    const primary = this.targets.cluster('primary');
    primary.storage.kv.set(path, data);
    primary.recordWrite();
  }

  private addRule(role: ClusterRole, fault: ResponseFault, options: ResponseFaultOptions): void {
    const list = this.rules.get(role) ?? [];
    list.push({ ...fault, path: options.path, remaining: options.times ?? Number.POSITIVE_INFINITY });
    this.rules.set(role, list);
  }
}
