/**
 * Performs one action the state machine asks for (shared/ceremony/ceremony-events.ts `ServiceAction`)
 * against Vault and the service's secrets, every Vault call on the record (./recorded-call.ts),
 * and says what happened as the machine's `serviceResult` event: facts on success, a reason
 * (and, for attempt calls, the attempt status read afterwards) on failure. Nothing here changes
 * the ceremony's state; the service journals the result and applies it.
 *
 * - The OTP is generated here from the server's `otp_length` (legacy when 0) and never sent
 *   anywhere but the attempt's start; the token is decoded here, offline.
 * - Before a share is sent, the attempt status is read again: a nonce, progress or threshold that
 *   is not what the ceremony recorded means someone else acted, so the share is not sent and the
 *   machine turns the observation into a deviation.
 * - On an HA cluster (../vault/ha-client.ts) the active node is resolved before every attempt
 *   call, promote and delete, and just before any other call that changes the cluster (demote,
 *   update-primary, an operation's call): while none leads, nothing is sent. Every request names
 *   the node it went to, and each attempt status carries it: an attempt lives only in its node's
 *   memory, so a leader change is a lost attempt.
 *   After a promotion the cluster must settle (one active node, every node primary) before the
 *   token is deleted. Before promoting, every cluster the plan names in peer_profiles must have
 *   stopped reporting primary, unless a witnessed `two-primaries` deviation accepts it.
 * - A call that changes a replication mode (promote, demote, an operation's enable or disable) that
 *   failed may still have been made (its answer lost, the node stepping down after acting), so its
 *   failure, and any retry, reads the cluster's mode before it is sent again.
 * - A secondary-token call registers the id on the primary, and its activation token exists only in
 *   the answer: it reads the primary's known secondaries first, and revokes an id only when the
 *   record shows this ceremony's own unanswered request registered it, or (a failback, whose token
 *   only the laptop ever holds) its own request's token that no update-primary carried, or none Vault
 *   acted on (the cluster was read since following no primary), died with a laptop that stopped;
 *   then it is asked for again (secondaryTokenOnce).
 *   An operation's update-primary uses up its activation token when Vault acts: a failure, and a
 *   retry, read whether the cluster now follows the token's primary (updatePrimaryOnce).
 * - A delete refused (403) after this ceremony's own delete lost its answer is done only when Vault
 *   says the token is gone: the cluster, a DR secondary, refuses it for a read too (tokenGone).
 * - Secrets Vault returns (the encoded token, an activation token) are stored, and so registered
 *   with the journal's guard, before the answer holding them is recorded.
 */
import { createHash } from 'node:crypto';
import { bytesToHex, wipe } from '../../../shared/codecs/bytes';
import {
  DELETED_EARLIER,
  type AttemptStatus,
  type CeremonyEvent,
  type ServiceAction,
  type ServiceFacts,
} from '../../../shared/ceremony/ceremony-events';
import type { CeremonyState } from '../../../shared/ceremony/ceremony-machine';
import type { PlanOperation } from '../../../shared/ceremony/ceremony-plan';
import {
  OPERATIONS,
  operationTitle,
  type OperationRequest,
  type ReplicationKind,
  type ReplicationMode,
} from '../../../shared/replication/replication-operations';
import type { RandomBytes } from '../../../shared/codecs/base62';
import type { JsonObject } from '../../../shared/record/journal-event';
import { generateOtp } from '../../../shared/codecs/otp';
import { err, ok, type Result } from '../../../shared/result';
import { decodeToken } from '../../../shared/codecs/token-decode';
import type { Journal } from '../journal/journal';
import type { VaultClient } from '../vault/client';
import { exclusionOf, isHaClient } from '../vault/ha-client';
import { replicationOperationCall } from '../vault/replication-operation-call';
import { followsAPrimary, type GenerationStatus, type ReplicationModeStatus, type VaultResult } from '../vault/types';
import { baselineOf, deletedByOwnRequest, ownIssuedToken, registeredByOwnRequest } from './call-history';
import { ACTIVE_NODE, CLUSTER_SETTLED, SYSTEM } from './ceremony-record';
import { recordedCall, type RecordedCallErrorKind, type VaultRequestRecord } from './recorded-call';
import type { SecretStore } from './secret-store';

/** A decrypted share waiting to be sent, with what the journal may say about it. */
export interface PendingShare {
  readonly officer: string;
  /** The share bytes (33, or 32 for a 1-of-1 seal). Secret: wiped once sent or abandoned. */
  readonly bytes: Uint8Array;
  /** SHA-256 of the PGP ciphertext, key fingerprint and key ID, or just the form of a plaintext share. */
  readonly commitment: JsonObject;
}

export interface ActionContext {
  /** Where each call is recorded; what it recorded before tells a retry what an earlier try did. */
  readonly journal: Pick<Journal, 'append'> & { readonly chain: Pick<Journal['chain'], 'events'> };
  readonly secrets: Pick<SecretStore, 'text' | 'put'>;
  readonly randomBytes: RandomBytes;
  now(): string;
  /** The client for a plan profile; undefined when none was given. */
  client(profile: string): VaultClient | undefined;
  /** The client for generation-attempt calls (on Vault 2.x it carries the primary's root token). */
  attemptClient(profile: string): Promise<VaultClient | undefined>;
  /** The client carrying the administrator's Vault token, for the sudo calls it authorises. */
  vaultTokenClient(profile: string): Promise<VaultClient | undefined>;
  /** Hands over (and forgets) the share decrypted for this officer. */
  takeShare(officer: string): PendingShare | undefined;
  /** A client of each cluster the plan names in peer_profiles, and no other: none may still be primary when this one is promoted. */
  readonly peers: Readonly<Record<string, VaultClient>>;
}

