/**
 * Bundles as a laptop whose software skipped or faked something would write them: a journal
 * (doctored or not) chained afresh, its transcript rendered from it and signed by the real people,
 * the administrator first. In test/security/ the adversary is that laptop, not the people, so
 * everything but what the doctoring changed checks out.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { utf8ToBytes } from '../../shared/codecs/bytes';
import { statementDigest, statementText } from '../../shared/ceremony/authorisation';
import type { StepId } from '../../shared/ceremony/ceremony-steps';
import { sealEvent, serializeEvent, verifyJournalText, type JournalEvent } from '../../shared/record/journal-event';
import { renderTranscript } from '../../shared/record/transcript-format';
import type { Signer } from '../../electron/services/pgp/signer';
import { castSigner } from '../../electron/services/rehearsal/headless-driver';
import type { CastMember } from '../../electron/services/rehearsal/rehearsal-cast';
import {
  BUNDLE_DETACHED,
  BUNDLE_JOURNAL,
  BUNDLE_SIGNERS,
  BUNDLE_TEXT,
  BUNDLE_TRANSCRIPT,
  SIGNER_SUFFIX,
} from '../../electron/services/transcript/bundle-layout';
import { countersignTranscript, signTranscript } from '../../electron/services/transcript/signing';
import { signedForms } from './transcript-bundle';

export function readJournal(path: string): JournalEvent[] {
  return readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as JournalEvent);
}

/** `events` with seq and the hash chain recomputed, as software writing a false journal would. */
export function rechained(events: readonly JournalEvent[]): JournalEvent[] {
  const chained: JournalEvent[] = [];
  for (const [i, e] of events.entries())
    chained.push(sealEvent({ ...e, seq: i + 1, prev: i === 0 ? e.prev : chained[i - 1]!.hash }));
  return chained;
}

/**
 * Writes into `dir` the bundle of `events`, chained, rendered and signed by `people`, without
 * checking it (bundle.ts's writer verifies first, and a doctored bundle is meant to fail).
 */
export async function signedBundle(
  dir: string,
  events: readonly JournalEvent[],
  people: readonly CastMember[],
): Promise<void> {
  const journal = rechained(events).map(serializeEvent).join('\n') + '\n';
  const chain = verifyJournalText(journal);
  if (!chain.ok) throw new Error(chain.error.message);
  const [first, ...rest] = people;
  let signed = await signTranscript(renderTranscript(chain.value), await signerOf(first!));
  for (const person of rest)
    if (signed.ok) signed = await countersignTranscript(signed.value.armored, await signerOf(person));
  if (!signed.ok) throw new Error(signed.error.message);
  const forms = await signedForms(signed.value.armored);
  mkdirSync(join(dir, BUNDLE_SIGNERS), { recursive: true });
  for (const p of people) writeFileSync(join(dir, BUNDLE_SIGNERS, `${p.name}${SIGNER_SUFFIX}`), p.publicKeyArmored);
  writeFileSync(join(dir, BUNDLE_JOURNAL), journal);
  writeFileSync(join(dir, BUNDLE_TRANSCRIPT), forms.transcript!);
  writeFileSync(join(dir, BUNDLE_TEXT), forms.text!);
  writeFileSync(join(dir, BUNDLE_DETACHED), forms.detached!);
}

/** The auditor's keyring: the people's public keys, obtained independently of any bundle. */
export function writeKeyring(path: string, people: readonly CastMember[]): string {
  writeFileSync(path, people.map((p) => p.publicKeyArmored).join(''));
  return path;
}

/**
 * A keyring of the public keys a bundle carries in signers/, written to `path`: in an audit the keys
 * come from the signers themselves; for a rehearsal's bundle, its own will do.
 */
export function writeBundleKeyring(path: string, bundleDir: string): string {
  const signers = join(bundleDir, BUNDLE_SIGNERS);
  writeFileSync(
    path,
    readdirSync(signers)
      .map((f) => readFileSync(join(signers, f), 'utf8'))
      .join(''),
  );
  return path;
}

export async function signerOf(member: CastMember): Promise<Signer> {
  const signer = await castSigner(member);
  if (!signer.ok) throw new Error(signer.error.message);
  return signer.value;
}

/**
 * `list` with each authorisation asked for over its journal head as chained now, and signed again
 * by the person (of `people`) it names: a journal changed before an authorisation, as the laptop
 * would have shown people the statement to sign.
 */
export async function reauthorised(list: JournalEvent[], people: readonly CastMember[]): Promise<JournalEvent[]> {
  const plan = list[1]!.details.plan as { id: string; profile: string };
  let requested: { nonce: string; head: string } | undefined;
  for (const [i, e] of list.entries()) {
    const event = e.details.event as Record<string, unknown>;
    if (e.type === 'authorisation-requested') {
      event.head = rechained(list.slice(0, i)).at(-1)!.hash;
      requested = event as typeof requested;
    }
    if (e.type !== 'step-authorised' || !requested) continue;
    const statement = { ...requested, ceremony: plan.id, step: e.step as StepId, action: e.details.action as string };
    const signer = people.find((p) => p.name === e.actor)!;
    event.head = statement.head;
    event.signature = await detachedBy(signer, statementText({ ...statement, cluster: plan.profile }));
    (e.details as Record<string, unknown>).statement_sha256 = statementDigest({ ...statement, cluster: plan.profile });
  }
  return list;
}

/** `member`'s detached signature over `text`, as an authorisation carries it. */
export async function detachedBy(member: CastMember, text: string): Promise<string> {
  const signature = await (await signerOf(member)).detachSign(utf8ToBytes(text));
  if (!signature.ok) throw new Error(signature.error.message);
  return signature.value;
}
