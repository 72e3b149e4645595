/**
 * `transcript.open`: the transcript viewer's one call. It reads a bundle folder and verifies it
 * exactly as `vault-ceremony verify` does (electron/services/transcript/open-bundle.ts), anchored
 * by the auditor's keyrings or fingerprint list when given, and hands back the report with the
 * signed text, so the person reads what the signers signed; the text comes back even when
 * verification fails, and the viewer then says plainly that it is not verified.
 * `transcript.cancel` stops the verification still running, when the person gives up on it.
 *
 * The reading and verifying run in a worker thread (bundle-verifier.ts), so a bundle that takes
 * long, hostile or merely large, never holds the main process. One worker at a time: each may
 * take up to 1.5 GB of the app's one process, so opening a bundle stops the one still verifying
 * rather than letting a person who reopens a slow hostile bundle stack them.
 */
import { ok } from '../../../shared/result';
import { openBundleInWorker } from '../../services/transcript/bundle-verifier';
import { bundleView } from './bundle-view';
import type { ChannelHandlers } from './handler-registry';

/** `verifier` is the built worker script, dist/electron/verify-worker.cjs. */
export function transcriptHandlers(verifier: string): Pick<ChannelHandlers, 'transcript.open' | 'transcript.cancel'> {
  let running: AbortController | undefined;
  const cancel = () => {
    const was = running;
    running = undefined;
    was?.abort();
    return was !== undefined;
  };
  return {
    'transcript.open': async (request) => {
      cancel();
      const mine = new AbortController();
      running = mine;
      const opened = await openBundleInWorker(request, { script: verifier, signal: mine.signal });
      if (running === mine) running = undefined;
      return opened.ok ? ok(bundleView(request.dir, opened.value.report, opened.value.text)) : opened;
    },
    'transcript.cancel': async () => ok({ cancelled: cancel() }),
  };
}
