/**
 * Offline verification of a transcript bundle (layout in ./bundle.ts): what an auditor runs.
 *
 * It holds only when all of these do:
 * - journal.jsonl is a complete, canonical hash chain (the first bad event is named by seq and line);
 * - transcript.txt.asc is in its one canonical spelling (see ./signing.ts), and its signed text
 *   is exactly the transcript re-rendered from the journal, so it states the journal's ceremony,
 *   event count and head hash and misdescribes nothing;
 * - every signature on it is good and made by a trusted key: the bundle's own `signers/*.pub.asc`,
 *   or, when the auditor passes keyrings, only keys from those (then the bundle's keys are
 *   merely names); each signer file has a signature, and no key signed twice.
 *
 * Failing checks are collected, not thrown: the report lists every problem found.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { verifyJournalText, type VerifiedChain } from '../../../shared/record/journal-event';
import { err, ok, type AppError, type Result } from '../../../shared/result';
import { readTranscriptStatement, renderTranscript, statementOf } from '../../../shared/record/transcript-format';
import { nodeSha256Text } from '../files/sha256-text';
import { BUNDLE_JOURNAL, BUNDLE_SIGNERS, BUNDLE_TRANSCRIPT, SIGNER_NAME, SIGNER_SUFFIX } from './bundle-layout';
import { readCanonicalTranscript } from './canonical-cleartext';
import { Cleartext, firstDifferentLine, signatureOf } from './signing';
import { presetTextDigests } from './text-digest';

export type VerifyProblemKind =
  | 'bundle-incomplete'
  | 'journal-invalid'
  | 'transcript-invalid'
  | 'transcript-mismatch'
  | 'signer-invalid'
  | 'signature-bad'
  | 'signature-untrusted'
  | 'signature-missing'
  | 'signature-duplicate';

export type KeyringErrorKind = 'keyring-unreadable' | 'keyring-invalid';

export interface SignerFile {
  /** `<name>` of `signers/<name>.pub.asc`. */
  readonly name: string;
  readonly publicKey: string;
}

/** A bundle's files; undefined where a file is missing. */
export interface BundleContents {
  readonly transcript: Uint8Array | undefined;
  readonly journal: Uint8Array | undefined;
  readonly signers: readonly SignerFile[];
  /** Files in `signers/` that are not `<name>.pub.asc`. */
  readonly strayFiles?: readonly string[];
}

export interface TrustedKey {
  readonly name: string;
  readonly key: openpgp.PublicKey;
}

export interface SignatureReport {
  /** The signer's name from the bundle (or the keyring's user ID); the key ID when unknown. */
  readonly signer: string;
  /** Primary key fingerprint, or the signature's issuer key ID when the key is unknown. */
  readonly fingerprint: string;
  readonly created: string;
  readonly good: boolean;
}

export interface BundleReport {
  readonly valid: boolean;
  readonly ceremonyId: string | undefined;
  readonly rehearsal: boolean | undefined;
  readonly events: number | undefined;
  readonly head: string | undefined;
  readonly signatures: readonly SignatureReport[];
  readonly problems: readonly AppError<VerifyProblemKind>[];
}

export interface VerifyOptions {
  /** When given, the only keys whose signatures count (from readKeyrings). */
  readonly trusted?: readonly TrustedKey[];
}

export async function verifyBundle(dir: string, options: VerifyOptions = {}): Promise<BundleReport> {
  return verifyBundleContents(await readBundle(dir), options);
}

export async function readBundle(dir: string): Promise<BundleContents> {
  const read = (path: string) =>
    readFile(path).then(
      (b) => new Uint8Array(b),
      () => undefined,
    );
  const names = await readdir(join(dir, BUNDLE_SIGNERS)).catch(() => [] as string[]);
  const signers: SignerFile[] = [];
  const strayFiles: string[] = [];
  for (const file of names.sort()) {
    const name = file.slice(0, -SIGNER_SUFFIX.length);
    const bytes =
      file.endsWith(SIGNER_SUFFIX) && SIGNER_NAME.test(name) ? await read(join(dir, BUNDLE_SIGNERS, file)) : undefined;
    if (bytes) signers.push({ name, publicKey: Buffer.from(bytes).toString('utf8') });
    else strayFiles.push(file);
  }
  return {
    transcript: await read(join(dir, BUNDLE_TRANSCRIPT)),
    journal: await read(join(dir, BUNDLE_JOURNAL)),
    signers,
    strayFiles,
  };
}

