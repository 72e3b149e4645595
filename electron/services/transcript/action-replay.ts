/**
 * A service result, or a resume, checked against the Vault answers recorded before it. The laptop
 * derives each result from Vault's answers in ceremony-actions.ts (performAction), and a resume's
 * reading in resume-reading.ts; `verify` runs that same code again, against a Vault that gives the
 * recorded answers and a journal that holds the recorded entries. It must record the same entries
 * (the same calls, with the same bodies, the answers as the laptop writes them, the same leader
 * changes and settled clusters) and reach the result recorded (as admittedEvent records it), or
 * the reading the resume records. So an answer changed (an error where Vault succeeded, another
 * mode, another attempt) without its result, a result without its answers, or a call added,
 * dropped or moved breaks the replay. A crash (an interruption) may stop a run after any entry.
 *
 * What the laptop had besides Vault's answers is taken as the record gives it: the secrets the
 * replayed state holds (stand-ins, whose values the journal never holds: a request's secret
 * fields are compared as redacted), the share whose commitment the result records, an HA
 * cluster's leader as its `active-node` entries and requests name it (one the record named as
 * leader before) and, when a result fails before anything is recorded, a profile not connected.
 * The clusters a promote asks whether they still report DR primary are the plan's peer_profiles,
 * not those the record reads: a record that leaves a peer's read out, or reads another, is not
 * the laptop's.
 * What a run concludes without a Vault call or a record (decoding the token from the secrets)
 * cannot be checked, nor a fact taken from a secret's value (an activation token's digest; the
 * primary it names, taken as any the record leaves possible), nor an answer's fields no result
 * depends on, nor a run past an answer recorded as NOT_JSON (too deep to record: the transcript
 * shows that much).
 */
import type { CeremonyEvent, ServiceAction } from '../../../shared/ceremony/ceremony-events';
import type { CeremonyState } from '../../../shared/ceremony/ceremony-machine';
import type { SecretName } from '../../../shared/ceremony/ceremony-steps';
import { isRedactedForm, REDACTED, redact } from '../../../shared/record/redaction';
import {
  canonicalDataJson,
  type JournalEvent,
  type JsonObject,
  type JsonValue,
  type VerifiedChain,
} from '../../../shared/record/journal-event';
import { err, ok, type Result } from '../../../shared/result';
import {
  ACTIVE_NODE,
  admittedEvent,
  CLUSTER_SETTLED,
  VAULT_REQUEST,
  VAULT_RESPONSE,
} from '../ceremony/ceremony-record';
import { NOTHING_SENT, performAction, type ActionContext, type PendingShare } from '../ceremony/ceremony-actions';
import { NOT_JSON } from '../ceremony/recorded-call';
import { resumeReading } from '../ceremony/resume-reading';
import type { EventInput, JournalErrorKind } from '../journal/journal';
import type { VaultClient } from '../vault/client';
import { settledLeader, type HaErrorKind, type NodeReport } from '../vault/ha-client';
import type { VaultResult } from '../vault/types';

/** One run of the laptop's between two ceremony events: the entries it recorded, `events[from..to)`, and what follows them. */
export interface RecordedRun {
  readonly state: CeremonyState;
  readonly events: readonly JournalEvent[];
  readonly from: number;
  /** The event the run ends in (a service result, a resume), or the interruption a crash left after it. */
  readonly to: number;
  /**
   * The profiles of HA clusters, each with the leaders the laptop's clients of it know as the
   * record has them before the run (one a client, the one learnt last at the end).
   */
  readonly leaders: ReadonlyMap<string, readonly string[]>;
}

/** The run of `action`, ending in its service result. */
export interface ActionRun extends RecordedRun {
  readonly action: ServiceAction;
}

/** Why the run's recorded entries and result are not what performAction gives for its recorded answers, or undefined. */
export async function actionMismatch(run: ActionRun): Promise<string | undefined> {
  let first: string | undefined;
  const activations = activationStandIns(run);
  // Indexed, not `for of`: no iterator for each of a long record's runs.
  for (let i = 0; i < activations.length; i++) {
    const problem = await mismatchWith(run, activations[i]!);
    if (problem === undefined) return undefined;
    first ??= problem;
  }
  return first;
}

