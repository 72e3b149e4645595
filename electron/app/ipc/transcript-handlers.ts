/**
 * `transcript.open`: the transcript viewer's one call. It reads a bundle folder and verifies it
 * exactly as `vault-ceremony verify` does (electron/services/transcript/verify.ts), anchored by the
 * auditor's keyrings or fingerprint list when given, and hands back the report with the signed
 * text, so the person reads what the signers signed. The text comes back even when verification
 * fails, since seeing it is how one finds out what is wrong; the viewer then says plainly that it
 * is not verified.
 *
 * The bundle reader's caps and regular-file checks (bundle-layout.ts) bound what this reads, so a
 * hostile bundle cannot hang or long hold the main process.
 */
import { stat } from 'node:fs/promises';
import { err, ok } from '../../../shared/result';
import { describeFsError } from '../../services/files/fs-error';
import { readAnchors } from '../../services/transcript/anchors';
import { BUNDLE_TRANSCRIPT } from '../../services/transcript/bundle-layout';
import { readBundle, verifyBundleContents } from '../../services/transcript/verify';
import { bundleView } from './bundle-view';
import type { ChannelHandlers } from './handler-registry';

export type TranscriptOpenErrorKind = 'not-a-folder' | 'anchors-unreadable';

export function transcriptHandlers(): Pick<ChannelHandlers, 'transcript.open'> {
  return {
    'transcript.open': async ({ dir, keyrings, fingerprints }) => {
      const folder = await stat(dir).then(
        (s) => (s.isDirectory() ? undefined : `${dir} is a file: choose the folder that holds ${BUNDLE_TRANSCRIPT}`),
        (e: unknown) => `cannot open ${dir}: ${describeFsError(e)}`,
      );
      if (folder !== undefined) return err('not-a-folder', folder);
      const anchors = await readAnchors(keyrings ?? [], fingerprints);
      if (!anchors.ok) return err('anchors-unreadable', anchors.error.message);
      const contents = await readBundle(dir);
      const report = await verifyBundleContents(contents, anchors.value ? { anchors: anchors.value } : {});
      const text = report.text ?? (contents.text ? Buffer.from(contents.text).toString('utf8') : null);
      return ok(bundleView(dir, report, text));
    },
  };
}
