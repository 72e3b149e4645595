/**
 * `transcript.open`: the transcript viewer's one call. It reads a bundle folder and verifies it
 * exactly as `vault-ceremony verify` does (electron/services/transcript/open-bundle.ts), anchored
 * by the auditor's keyrings or fingerprint list when given, and hands back the report with the
 * signed text, so the person reads what the signers signed; the text comes back even when
 * verification fails, and the viewer then says plainly that it is not verified.
 *
 * The reading and verifying run in a worker thread (bundle-verifier.ts), so a bundle that takes
 * long, hostile or merely large, never holds the main process.
 */
import { ok } from '../../../shared/result';
import { openBundleInWorker } from '../../services/transcript/bundle-verifier';
import { bundleView } from './bundle-view';
import type { ChannelHandlers } from './handler-registry';

/** `verifier` is the built worker script, dist/electron/verify-worker.cjs. */
export function transcriptHandlers(verifier: string): Pick<ChannelHandlers, 'transcript.open'> {
  return {
    'transcript.open': async (request) => {
      const opened = await openBundleInWorker(request, { script: verifier });
      return opened.ok ? ok(bundleView(request.dir, opened.value.report, opened.value.text)) : opened;
    },
  };
}