async function mismatchWith(run: ActionRun, activation: string): Promise<string | undefined> {
  const connected = await replayAction(run, true, activation);
  if (connected === undefined || run.from !== run.to) return connected;
  // A profile not connected fails the action before anything is recorded: the record cannot say, so that is tried too.
  return (await replayAction(run, false, activation)) === undefined ? undefined : connected;
}

/**
 * The activation tokens the run is replayed with. An update-primary operation whose primary is the
 * one its activation token names (the plan names none) decides whether a failed call, or an
 * earlier unanswered one, was made by whether the cluster now follows that primary: an address
 * inside the secret token, which the record does not hold. The run may have been made with any
 * token, so it is replayed with one naming no primary (any will do), each primary its status
 * answers name, and one naming none of them; it is the laptop's if one of them gives the record.
 */
function activationStandIns(run: ActionRun): readonly string[] {
  const { action } = run;
  if (
    action.kind !== 'replication-operation' ||
    action.operation.id !== 'update-primary' ||
    action.operation.method !== 'token' ||
    action.operation.primary_api_addr !== undefined
  )
    return [STAND_IN];
  const status = `sys/replication/${action.operation.replication}/status`;
  const named = run.events
    .slice(run.from, run.to)
    .filter((e) => e.type === VAULT_RESPONSE && e.details.path === status)
    .flatMap((e) => {
      const primaries = (e.details.data as { primaries?: unknown } | null)?.primaries;
      return Array.isArray(primaries) ? primaries.map((p: { api_address?: unknown } | null) => p?.api_address) : [];
    })
    .filter((address): address is string => typeof address === 'string');
  // The plain stand-in names no primary: the laptop then takes any primary as the token's.
  return [STAND_IN, ...[...new Set(named)].slice(0, MAX_NAMED_PRIMARIES).concat(NO_ADDRESS).map(naming)];
}

/** A cluster follows one primary, so a run's answers name few: more would only make a hostile record slow to replay. */
const MAX_NAMED_PRIMARIES = 8;

/** A claim no status answer's address can match (it is not a URL): the token's primary is none of them. */
const NO_ADDRESS = '(a primary none of its answers name)';

/** An activation token's stand-in whose `addr` claim is `address`, as ceremony-actions.ts's activationAddress reads it. */
function naming(address: string): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o), 'utf8').toString('base64url');
  return `${part({})}.${part({ addr: address })}.${part({})}`;
}

/**
 * Why the reads after an interruption, and the resume event they end in, are not what the laptop's
 * recovery (resume-reading.ts) records and reads from Vault's recorded answers, or undefined.
 */
export async function resumeMismatch(run: RecordedRun): Promise<string | undefined> {
  const played = await play(run, true, (p) =>
    resumeReading(p.journal, { [run.state.plan.profile]: p.client(run.state.plan.profile)! }, run.state),
  );
  const resumed = ended(run)?.details.event as JsonObject | undefined;
  if (!played.ok || !resumed || !played.value.ok) return played.ok ? undefined : played.problem;
  const unread = unreadEntry(run, played.at);
  if (unread) return unread;
  const shown = (reading: { attemptStatus?: unknown; mode?: unknown; follows?: unknown }) =>
    canonicalDataJson({
      attemptStatus: (reading.attemptStatus ?? null) as JsonValue,
      mode: (reading.mode ?? null) as JsonValue,
      follows: (reading.follows ?? null) as JsonValue,
    });
  const [recorded, read] = [shown(resumed), shown(played.value.value)];
  return recorded === read
    ? undefined
    : `resumes with Vault's reading ${recorded}, but the laptop, given the Vault answers recorded before it, reads ${read}`;
}

/** Thrown into the laptop's code to end a replay: with a problem, or none when a crash ended the run there. */
class Stop extends Error {
  constructor(readonly problem: string | undefined) {
    super(problem ?? 'the record ends here');
  }
}

/** A secret's stand-in: its value is not in the record, and it redacts to REDACTED like any value the journal hides. */
const STAND_IN = '(replayed secret)';

/** The event the run ends in, unless a crash ended it. */
function ended(run: RecordedRun): JournalEvent | undefined {
  const closing = run.events[run.to];
  return closing && closing.details.event !== undefined ? closing : undefined;
}

