/**
 * Offline verification of a transcript bundle (layout in ./bundle-layout.ts): what an auditor runs.
 *
 * A bundle is internally consistent when all of these hold:
 * - journal.jsonl is a complete, canonical hash chain (the first bad event is named by seq and line)
 *   whose `ceremony-started` event records the plan;
 * - transcript.txt.asc is in its one canonical spelling (see ./signing.ts), and its signed text
 *   is exactly the transcript re-rendered from the journal, so it states the journal's ceremony,
 *   event count and head hash and misdescribes nothing; its signatures are text signatures (as
 *   stock gpg checks transcript.txt) of kinds GnuPG 2.2 checks (v4, SHA-2, no RFC 9580 Ed25519),
 *   carrying nothing unsigned but their issuer, and stating nothing signed beside the text that
 *   gpg would print (a notation, a policy URL…);
 * - transcript.txt is exactly that text and transcript.txt.sig exactly its signature packets,
 *   detached, so stock `gpg --verify transcript.txt.sig transcript.txt` checks the same thing;
 * - the signatures are exactly one good signature by each person the plan names to sign, in the
 *   plan's order: the administrator first, then the witnesses as the plan lists them. Signers are
 *   matched by key fingerprint from the journal and named from it; signers/ only supplies keys,
 *   one file per signer, whatever the files are called. A signature by any other key, a missing
 *   or a second one, or a signer file with a key the plan does not name to sign, fails.
 *   (OpenPGP signatures each sign only the text, so their order means nothing to OpenPGP; it is
 *   fixed anyway so the signature block has one valid spelling, and the bundle writer uses it.)
 * - every irreversible step was authorised by the administrator and a witness, each a good
 *   detached signature by their planned key over the statement then current (./authorisations.ts).
 * - every signature is judged by what its key was when it signed and what its owner said of it
 *   since (../pgp/key-lifecycle.ts): expired or superseded since, it stands and the report says
 *   so; revoked as compromised, or out of use before it signed, it is BAD. Each signer's key is
 *   the auditor's copy merged with the bundle's, so neither copy hides a revocation.
 *
 * Then the verdict. 'anchored': consistent, and every signer's key is one the auditor supplied
 * (in a keyring, or its fingerprint on their list). 'unanchored': consistent, but the auditor
 * supplied nothing, so the bundle vouches only for itself: a forger's re-signed bundle with the
 * forger's keys would look the same, so the signers' fingerprints must be compared out of band.
 * 'failed': anything else, a signer the auditor's anchors do not cover included.
 *
 * Files are read as ../files/regular-file.ts reads them (regular files only, size caps first).
 * Failing checks are collected, not thrown: the report lists every problem found. Besides them, it
 * warns of what does not fail the bundle but that the auditor must know: entries of the bundle
 * folder no signature covers (./unsigned-entries.ts), and times an honest laptop's clock can
 * produce but that are odd (./record-times.ts). Its strings come from the bundle: show them
 * through shared/record/visible-text.ts.
 */
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { signers as planSigners } from '../../../shared/ceremony/step-catalogue';
import { recordedPlan } from '../../../shared/ceremony/recorded-plan';
import { verifyJournalText, type VerifiedChain } from '../../../shared/record/journal-event';
import { readTranscriptStatement, statementOf } from '../../../shared/record/transcript-format';
import { firstLineNotRendered } from '../../../shared/record/transcript-match';
import type { AppError } from '../../../shared/result';
import { listDirectory, readRegularFile } from '../files/regular-file';
import { nodeSha256Text } from '../files/sha256-text';
import { beyondGnupg } from '../pgp/gnupg-checkable';
import { judgeSignature, type KeyLifeVerdict } from '../pgp/key-lifecycle';
import { decodeUtf8, parseKeys } from '../pgp/public-keys';
import {
  BUNDLE_DETACHED,
  BUNDLE_JOURNAL,
  BUNDLE_SIGNERS,
  BUNDLE_TEXT,
  BUNDLE_TRANSCRIPT,
  MAX_BUNDLE_FILE_BYTES,
  MAX_SIGNATURES_BYTES,
  MAX_SIGNER_FILE_BYTES,
  MAX_SIGNER_KEY_PARTS_TOTAL,
  MAX_SIGNER_KEY_BINDINGS,
  MAX_SIGNER_FILES,
  SIGNER_NAME,
  SIGNER_SUFFIX,
} from './bundle-layout';
import { CEREMONY_FINISHED } from '../ceremony/ceremony-record';
import { checkAuthorisations, type AuthorisationProblemKind, type AuthorisationReport } from './authorisations';
import { readTranscriptFile, type TranscriptFile } from './canonical-cleartext';
import { Cleartext, detachedSignatures, firstDifferentLine, signatureOf, statementBesideText } from './signing';
import { presetTextDigests } from './text-digest';
import { timeWarnings } from './record-times';
import { readUnsignedEntries, unsignedEntriesWarning, type UnsignedEntries } from './unsigned-entries';

