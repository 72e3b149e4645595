/**
 * A realistic transcript bundle with a long journal, for the verify benchmark: Vault requests and
 * (redacted) responses, acknowledgements and share entries cycling through a promotion, signed by
 * an administrator and countersigned by two witnesses, written by the real bundle writer (which
 * verifies it first). The journal is built with the shared event functions the Journal class uses,
 * without an fsync per event, which only the writing side pays for.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventInput } from '../electron/services/journal/journal';
import { writeBundle } from '../electron/services/transcript/bundle';
import { countersignTranscript, signTranscript } from '../electron/services/transcript/signing';
import {
  JOURNAL_ACTOR,
  JOURNAL_CREATED,
  JOURNAL_STEP,
  genesisHash,
  journalHeaderDetails,
  sealEvent,
  serializeEvent,
  type JournalEvent,
  type JsonObject,
  type Role,
} from '../shared/record/journal-event';
import { commitment, redactObject } from '../shared/record/redaction';
import { renderTranscript } from '../shared/record/transcript-format';
import { CEREMONY_ID, ceremonyEvents, makeSigner, planEvent, type TestSigner } from '../test/support/transcript-bundle';

export interface LargeBundle {
  readonly dir: string;
  readonly signers: readonly TestSigner[];
  readonly transcriptBytes: number;
  readonly journalBytes: number;
  dispose(): void;
}

const OFFICERS = ['alice', 'bob', 'carol', 'dave', 'erin'];

export async function makeLargeBundle(events: number): Promise<LargeBundle> {
  const root = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  const dispose = () => rmSync(root, { recursive: true, force: true });
  try {
    const signers = [await makeSigner('admin'), await makeSigner('witness-1'), await makeSigner('witness-2')];
    const chain = journalOf(events, signers);
    const text = renderTranscript({
      events: chain,
      ceremonyId: CEREMONY_ID,
      rehearsal: true,
      head: chain[chain.length - 1]!.hash,
    });
    let signed = await signTranscript(text, signers[0]!.signer);
    for (const w of signers.slice(1))
      if (signed.ok) signed = await countersignTranscript(signed.value.armored, w.signer);
    if (!signed.ok) throw new Error(signed.error.message);
    const journal = new TextEncoder().encode(chain.map((e) => serializeEvent(e) + '\n').join(''));
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

function journalOf(count: number, signers: readonly TestSigner[]): JournalEvent[] {
  const start = Date.parse('2025-01-31T12:00:00.000Z');
  const events: JournalEvent[] = [];
  let prev = genesisHash(CEREMONY_ID);
  // The ceremony is cancelled at the end, as the laptop records it, so verify's replay finds it consistent.
  const closing = ceremonyEvents(signers);
  for (let seq = 1; seq <= count; seq++) {
    const body =
      seq === 1
        ? {
            actor: JOURNAL_ACTOR,
            role: 'system' as Role,
            step: JOURNAL_STEP,
            type: JOURNAL_CREATED,
            details: journalHeaderDetails(CEREMONY_ID, true),
          }
        : seq === 2
          ? (planEvent(signers) as Required<ReturnType<typeof planEvent>>)
          : seq > count - closing.length
            ? (closing[seq - 1 - count + closing.length] as Required<EventInput>)
            : cycleEvent(seq);
    const event = sealEvent({
      ...body,
      details: redactObject(body.details),
      seq,
      time: new Date(start + seq * 1500).toISOString(),
      prev,
    });
    events.push(event);
    prev = event.hash;
  }
  return events;
}

/** One of a promotion's recurring events, varied by seq so no two are alike. */
function cycleEvent(seq: number): { actor: string; role: Role; step: string; type: string; details: JsonObject } {
  const officer = OFFICERS[seq % OFFICERS.length]!;
  const nonce = uuid(`nonce-${Math.floor(seq / 50)}`);
  const requestId = uuid(`request-${seq}`);
  switch (seq % 5) {
    case 0:
      return {
        actor: 'admin',
        role: 'administrator',
        step: 'enter-shares',
        type: 'vault-request',
        details: {
          method: 'POST',
          path: '/v1/sys/replication/dr/secondary/generate-operation-token/update',
          body: { key: 'share', nonce },
        },
      };
    case 1:
      return {
        actor: 'admin',
        role: 'administrator',
        step: 'enter-shares',
        type: 'vault-response',
        details: {
          status: 200,
          request_id: requestId,
          body: {
            started: true,
            nonce,
            progress: seq % 3,
            required: 3,
            complete: false,
            otp_length: 28,
            otp: '',
            encoded_token: '',
            pgp_fingerprint: '',
          },
        },
      };
    case 2:
      return {
        actor: officer,
        role: 'officer',
        step: 'enter-shares',
        type: 'share-entered',
        details: {
          officer,
          ciphertext_sha256: sha256Hex(`share-${seq}`),
          key_fingerprint: sha256Hex(officer).slice(0, 40),
          nonce,
        },
      };
    case 3:
      return {
        actor: 'witness-1',
        role: 'witness',
        step: 'enter-shares',
        type: 'share-attested',
        details: { attestation: `share ${seq} entered by ${officer} at the ceremony laptop, nonce re-checked`, nonce },
      };
    default:
      return {
        actor: 'admin',
        role: 'administrator',
        step: 'pre-checks',
        type: 'vault-response',
        details: {
          status: 200,
          request_id: requestId,
          body: {
            mode: 'secondary',
            state: 'stream-wals',
            connection_state: 'ready',
            last_remote_wal: seq * 7,
            token: commitment(`hvs.${'x'.repeat(20)}${seq}`),
          },
        },
      };
  }
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function uuid(seed: string): string {
  const h = sha256Hex(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