export type ServiceResultEvent = Extract<CeremonyEvent, { type: 'serviceResult' }>;
export interface Performed {
  readonly event: ServiceResultEvent;
  /** Further journal details (a share's commitment). */
  readonly extra?: JsonObject;
}

type Outcome = Promise<Result<Performed, RecordedCallErrorKind>>;
/** Sends one state-changing call, recorded; the helpers that guard a call against a lost answer take it. */
type SendCall = () => Promise<Result<VaultResult<unknown>, RecordedCallErrorKind>>;

const GENERATION = 'sys/replication/dr/secondary/generate-operation-token';
const ATTEMPT = `${GENERATION}/attempt`;

/** Actions that need something only a person can give (a share, a key, a token): the service collects it first. */
export function needsPersonInput(action: ServiceAction): boolean {
  return (
    action.kind === 'collect-root-token' ||
    action.kind === 'collect-batch-token' ||
    action.kind === 'collect-vault-token' ||
    action.kind === 'collect-activation-token' ||
    action.kind === 'sign-transcript'
  );
}

export async function performAction(ctx: ActionContext, state: CeremonyState, action: ServiceAction): Outcome {
  const step = state.step;
  const done = (facts: ServiceFacts, extra?: JsonObject): Result<Performed, never> =>
    ok({ event: { type: 'serviceResult', step, outcome: 'ok', facts, at: ctx.now() }, ...(extra ? { extra } : {}) });
  const failed = (reason: string, observed?: AttemptStatus, extra?: JsonObject): Result<Performed, never> =>
    ok({
      event: {
        type: 'serviceResult',
        step,
        outcome: 'failed',
        reason,
        ...(observed ? { observed } : {}),
        at: ctx.now(),
      },
      ...(extra ? { extra } : {}),
    });
  const record = <T>(
    client: VaultClient,
    request: Omit<VaultRequestRecord, 'profile'>,
    call: () => Promise<VaultResult<T>>,
    guard?: (a: VaultResult<T>) => void,
  ) => recordedCall(ctx.journal, step, { profile: client.profileName, ...nodeOf(client), ...request }, call, guard);
  /** The attempt as Vault's active node sees it now, for a failed attempt call's `observed`. */
  const observe = async (client: VaultClient): Promise<Result<AttemptStatus | undefined, RecordedCallErrorKind>> => {
    const resolved = await resolveActiveNode(ctx, step, client);
    if (!resolved.ok) return resolved;
    const r = await record(client, { method: 'GET', path: ATTEMPT }, () => client.drOperationToken.status());
    return r.ok ? ok(r.value.ok ? attemptOf(r.value.value.data, client) : undefined) : r;
  };

  if (needsPersonInput(action))
    throw new TypeError(`'${action.kind}' waits for a person's input; it is not performed on its own`);
  const profile = 'profile' in action ? action.profile : state.plan.profile;
  const attemptCall = ['generate-otp', 'start-attempt', 'submit-share', 'cancel-attempt'].includes(action.kind);
  const byVaultToken = usesVaultToken(state, action);
  const client = attemptCall
    ? await ctx.attemptClient(profile)
    : byVaultToken
      ? await ctx.vaultTokenClient(profile)
      : ctx.client(profile);
  if (!client && action.kind !== 'decode-token') {
    const carrying =
      attemptCall && state.plan.token_path === 'primary-root-token'
        ? " with the primary's root token"
        : byVaultToken
          ? ' with the Vault token entered'
          : '';
    return failed(`there is no connection for profile '${profile}'${carrying}: connect it, then retry`);
  }
  const vault = client!;
  if (client && HA_ROUTED.has(action.kind)) {
    const resolved = await resolveActiveNode(ctx, step, client);
    if (!resolved.ok) return resolved;
    if (resolved.value !== undefined) return failed(resolved.value);
  }
  const secret = (name: Parameters<SecretStore['text']>[0]) => ctx.secrets.text(name);
  const lostSecret = (what: string) =>
    failed(`the ${what} is no longer in this laptop's memory; the ceremony must obtain it again`);

  switch (action.kind) {
    case 'read-replication-status': {
      const r = await record(vault, { method: 'GET', path: 'sys/replication/status' }, () => vault.replicationStatus());
      if (!r.ok) return r;
      if (!r.value.ok) return failed(r.value.error.message);
      const side = action.replication === 'performance' ? r.value.value.data.performance : r.value.value.data.dr;
      const connectedTo = side.primaries?.find((p) => p.connection_status === 'connected')?.api_address;
      return done({ kind: action.kind, mode: side.mode, ...(connectedTo ? { connectedTo } : {}) });
    }
    case 'generate-otp': {
      const r = await record(vault, { method: 'GET', path: ATTEMPT }, () => vault.drOperationToken.status());
      if (!r.ok) return r;
      if (!r.value.ok) return failed(r.value.error.message);
      const status = r.value.value.data;
      const attempt = attemptOf(status, vault);
      const legacy = status.otp_length === 0;
      // With an attempt already open the machine restarts instead; an OTP would be wasted.
      if (!attempt.started) {
        const otp = generateOtp(status.otp_length, ctx.randomBytes);
        if (!otp.ok) return failed(`Vault reported otp_length ${status.otp_length}: ${otp.error.message}`);
        ctx.secrets.put('otp', otp.value);
      }
      return done({ kind: action.kind, otpLength: legacy ? LEGACY_OTP_CHARS : status.otp_length, legacy, attempt });
    }
    case 'start-attempt': {
      const otp = secret('otp');
      if (otp === undefined) return lostSecret('one-time password');
      const r = await record(vault, { method: 'PUT', path: ATTEMPT, body: { otp } }, () =>
        vault.drOperationToken.start({ otp }),
      );
      if (!r.ok) return r;
      if (r.value.ok) return done({ kind: action.kind, attempt: attemptOf(r.value.value.data, vault) });
      const seen = await observe(vault);
      return seen.ok ? failed(r.value.error.message, seen.value) : seen;
    }
    case 'submit-share':
      return submitShare(ctx, vault, state, action, { record, observe, done, failed });
    case 'decode-token': {
      const otp = secret('otp');
      const encoded = secret('encoded-token');
      if (otp === undefined || encoded === undefined)
        return lostSecret(otp === undefined ? 'one-time password' : 'encoded token');
      const decoded = decodeToken(encoded, otp, state.otp?.legacy ? 0 : state.otp?.length);
      if (!decoded.ok) return failed(decoded.error.message);
      ctx.secrets.put('operation-token', decoded.value.token);
      return done({ kind: action.kind, tokenLength: decoded.value.token.length });
    }
    case 'cancel-attempt': {
      const r = await record(vault, { method: 'DELETE', path: ATTEMPT }, () => vault.drOperationToken.cancel());
      if (!r.ok) return r;
      return r.value.ok ? done({ kind: action.kind }) : failed(r.value.error.message);
    }
    case 'promote': {
      const token = secret('operation-token');
      if (token === undefined) return lostSecret('DR operation token');
      const options = {
        drOperationToken: token,
        force: action.force,
        ...(action.primaryClusterAddr ? { primaryClusterAddr: action.primaryClusterAddr } : {}),
      };
      const body = {
        dr_operation_token: token,
        force: action.force,
        ...(action.primaryClusterAddr ? { primary_cluster_addr: action.primaryClusterAddr } : {}),
      };
      const made = await changeMode(ctx, state, vault, record, {
        verb: 'promote',
        replication: 'dr',
        mode: 'primary',
        guard: () => (action.allowTwoPrimaries ? Promise.resolve(ok(undefined)) : stillPrimary(ctx, record)),
        send: () =>
          record(vault, { method: 'POST', path: 'sys/replication/dr/secondary/promote', body }, () =>
            vault.dr.secondary.promote(options),
          ),
      });
      if (!made.ok) return made;
      return made.value === undefined ? done({ kind: action.kind }) : failed(made.value);
    }
    case 'delete-operation-token': {
      const token = secret('operation-token');
      if (token === undefined) return lostSecret('DR operation token');
      // In whatever mode the ceremony left it: promoted, still a secondary (cancelled), or demoted (failback).
      const settled = await settleCluster(ctx, step, vault);
      if (!settled.ok) return settled;
      if (settled.value !== undefined) return failed(settled.value);
      const body = { dr_operation_token: token };
      const r = await record(
        vault,
        { method: 'POST', path: 'sys/replication/dr/secondary/operation-token/delete', body },
        () => vault.drOperationToken.delete(token),
      );
      if (!r.ok) return r;
      if (r.value.ok) return done({ kind: action.kind });
      // Refused after this ceremony's own delete lost its answer: that delete may have been made. Vault must say the token is gone.
      const ownLost = deletedByOwnRequest(ctx.journal.chain.events, { step, profile: vault.profileName });
      if (r.value.error.status !== 403 || !ownLost) return failed(r.value.error.message);
      const gone = await tokenGone(ctx, step, vault, record, token);
      if (!gone.ok) return gone;
      return gone.value === undefined
        ? done({ kind: action.kind, gone: DELETED_EARLIER })
        : failed(`${r.value.error.message} The earlier delete's answer was lost, but ${gone.value}`);
    }
    case 'replication-operation':
      return performOperation(ctx, vault, state, action.operation, { record, done, failed, lostSecret });
    case 'demote': {
      // Once demoted, the next step starts an attempt on its active node: changeMode waits for one.
      const made = await changeMode(ctx, state, vault, record, {
        verb: 'demote',
        replication: 'dr',
        mode: 'secondary',
        send: () =>
          record(vault, { method: 'POST', path: 'sys/replication/dr/primary/demote' }, () => vault.dr.primary.demote()),
      });
      if (!made.ok) return made;
      return made.value === undefined ? done({ kind: action.kind }) : failed(made.value);
    }
    case 'create-secondary-token': {
      const id = action.secondaryId;
      const keep = (a: VaultResult<{ token: string }>) =>
        void (a.ok && ctx.secrets.put('activation-token', a.value.data.token));
      const earlier = { replaced: false };
      const r = await secondaryTokenOnce(ctx, step, vault, record, {
        replication: 'dr',
        id,
        // The laptop hands a failback's token to update-primary itself: one it issued and never sent died with it.
        replacingUnused: () => (earlier.replaced = true),
        send: () =>
          record(
            vault,
            { method: 'POST', path: 'sys/replication/dr/primary/secondary-token', body: { id } },
            () => vault.dr.primary.secondaryToken({ id }),
            keep,
          ),
      });
      if (!r.ok) return r;
      if (typeof r.value === 'string') return failed(r.value);
      if (!r.value.ok) return failed(r.value.error.message);
      return done({ kind: action.kind, secondaryId: id, ...(earlier.replaced ? { replaced: true } : {}) });
    }
    case 'update-primary': {
      const token = secret('operation-token');
      if (token === undefined) return lostSecret('DR operation token');
      let options: Parameters<VaultClient['dr']['secondary']['updatePrimary']>[0];
      let body: JsonObject;
      if (action.method === 'addrs') {
        options = { drOperationToken: token, updatePrimaryAddrs: action.updatePrimaryAddrs };
        body = { dr_operation_token: token, update_primary_addrs: [...action.updatePrimaryAddrs] };
      } else {
        const activation = secret('activation-token');
        if (activation === undefined) return lostSecret('secondary activation token');
        const addr = action.primaryApiAddr ? { primaryApiAddr: action.primaryApiAddr } : {};
        options = { drOperationToken: token, token: activation, ...addr };
        body = {
          dr_operation_token: token,
          token: activation,
          ...(action.primaryApiAddr ? { primary_api_addr: action.primaryApiAddr } : {}),
        };
      }
      // The activation token is used up by the first call Vault acts on, answered or not: before
      // sending again, and when the answer is not a success, ask whether the demoted cluster (which
      // followed nobody) now follows a primary. The post-check then says whether it is the new one.
      const follows = () => followsNow(ctx, step, vault, record);
      if (state.failures > 0) {
        const before = await follows();
        if (!before.ok || before.value) return before.ok ? done({ kind: action.kind }) : before;
      }
      const r = await sendToLeader(ctx, step, vault, () =>
        record(vault, { method: 'POST', path: 'sys/replication/dr/secondary/update-primary', body }, () =>
          vault.dr.secondary.updatePrimary(options),
        ),
      );
      if (!r.ok) return r;
      if (typeof r.value === 'string') return failed(r.value);
      if (r.value.ok) return done({ kind: action.kind });
      const after = await follows();
      if (!after.ok) return after;
      return after.value ? done({ kind: action.kind }) : failed(r.value.error.message);
    }
    default:
      throw new TypeError(`unhandled action ${action.kind}`);
  }
}