export type VerifyProblemKind =
  | 'bundle-incomplete'
  | 'bundle-file-refused'
  | 'journal-invalid'
  | 'plan-missing'
  | 'transcript-invalid'
  | 'transcript-mismatch'
  | 'detached-mismatch'
  | 'signer-invalid'
  | 'signer-foreign'
  | 'signer-key-missing'
  | 'signer-unanchored'
  | 'signature-bad'
  | 'signature-foreign'
  | 'signature-missing'
  | 'signature-duplicate'
  | 'signature-order'
  | AuthorisationProblemKind;

export type Verdict = 'anchored' | 'unanchored' | 'failed';

/** What does not fail a bundle, but must be shown with its verdict. */
export type VerifyWarningKind = 'unsigned-entries' | 'odd-time';

export interface SignerFile {
  /** `<name>` of `signers/<name>.pub.asc`: a file name, never evidence of who signed. */
  readonly name: string;
  readonly publicKey: string;
}

/** A bundle's files; undefined where a file is missing or was refused. */
export interface BundleContents {
  readonly transcript: Uint8Array | undefined;
  readonly text: Uint8Array | undefined;
  readonly detached: Uint8Array | undefined;
  readonly journal: Uint8Array | undefined;
  readonly signers: readonly SignerFile[];
  /** Files in `signers/` that are not `<name>.pub.asc`. */
  readonly strayFiles?: readonly string[];
  /** Bundle paths that were not read, and why (not a regular file, too large, unreadable). */
  readonly refused?: ReadonlyMap<string, string>;
  /** The bundle folder's entries that verify does not check, when it was listed. */
  readonly unsigned?: UnsignedEntries | undefined;
}

/** What the auditor brought to say who the signers must be. */
export interface Anchors {
  /** Public keys from the auditor's keyrings. */
  readonly keys: readonly openpgp.PublicKey[];
  /** Primary key fingerprints from the auditor's list, 40 lowercase hex digits. */
  readonly fingerprints: readonly string[];
}

export interface VerifyOptions {
  readonly anchors?: Anchors;
}

/** A person the journal's plan names to sign, in signing order. */
export interface SignerReport {
  readonly name: string;
  readonly role: 'administrator' | 'witness';
  readonly fingerprint: string;
  /** Their key is in the auditor's keyrings or on the auditor's fingerprint list. */
  readonly anchored: boolean;
  /**
   * The user IDs of this key in the auditor's own keyrings (never the bundle's copy): whom the
   * auditor knows the key as. The name comes from the journal, which the signers wrote, so a
   * keyring of many people's keys anchors a plan that gives one person's name to another's key.
   */
  readonly keyringUserIds: readonly string[];
}

export interface SignatureReport {
  /** The plan's name for the signer, or `unknown key <key ID>`. */
  readonly signer: string;
  /** Primary key fingerprint, or the signature's issuer key ID when the key is not a signer's. */
  readonly fingerprint: string;
  readonly created: string;
  readonly good: boolean;
  /** What became of the signer's key after it signed (expired, superseded, retired), for a good one. */
  readonly since: readonly string[];
}

