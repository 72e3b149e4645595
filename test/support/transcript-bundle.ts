/**
 * A real signed transcript bundle for tests: a journal written by Journal, its transcript
 * cleartext-signed by an administrator and countersigned by two witnesses (openpgp.js v4
 * curve25519 keys that GnuPG 2.2 reads; one passphrase-protected), written by writeBundle.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { Journal, type EventInput } from '../../electron/services/journal/journal';
import { writeBundle } from '../../electron/services/transcript/bundle';
import { countersignTranscript, signTranscript, type SigningKey } from '../../electron/services/transcript/signing';
import { renderTranscript } from '../../shared/record/transcript-format';

export interface TestSigner {
  readonly name: string;
  readonly key: SigningKey;
  readonly publicKey: string;
  readonly fingerprint: string;
}

export interface TestBundle {
  readonly root: string;
  readonly dir: string;
  readonly signers: readonly TestSigner[];
  dispose(): void;
}

export async function makeSigner(name: string, passphrase?: string): Promise<TestSigner> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name, email: `${name}@example.org` }],
    ...(passphrase ? { passphrase } : {}),
    format: 'armored',
  });
  const fingerprint = (await openpgp.readKey({ armoredKey: publicKey })).getFingerprint();
  return {
    name,
    key: passphrase ? { armoredPrivateKey: privateKey, passphrase } : { armoredPrivateKey: privateKey },
    publicKey,
    fingerprint,
  };
}

export const CEREMONY_EVENTS: readonly EventInput[] = [
  {
    actor: 'alice',
    role: 'administrator',
    step: 'pre-checks',
    type: 'ceremony-started',
    details: { plan: 'dc2-promotion' },
  },
  {
    actor: 'bob',
    role: 'witness',
    step: 'pre-checks',
    type: 'step-acknowledged',
    details: { attestation: 'primary fenced' },
  },
  {
    actor: 'alice',
    role: 'administrator',
    step: 'generate-token',
    type: 'vault-response',
    details: {
      status: 200,
      body: { nonce: '2dbd10f1-8528-6246-09e7-82b25b8aba63', otp: 'kZ8bq2YtLmN4pQ7rS1uV3wX5yA9c', otp_length: 28 },
    },
  },
  {
    actor: 'alice',
    role: 'administrator',
    step: 'promote',
    type: 'ceremony-finished',
    details: { outcome: 'promoted' },
  },
];

/** Journals `events`, signs the transcript as signers[0] and countersigns with the rest. */
export async function makeBundle(
  signers: readonly TestSigner[],
  events: readonly EventInput[] = CEREMONY_EVENTS,
): Promise<TestBundle> {
  const root = mkdtempSync(join(tmpdir(), 'bundle-'));
  const dispose = () => rmSync(root, { recursive: true, force: true });
  const journalPath = join(root, 'journal.jsonl');
  const created = await Journal.create(journalPath, { ceremonyId: 'dc2-2025-01-31', rehearsal: true });
  if (!created.ok) throw new Error(created.error.message);
  const journal = created.value;
  for (const event of events) {
    const appended = await journal.append(event);
    if (!appended.ok) throw new Error(appended.error.message);
  }
  const text = renderTranscript(journal.chain);
  await journal.close();
  let signed = await signTranscript(text, signers[0]!.key);
  for (const witness of signers.slice(1)) {
    if (!signed.ok) break;
    signed = await countersignTranscript(signed.value.armored, witness.key);
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

export async function threeSigners(): Promise<TestSigner[]> {
  return [await makeSigner('alice'), await makeSigner('bob', 'bob passphrase'), await makeSigner('carol')];
}