/** The calls a Vault token authorises: a failback's demote and secondary-token, and a `vault-token` operation. */
function usesVaultToken(state: CeremonyState, action: ServiceAction): boolean {
  if (action.kind === 'demote' || action.kind === 'create-secondary-token') return true;
  return action.kind === 'replication-operation' && state.plan.token_path === 'vault-token';
}

/**
 * An operation plan's one call, with the secrets it needs from memory. A secondary-token's activation
 * token is kept (and so forbidden in the journal) before the answer is recorded; the record and the
 * facts carry only its SHA-256.
 */
async function performOperation(
  ctx: ActionContext,
  vault: VaultClient,
  state: CeremonyState,
  op: PlanOperation,
  h: Pick<Helpers, 'record' | 'done' | 'failed'> & { lostSecret(what: string): Result<Performed, never> },
): Outcome {
  const drToken = state.plan.token_path === 'vault-token' ? '' : ctx.secrets.text('operation-token');
  if (drToken === undefined) return h.lostSecret('DR operation token');
  const needsActivation = op.id === 'enable-secondary' || (op.id === 'update-primary' && op.method === 'token');
  const activation = needsActivation ? ctx.secrets.text('activation-token') : '';
  if (activation === undefined) return h.lostSecret('secondary activation token');
  const call = replicationOperationCall(vault, operationRequest(op, activation), drToken);
  let commitment: string | undefined;
  const keep = (answer: VaultResult<unknown>) => {
    const token = call.activationToken?.(answer);
    if (token === undefined) return;
    ctx.secrets.put('activation-token', token);
    commitment = createHash('sha256').update(token, 'utf8').digest('hex');
  };
  const send = () => h.record(vault, { method: call.method, path: call.path, body: call.body }, call.send, keep);
  const spec = OPERATIONS[op.id];
  if (!spec.modes.includes(spec.after)) {
    // The mode tells whether the call was made when its answer is lost; changeMode reads it, and settles.
    let answer: VaultResult<unknown> | undefined;
    const made = await changeMode(ctx, state, vault, h.record, {
      verb: `'${operationTitle(op.id, op.replication)}'`,
      replication: op.replication,
      mode: spec.after,
      send: async () => {
        const r = await send();
        if (r.ok) answer = r.value;
        return r;
      },
    });
    if (!made.ok) return made;
    if (made.value !== undefined) return h.failed(made.value);
    return h.done({ kind: 'replication-operation', ...(answer?.ok ? { status: answer.value.status } : {}) });
  }
  const r =
    op.id === 'secondary-token'
      ? await secondaryTokenOnce(ctx, state.step, vault, h.record, {
          replication: op.replication,
          id: op.secondary_id ?? '',
          send,
        })
      : op.id === 'update-primary' && op.method === 'token'
        ? await updatePrimaryOnce(ctx, state.step, vault, h.record, {
            replication: op.replication,
            primaryApiAddr: op.primary_api_addr ?? activationAddress(activation),
            send,
          })
        : await sendToLeader(ctx, state.step, vault, send);
  if (!r.ok) return r;
  if (r.value === UPDATED) return h.done({ kind: 'replication-operation' });
  if (typeof r.value === 'string') return h.failed(r.value);
  if (!r.value.ok) return h.failed(r.value.error.message);
  if (call.activationToken && commitment === undefined)
    return h.failed('Vault answered without an activation token; nothing was handed over');
  return h.done({
    kind: 'replication-operation',
    status: r.value.value.status,
    ...(commitment ? { activationTokenSha256: commitment } : {}),
  });
}