/** The first entry of the run the laptop's code did not record, named, or undefined. */
function unreadEntry(run: RecordedRun, at: number): string | undefined {
  const extra = run.events[at];
  if (at >= run.to || !extra) return undefined;
  return `follows event ${extra.seq} (${extra.type}: ${describe(extra.details)}), which the laptop, given the Vault answers recorded before it, does not record there`;
}

/**
 * Runs `go` (the laptop's code) over the recorded run: every entry it records must be the next one
 * recorded, every answer it is given is the one recorded after its request. `asked` says whether it
 * recorded anything or asked a cluster who leads; `at`, the first entry it did not reach.
 */
async function play<T>(
  run: RecordedRun,
  connected: boolean,
  go: (p: Playback) => Promise<T>,
): Promise<{ ok: true; value: T; asked: boolean; at: number } | { ok: false; problem: string | undefined }> {
  const p = new Playback(run, connected);
  try {
    const value = await go(p);
    return { ok: true, value, asked: p.asked, at: p.at };
  } catch (e) {
    if (e instanceof Stop) return { ok: false, problem: e.problem };
    const answered = run.events[p.at - 1];
    return {
      ok: false,
      problem: `follows Vault's answer of event ${answered?.seq ?? '?'}, which is not one the laptop can have acted on (${e instanceof Error ? e.message : String(e)})`,
    };
  }
}

/**
 * What the laptop's code is given when it runs again over a recorded run: the journal it records
 * in (this, by its `chain` and `append`) and its clients. A class, not closures made for each run:
 * a record of 10,000 events is thousands of runs, and each made a dozen of them, and a getter.
 */
class Playback {
  /** The first entry of the run the laptop's code has not reached. */
  at: number;
  /** Whether it recorded anything or asked a cluster who leads. */
  asked = false;
  /** The event the run ends in, unless a crash ended it. */
  readonly result: JournalEvent | undefined;
  private readonly clients = new Map<string, VaultClient>();

  constructor(
    readonly run: RecordedRun,
    private readonly connected: boolean,
  ) {
    this.at = run.from;
    this.result = ended(run);
  }

  get journal(): ActionContext['journal'] {
    return this;
  }

  get chain(): Pick<VerifiedChain, 'events'> {
    return { events: this.run.events.slice(0, this.at) };
  }

  append(input: EventInput): Promise<Result<JournalEvent, JournalErrorKind>> {
    this.asked = true;
    const e = this.next(() => `a '${input.type}' (${describe(input.details)})`);
    const wrong = entryDifference(e, input);
    if (wrong) throw new Stop(`ends a run whose entries are not the laptop's: event ${e.seq} (${e.type}) ${wrong}`);
    return Promise.resolve(ok(e));
  }

  /** The client for `profile`, giving the recorded answers; undefined when the profile is taken as not connected. */
  client(profile: string): VaultClient | undefined {
    if (!this.connected) return undefined;
    const made = this.clients.get(profile) ?? replayClient(profile, () => this.answer(), haReplay(this, profile));
    this.clients.set(profile, made);
    return made;
  }

  /** The entry recorded next, which the laptop's code must record now. */
  private next(what: () => string): JournalEvent {
    if (this.at < this.run.to) return this.run.events[this.at++]!;
    throw new Stop(
      this.result &&
        `is recorded where the laptop, given the Vault answers recorded before it, first records ${what()}`,
    );
  }

  private answer(): Promise<VaultResult<unknown>> {
    const e = this.run.events[this.at];
    // A crash may have come before the answer; an answer too deep to record leaves nothing to replay.
    if (this.at >= this.run.to || e?.type !== VAULT_RESPONSE || e.details.data === NOT_JSON) throw new Stop(undefined);
    return Promise.resolve(answerOf(e.details));
  }
}