export interface BundleReport {
  readonly verdict: Verdict;
  /** Internally consistent (anchored or not): the verdict is not 'failed'. */
  readonly valid: boolean;
  readonly ceremonyId: string | undefined;
  readonly rehearsal: boolean | undefined;
  readonly events: number | undefined;
  readonly head: string | undefined;
  /** How the ceremony ended, as the journal's closing event states it (checked against the replay). */
  readonly outcome: string | undefined;
  /** Who must sign, from the journal's plan; empty when it cannot be read. */
  readonly signers: readonly SignerReport[];
  readonly signatures: readonly SignatureReport[];
  /** The signed authorisations of irreversible steps the journal records, in order. */
  readonly authorisations: readonly AuthorisationReport[];
  readonly problems: readonly AppError<VerifyProblemKind>[];
  /** What does not fail the bundle but the auditor must see beside the verdict, whatever it is. */
  readonly warnings: readonly AppError<VerifyWarningKind>[];
  /** The signed text, when transcript.txt.asc could be read. */
  readonly text: string | undefined;
}

export async function verifyBundle(dir: string, options: VerifyOptions = {}): Promise<BundleReport> {
  return verifyBundleContents(await readBundle(dir), options);
}

export async function readBundle(dir: string): Promise<BundleContents> {
  const names = await listDirectory(join(dir, BUNDLE_SIGNERS), MAX_SIGNER_FILES);
  const signerFiles: string[] = [];
  const strayFiles: string[] = [];
  for (const file of names.ok ? names.value : []) {
    const name = file.slice(0, -SIGNER_SUFFIX.length);
    if (file.endsWith(SIGNER_SUFFIX) && SIGNER_NAME.test(name)) signerFiles.push(file);
    else strayFiles.push(file);
  }
  // All at once: each file is several round trips to libuv's threads (open, stat, reads, close).
  const unsigned = readUnsignedEntries(dir);
  const [transcript, text, detached, journal, ...signerBytes] = await Promise.all(
    [
      [BUNDLE_TRANSCRIPT, MAX_BUNDLE_FILE_BYTES] as const,
      [BUNDLE_TEXT, MAX_BUNDLE_FILE_BYTES] as const,
      [BUNDLE_DETACHED, MAX_SIGNATURES_BYTES] as const,
      [BUNDLE_JOURNAL, MAX_BUNDLE_FILE_BYTES] as const,
      ...signerFiles.map((file) => [`${BUNDLE_SIGNERS}/${file}`, MAX_SIGNER_FILE_BYTES] as const),
    ].map(async ([path, cap]) => ({ path, file: await readRegularFile(join(dir, path), cap) })),
  );
  // Refusals are listed in a fixed order (the directory's, then the bundle's files), not as reads end.
  const refused = new Map<string, string>();
  if (!names.ok && names.error.kind !== 'missing') refused.set(`${BUNDLE_SIGNERS}/`, names.error.message);
  const bytesOf = (read: (typeof signerBytes)[number] | undefined) => {
    if (!read) return undefined;
    if (read.file.ok) return read.file.value;
    if (read.file.error.kind !== 'missing') refused.set(read.path, read.file.error.message);
    return undefined;
  };
  const signers: SignerFile[] = [];
  signerFiles.forEach((file, i) => {
    const bytes = bytesOf(signerBytes[i]);
    if (bytes)
      signers.push({ name: file.slice(0, -SIGNER_SUFFIX.length), publicKey: Buffer.from(bytes).toString('utf8') });
  });
  return {
    transcript: bytesOf(transcript),
    text: bytesOf(text),
    detached: bytesOf(detached),
    journal: bytesOf(journal),
    signers,
    strayFiles,
    refused,
    unsigned: await unsigned,
  };
}

type Problem = (kind: VerifyProblemKind, message: string) => void;
type Signer = Omit<SignerReport, 'anchored' | 'keyringUserIds'>;