/** Reads auditor-supplied public keys: armored (one or more blocks) or binary (e.g. `gpg --export`). */
export async function readKeyrings(paths: readonly string[]): Promise<Result<TrustedKey[], KeyringErrorKind>> {
  const trusted: TrustedKey[] = [];
  for (const path of paths) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch {
      return err('keyring-unreadable', `cannot read the keyring ${path}`);
    }
    const keys = await parseKeys(bytes);
    if (!keys) return err('keyring-invalid', `${path} holds no OpenPGP public key (armored or binary)`);
    if (keys.some((k) => k.isPrivate()))
      return err('keyring-invalid', `${path} holds a private key: pass public keys only`);
    for (const key of keys) trusted.push({ name: key.getUserIDs()[0] ?? key.getFingerprint(), key });
  }
  return ok(trusted);
}

export async function verifyBundleContents(
  contents: BundleContents,
  options: VerifyOptions = {},
): Promise<BundleReport> {
  const problems: AppError<VerifyProblemKind>[] = [];
  const problem = (kind: VerifyProblemKind, message: string) => problems.push({ kind, message });

  const named = await readSignerFiles(contents, problem);
  const chain = checkJournal(contents.journal, problem);
  const document = await checkTranscript(contents.transcript, chain, problem);

  const signatures: SignatureReport[] = [];
  if (document) {
    const trusted = options.trusted ?? named;
    const seen = new Set<string>();
    const prehashed = presetTextDigests(document.text, document.signatures);
    for (const [i, packet] of document.signatures.entries()) {
      // A prehashed packet is checked against its digest of the text, and openpgp.js does not read
      // the text again; were it to, an empty text would fail the signature, never pass it.
      const report = await checkSignature(
        prehashed.has(packet) ? '' : document.text,
        packet,
        trusted,
        named,
        i + 1,
        problem,
      );
      signatures.push(report);
      if (report.good && seen.has(report.fingerprint))
        problem('signature-duplicate', `key ${report.fingerprint} signed the transcript more than once`);
      seen.add(report.fingerprint);
    }
    for (const { name, key } of named) {
      if (!document.signatures.some((p) => key.getKeys(p.issuerKeyID).length > 0))
        problem(
          'signature-missing',
          `${BUNDLE_SIGNERS}/${name}${SIGNER_SUFFIX} is in the bundle, but that key did not sign the transcript`,
        );
    }
  }
  return {
    valid: problems.length === 0,
    ceremonyId: chain?.ceremonyId,
    rehearsal: chain?.rehearsal,
    events: chain?.events.length,
    head: chain?.head,
    signatures,
    problems,
  };
}

type Problem = (kind: VerifyProblemKind, message: string) => void;

async function readSignerFiles(contents: BundleContents, problem: Problem): Promise<TrustedKey[]> {
  const named: TrustedKey[] = [];
  if (contents.signers.length === 0)
    problem('bundle-incomplete', `${BUNDLE_SIGNERS}/ holds no <name>${SIGNER_SUFFIX} public key`);
  for (const file of contents.strayFiles ?? [])
    problem('signer-invalid', `${BUNDLE_SIGNERS}/${file} is not a <name>${SIGNER_SUFFIX} public key file`);
  for (const { name, publicKey } of contents.signers) {
    const path = `${BUNDLE_SIGNERS}/${name}${SIGNER_SUFFIX}`;
    const keys = await parseKeys(new TextEncoder().encode(publicKey));
    if (!keys || keys.length !== 1) problem('signer-invalid', `${path} must hold exactly one armored public key`);
    else if (keys[0]!.isPrivate())
      problem(
        'signer-invalid',
        `${path} holds a PRIVATE key: that key is exposed, so revoke it and re-sign with a new one`,
      );
    else {
      const twin = named.find((n) => n.key.getFingerprint() === keys[0]!.getFingerprint());
      if (twin)
        problem(
          'signer-invalid',
          `${path} holds the same key as ${BUNDLE_SIGNERS}/${twin.name}${SIGNER_SUFFIX}: one signer, one file`,
        );
      else named.push({ name, key: keys[0]! });
    }
  }
  return named;
}