/** The plan's operation as the request shape the call takes, with the activation token (if any) from memory. */
function operationRequest(op: PlanOperation, activationToken: string): OperationRequest {
  const replication = op.replication;
  switch (op.id) {
    case 'enable-primary':
      return {
        operation: op.id,
        replication,
        ...(op.primary_cluster_addr ? { primaryClusterAddr: op.primary_cluster_addr } : {}),
      };
    case 'secondary-token':
      return { operation: op.id, replication, id: op.secondary_id ?? '', ttl: op.ttl ?? '' };
    case 'revoke-secondary':
      return { operation: op.id, replication, id: op.secondary_id ?? '' };
    case 'enable-secondary':
      return {
        operation: op.id,
        replication,
        activationToken,
        ...(op.primary_api_addr ? { primaryApiAddr: op.primary_api_addr } : {}),
        ...(op.ca_file ? { caFile: op.ca_file } : {}),
      };
    case 'update-primary':
      return {
        operation: op.id,
        replication,
        using:
          op.method === 'addrs'
            ? { method: 'addrs', updatePrimaryAddrs: [...(op.update_primary_addrs ?? [])] }
            : {
                method: 'token',
                activationToken,
                ...(op.primary_api_addr ? { primaryApiAddr: op.primary_api_addr } : {}),
              },
      };
    case 'demote':
    case 'disable-primary':
    case 'disable-secondary':
      return { operation: op.id, replication };
  }
}