/** How the laptop's client of an HA cluster (one the record names) finds its leader, as `p`'s run records it. */
function haReplay(p: Playback, profile: string): HaReplay | undefined {
  const { run } = p;
  const { events } = run;
  const leaders = run.leaders.get(profile);
  if (leaders === undefined) return undefined;
  const ahead = (type: string, k = p.at) =>
    k < run.to && events[k]!.type === type && events[k]!.details.profile === profile ? events[k] : undefined;
  const named = (e: JournalEvent | undefined, field: string) => {
    const node = e?.details[field];
    return typeof node === 'string' ? node : undefined;
  };
  // Each of the laptop's clients (one per token it carries) knows a leader of its own, found by
  // resolving or settling, as the record's active-node entries show. Which one it knew before,
  // the record says: where its next entry went, or the leader a change of leader replaced. It
  // records every leader a client learns, so that must be one it names (or none: a new client).
  let active: { node: string | undefined } | undefined;
  const known = () => {
    if (active) return active;
    const next = ahead(ACTIVE_NODE) ?? ahead(VAULT_REQUEST);
    const node = next ? named(next, next.type === ACTIVE_NODE ? 'previous' : 'node') : leaders.at(-1);
    if (next && node !== undefined && !leaders.includes(node))
      throw new Stop(
        `ends a run whose event ${next.seq} (${next.type}) has the laptop's client of '${profile}' know ${node} as its leader, which the record does not name as one before it (${leaders.length > 0 ? `it names ${leaders.join(', ')}` : 'it names none'}): the laptop records every leader its clients learn`,
      );
    return (active = { node });
  };
  /** The leader a change of leader on the record makes the client know: it replaced the one the client knew. */
  const learn = (leader: { node: string | undefined }, change: JournalEvent) => {
    const previous = named(change, 'previous');
    if (previous !== leader.node)
      throw new Stop(
        `ends a run whose event ${change.seq} (active-node) records the leader of '${profile}' changing from ${previous ?? 'none'}, where the laptop's client knew ${leader.node ?? 'none'}: the laptop records the one its client knew`,
      );
    leader.node = named(change, 'node') ?? leader.node;
  };
  return {
    get active() {
      return known().node;
    },
    resolve() {
      p.asked = true;
      const leader = known();
      const change = ahead(ACTIVE_NODE);
      const node = named(change, 'node');
      if (change && node !== undefined) {
        learn(leader, change);
        return ok(node);
      }
      // Finding no leader, the laptop sends nothing (it says why), or reads where it last did.
      const reason = p.at === run.to && p.result ? failedReason(p.result) : undefined;
      if (reason?.endsWith(NOTHING_SENT)) return err('no-active-node', reason.slice(0, -NOTHING_SENT.length));
      return leader.node === undefined ? err('no-active-node', 'no node leads') : ok(leader.node);
    },
    settle(mode) {
      p.asked = true;
      const leader = known();
      const changed = ahead(ACTIVE_NODE);
      const settled = ahead(CLUSTER_SETTLED, changed ? p.at + 1 : p.at);
      if (!settled) throw new Stop(p.result && 'records this result without the cluster settling the laptop waits for');
      if (changed) learn(leader, changed);
      const d = settled.details;
      if (d.settled !== true) return err('not-settled', text(d.reason) ?? '');
      const reports = (Array.isArray(d.nodes) ? d.nodes : []).map(nodeReport);
      // The laptop waits until its nodes' reports show the cluster settled, and then knows the one active.
      const leading = settledLeader(reports, mode);
      if (leading?.address !== leader.node)
        throw new Stop(
          `ends a run whose event ${settled.seq} (cluster-settled) records '${profile}' settled with nodes the laptop does not take as settled${leading ? ` on the leader it knows (${leading.address} is active, where it knows ${leader.node ?? 'none'})` : mode ? ` (one active node, and those that can speak in DR mode '${mode}')` : " (one active node, and those that can speak in the leader's DR mode)"}`,
        );
      return ok(reports);
    },
  };
}

async function replayAction(run: ActionRun, connected: boolean, activation: string): Promise<string | undefined> {
  const { state } = run;
  const result = ended(run);
  const played = await play(run, connected, (p) =>
    performAction(new ReplayedContext(p, state, activation), state, run.action),
  );
  if (!played.ok) return played.problem;
  // performAction fails only when its journal does, which this one never does; a crashed run has no result.
  if (!result || !played.value.ok) return undefined;
  const unread = unreadEntry(run, played.at);
  if (unread) return unread;
  // A run that asked Vault nothing and recorded nothing concluded from the laptop's memory alone.
  if (connected && !played.asked) return undefined;
  const recorded = result.details.event as JsonObject;
  const raw = played.value.value.event;
  // An ok result the machine would reject is recorded as a failure (admittedEvent): only then is the
  // machine asked here, since verify's replay applies the recorded result and finds a rejected one.
  if (sameResult(recorded, raw)) return undefined;
  const given = raw.outcome === 'ok' ? admittedEvent(state, raw).event : raw;
  const [shown, replayed] = comparable(recorded, given);
  if (given !== raw && sameJson(shown, replayed)) return undefined;
  return `records the result ${canonicalDataJson(shown)}, but the laptop, given the Vault answers recorded before it, records ${canonicalDataJson(replayed)}`;
}

