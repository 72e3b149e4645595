/**
 * A realistic transcript bundle with a long journal, for the verify benchmark: after an interruption,
 * the laptop's reads of the cluster (each request followed by its redacted answer, as verify
 * requires), interleaved with notes of share entries, signed by
 * an administrator and countersigned by two witnesses, written by the real bundle writer (which
 * verifies it first). The journal is built with the shared event functions the Journal class uses,
 * without an fsync per event, which only the writing side pays for.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INTERRUPTION, SYSTEM } from '../electron/services/ceremony/ceremony-record';
import { writeBundle } from '../electron/services/transcript/bundle';
import { countersignTranscript, signTranscript } from '../electron/services/transcript/signing';
import type { JsonObject, Role, VerifiedChain } from '../shared/record/journal-event';
import { commitment } from '../shared/record/redaction';
import { renderTranscript } from '../shared/record/transcript-format';
import {
  CEREMONY_ID,
  ceremonyEvents,
  makeSigner,
  planEvent,
  sealedJournal,
  type TestSigner,
} from '../test/support/transcript-bundle';

export interface LargeBundle {
  readonly dir: string;
  readonly signers: readonly TestSigner[];
  readonly transcriptBytes: number;
  readonly journalBytes: number;
  dispose(): void;
}

const OFFICERS = ['alice', 'bob', 'carol', 'dave', 'erin'];
const ATTEMPT = 'sys/replication/dr/secondary/generate-operation-token/attempt';
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
  // The ceremony is cancelled at the end, as the laptop records it, so verify's replay finds it consistent.
  // The reads are those of a resume, the one time the laptop calls Vault with nothing due.
  const closing = ceremonyEvents(signers);
  const interruption = { ...SYSTEM, step: 'roll-call', type: INTERRUPTION, details: { secrets_lost: [] } };
  const cycle = Array.from({ length: count - 3 - closing.length }, (_, i) => cycleEvent(i));
  // A request is answered right after it: one cut off at the end gives way to a note.
  if (cycle.at(-1)?.type === 'vault-request') cycle[cycle.length - 1] = cycleEvent(2);
  return sealedJournal(CEREMONY_ID, [planEvent(signers), interruption, ...cycle, ...closing]);
}

/** One of a resume's recurring events, varied by seq so no two are alike. */
function cycleEvent(seq: number): { actor: string; role: Role; step: string; type: string; details: JsonObject } {
  const officer = OFFICERS[seq % OFFICERS.length]!;
  const nonce = uuid(`nonce-${Math.floor(seq / 50)}`);
  const requestId = uuid(`request-${seq}`);
  const read = (path: string) => ({ profile: 'dr-secondary', method: 'GET', path });
  const call = (type: string, details: JsonObject) => ({ ...SYSTEM, step: 'roll-call', type, details });
  const answer = (path: string, data: JsonObject) =>
    call('vault-response', { ...read(path), ok: true, status: 200, request_id: requestId, data });
  switch (seq % 5) {
    case 0:
      return call('vault-request', read(ATTEMPT));
    case 1:
      return answer(ATTEMPT, {
        started: true,
        nonce,
        progress: seq % 3,
        required: 3,
        complete: false,
        otp_length: 28,
        otp: '',
        encoded_token: '',
        pgp_fingerprint: '',
      });
    case 2:
      return {
        actor: officer,
        role: 'officer',
        step: 'roll-call',
        type: 'share-entered',
        details: {
          officer,
          ciphertext_sha256: sha256Hex(`share-${seq}`),
          key_fingerprint: sha256Hex(officer).slice(0, 40),
          nonce,
        },
      };
    case 3:
      return call('vault-request', read(STATUS));
    default:
      return answer(STATUS, {
        mode: 'secondary',
        state: 'stream-wals',
        connection_state: 'ready',
        last_remote_wal: seq * 7,
        token: commitment(`hvs.${'x'.repeat(20)}${seq}`),
      });
  }
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function uuid(seed: string): string {
  const h = sha256Hex(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