/** A legacy OTP is 16 random bytes in padded base64: 24 characters. */
const LEGACY_OTP_CHARS = 24;

interface Helpers {
  record<T>(
    client: VaultClient,
    request: Omit<VaultRequestRecord, 'profile'>,
    call: () => Promise<VaultResult<T>>,
    guard?: (a: VaultResult<T>) => void,
  ): Promise<Result<VaultResult<T>, RecordedCallErrorKind>>;
  observe(client: VaultClient): Promise<Result<AttemptStatus | undefined, RecordedCallErrorKind>>;
  done(facts: ServiceFacts, extra?: JsonObject): Result<Performed, never>;
  failed(reason: string, observed?: AttemptStatus, extra?: JsonObject): Result<Performed, never>;
}

async function submitShare(
  ctx: ActionContext,
  vault: VaultClient,
  state: CeremonyState,
  action: Extract<ServiceAction, { kind: 'submit-share' }>,
  h: Helpers,
): Outcome {
  const share = ctx.takeShare(action.officer);
  if (!share)
    return h.failed(
      `${action.officer}'s share is not in memory (it is forgotten once tried): ${action.actor} enters it again`,
    );
  const extra = { share: share.commitment };
  try {
    const recorded = state.attempt;
    const before = await h.record(vault, { method: 'GET', path: ATTEMPT }, () => vault.drOperationToken.status());
    if (!before.ok) return before;
    if (!before.value.ok) {
      // The node may have gone (killed, stepped down): resolve the active node and read the attempt there.
      const again = await h.observe(vault);
      if (!again.ok) return again;
      return h.failed(
        `the attempt status could not be checked, so the share was not sent: ${before.value.error.message}`,
        again.value,
        extra,
      );
    }
    const seen = attemptOf(before.value.value.data, vault);
    if (
      !recorded ||
      !seen.started ||
      seen.nonce !== action.nonce ||
      seen.progress !== recorded.progress ||
      seen.required !== recorded.required
    )
      return h.failed(
        'the attempt on Vault is not the one this ceremony recorded, so the share was not sent',
        seen,
        extra,
      );

    const key = bytesToHex(share.bytes);
    const keepEncoded = (a: VaultResult<GenerationStatus>) => {
      if (a.ok && a.value.data.complete && a.value.data.encoded_token !== '')
        ctx.secrets.put('encoded-token', a.value.data.encoded_token);
    };
    const r = await h.record(
      vault,
      { method: 'PUT', path: `${GENERATION}/update`, body: { key, nonce: action.nonce } },
      () => vault.drOperationToken.submitShare({ key, nonce: action.nonce }),
      keepEncoded,
    );
    if (!r.ok) return r;
    if (!r.value.ok) {
      const after = await h.observe(vault);
      return after.ok ? h.failed(r.value.error.message, after.value, extra) : after;
    }
    const data = r.value.value.data;
    if (data.complete && data.encoded_token === '')
      return h.failed(
        'Vault completed the attempt without an encoded token (was it started with a PGP key?); the token cannot be decoded',
        undefined,
        extra,
      );
    return h.done({ kind: 'submit-share', attempt: attemptOf(data, vault), complete: data.complete }, extra);
  } finally {
    wipe(share.bytes);
  }
}

function attemptOf(s: GenerationStatus, client: VaultClient): AttemptStatus {
  const node = isHaClient(client) ? client.activeAddress : undefined;
  return { started: s.started, nonce: s.nonce, progress: s.progress, required: s.required, ...(node ? { node } : {}) };
}

/** The calls that must reach the active node of an HA cluster. */
const HA_ROUTED = new Set<ServiceAction['kind']>([
  'generate-otp',
  'start-attempt',
  'submit-share',
  'cancel-attempt',
  'promote',
  'delete-operation-token',
]);

function nodeOf(client: VaultClient): { node?: string } {
  return isHaClient(client) && client.activeAddress ? { node: client.activeAddress } : {};
}

/**
 * Ends the reason a run failed when no HA node led and no call was made: the record's replay
 * (transcript/action-replay.ts) reads it back to give the laptop's code the same answer again.
 */
export const NOTHING_SENT = '; nothing was sent';

/**
 * Asks every node of an HA cluster who leads and records a change of leader. Ok(reason) when no
 * node leads (the call is then not made); Ok(undefined) when one does, or the cluster is one node.
 */
async function resolveActiveNode(
  ctx: ActionContext,
  step: string,
  client: VaultClient,
): Promise<Result<string | undefined, RecordedCallErrorKind>> {
  if (!isHaClient(client)) return ok(undefined);
  const before = client.activeAddress;
  const resolved = await client.resolveActive();
  if (!resolved.ok) return ok(resolved.error.message + NOTHING_SENT);
  if (resolved.value === before) return ok(undefined);
  const noted = await noteLeader(ctx, step, client, resolved.value, before);
  return noted.ok ? ok(undefined) : noted;
}