/**
 * What the laptop's action code is given over `p`'s run: the secrets the replayed state holds, as
 * stand-ins (`activation` the activation token's), the share whose commitment the result records,
 * the result's time, and `p`'s journal and clients. A class, for the reason Playback is one.
 */
class ReplayedContext implements ActionContext {
  readonly journal: ActionContext['journal'];
  /** Its own text and put: the stand-ins. */
  readonly secrets: ActionContext['secrets'] = this;
  readonly randomBytes = zeroes;
  readonly peers: Readonly<Record<string, VaultClient>>;
  private readonly result: JournalEvent | undefined;

  constructor(
    private readonly p: Playback,
    private readonly state: CeremonyState,
    private readonly activation: string,
  ) {
    this.journal = p.journal;
    this.result = p.result;
    // The clusters asked before promoting are the plan's (signed, reviewed), not whichever the record reads.
    this.peers = Object.fromEntries(
      (state.plan.peer_profiles ?? []).flatMap((profile) => {
        const peer = p.client(profile);
        return peer ? [[profile, peer] as const] : [];
      }),
    );
  }

  text(name: SecretName): string | undefined {
    return !this.held(name) ? undefined : name === 'activation-token' ? this.activation : STAND_IN;
  }

  put(): void {}

  now(): string {
    return text((this.result?.details.event as JsonObject | undefined)?.at) ?? '';
  }

  client(profile: string): VaultClient | undefined {
    return this.p.client(profile);
  }

  attemptClient(profile: string): Promise<VaultClient | undefined> {
    const { token_path } = this.state.plan;
    return Promise.resolve(
      token_path !== 'primary-root-token' || this.held('root-token') ? this.p.client(profile) : undefined,
    );
  }

  vaultTokenClient(profile: string): Promise<VaultClient | undefined> {
    return Promise.resolve(this.held('vault-token') ? this.p.client(profile) : undefined);
  }

  takeShare(officer: string): PendingShare | undefined {
    const share = this.result?.details.share;
    return share === undefined ? undefined : { officer, bytes: new Uint8Array(33), commitment: share as JsonObject };
  }

  private held(name: string): boolean {
    return this.state.held.includes(name as SecretName);
  }
}

/** The replay's random bytes (for an OTP the laptop's code generates): zeroes. */
function zeroes(n: number): Uint8Array {
  return new Uint8Array(n);
}

/**
 * A recorded result and a replayed one as they are compared and shown: without what every result
 * has, and with the recorded digest of a secret (the record holds no secret to digest again).
 */
function comparable(recorded: JsonObject, replayed: CeremonyEvent): [JsonObject, JsonObject] {
  const bare = (event: JsonObject): JsonObject => {
    const { at: _at, step: _step, type: _type, ...rest } = event;
    return rest;
  };
  const given = bare(replayed as unknown as JsonObject);
  const digest = (recorded.facts as JsonObject | undefined)?.activationTokenSha256;
  const facts = given.facts as JsonObject | undefined;
  return [
    bare(recorded),
    facts?.activationTokenSha256 !== undefined && digest !== undefined
      ? { ...given, facts: { ...facts, activationTokenSha256: digest } }
      : given,
  ];
}

/** What every result has, which comparable leaves out. */
const EVERY_RESULT: readonly string[] = ['at', 'step', 'type'];

/**
 * Whether comparable makes the results the same, compared in place: without its two copies of
 * each result (a third of a long record's entries), unless it takes a digest from the record.
 */