/**
 * What a signature may carry outside the part its signer signed: who issued it (GnuPG writes the
 * issuer's key ID there). Anyone can add anything else, such as a notation that stock tools print
 * (`gpg --list-packets`), without breaking the signature.
 */
const UNSIGNED_SUBPACKETS: ReadonlySet<number> = new Set([
  16, // Issuer Key ID (RFC 9580, 5.2.3.12; openpgp.js's types do not declare its subpacket enum)
  33, // Issuer Fingerprint (RFC 9580, 5.2.3.35)
]);

export async function verifyBundleContents(
  contents: BundleContents,
  options: VerifyOptions = {},
): Promise<BundleReport> {
  const problems: AppError<VerifyProblemKind>[] = [];
  const problem: Problem = (kind, message) => problems.push({ kind, message });
  const absent = (path: string): undefined => {
    const why = contents.refused?.get(path);
    if (why === undefined) problem('bundle-incomplete', `${path} is missing`);
    else problem('bundle-file-refused', `${path} was not read: ${why}`);
    return undefined;
  };
  for (const [path, why] of contents.refused ?? [])
    if (path.startsWith(BUNDLE_SIGNERS)) problem('bundle-file-refused', `${path} was not read: ${why}`);
  // Contents handed over in memory (the bundle writer's) are held to the caps readBundle holds
  // files to, so nothing is written that `verify` would refuse to read.
  const file = (path: string, bytes: Uint8Array | undefined, cap: number): Uint8Array | undefined => {
    if (bytes === undefined) return absent(path);
    if (bytes.length <= cap) return bytes;
    problem('bundle-file-refused', `${path} is ${bytes.length} bytes, more than verify reads (at most ${cap})`);
    return undefined;
  };

  const journal = file(BUNDLE_JOURNAL, contents.journal, MAX_BUNDLE_FILE_BYTES);
  const chain = journal ? checkJournal(journal, problem) : undefined;
  const required = chain ? requiredSigners(chain, problem) : undefined;
  const transcript = file(BUNDLE_TRANSCRIPT, contents.transcript, MAX_BUNDLE_FILE_BYTES);
  const document = transcript ? await checkTranscript(transcript, chain, problem) : undefined;
  if (document) {
    const text = file(BUNDLE_TEXT, contents.text, MAX_BUNDLE_FILE_BYTES);
    if (text) checkText(text, document, problem);
    const detached = file(BUNDLE_DETACHED, contents.detached, MAX_SIGNATURES_BYTES);
    if (detached) checkDetached(detached, document.signatures, problem);
  }

  let signatures: SignatureReport[] = [];
  let authorisations: AuthorisationReport[] = [];
  if (chain && required) {
    const keys = await signerKeys(contents, required, options.anchors, problem);
    if (keys && document) signatures = await checkSignatures(document, required, keys, problem);
    if (keys) authorisations = await checkAuthorisations(chain, keys, problem);
  }
  const anchors = options.anchors;
  const signers = await Promise.all(
    (required ?? []).map(async (s) => ({
      ...s,
      anchored: anchors !== undefined && isAnchored(s, anchors),
      keyringUserIds: (
        await Promise.all((anchors?.keys ?? []).filter((k) => k.getFingerprint() === s.fingerprint).map(userIdsOf))
      ).flat(),
    })),
  );
  if (anchors)
    for (const s of signers.filter((s) => !s.anchored))
      problem(
        'signer-unanchored',
        `the journal's plan gives ${describe(s)} key ${s.fingerprint}, which is neither in the keyrings nor on the fingerprint list you gave: it is not a key you expect`,
      );
  const verdict: Verdict = problems.length > 0 ? 'failed' : anchors ? 'anchored' : 'unanchored';
  const warnings: AppError<VerifyWarningKind>[] = [];
  const unsigned = contents.unsigned && unsignedEntriesWarning(contents.unsigned);
  if (unsigned) warnings.push({ kind: 'unsigned-entries', message: unsigned });
  if (chain) {
    const times = signatures.map((s, i) => ({ index: i + 1, signer: s.signer, created: s.created }));
    for (const message of timeWarnings(chain, times, authorisations, new Date()))
      warnings.push({ kind: 'odd-time', message });
  }
  return {
    verdict,
    valid: verdict !== 'failed',
    ceremonyId: chain?.ceremonyId,
    rehearsal: chain?.rehearsal,
    events: chain?.events.length,
    head: chain?.head,
    outcome: chain ? outcomeOf(chain) : undefined,
    signers,
    signatures,
    authorisations,
    problems,
    warnings,
    text: document?.text,
  };
}