/**
 * A state-changing call, sent once the HA cluster's active node is found (and a change of leader
 * recorded): a standby cannot act on it. Ok(reason) when no node leads, and nothing is sent.
 */
async function sendToLeader(
  ctx: ActionContext,
  step: string,
  client: VaultClient,
  send: SendCall,
): Promise<Result<string | VaultResult<unknown>, RecordedCallErrorKind>> {
  const resolved = await resolveActiveNode(ctx, step, client);
  if (!resolved.ok) return resolved;
  return resolved.value === undefined ? send() : ok(resolved.value);
}

/** A change of the cluster's active node, on the record. */
function noteLeader(
  ctx: ActionContext,
  step: string,
  client: VaultClient,
  node: string,
  previous: string | undefined,
): Promise<Result<void, RecordedCallErrorKind>> {
  return noteCluster(ctx, step, ACTIVE_NODE, {
    profile: client.profileName,
    node,
    ...(previous ? { previous } : {}),
  });
}

/** What the laptop learned about a cluster's nodes, on the record. */
async function noteCluster(
  ctx: ActionContext,
  step: string,
  type: typeof ACTIVE_NODE | typeof CLUSTER_SETTLED,
  details: JsonObject,
): Promise<Result<void, RecordedCallErrorKind>> {
  const noted = await ctx.journal.append({ ...SYSTEM, step, type, details });
  return noted.ok ? ok(undefined) : err('journal-failed', noted.error.message);
}

/**
 * After a role change an HA cluster answers 503 until one node leads and every node reports the
 * new DR mode (`mode`, or without it the leader's): wait for that (backing off) and record every
 * node's report. Ok(reason) if it never settles.
 */
async function settleCluster(
  ctx: ActionContext,
  step: string,
  client: VaultClient,
  mode?: ReplicationMode,
): Promise<Result<string | undefined, RecordedCallErrorKind>> {
  if (!isHaClient(client)) return ok(undefined);
  const before = client.activeAddress;
  const settled = await client.settle(mode);
  // A node left out (unreachable, 474, 530) is on the record with why, though it did not hold the ceremony up.
  const nodes = settled.ok
    ? settled.value.map((n) => {
        const excluded = exclusionOf(n);
        return {
          node: n.address,
          active: n.active,
          dr_mode: n.drMode ?? null,
          health: n.healthCode ?? null,
          ...(excluded ? { excluded } : {}),
        };
      })
    : [];
  const now = client.activeAddress;
  if (settled.ok && now !== undefined && now !== before) {
    const noted = await noteLeader(ctx, step, client, now, before);
    if (!noted.ok) return noted;
  }
  const noted = await noteCluster(ctx, step, CLUSTER_SETTLED, {
    profile: client.profileName,
    settled: settled.ok,
    nodes,
    ...(settled.ok ? {} : { reason: settled.error.message }),
  });
  if (!noted.ok) return noted;
  return ok(settled.ok ? undefined : settled.error.message);
}

/**
 * A call that moves the cluster to DR or performance mode `mode` (promote, demote, an operation
 * that changes the mode), sent at most once per change: a lost answer, a timeout or a 5xx from a
 * node that stepped down does not say it was not made, the cluster's mode does. So a retry reads
 * the mode before sending again, and a failed call reads it to tell; once made, the cluster
 * settling is waited for (and recorded). Ok(reason) when not made.
 */
async function changeMode(
  ctx: ActionContext,
  state: CeremonyState,
  vault: VaultClient,
  record: Helpers['record'],
  change: {
    /** What is sent, as the room reads it: promote, demote, an operation's title. */
    readonly verb: string;
    readonly replication: ReplicationKind;
    readonly mode: ReplicationMode;
    /** What must hold before the call is sent; Ok(reason) stops it. */
    readonly guard?: () => Promise<Result<string | undefined, RecordedCallErrorKind>>;
    readonly send: SendCall;
  },
): Promise<Result<string | undefined, RecordedCallErrorKind>> {
  const { step } = state;
  const { verb, replication, mode } = change;
  const which = replication === 'dr' ? 'DR' : 'performance';
  const settled = async () => {
    // sys/health tells each node's DR mode only: after a performance change, the nodes must agree with the leader's.
    const s = await settleCluster(ctx, step, vault, replication === 'dr' ? mode : undefined);
    return s.ok ? ok(undefined) : s;
  };
  if (state.failures > 0) {
    const before = await modeNow(ctx, step, vault, record, replication);
    if (!before.ok) return before;
    if (before.value === undefined)
      return ok(`the cluster could not be asked its ${which} mode, so ${verb} was not sent again: retry`);
    if (before.value === mode) return settled();
  }
  const guarded = change.guard ? await change.guard() : ok(undefined);
  if (!guarded.ok || guarded.value !== undefined) return guarded;
  const r = await sendToLeader(ctx, step, vault, change.send);
  if (!r.ok) return r;
  if (typeof r.value === 'string') return ok(r.value);
  if (!r.value.ok) {
    const after = await modeNow(ctx, step, vault, record, replication);
    if (!after.ok) return after;
    if (after.value !== mode)
      return ok(
        `${r.value.error.message} The cluster ${after.value === undefined ? `could not be asked its ${which} mode, so whether the ${verb} was made is not known; the next try reads the mode before sending it again` : `still reports ${which} mode '${after.value}': the ${verb} was not made`}.`,
      );
  }
  return settled();
}

/**
 * The cluster's DR or performance status block as its active node reports it now (reads retry a
 * settling cluster's 503); undefined when it cannot be read. On an HA cluster the leader is
 * resolved first, and a leader change recorded; with none leading yet, the read goes where the
 * last one did.
 */