function sameResult(recorded: JsonObject, replayed: CeremonyEvent): boolean {
  const given = replayed as unknown as JsonObject;
  if ((given.facts as JsonObject | undefined)?.activationTokenSha256 !== undefined)
    return sameJson(...comparable(recorded, replayed));
  const keys = Object.keys(given);
  let compared = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (EVERY_RESULT.includes(key)) continue;
    if (!sameJson(recorded[key], given[key])) return false;
    compared++;
  }
  const recordedKeys = Object.keys(recorded);
  for (let i = 0; i < recordedKeys.length; i++) if (!EVERY_RESULT.includes(recordedKeys[i]!)) compared--;
  return compared === 0;
}

function failedReason(result: JournalEvent): string | undefined {
  const event = result.details.event as JsonObject | undefined;
  return event?.outcome === 'failed' && typeof event.reason === 'string' ? event.reason : undefined;
}

/** How a recorded entry differs from the one the replay writes, its details compared as the journal redacts them. */
function entryDifference(e: JournalEvent, input: EventInput): string | undefined {
  const fields = (['actor', 'role', 'step', 'type'] as const).filter((f) => e[f] !== input[f]);
  if (fields.length > 0)
    return `is recorded with ${fields.map((f) => `${f} ${JSON.stringify(e[f])}`).join(', ')}, where the laptop writes ${fields.map((f) => JSON.stringify(input[f])).join(', ')}`;
  // An answer's data is what the replay gave back (so not compared again); the rest of an entry is
  // small, and of what the journal redacts holds only a request's body (a token, a share, an OTP).
  const written = input.details ?? {};
  const body = written.body === undefined ? undefined : redact(written.body);
  if (sameDetails(e.details, written, body)) return undefined;
  const details = withoutData(written);
  return `holds ${describe(withoutData(e.details))}, where the laptop writes ${describe(body === undefined ? details : { ...details, body })}`;
}

/**
 * Whether the details are the same as entryDifference shows them (withoutData, the body redacted),
 * compared in place: without two copies for each entry a run records.
 */
function sameDetails(recorded: JsonObject, written: JsonObject, body: JsonValue | undefined): boolean {
  const keys = Object.keys(written);
  if (Array.isArray(recorded) || Object.keys(recorded).length !== keys.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const same =
      key === 'data'
        ? 'data' in recorded
        : sameJson(recorded[key], key === 'body' && body !== undefined ? body : written[key], true);
    if (!same) return false;
  }
  return true;
}

/** `details` with an answer's data, if any, as null. */
function withoutData(details: JsonObject): JsonObject {
  return 'data' in details ? { ...details, data: null } : details;
}

/** Equal JSON; with `hidden`, the replay's REDACTED matches any value the journal hid. */
function sameJson(recorded: JsonValue | undefined, replayed: JsonValue | undefined, hidden = false): boolean {
  if (hidden && replayed === REDACTED && recorded !== undefined && isRedactedForm(recorded)) return true;
  if (typeof replayed !== 'object' || replayed === null || typeof recorded !== 'object' || recorded === null)
    return recorded === replayed;
  if (Array.isArray(replayed) !== Array.isArray(recorded)) return false;
  const a = recorded as Record<string, JsonValue>;
  const b = replayed as Record<string, JsonValue>;
  const keys = Object.keys(b);
  if (Object.keys(a).length !== keys.length) return false;
  // Indexed, not `every`: no closure for each object compared.
  for (let i = 0; i < keys.length; i++) if (!sameJson(a[keys[i]!], b[keys[i]!], hidden)) return false;
  return true;
}