function outcomeOf(chain: VerifiedChain): string | undefined {
  const stated = chain.events.findLast((e) => e.type === CEREMONY_FINISHED)?.details.outcome;
  return typeof stated === 'string' ? stated : undefined;
}

/**
 * Whether a file starts with a UTF-8 byte-order mark (EF BB BF). TextDecoder drops one unseen, so
 * without this a journal or cleartext file prefixed with one verified: bytes no hash and no
 * signature covers, in files that have one spelling. vault-ceremony never writes one.
 */
function startsWithByteOrderMark(bytes: Uint8Array): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

const BYTE_ORDER_MARK = 'starts with a byte-order mark (bytes EF BB BF), which vault-ceremony never writes and';

function checkJournal(bytes: Uint8Array, problem: Problem): VerifiedChain | undefined {
  if (startsWithByteOrderMark(bytes)) {
    problem('journal-invalid', `${BUNDLE_JOURNAL} ${BYTE_ORDER_MARK} no hash in the chain covers`);
    return undefined;
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) {
    problem('journal-invalid', `${BUNDLE_JOURNAL} is not valid UTF-8`);
    return undefined;
  }
  const chain = verifyJournalText(text, { sha256: nodeSha256Text });
  if (!chain.ok) {
    problem('journal-invalid', `${BUNDLE_JOURNAL}: ${chain.error.message}`);
    return undefined;
  }
  return chain.value;
}

/** The administrator, then each witness as the plan lists them: who must sign, in that order. */
function requiredSigners(chain: VerifiedChain, problem: Problem): Signer[] | undefined {
  const plan = recordedPlan(chain);
  if (!plan.ok) {
    problem('plan-missing', `${BUNDLE_JOURNAL}: ${plan.error.message}, so nobody is known to be required to sign`);
    return undefined;
  }
  return planSigners(plan.value).map((p, i) => ({
    name: p.name,
    role: i === 0 ? 'administrator' : 'witness',
    fingerprint: p.fingerprint,
  }));
}