async function statusNow(
  ctx: ActionContext,
  step: string,
  client: VaultClient,
  record: Helpers['record'],
  replication: ReplicationKind,
): Promise<Result<ReplicationModeStatus | undefined, RecordedCallErrorKind>> {
  const resolved = await resolveActiveNode(ctx, step, client);
  if (!resolved.ok) return resolved;
  const r = await record(client, { method: 'GET', path: `sys/replication/${replication}/status` }, () =>
    client[replication].status(),
  );
  if (!r.ok) return r;
  return ok(r.value.ok ? r.value.value.data : undefined);
}

/** The cluster's DR or performance mode now (statusNow); undefined when it cannot be read. */
async function modeNow(
  ctx: ActionContext,
  step: string,
  client: VaultClient,
  record: Helpers['record'],
  replication: ReplicationKind,
): Promise<Result<string | undefined, RecordedCallErrorKind>> {
  const status = await statusNow(ctx, step, client, record, replication);
  return status.ok ? ok(status.value?.mode) : status;
}

/**
 * Whether Vault itself says the DR operation token is gone: the cluster reports DR secondary, where
 * only such a token authorises a read of its raft configuration, and refuses the token for it (403).
 * Ok(undefined) when it does; Ok(what Vault said instead) when not.
 */
async function tokenGone(
  ctx: ActionContext,
  step: string,
  vault: VaultClient,
  record: Helpers['record'],
  token: string,
): Promise<Result<string | undefined, RecordedCallErrorKind>> {
  const mode = await modeNow(ctx, step, vault, record, 'dr');
  if (!mode.ok) return mode;
  if (mode.value !== 'secondary')
    return ok(
      `the cluster reports DR mode '${mode.value ?? 'unreadable'}', so its refusal cannot say the token is gone.`,
    );
  const body = { dr_operation_token: token };
  const read = await record(vault, { method: 'POST', path: 'sys/storage/raft/configuration', body }, () =>
    vault.drOperationToken.raftConfiguration(token),
  );
  if (!read.ok) return read;
  if (read.value.ok) return ok('Vault still accepts the token (it read the raft configuration with it).');
  return read.value.error.status === 403
    ? ok(undefined)
    : ok(`reading the raft configuration with the token did not say it is gone: ${read.value.error.message}`);
}

/** Whether the cluster's DR status names a primary it follows (known, or connected); false when unreadable. */
async function followsNow(
  ctx: ActionContext,
  step: string,
  client: VaultClient,
  record: Helpers['record'],
): Promise<Result<boolean, RecordedCallErrorKind>> {
  const status = await statusNow(ctx, step, client, record, 'dr');
  if (!status.ok) return status;
  return ok(status.value !== undefined && followsAPrimary(status.value));
}

/**
 * Makes a secondary-token call so that a lost answer cannot wedge the ceremony. The primary
 * registers the id when it acts, and the activation token exists only in the answer, so once an
 * answer is lost every retry is refused ("already exists"). So the primary's known_secondaries are
 * read first: an id not there is asked for; an id there is revoked and asked for again only when
 * the record shows it was not there before this ceremony's own requests for it, none of which was
 * answered with a token (one of them registered it); otherwise it is someone's real secondary and
 * nothing is changed. A token this ceremony's own request was answered with, that no update-primary
 * carried since (or none the cluster it went to was read since to have acted on), is revoked and asked for again only by a caller that hands the token on itself (a
 * failback: it lived only in the memory of a laptop that stopped); one a person was given may be in
 * their hands, so it is not. Ok(reason) when the token was not asked for.
 */
async function secondaryTokenOnce(
  ctx: ActionContext,
  step: string,
  vault: VaultClient,
  record: Helpers['record'],
  call: {
    readonly replication: ReplicationKind;
    readonly id: string;
    readonly send: SendCall;
    /** Given by a caller that hands the token on itself: told when an unused earlier token is revoked to issue anew. */
    readonly replacingUnused?: () => void;
  },
): Promise<Result<string | VaultResult<unknown>, RecordedCallErrorKind>> {
  const { replication, id } = call;
  const which = replication === 'dr' ? 'DR' : 'performance';
  const earlier = ctx.journal.chain.events;
  const status = await statusNow(ctx, step, vault, record, replication);
  if (!status.ok) return status;
  if (status.value === undefined)
    return ok(`the primary's ${which} status could not be read, so the secondary token was not asked for: retry`);
  if ((status.value.known_secondaries ?? []).includes(id)) {
    const at = { step, profile: vault.profileName, replication, id };
    const lost = registeredByOwnRequest(earlier, at);
    const issued = lost ? undefined : ownIssuedToken(earlier, at);
    if (!lost && !(issued === 'unused' && call.replacingUnused)) return ok(knownSecondary(which, id, issued));
    if (!lost) call.replacingUnused?.();
    // This ceremony's own request registered it and its activation token was lost: revoke it, on the record.
    const revoked = await record(
      vault,
      { method: 'POST', path: `sys/replication/${replication}/primary/revoke-secondary`, body: { id } },
      () => vault[replication].primary.revokeSecondary({ id }),
    );
    if (!revoked.ok) return revoked;
    if (!revoked.value.ok)
      return ok(
        `the ID '${id}' this ceremony registered (its activation token lost ${lost ? 'with the answer' : 'when the laptop stopped'}) could not be revoked: ${revoked.value.error.message}; the next try reads the primary's secondaries again`,
      );
  }
  return sendToLeader(ctx, step, vault, call.send);
}

