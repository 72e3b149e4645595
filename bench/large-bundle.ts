/**
 * A realistic transcript bundle with a long journal, for the verify benchmark: the laptop reading a
 * DR secondary that keeps answering wrongly (each request, its redacted answer and the result the
 * laptop makes of it, which verify replays through the laptop's own action code), signed by
 * an administrator and countersigned by two witnesses, written by the real bundle writer (which
 * verifies it first). The journal is built with the shared event functions the Journal class uses,
 * without an fsync per event, which only the writing side pays for.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  admittedEvent,
  CEREMONY_FINISHED,
  closingDetails,
  entryFor,
  SYSTEM,
} from '../electron/services/ceremony/ceremony-record';
import type { EventInput } from '../electron/services/journal/journal';
import type { CeremonyEvent } from '../shared/ceremony/ceremony-events';
import { createCeremony, owedAcks } from '../shared/ceremony/ceremony-machine';
import { validatePlan } from '../shared/ceremony/ceremony-plan';
import { writeBundle } from '../electron/services/transcript/bundle';
import { countersignTranscript, signTranscript } from '../electron/services/transcript/signing';
import type { JsonObject, VerifiedChain } from '../shared/record/journal-event';
import { commitment } from '../shared/record/redaction';
import { renderTranscript } from '../shared/record/transcript-format';
import { CEREMONY_ID, makeSigner, planEvent, sealedJournal, type TestSigner } from '../test/support/transcript-bundle';

export interface LargeBundle {
  readonly dir: string;
  readonly signers: readonly TestSigner[];
  readonly transcriptBytes: number;
  readonly journalBytes: number;
  dispose(): void;
}

const STATUS = 'sys/replication/status';

export async function makeLargeBundle(events: number): Promise<LargeBundle> {
  const root = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  const dispose = () => rmSync(root, { recursive: true, force: true });
  try {
    const signers = [await makeSigner('admin'), await makeSigner('witness-1'), await makeSigner('witness-2')];
    const { chain, bytes: journal } = journalOf(events, signers);
    const text = renderTranscript(chain);
    let signed = await signTranscript(text, signers[0]!.signer);
    for (const w of signers.slice(1))
      if (signed.ok) signed = await countersignTranscript(signed.value.armored, w.signer);
    if (!signed.ok) throw new Error(signed.error.message);
    const dir = join(root, 'bundle');
    const written = await writeBundle(dir, {
      transcript: signed.value.armored,
      journal,
      signers: signers.map((s) => ({ name: s.name, publicKey: s.publicKey })),
    });
    if (!written.ok) throw new Error(written.error.message);
    return {
      dir,
      signers,
      transcriptBytes: Buffer.byteLength(signed.value.armored),
      journalBytes: journal.length,
      dispose,
    };
  } catch (e) {
    dispose();
    throw e;
  }
}

function journalOf(count: number, signers: readonly TestSigner[]): { chain: VerifiedChain; bytes: Uint8Array } {
  const started = planEvent(signers);
  const plan = validatePlan(started.details!.plan);
  if (!plan.ok) throw new Error(plan.error.message);
  let state = createCeremony(plan.value, started.details!.started_at as string);
  const entries: EventInput[] = [started];
  const at = '2025-01-31T12:01:00.000Z';
  const apply = (event: CeremonyEvent) => {
    const next = admittedEvent(state, event);
    if (!next.ok) throw new Error(next.error.message);
    entries.push(entryFor(next.event, state));
    state = next.value;
  };
  for (const ack of owedAcks(state).map((owed) => owed.anyOf[0]!))
    apply({ type: 'acknowledge', actor: ack.name, role: ack.role, step: state.step, at });
  // Every read of the DR secondary's status answers a mode the step does not expect, or an error, so
  // the laptop reads again: each read's request, its redacted answer and the result it gives. The
  // ceremony is then cancelled, as the laptop records it, so verify's replay finds it consistent.
  const [administrator, witness] = signers.map((s) => s.name);
  const read = { profile: plan.value.profile, method: 'GET', path: STATUS };
  for (let seq = 0; entries.length + 3 + 3 < count; seq++) {
    const call = (type: string, details: JsonObject): EventInput => ({ ...SYSTEM, step: state.step, type, details });
    const requestId = uuid(`request-${seq}`);
    const answer = seq % 2 === 0 ? primaryAnswer(seq, requestId) : sealedAnswer(seq, requestId);
    entries.push(call('vault-request', read), call('vault-response', { ...read, ...answer }));
    const result = answer.ok
      ? { outcome: 'ok' as const, facts: { kind: 'read-replication-status' as const, mode: 'primary' } }
      : { outcome: 'failed' as const, reason: answer.error.message };
    apply({ type: 'serviceResult', step: state.step, ...result, at });
  }
  apply({ type: 'cancel', actor: administrator!, reason: 'a rehearsal: the secondary reports primary', at });
  apply({ type: 'deviationWitnessed', id: state.deviations.length, actor: witness!, at });
  entries.push({ ...SYSTEM, step: state.step, type: CEREMONY_FINISHED, details: closingDetails(state) });
  return sealedJournal(CEREMONY_ID, entries);
}

/** Vault's answer to a read of the replication status, saying the cluster is a DR primary (a token in it redacted). */
function primaryAnswer(seq: number, requestId: string) {
  const block = (mode: string) => ({
    mode,
    state: 'running',
    cluster_id: uuid(`cluster-${seq % 7}`),
    last_dr_wal: seq * 7,
    known_secondaries: [],
    token: commitment(`hvs.${'x'.repeat(20)}${seq}`),
  });
  const data = { dr: block('primary'), performance: block('disabled') };
  return { ok: true as const, status: 200, request_id: requestId, data };
}

/** Vault refusing a read of the replication status while it is sealed. */
function sealedAnswer(seq: number, requestId: string) {
  const message = `Vault at https://dc2.example:8200 refused GET ${STATUS} with HTTP 503 (profile 'dc2'). Vault says 'Vault is sealed' (${seq}).`;
  const error = { kind: 'vault-error', message, status: 503, errors: ['Vault is sealed'], request_id: requestId };
  return { ok: false as const, error };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function uuid(seed: string): string {
  const h = sha256Hex(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