function checkJournal(bytes: Uint8Array | undefined, problem: Problem): VerifiedChain | undefined {
  if (!bytes) {
    problem('bundle-incomplete', `${BUNDLE_JOURNAL} is missing`);
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

async function checkTranscript(
  bytes: Uint8Array | undefined,
  chain: VerifiedChain | undefined,
  problem: Problem,
): Promise<{ text: string; signatures: openpgp.SignaturePacket[] } | undefined> {
  if (!bytes) {
    problem('bundle-incomplete', `${BUNDLE_TRANSCRIPT} is missing`);
    return undefined;
  }
  const armored = decodeUtf8(bytes);
  const document = armored === undefined ? undefined : await readCanonicalTranscript(armored);
  if (!document?.ok) {
    problem('transcript-invalid', `${BUNDLE_TRANSCRIPT}: ${document ? document.error.message : 'not valid UTF-8'}`);
    return undefined;
  }
  const { text } = document.value;
  if (!chain) return document.value;
  const stated = readTranscriptStatement(text);
  const actual = statementOf(chain);
  const mismatch = (message: string) => problem('transcript-mismatch', message);
  if (!stated) mismatch(`${BUNDLE_TRANSCRIPT} does not state the journal's ceremony, event count and head hash`);
  else if (stated.ceremony !== actual.ceremony)
    mismatch(`the transcript is for ceremony ${stated.ceremony}, the journal for ${actual.ceremony}`);
  else if (stated.events !== actual.events)
    mismatch(`the transcript states ${stated.events} journal events, the journal has ${actual.events}`);
  else if (stated.head !== actual.head)
    mismatch(`the transcript states journal head ${stated.head}, the journal's head is ${actual.head}`);
  else {
    const expected = renderTranscript(chain);
    if (text !== expected)
      mismatch(
        `the signed transcript is not the one the journal renders: first difference at line ${firstDifferentLine(expected, text)} of the signed text`,
      );
  }
  return document.value;
}

async function checkSignature(
  text: string,
  packet: openpgp.SignaturePacket,
  trusted: readonly TrustedKey[],
  named: readonly TrustedKey[],
  index: number,
  problem: Problem,
): Promise<SignatureReport> {
  const keyId = packet.issuerKeyID.toHex();
  const created = packet.created?.toISOString() ?? 'unknown';
  const signer = trusted.find((t) => t.key.getKeys(packet.issuerKeyID).length > 0);
  if (!signer) {
    const where = trusted === named ? `${BUNDLE_SIGNERS}/` : 'the trusted keyrings';
    problem('signature-untrusted', `signature ${index} was made by key ${keyId}, which is not in ${where}`);
    return { signer: keyId, fingerprint: keyId, created, good: false };
  }
  const fingerprint = signer.key.getFingerprint();
  const name = named.find((n) => n.key.getFingerprint() === fingerprint)?.name ?? signer.name;
  try {
    // Checked as of when it was made: an air-gapped laptop's clock running ahead of the auditor's
    // must not fail a good signature (GnuPG accepts it too); the report shows the time.
    const asOf = packet.created && packet.created.getTime() > Date.now() ? packet.created : new Date();
    const [result] = await new Cleartext(text, signatureOf([packet])).verify([signer.key], asOf);
    await result!.verified;
    return { signer: name, fingerprint, created, good: true };
  } catch (e) {
    const why = e instanceof Error ? e.message : 'verification failed';
    problem('signature-bad', `signature ${index}, by ${name} (${fingerprint}), is BAD: ${why}`);
    return { signer: name, fingerprint, created, good: false };
  }
}

async function parseKeys(bytes: Uint8Array): Promise<openpgp.PublicKey[] | undefined> {
  try {
    const text = decodeUtf8(bytes);
    if (text?.includes('-----BEGIN PGP')) {
      // Several armored blocks may be concatenated (`cat a.asc b.asc`); each is read on its own.
      const blocks = text.match(/-----BEGIN PGP [A-Z ]+-----[\s\S]*?-----END PGP [A-Z ]+-----/g) ?? [];
      const keys = await Promise.all(blocks.map((armoredKeys) => openpgp.readKeys({ armoredKeys })));
      return keys.length > 0 ? keys.flat() : undefined;
    }
    return await openpgp.readKeys({ binaryKeys: bytes });
  } catch {
    return undefined;
  }
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
