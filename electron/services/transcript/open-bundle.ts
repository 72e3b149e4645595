/**
 * What the transcript viewer asks for: a bundle folder read and verified exactly as `vault-ceremony
 * verify` does (./verify.ts), anchored by the auditor's keyrings or fingerprint list when given,
 * with the signed text to read. The text comes back even when verification fails (then, when the
 * signed transcript cannot be read, transcript.txt as it is), since seeing it is how one finds out
 * what is wrong. It runs in a worker thread (./bundle-verifier.ts), so it returns plain data.
 */
import { stat } from 'node:fs/promises';
import { err, ok, type Result } from '../../../shared/result';
import { describeFsError } from '../files/fs-error';
import { readAnchors } from './anchors';
import { BUNDLE_TRANSCRIPT } from './bundle-layout';
import { readBundle, verifyBundleContents, type BundleReport } from './verify';

export type OpenBundleErrorKind = 'not-a-folder' | 'anchors-unreadable';

export interface OpenBundleRequest {
  readonly dir: string;
  readonly keyrings?: readonly string[] | undefined;
  readonly fingerprints?: string | undefined;
}

export interface OpenedBundle {
  readonly report: BundleReport;
  /** The signed text, else transcript.txt as found, else null. */
  readonly text: string | null;
}

export async function openBundle({
  dir,
  keyrings,
  fingerprints,
}: OpenBundleRequest): Promise<Result<OpenedBundle, OpenBundleErrorKind>> {
  const folder = await stat(dir).then(
    (s) => (s.isDirectory() ? undefined : `${dir} is a file: choose the folder that holds ${BUNDLE_TRANSCRIPT}`),
    (e: unknown) => `cannot open ${dir}: ${describeFsError(e)}`,
  );
  if (folder !== undefined) return err('not-a-folder', folder);
  const anchors = await readAnchors(dir, keyrings ?? [], fingerprints);
  if (!anchors.ok) return err('anchors-unreadable', anchors.error.message);
  const contents = await readBundle(dir);
  const report = await verifyBundleContents(contents, anchors.value ? { anchors: anchors.value } : {});
  const text = report.text ?? (contents.text ? Buffer.from(contents.text).toString('utf8') : null);
  return ok({ report, text });
}
