/**
 * A real signed transcript bundle for tests: a journal written by Journal, whose ceremony-started
 * event records a plan naming the signers (the first the administrator, the rest witnesses, by
 * fingerprint), its transcript cleartext-signed by the administrator and countersigned by the
 * witnesses (openpgp.js v4 curve25519 keys that GnuPG 2.2 reads; one passphrase-protected),
 * written by writeBundle.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { Journal, type EventInput } from '../../electron/services/journal/journal';
import { writeBundle } from '../../electron/services/transcript/bundle';
import {
  countersignTranscript,
  detachedSignatures,
  readSignedTranscript,
  signTranscript,
} from '../../electron/services/transcript/signing';
import { openPgpKeySigner, type OpenPgpKey } from '../../electron/services/pgp/openpgp-signer';
import type { Signer } from '../../electron/services/pgp/signer';
import type { BundleContents } from '../../electron/services/transcript/verify';
import {
  JOURNAL_ACTOR,
  JOURNAL_CREATED,
  JOURNAL_STEP,
  genesisHash,
  journalHeaderDetails,
  sealEvent,
  serializeEvent,
  type JournalEvent,
  type VerifiedChain,
} from '../../shared/record/journal-event';
import { redactObject } from '../../shared/record/redaction';
import { CEREMONY_FINISHED, closingDetails, entryFor, SYSTEM } from '../../electron/services/ceremony/ceremony-record';
import { createCeremony, transition } from '../../shared/ceremony/ceremony-machine';
import { validatePlan } from '../../shared/ceremony/ceremony-plan';
import { renderTranscript } from '../../shared/record/transcript-format';
import { validPlanData } from './ceremony-plan-data';

export interface TestSigner {
  readonly name: string;
  readonly key: OpenPgpKey;
  /** Signs with `key`: now, or when its KeyLife says. */
  readonly signer: Signer;
  readonly publicKey: string;
  readonly fingerprint: string;
}

export interface TestBundle {
  readonly root: string;
  readonly dir: string;
  readonly signers: readonly TestSigner[];
  dispose(): void;
}

/** A key's life for makeSigner: made at `created`, expiring at `expires`, signing at `signs`. */
export interface KeyLife {
  readonly created: Date;
  readonly expires: Date;
  readonly signs: Date;
}

export async function makeSigner(name: string, passphrase?: string, life?: KeyLife): Promise<TestSigner> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name, email: `${name}@example.org` }],
    ...(passphrase ? { passphrase } : {}),
    ...(life
      ? { date: life.created, keyExpirationTime: (life.expires.getTime() - life.created.getTime()) / 1000 }
      : {}),
    format: 'armored',
  });
  const fingerprint = (await openpgp.readKey({ armoredKey: publicKey })).getFingerprint();
  const key = passphrase ? { armoredPrivateKey: privateKey, passphrase } : { armoredPrivateKey: privateKey };
  return { name, key, signer: await keySigner(key, life?.signs), publicKey, fingerprint };
}

/** An openpgp.js signer for `key` (signing at `date` when given); a key it refuses fails the test. */
export async function keySigner(key: OpenPgpKey, date?: Date): Promise<Signer> {
  const signer = await openPgpKeySigner(key, date ? { now: () => date } : {});
  if (!signer.ok) throw new Error(signer.error.message);
  return signer.value;
}

/** The ceremony the plan of planEvent is for: its journal's ceremony id. */
export const CEREMONY_ID = 'dc2-2025-01-31';

/** The ceremony-started event of a rehearsal whose plan names `signers` to sign, in order. */
export function planEvent(signers: ReadonlyArray<Pick<TestSigner, 'name' | 'fingerprint'>>): EventInput {
  const [administrator, ...witnesses] = signers.map(({ name, fingerprint }) => ({ name, fingerprint }));
  return {
    actor: 'vault-ceremony',
    role: 'system',
    step: 'roll-call',
    type: 'ceremony-started',
    details: {
      plan: { ...validPlanData(), id: CEREMONY_ID, rehearsal: true, administrator, witnesses },
      started_at: '2025-01-31T12:00:00.000Z',
    },
  } as EventInput;
}

/**
 * What happens after the plan, as the laptop records it (ceremony-record.ts): the administrator
 * cancels the ceremony, a witness confirms, and the record closes, consistent with `verify`'s replay.
 */
