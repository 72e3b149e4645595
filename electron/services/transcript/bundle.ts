/**
 * Writes the transcript bundle an auditor receives:
 *   DIR/transcript.txt.asc        the cleartext-signed transcript
 *   DIR/transcript.txt            exactly the signed text
 *   DIR/transcript.txt.sig        the same signatures, detached (binary), for stock gpg
 *   DIR/journal.jsonl             the journal it was rendered from
 *   DIR/signers/<name>.pub.asc    each signer's public key
 *
 * The signatures are put in the one order verify accepts, the plan's: administrator first, then
 * the witnesses as listed. Each signs only the text, so reordering them changes nothing signed;
 * witnesses may sign in any order during the ceremony.
 *
 * The bundle is verified (./verify.ts, against its own signer keys) before anything is written,
 * so a bundle that would fail `vault-ceremony verify` is never produced. DIR must be absent or
 * empty, and every file is created with O_EXCL: an existing bundle is never overwritten. Files
 * and directories are fsynced; on a failed write the files already written are removed again.
 */
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok, type Result } from '../../../shared/result';
import { describeFsError, fsErrorCode } from '../files/fs-error';
import { syncDirectory } from '../files/durable-write';
import type * as openpgp from 'openpgp';
import { signers as planSigners } from '../../../shared/ceremony/step-catalogue';
import { recordedPlan } from '../../../shared/ceremony/recorded-plan';
import { verifyJournalText } from '../../../shared/record/journal-event';
import { nodeSha256Text } from '../files/sha256-text';
import { parseKeys } from '../pgp/public-keys';
import {
  BUNDLE_DETACHED,
  BUNDLE_JOURNAL,
  BUNDLE_SIGNERS,
  BUNDLE_TEXT,
  BUNDLE_TRANSCRIPT,
  SIGNER_NAME,
  SIGNER_SUFFIX,
} from './bundle-layout';
import { readCanonicalTranscript } from './canonical-cleartext';
import { canonicalArmor, detachedSignatures } from './signing';
import { verifyBundleContents, type BundleReport, type SignerFile } from './verify';

export interface BundleInput {
  /** The armored, signed transcript (./signing.ts). */
  readonly transcript: string;
  /** The journal file's bytes, exactly as on disk. */
  readonly journal: Uint8Array;
  /** Everyone who signed, by the name their key file gets. */
  readonly signers: readonly SignerFile[];
}

export type BundleErrorKind = 'bad-signer-name' | 'bundle-invalid' | 'bundle-exists' | 'write-failed';

/** Writes the bundle and returns its verification report. */
export async function writeBundle(dir: string, input: BundleInput): Promise<Result<BundleReport, BundleErrorKind>> {
  const seen = new Set<string>();
  for (const { name } of input.signers) {
    if (!SIGNER_NAME.test(name))
      return err(
        'bad-signer-name',
        `signer name '${name}' cannot be a file name: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      );
    if (seen.has(name.toLowerCase()))
      return err('bad-signer-name', `two signers are named '${name}' (names are compared ignoring case)`);
    seen.add(name.toLowerCase());
  }
  const document = await readCanonicalTranscript(input.transcript);
  if (!document.ok) return err('bundle-invalid', `the signed transcript cannot be read: ${document.error.message}`);
  const signatures = await inPlanOrder(input, document.value.signatures);
  const transcript = new TextEncoder().encode(canonicalArmor(document.value.text, signatures));
  const text = new TextEncoder().encode(document.value.text);
  const detached = detachedSignatures(signatures);
  const report = await verifyBundleContents({
    transcript,
    text,
    detached,
    journal: input.journal,
    signers: input.signers,
  });
  if (!report.valid)
    return err(
      'bundle-invalid',
      `the bundle would not verify, so it was not written: ${report.problems.map((p) => p.message).join('; ')}`,
    );

  try {
    await mkdir(dir, { recursive: true });
    if ((await readdir(dir)).length > 0)
      return err('bundle-exists', `${dir} is not empty: a bundle is never overwritten, so choose a new folder`);
    await mkdir(join(dir, BUNDLE_SIGNERS));
  } catch (e) {
    return err('write-failed', `cannot create the bundle folder ${dir}: ${describeFsError(e)}`);
  }
  const files: Array<[string, Uint8Array]> = [
    [BUNDLE_JOURNAL, input.journal],
    ...input.signers.map(({ name, publicKey }): [string, Uint8Array] => [
      join(BUNDLE_SIGNERS, name + SIGNER_SUFFIX),
      new TextEncoder().encode(publicKey),
    ]),
    [BUNDLE_TEXT, text],
    [BUNDLE_DETACHED, detached],
    [BUNDLE_TRANSCRIPT, transcript], // last: its presence marks a complete bundle
  ];
  const written: string[] = [];
  try {
    for (const [name, bytes] of files) {
      const file = await open(join(dir, name), 'wx', 0o644);
      written.push(name);
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
    }
    await syncDirectory(join(dir, BUNDLE_SIGNERS));
    await syncDirectory(dir);
  } catch (e) {
    for (const name of written) await rm(join(dir, name), { force: true });
    return fsErrorCode(e) === 'EEXIST'
      ? err('bundle-exists', `a bundle file appeared in ${dir} while writing: another process is writing there`)
      : err('write-failed', `cannot write the bundle in ${dir}: ${describeFsError(e)}; the partial files were removed`);
  }
  return ok(report);
}

/**
 * The signature packets sorted into the plan's signing order, matched to signers by the input's
 * public keys; anything unmatched goes last, for verification to refuse.
 */
async function inPlanOrder(
  input: BundleInput,
  packets: readonly openpgp.SignaturePacket[],
): Promise<openpgp.SignaturePacket[]> {
  const chain = verifyJournalText(new TextDecoder().decode(input.journal), { sha256: nodeSha256Text });
  const plan = chain.ok ? recordedPlan(chain.value) : undefined;
  if (!plan?.ok) return [...packets];
  const keys = (await Promise.all(input.signers.map((s) => parseKeys(new TextEncoder().encode(s.publicKey))))).flatMap(
    (k) => k ?? [],
  );
  const rank = (packet: openpgp.SignaturePacket) => {
    const key = keys.find((k) => k.getKeys(packet.issuerKeyID).length > 0);
    const at = planSigners(plan.value).findIndex((p) => p.fingerprint === key?.getFingerprint());
    return at < 0 ? Number.MAX_SAFE_INTEGER : at;
  };
  return [...packets].sort((a, b) => rank(a) - rank(b));
}