async function checkTranscript(
  bytes: Uint8Array,
  chain: VerifiedChain | undefined,
  problem: Problem,
): Promise<TranscriptFile | undefined> {
  if (startsWithByteOrderMark(bytes)) {
    problem('transcript-invalid', `${BUNDLE_TRANSCRIPT} ${BYTE_ORDER_MARK} no signature covers`);
    return undefined;
  }
  const document = await readTranscriptFile(bytes);
  if (!document?.ok) {
    problem('transcript-invalid', `${BUNDLE_TRANSCRIPT}: ${document ? document.error.message : 'not valid UTF-8'}`);
    return undefined;
  }
  const { text, signatures } = document.value;
  // Each is checked with public-key arithmetic: 60,000 copies of the three good signatures, which
  // the file's cap allows, took 25 s on a busy 2-core machine and printed a line each.
  if (signatures.length > MAX_SIGNER_FILES) {
    problem(
      'transcript-invalid',
      `${BUNDLE_TRANSCRIPT} carries ${signatures.length} signatures, and verify checks at most ${MAX_SIGNER_FILES}: one by each person a plan can name to sign. vault-ceremony never writes such a bundle`,
    );
    return undefined;
  }
  for (const [i, packet] of signatures.entries()) {
    // openpgp.js checks a cleartext's signature of any type over the text with CRLF line ends; gpg
    // checks transcript.txt.sig over the file's bytes, which match only a text-mode signature's.
    if (packet.signatureType !== openpgp.enums.signature.text)
      problem(
        'transcript-invalid',
        `signature ${i + 1} in ${BUNDLE_TRANSCRIPT} is of type ${packet.signatureType ?? 'none'}, not a text signature (type 1) as gpg and vault-ceremony make: stock \`gpg --verify ${BUNDLE_DETACHED} ${BUNDLE_TEXT}\` would not check it as verify does; sign the transcript again`,
      );
    const unsigned = packet.unhashedSubpackets.find((sub) => !UNSIGNED_SUBPACKETS.has(sub.type));
    if (unsigned)
      problem(
        'transcript-invalid',
        `signature ${i + 1} in ${BUNDLE_TRANSCRIPT} carries data its signer did not sign (an unhashed subpacket of type ${unsigned.type}; signing tools put only the issuer there), so it was added after signing: take the bundle from its source again`,
      );
    const beyond = beyondGnupg(packet);
    if (beyond)
      problem(
        'transcript-invalid',
        `signature ${i + 1} in ${BUNDLE_TRANSCRIPT} uses ${beyond}, which stock GnuPG 2.2 cannot check: \`gpg --verify ${BUNDLE_DETACHED} ${BUNDLE_TEXT}\`, the check the transcript gives auditors, fails on it. Sign again with a v4 RSA, ECDSA or EdDSA (not RFC 9580 Ed25519) key and a SHA-2 hash`,
      );
    const statement = statementBesideText(packet);
    if (statement)
      problem(
        'transcript-invalid',
        `signature ${i + 1} in ${BUNDLE_TRANSCRIPT} states more than the transcript: ${statement}, which stock \`gpg --verify\` prints beside the signature as its signer's word and verify does not check. vault-ceremony's signers sign the text alone: sign the transcript again without it (a signer's gpg.conf may add it: sig-notation, sig-policy-url, sig-keyserver-url, sender)`,
      );
  }
  if (!chain) return document.value;
  const stated = readTranscriptStatement(text);
  const actual = statementOf(chain);
  const mismatch = (message: string) => problem('transcript-mismatch', message);
  if (!stated)
    mismatch(`${BUNDLE_TRANSCRIPT} does not state its format, the journal's ceremony, event count and head hash`);
  else if (stated.format !== actual.format)
    mismatch(
      `the transcript is in format ${stated.format}, and this vault-ceremony renders ${actual.format}, so it cannot re-render it to compare: verify this bundle with the vault-ceremony release that wrote it`,
    );
  else if (stated.ceremony !== actual.ceremony)
    mismatch(`the transcript is for ceremony ${stated.ceremony}, the journal for ${actual.ceremony}`);
  else if (stated.events !== actual.events)
    mismatch(`the transcript states ${stated.events} journal events, the journal has ${actual.events}`);
  else if (stated.head !== actual.head)
    mismatch(`the transcript states journal head ${stated.head}, the journal's head is ${actual.head}`);
  else {
    const line = firstLineNotRendered(chain, text);
    if (line !== undefined)
      mismatch(
        `the signed transcript is not the one the journal renders: first difference at line ${line} of the signed text`,
      );
  }
  return document.value;
}

/** transcript.txt must be the signed text, byte for byte: it is what stock gpg checks. */
function checkText(bytes: Uint8Array, signed: TranscriptFile, problem: Problem): void {
  if (Buffer.compare(signed.textBytes, bytes) === 0) return;
  const line = firstDifferentLine(signed.text, Buffer.from(bytes).toString('utf8'));
  problem(
    'detached-mismatch',
    `${BUNDLE_TEXT} is not exactly the text signed in ${BUNDLE_TRANSCRIPT}: they differ from line ${line}`,
  );
}