export function ceremonyEvents(planned: ReadonlyArray<Pick<TestSigner, 'name' | 'fingerprint'>>): EventInput[] {
  const started = planEvent(planned).details!;
  const plan = validatePlan(started.plan);
  if (!plan.ok) throw new Error(plan.error.message);
  const [administrator, witness] = planned.map((p) => p.name);
  let state = createCeremony(plan.value, started.started_at as string);
  const entries: EventInput[] = [];
  const at = '2025-01-31T12:01:00.000Z';
  for (const event of [
    { type: 'cancel', actor: administrator!, reason: 'a rehearsal: primary fenced, nothing to promote', at },
    { type: 'deviationWitnessed', id: 1, actor: witness!, at },
  ] as const) {
    const next = transition(state, event);
    if (!next.ok) throw new Error(next.error.message);
    entries.push(entryFor(event, state));
    state = next.value;
  }
  return [...entries, { ...SYSTEM, step: state.step, type: CEREMONY_FINISHED, details: closingDetails(state) }];
}

/**
 * Journals the plan naming `signers` (or `planned`, to name others) and its ceremonyEvents, signs the
 * transcript as signers[0] and countersigns with the rest. The journal's times are `clock`'s, as
 * the laptop's are its clock's.
 */
export async function makeBundle(
  signers: readonly TestSigner[],
  planned: ReadonlyArray<Pick<TestSigner, 'name' | 'fingerprint'>> = signers,
  clock?: () => Date,
): Promise<TestBundle> {
  const root = mkdtempSync(join(tmpdir(), 'bundle-'));
  const dispose = () => rmSync(root, { recursive: true, force: true });
  const journalPath = join(root, 'journal.jsonl');
  const created = await Journal.create(journalPath, {
    ceremonyId: CEREMONY_ID,
    rehearsal: true,
    ...(clock ? { clock } : {}),
  });
  if (!created.ok) throw new Error(created.error.message);
  const journal = created.value;
  for (const event of [planEvent(planned), ...ceremonyEvents(planned)]) {
    const appended = await journal.append(event);
    if (!appended.ok) throw new Error(appended.error.message);
  }
  const text = renderTranscript(journal.chain);
  await journal.close();
  let signed = await signTranscript(text, signers[0]!.signer);
  for (const witness of signers.slice(1)) {
    if (!signed.ok) break;
    signed = await countersignTranscript(signed.value.armored, witness.signer);
  }
  if (!signed.ok) throw new Error(signed.error.message);
  const dir = join(root, 'bundle');
  const written = await writeBundle(dir, {
    transcript: signed.value.armored,
    journal: new Uint8Array(readFileSync(journalPath)),
    signers: signers.map((s) => ({ name: s.name, publicKey: s.publicKey })),
  });
  if (!written.ok) throw new Error(written.error.message);
  return { root, dir, signers, dispose };
}

/** `count` Vault answers recorded with no request before them: each one the same kind of problem to `verify`. */
export function misplacedAnswers(count: number): EventInput[] {
  return Array.from({ length: count }, (_, n) => ({
    actor: 'vault-ceremony',
    role: 'system',
    step: 'roll-call',
    type: 'vault-response',
    details: { method: 'GET', path: `sys/health/${n}`, status: 200 },
  }));
}

/**
 * A rehearsal journal of `events` (the plan first, usually), sealed in memory, 1.5 s apart from
 * `start`: what Journal writes, without its fsync per event, for journals of tens of thousands.
 */
export function sealedJournal(
  ceremonyId: string,
  events: readonly EventInput[],
  start = Date.parse('2025-01-31T12:00:00.000Z'),
): { chain: VerifiedChain; bytes: Uint8Array } {
  const header: EventInput = {
    actor: JOURNAL_ACTOR,
    role: 'system',
    step: JOURNAL_STEP,
    type: JOURNAL_CREATED,
    details: journalHeaderDetails(ceremonyId, true),
  };
  const sealed: JournalEvent[] = [];
  let prev = genesisHash(ceremonyId);
  for (const [i, input] of [header, ...events].entries()) {
    const seq = i + 1;
    const time = new Date(start + seq * 1500).toISOString();
    const event = sealEvent({ ...input, details: redactObject(input.details ?? {}), seq, time, prev });
    sealed.push(event);
    prev = event.hash;
  }
  return {
    chain: { events: sealed, ceremonyId, rehearsal: true, head: prev },
    bytes: new TextEncoder().encode(sealed.map((e) => serializeEvent(e) + '\n').join('')),
  };
}

export async function threeSigners(): Promise<TestSigner[]> {
  return [await makeSigner('alice'), await makeSigner('bob', 'bob passphrase'), await makeSigner('carol')];
}

/** The bundle's three forms of a signed transcript (.asc, .txt, .sig), all from `armored`. */
export async function signedForms(armored: string): Promise<Pick<BundleContents, 'transcript' | 'text' | 'detached'>> {
  const document = await readSignedTranscript(armored);
  if (!document.ok) throw new Error(document.error.message);
  return {
    transcript: Buffer.from(armored),
    text: Buffer.from(document.value.text),
    detached: detachedSignatures(document.value.signatures),
  };
}