/** Why a secondary id the primary already knows is left alone, and what a person can do about it. */
function knownSecondary(which: string, id: string, issued: 'unused' | 'sent' | undefined): string {
  const known = `the primary already knows a ${which} secondary with ID '${id}'`;
  if (issued === 'sent')
    return `${known}: this ceremony's own request issued its activation token, and an update-primary carrying it was sent since (its answer lost), so the token may be in use and nothing was changed. Read the old primary's replication status: if it follows the new primary, the failback was made; if not, revoke '${id}' (a revoke-secondary operation) and fail back again`;
  if (issued === 'unused')
    return `${known}: this ceremony's own request was answered with its activation token, which may have been handed over (it may be in someone's hands), so nothing was changed. If that token was never used, revoke the secondary (a revoke-secondary operation for ID '${id}' on this primary), then issue the token again`;
  return `${known}, and this ceremony's record does not show its own lost request registering it (it was there before, or someone else registered it): it may be a real secondary, so nothing was changed. Use another ID (a new plan), or revoke that secondary in its own ceremony once it is known to be unused`;
}

/** updatePrimaryOnce's answer when the cluster's status shows an earlier, unanswered call made. */
const UPDATED = Symbol('updated');

/**
 * An operation's update-primary with an activation token, which the first call Vault acts on uses
 * up, answered or not. Its status before the first call is the baseline (read then, and found in
 * the record on a retry). After a failed call, and before a retry, the status is read again: a
 * cluster that now follows the primary the token names, and whose secondary id, primary or last
 * start changed since the baseline, was updated (UPDATED), so nothing is sent again. Otherwise a
 * retry is sent (a token not yet used still works), and a failure says how to get a new token.
 */
async function updatePrimaryOnce(
  ctx: ActionContext,
  step: string,
  vault: VaultClient,
  record: Helpers['record'],
  call: {
    readonly replication: ReplicationKind;
    /** Where the activation token's primary answers ('' when the token does not say). */
    readonly primaryApiAddr: string;
    readonly send: SendCall;
  },
): Promise<Result<typeof UPDATED | string | VaultResult<unknown>, RecordedCallErrorKind>> {
  const { replication } = call;
  const key = {
    step,
    profile: vault.profileName,
    statusPath: `sys/replication/${replication}/status`,
    callPath: `sys/replication/${replication}/secondary/update-primary`,
  };
  const updatedNow = async (): Promise<Result<boolean, RecordedCallErrorKind>> => {
    const baseline = baselineOf(ctx.journal.chain.events, key).status;
    const now = await statusNow(ctx, step, vault, record, replication);
    if (!now.ok) return now;
    return ok(
      baseline !== undefined && now.value !== undefined && updatedSince(baseline, now.value, call.primaryApiAddr),
    );
  };
  if (baselineOf(ctx.journal.chain.events, key).tried) {
    const made = await updatedNow();
    if (!made.ok || made.value) return made.ok ? ok(UPDATED) : made;
  } else {
    // The baseline, on the record before the first call.
    const before = await statusNow(ctx, step, vault, record, replication);
    if (!before.ok) return before;
    if (before.value === undefined)
      return ok("the cluster's status could not be read, so update-primary was not sent: retry");
  }
  const sent = await sendToLeader(ctx, step, vault, call.send);
  if (!sent.ok || typeof sent.value === 'string' || sent.value.ok) return sent;
  const made = await updatedNow();
  if (!made.ok || made.value) return made.ok ? ok(UPDATED) : made;
  return ok(
    `${sent.value.error.message}. The cluster's status does not show it following the primary the activation token names. An activation token works once: if this one was used (by a try whose answer was lost) or expired, ask that primary for a new one (a 'secondary-token' operation for this secondary), then run update-primary again with it.`,
  );
}

/**
 * Whether a secondary was updated between two status reads: it now lists the primary at `apiAddr`
 * (any, when '') among its primaries, and its secondary id, primary or last start changed.
 */
function updatedSince(before: ReplicationModeStatus, now: ReplicationModeStatus, apiAddr: string): boolean {
  const follows = (now.primaries ?? []).some((p) => apiAddr === '' || sameOrigin(p.api_address, apiAddr));
  const marks = (s: ReplicationModeStatus) =>
    JSON.stringify([
      s.secondary_id,
      s.primary_cluster_addr,
      s.known_primary_cluster_addrs,
      (s as { last_start?: unknown }).last_start,
    ]);
  return now.mode === 'secondary' && follows && marks(before) !== marks(now);
}

function sameOrigin(a: string | undefined, b: string): boolean {
  try {
    return a !== undefined && new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** The primary API address an activation token (a JWT-form wrapping token) names in its `addr` claim; '' if none. */
function activationAddress(token: string): string {
  try {
    const claims: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const addr = typeof claims === 'object' && claims !== null ? (claims as { addr?: unknown }).addr : undefined;
    return typeof addr === 'string' ? addr : '';
  } catch {
    return '';
  }
}

/**
 * Why the plan's peers (peer_profiles; ctx.peers holds exactly those) stop the promotion: those
 * that answer and still report DR primary (unreachable ones cannot be asked).
 */
async function stillPrimary(
  ctx: ActionContext,
  record: Helpers['record'],
): Promise<Result<string | undefined, RecordedCallErrorKind>> {
  const primaries: string[] = [];
  for (const [name, peer] of Object.entries(ctx.peers)) {
    const r = await record(peer, { method: 'GET', path: 'sys/replication/dr/status' }, () => peer.dr.status());
    if (!r.ok) return r;
    if (r.value.ok && r.value.value.data.mode === 'primary') primaries.push(`'${name}'`);
  }
  return ok(
    primaries.length === 0
      ? undefined
      : `${primaries.join(' and ')} still reports DR primary: promoting now makes two primaries. Demote it first; only if it cannot be demoted and is confirmed cut off from every client, the administrator records a 'two-primaries' deviation and a witness confirms it`,
  );
}