/** transcript.txt.sig must hold the very signatures of transcript.txt.asc, in the same order. */
function checkDetached(bytes: Uint8Array, packets: readonly openpgp.SignaturePacket[], problem: Problem): void {
  if (Buffer.from(detachedSignatures(packets)).equals(bytes)) return;
  problem(
    'detached-mismatch',
    `${BUNDLE_DETACHED} does not hold exactly the signatures of ${BUNDLE_TRANSCRIPT}, in the same order`,
  );
}

/**
 * Each signer's public key: from signers/ (one file per signer, each holding one signer's key),
 * merged into the auditor's copy where their keyrings hold the same fingerprint. Undefined when
 * the keys are too many to check signatures with.
 */
async function signerKeys(
  contents: BundleContents,
  required: readonly Signer[],
  anchors: Anchors | undefined,
  problem: Problem,
): Promise<Map<string, openpgp.PublicKey> | undefined> {
  const wanted = new Set(required.map((s) => s.fingerprint));
  const keys = new Map<string, openpgp.PublicKey>();
  const files = new Map<string, string>();
  for (const file of contents.strayFiles ?? [])
    problem('signer-invalid', `${BUNDLE_SIGNERS}/${file} is not a <name>${SIGNER_SUFFIX} public key file`);
  for (const { name, publicKey } of contents.signers) {
    const path = `${BUNDLE_SIGNERS}/${name}${SIGNER_SUFFIX}`;
    const parsed = await parseKeys(new TextEncoder().encode(publicKey));
    const key = parsed?.length === 1 ? parsed[0]! : undefined;
    const fingerprint = key?.getFingerprint() ?? '';
    if (!key) problem('signer-invalid', `${path} must hold exactly one armored public key`);
    else if (key.isPrivate())
      problem(
        'signer-invalid',
        `${path} holds a PRIVATE key: that key is exposed, so revoke it and re-sign with a new one`,
      );
    else if (key.users.length > MAX_SIGNER_KEY_BINDINGS || key.subkeys.length > MAX_SIGNER_KEY_BINDINGS)
      problem(
        'signer-invalid',
        `${path} holds a key with ${key.users.length} user IDs and ${key.subkeys.length} subkeys; verify reads a signer's key with at most ${MAX_SIGNER_KEY_BINDINGS} of each, as it checks them all again for every signature. vault-ceremony never writes such a file`,
      );
    else if (!wanted.has(fingerprint))
      problem(
        'signer-foreign',
        `${path} holds key ${fingerprint}, which the journal's plan does not name for the administrator or any witness`,
      );
    else if (files.has(fingerprint))
      problem('signer-invalid', `${path} holds the same key as ${files.get(fingerprint)}: one signer, one file`);
    else {
      keys.set(fingerprint, key);
      files.set(fingerprint, path);
    }
  }
  const parts = [...keys.values()].reduce((n, key) => n + checkedParts(key), 0);
  if (parts > MAX_SIGNER_KEY_PARTS_TOTAL) {
    problem(
      'signer-invalid',
      `the signers' keys in ${BUNDLE_SIGNERS}/ hold ${parts} user IDs, subkeys and self-signatures in all; verify reads at most ${MAX_SIGNER_KEY_PARTS_TOTAL}, as it checks them all again for every signature, so it checked no signature: export the signers' keys with fewer (vault-ceremony writes the keys it was given)`,
    );
    return undefined;
  }
  for (const s of required)
    if (!keys.has(s.fingerprint))
      problem('signer-key-missing', `${BUNDLE_SIGNERS}/ holds no public key for ${describe(s)} (${s.fingerprint})`);
  // The auditor's copy, with whatever the bundle's copy adds: a revocation or self-signature counts
  // wherever it is found (each is checked against the key itself, so only its owner can make one),
  // and neither copy can hide what the other holds.
  for (const key of anchors?.keys ?? []) {
    const fingerprint = key.getFingerprint();
    const held = keys.get(fingerprint);
    if (held) keys.set(fingerprint, await key.update(held).catch(() => key));
  }
  return keys;
}

/**
 * What openpgp.js checks again for every signature `key` makes: its packets (user IDs, subkeys,
 * the self-signatures binding or revoking them), but others' certifications of its user IDs.
 */
