/**
 * A promotion (or another ceremony) rehearsed headless once for a suite in test/security/, as its doctoring starts from:
 * the bundle's folder, the cast, the auditor's keyring (the signers' keys, obtained independently
 * of any bundle) and the journal; and `verify` run in process as the auditor runs it.
 */
import { join } from 'node:path';
import { main } from '../../cli/main';
import { generateSigners, type CastMember, type Signers } from '../../electron/services/rehearsal/rehearsal-cast';
import { runRehearsal } from '../../electron/services/rehearsal/headless-rehearsal';
import type { RehearsalKind } from '../../electron/services/rehearsal/rehearsal-ceremony';
import type { JournalEvent } from '../../shared/record/journal-event';
import { captureIo } from './capture-io';
import { readJournal, reauthorised, signedBundle, writeKeyring } from './doctored-bundle';

export interface RehearsedPromotion {
  /** The bundle the rehearsal wrote. */
  readonly out: string;
  readonly cast: Signers;
  /** The administrator, then the witnesses: who signs. */
  readonly people: readonly CastMember[];
  readonly keyring: string;
  readonly events: JournalEvent[];
}

/** Rehearses a promotion into `<root>/out`, signed by `given` (by default a fresh cast). */
export function rehearsePromotion(root: string, given?: Signers): Promise<RehearsedPromotion> {
  return rehearseCeremony(root, 'promotion', 1, given);
}

/** Rehearses a ceremony of `kind` on clusters of `nodes` nodes into `<root>/out`, signed by `given` (by default a fresh cast). */
export async function rehearseCeremony(
  root: string,
  kind: RehearsalKind,
  nodes: number,
  given?: Signers,
): Promise<RehearsedPromotion> {
  const out = join(root, 'out');
  const cast = given ?? (await generateSigners(undefined));
  const r = await runRehearsal({
    out,
    kind,
    target: { kind: 'start', options: { officers: 3, threshold: 2, nodes, passphrase: 'rehearsal officers' } },
    signers: cast,
    log: () => undefined,
  });
  if (!r.ok) throw new Error(r.error.message);
  const people = [cast.administrator, ...cast.witnesses];
  const keyring = writeKeyring(join(root, 'auditor-keys.asc'), people);
  return { out, cast, people, keyring, events: readJournal(join(out, 'journal.jsonl')) };
}

/** `vault-ceremony verify DIR --keyring KEYRING`: its exit code and everything it printed. */
export async function verifyAnchored(dir: string, keyring: string): Promise<{ code: number; output: string }> {
  const { io, stdout, stderr } = captureIo();
  const code = await main(['verify', dir, '--keyring', keyring], io);
  return { code, output: stdout() + stderr() };
}

/**
 * `verify --keyring` of a copy of a signed record with `change` made, written to `dir`: re-chained,
 * its authorisations signed afresh and the transcript signed by the real `people`.
 */
export async function verifyChangedCopy(
  dir: string,
  record: { readonly events: readonly JournalEvent[]; readonly people: readonly CastMember[] },
  change: (list: JournalEvent[]) => void,
): Promise<{ code: number; output: string }> {
  const list = record.events.map((e) => structuredClone(e));
  change(list);
  await signedBundle(dir, await reauthorised(list, record.people), record.people);
  return verifyAnchored(dir, writeKeyring(`${dir}-signers.asc`, record.people));
}
