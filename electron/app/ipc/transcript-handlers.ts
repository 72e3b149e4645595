/**
 * `transcript.open`: the transcript viewer's one call. It reads a bundle folder and verifies it
 * exactly as `vault-ceremony verify` does (electron/services/transcript/verify.ts), and hands back the
 * report with the signed text, so the person reads what the signers signed. The text comes back
 * even when verification fails, since seeing it is how one finds out what is wrong; the viewer
 * then says plainly that it is not verified.
 */
import { stat } from 'node:fs/promises';
import * as openpgp from 'openpgp';
import { err, ok } from '../../../shared/result';
import { describeFsError } from '../../services/files/fs-error';
import { BUNDLE_TRANSCRIPT } from '../../services/transcript/bundle-layout';
import { readBundle, verifyBundleContents } from '../../services/transcript/verify';
import type { ChannelHandlers } from './handler-registry';

export type TranscriptOpenErrorKind = 'not-a-folder';

export function transcriptHandlers(): Pick<ChannelHandlers, 'transcript.open'> {
  return {
    'transcript.open': async ({ dir }) => {
      const folder = await stat(dir).then(
        (s) => (s.isDirectory() ? undefined : `${dir} is a file: choose the folder that holds ${BUNDLE_TRANSCRIPT}`),
        (e: unknown) => `cannot open ${dir}: ${describeFsError(e)}`,
      );
      if (folder !== undefined) return err('not-a-folder', folder);
      const contents = await readBundle(dir);
      const report = await verifyBundleContents(contents);
      return ok({
        dir,
        valid: report.valid,
        ceremonyId: report.ceremonyId ?? null,
        rehearsal: report.rehearsal ?? null,
        events: report.events ?? null,
        head: report.head ?? null,
        signatures: report.signatures.map((s) => ({ ...s })),
        problems: report.problems.map((p) => ({ kind: p.kind, message: p.message })),
        transcript: contents.transcript ? await signedText(contents.transcript) : null,
      });
    },
  };
}

/** The text a cleartext signature covers, as OpenPGP reads it; null when the file is not one. */
async function signedText(bytes: Uint8Array): Promise<string | null> {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return (await openpgp.readCleartextMessage({ cleartextMessage: text })).getText();
  } catch {
    return null;
  }
}