function checkedParts(key: openpgp.PublicKey): number {
  return key.toPacketList().length - key.users.reduce((n, u) => n + u.otherCertifications.length, 0);
}

async function checkSignatures(
  document: TranscriptFile,
  required: readonly Signer[],
  keys: ReadonlyMap<string, openpgp.PublicKey>,
  problem: Problem,
): Promise<SignatureReport[]> {
  const prehashed = presetTextDigests(document.text, document.signatures);
  const reports: SignatureReport[] = [];
  const order: Array<Signer | undefined> = [];
  for (const [i, packet] of document.signatures.entries()) {
    const index = i + 1;
    const created = packet.created?.toISOString() ?? 'unknown';
    const signer = required.find((s) => (keys.get(s.fingerprint)?.getKeys(packet.issuerKeyID).length ?? 0) > 0);
    order.push(signer);
    if (!signer) {
      const keyId = packet.issuerKeyID.toHex();
      problem(
        'signature-foreign',
        `signature ${index} was made by key ${keyId}, which is not the key of the plan's administrator or of any witness`,
      );
      reports.push({ signer: `unknown key ${keyId}`, fingerprint: keyId, created, good: false, since: [] });
      continue;
    }
    if (order.indexOf(signer) < i)
      problem('signature-duplicate', `signature ${index} is a second signature by ${describe(signer)}`);
    // A prehashed packet is checked against its digest of the text, and openpgp.js does not read
    // the text again; were it to, an empty text would fail the signature, never pass it.
    const text = prehashed.has(packet) ? '' : document.text;
    const { problem: bad, since } = await checkSignature(text, packet, keys.get(signer.fingerprint)!);
    if (bad !== undefined)
      problem('signature-bad', `signature ${index}, by ${describe(signer)} (${signer.fingerprint}), is BAD: ${bad}`);
    reports.push({ signer: signer.name, fingerprint: signer.fingerprint, created, good: bad === undefined, since });
  }
  for (const s of required)
    if (!order.includes(s))
      problem('signature-missing', `${describe(s)} (${s.fingerprint}) did not sign the transcript`);
  const complete = order.length === required.length && required.every((s) => order.includes(s));
  if (complete && order.some((s, i) => s !== required[i]))
    problem(
      'signature-order',
      `the signatures are by ${order.map((s) => describe(s!)).join(', ')}; they must be in the plan's order: ${required.map(describe).join(', ')}`,
    );
  return reports;
}

/** Whether the signature is good, judged as of when it was made and what became of its key since (../pgp/key-lifecycle.ts). */
async function checkSignature(
  text: string,
  packet: openpgp.SignaturePacket,
  key: openpgp.PublicKey,
): Promise<KeyLifeVerdict> {
  return judgeSignature(packet, key, async (date, config) => {
    const [result] = await new Cleartext(text, signatureOf([packet])).verify([key], date, {
      ...openpgp.config,
      ...config,
    });
    await result!.verified;
  });
}

function isAnchored(signer: Signer, anchors: Anchors): boolean {
  return (
    anchors.fingerprints.includes(signer.fingerprint) ||
    anchors.keys.some((k) => k.getFingerprint() === signer.fingerprint)
  );
}

/**
 * The user IDs the key's owner vouches for: each bound by a self-signature and not revoked since,
 * as gpg lists them. Anyone can append a user ID to a key (a key server that checks nothing serves
 * it), and an owner who revokes one says the name is not, or no longer, theirs.
 */
async function userIdsOf(key: openpgp.PublicKey): Promise<string[]> {
  const vouched = await Promise.all(
    key.users.map((u) =>
      u.verify(new Date(), openpgp.config).then(
        () => true,
        () => false,
      ),
    ),
  );
  return key.users.flatMap((u, i) => (u.userID && vouched[i] ? [u.userID.userID] : []));
}

function describe(signer: Signer): string {
  return `the ${signer.role} '${signer.name}'`;
}