function describe(details: JsonObject | undefined): string {
  const text = canonicalDataJson(details ?? {});
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** The answer recordedCall wrote these details for (responseDetails), with what the journal hid as a stand-in. */
function answerOf(d: JsonObject): VaultResult<unknown> {
  const num = (v: JsonValue | undefined) => (typeof v === 'number' ? v : undefined);
  const strings = (v: JsonValue | undefined) => (Array.isArray(v) ? v.map(String) : undefined);
  if (d.ok !== true) {
    const e = (typeof d.error === 'object' && d.error !== null && !Array.isArray(d.error) ? d.error : {}) as JsonObject;
    return {
      ok: false,
      error: {
        kind: (text(e.kind) ?? 'unexpected-response') as never,
        message: text(e.message) ?? '',
        ...defined(num(e.status), strings(e.errors), text(e.request_id)),
      },
    };
  }
  return {
    ok: true,
    value: {
      status: num(d.status) as number,
      data: unserialised(unhidden(d.data ?? null)),
      requestId: text(d.request_id),
      warnings: strings(d.warnings) ?? [],
    },
  };
}

function text(v: JsonValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * `data` (a fresh copy), which recordedCall serialises into the answer's entry again as null: that
 * entry's data is the one recorded, not compared again, so a long answer is not serialised twice.
 */
function unserialised(data: JsonValue): JsonValue {
  if (typeof data === 'object' && data !== null) Object.defineProperty(data, 'toJSON', SERIALISED_AS_NULL);
  return data;
}

/** One descriptor and function for every answer, not new ones for each. */
const SERIALISED_AS_NULL: PropertyDescriptor = { value: () => null };

/** An error's optional fields, those it has: assigned one by one, not filtered from entries (one of each answer). */
function defined(status: number | undefined, errors: string[] | undefined, requestId: string | undefined) {
  const fields: { status?: number; errors?: string[]; requestId?: string } = {};
  if (status !== undefined) fields.status = status;
  if (errors !== undefined) fields.errors = errors;
  if (requestId !== undefined) fields.requestId = requestId;
  return fields;
}

function unhidden(value: JsonValue): JsonValue {
  if (typeof value !== 'object' || value === null) return value === REDACTED ? STAND_IN : value;
  if (Array.isArray(value)) return value.map(unhidden);
  const keys = Object.keys(value);
  // Only these single fields can be a redacted form: isRedactedForm's entries are not made for every other.
  if (keys.length === 1 && (keys[0] === 'redacted' || keys[0] === 'fingerprint') && isRedactedForm(value))
    return STAND_IN;
  // Copied key by key, not through Object.fromEntries: no pair per field (every answer is copied).
  const copy: Record<string, JsonValue> = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const field = unhidden((value as JsonObject)[key]!);
    // Own properties, as JSON.parse makes them: assigning a `__proto__` key would set the copy's
    // prototype instead, and the laptop's code would read fields the answer does not hold.
    if (key === '__proto__')
      Object.defineProperty(copy, key, { value: field, enumerable: true, writable: true, configurable: true });
    else copy[key] = field;
  }
  return copy;
}

/** A node as a `cluster-settled` entry records it (ceremony-actions' settleCluster), as the HA client reported it. */
function nodeReport(n: JsonValue): NodeReport {
  const o = (typeof n === 'object' && n !== null && !Array.isArray(n) ? n : {}) as JsonObject;
  const excluded = o.excluded;
  return {
    address: text(o.node) ?? '',
    reachable: excluded !== 'unreachable',
    active: o.active === true,
    healthCode: typeof o.health === 'number' ? o.health : undefined,
    drMode: typeof o.dr_mode === 'string' ? o.dr_mode : undefined,
    raftCommittedIndex: undefined,
    raftAppliedIndex: undefined,
    problem: undefined,
    ...(excluded === 'sealed' ? { sealed: true } : {}),
    ...(excluded === 'removed' ? { removedFromCluster: true } : {}),
    ...(excluded === 'partitioned' ? { haConnectionHealthy: false } : {}),
  };
}

interface HaReplay {
  readonly active: string | undefined;
  resolve(): Result<string, HaErrorKind>;
  settle(mode?: string): Result<readonly NodeReport[], HaErrorKind>;
}

/**
 * A Vault client whose every endpoint gives the answer recorded next (recordedCall wrapped each
 * call it made, and named it in the request entry before); an HA cluster's one also resolves its
 * leader and settles as the record says.
 */
function replayClient(profile: string, answer: () => Promise<VaultResult<unknown>>, ha?: HaReplay): VaultClient {
  const endpoint: object = new Proxy(() => undefined, {
    get: (_target, name) => (name === 'then' ? undefined : endpoint),
    apply: () => answer(),
  });
  const own: Record<string | symbol, unknown> = { profileName: profile, address: profile };
  if (ha)
    Object.defineProperties(own, {
      activeAddress: { get: () => ha.active },
      resolveActive: { value: () => Promise.resolve(ha.resolve()) },
      settle: { value: (mode?: string) => Promise.resolve(ha.settle(mode)) },
    });
  return new Proxy(own, {
    get: (target, name) => (name in target ? target[name] : name === 'then' ? undefined : endpoint),
    has: (target, name) => name in target,
  }) as unknown as VaultClient;
}
