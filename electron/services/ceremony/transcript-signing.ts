/**
 * The signatures on a ceremony's transcript, collected one signer at a time: the administrator
 * signs the sealed text (rendered from the journal through `ceremony-finished`), then each witness
 * countersigns (electron/services/transcript/signing.ts), each through their own Signer: a key in
 * this app or in GnuPG (on a smartcard), used for that one signature.
 *
 * The document signed so far is saved beside the journal after every signature (atomically, and
 * holding nothing secret: text, signatures, public keys), so a ceremony everyone signed can export
 * its bundle after a restart. On reload only as many signatures as the journal records are kept:
 * one made but never journaled is dropped. A restart before everyone signed is not reloaded: its
 * interruption follows the head signed, so everyone signs again (./ceremony-recovery.ts).
 */
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { err, ok, type Result } from '../../../shared/result';
import { describeFsError, fsErrorCode } from '../files/fs-error';
import { writeFileAtomically } from '../files/durable-write';
import { SIGNER_NAME } from '../transcript/bundle-layout';
import {
  canonicalArmor,
  countersignTranscript,
  readSignedTranscript,
  signTranscript,
  type SigningErrorKind,
} from '../transcript/signing';
import type { Signer } from '../pgp/signer';
import type { SignerFile } from '../transcript/verify';

export type TranscriptSigningErrorKind = SigningErrorKind | 'save-failed' | 'signatures-lost';

export interface SignatureRecord {
  /** The signer's name in the plan. */
  readonly signer: string;
  readonly fingerprint: string;
  readonly publicKey: string;
}

const FORMAT = 'vault-ceremony-signing/1';
const savedSchema = z.strictObject({
  format: z.literal(FORMAT),
  head: z.string(),
  armored: z.string(),
  signatures: z.array(z.strictObject({ signer: z.string(), fingerprint: z.string(), publicKey: z.string() })),
});

export class TranscriptSigning {
  private constructor(
    /** The sealed transcript text everyone signs. */
    readonly text: string,
    /** The journal head the text states. */
    readonly head: string,
    private readonly path: string,
    private armored: string | undefined,
    private records: readonly SignatureRecord[],
  ) {}

  /** A fresh signing for `text`; nothing is saved until the first signature. */
  static start(text: string, head: string, path: string): TranscriptSigning {
    return new TranscriptSigning(text, head, path, undefined, []);
  }

  /**
   * Reloads the saved document, keeping the signatures of `signed` (the machine's list, in
   * order). Without a saved file and with nobody signed yet, signing simply starts.
   */
  static async load(
    text: string,
    head: string,
    path: string,
    signed: readonly string[],
  ): Promise<Result<TranscriptSigning, TranscriptSigningErrorKind>> {
    let raw: string;
    try {
      raw = await readFile(path, 'utf8');
    } catch (e) {
      if (fsErrorCode(e) === 'ENOENT' && signed.length === 0) return ok(TranscriptSigning.start(text, head, path));
      return err('signatures-lost', lostMessage(path, signed, describeFsError(e)));
    }
    let parsed: z.infer<typeof savedSchema>;
    try {
      parsed = savedSchema.parse(JSON.parse(raw));
    } catch {
      return err('signatures-lost', lostMessage(path, signed, 'the file is damaged'));
    }
    if (parsed.head !== head)
      return err('signatures-lost', lostMessage(path, signed, 'it was signed over a different journal'));
    const kept = parsed.signatures.slice(0, signed.length);
    if (kept.length !== signed.length || kept.some((r, i) => r.signer !== signed[i]))
      return err('signatures-lost', lostMessage(path, signed, 'it does not hold those signatures'));
    if (kept.length === 0) return ok(TranscriptSigning.start(text, head, path));
    const document = await readSignedTranscript(parsed.armored);
    if (!document.ok || document.value.text !== text || document.value.signatures.length < kept.length)
      return err('signatures-lost', lostMessage(path, signed, 'its signed text is not this transcript'));
    const armored = canonicalArmor(text, document.value.signatures.slice(0, kept.length));
    return ok(new TranscriptSigning(text, head, path, armored, kept));
  }

  get signatures(): readonly SignatureRecord[] {
    return this.records;
  }

  /** The armored document with every signature so far; undefined before the first. */
  get document(): string | undefined {
    return this.armored;
  }

  /**
   * Signs (first signer) or countersigns as the plan's `name` with `signer`, then saves; a signer
   * whose key is not the planned `fingerprint` is refused before it is asked to sign. On any error
   * nothing changes.
   */
  async add(
    name: string,
    fingerprint: string,
    signer: Signer,
  ): Promise<Result<SignatureRecord, TranscriptSigningErrorKind>> {
    if (signer.fingerprint !== fingerprint)
      return err(
        'wrong-key',
        `the key given is ${signer.fingerprint}, but the plan names ${fingerprint} for '${name}': sign with the planned key; nothing was signed`,
      );
    const signed =
      this.armored === undefined
        ? await signTranscript(this.text, signer)
        : await countersignTranscript(this.armored, signer);
    if (!signed.ok) return signed;
    const record: SignatureRecord = {
      signer: name,
      fingerprint: signed.value.signer.fingerprint,
      publicKey: signed.value.signer.publicKey,
    };
    const records = [...this.records, record];
    const saved = await saveAtomically(
      this.path,
      JSON.stringify({ format: FORMAT, head: this.head, armored: signed.value.armored, signatures: records }),
    );
    if (!saved.ok) return saved;
    this.armored = signed.value.armored;
    this.records = records;
    return ok(record);
  }

  /** The bundle's `signers/<name>.pub.asc` files, named after the plan's people. */
  signerFiles(): SignerFile[] {
    const used = new Set<string>();
    return this.records.map((r) => {
      const name = uniqueFileName(r.signer, used);
      used.add(name.toLowerCase());
      return { name, publicKey: r.publicKey };
    });
  }
}

/** A portable file name for a person's name ("Ann Lee" → "Ann-Lee"), unique ignoring case. */
function uniqueFileName(person: string, used: ReadonlySet<string>): string {
  const base =
    person
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 56) || 'signer';
  let name = base;
  for (let i = 2; used.has(name.toLowerCase()) || !SIGNER_NAME.test(name); i++) name = `${base}-${i}`;
  return name;
}

function lostMessage(path: string, signed: readonly string[], why: string): string {
  return (
    `the journal records signatures by ${signed.map((s) => `'${s}'`).join(', ')}, but the signed transcript saved at ${path} cannot be used (${why}). ` +
    "Those signatures cannot be recovered: keep this journal as the record and sign a new ceremony's transcript"
  );
}

async function saveAtomically(path: string, text: string): Promise<Result<void, 'save-failed'>> {
  try {
    await writeFileAtomically(path, text, 0o644);
    return ok(undefined);
  } catch (e) {
    return err(
      'save-failed',
      `the signed transcript could not be saved to ${path}: ${describeFsError(e)}; the signature was not recorded, so sign again once the disk is fixed`,
    );
  }
}
