/**
 * Opens a bundle (./open-bundle.ts) in a worker thread, so the app's main process keeps answering
 * (its window, IPC, a ceremony's Vault calls) however long a bundle takes to read and verify: a
 * hostile one within the caps takes seconds, and one that found a way past them is stopped at the
 * time limit, when the worker runs out of its own memory (never the app's), or when the person
 * no longer wants the answer.
 */
import { Worker } from 'node:worker_threads';
import { err, type Result } from '../../../shared/result';
import type { OpenBundleErrorKind, OpenBundleRequest, OpenedBundle } from './open-bundle';

export type BundleVerifierErrorKind =
  OpenBundleErrorKind | 'verifier-failed' | 'verifier-timeout' | 'verifier-cancelled';

export interface BundleVerifierOptions {
  /** The built worker script: dist/electron/verify-worker.cjs. */
  readonly script: string;
  readonly timeLimitMs?: number;
  /** Aborted when the person no longer wants the answer: the worker is stopped at once. */
  readonly signal?: AbortSignal;
}

/** Ten times what the slowest bundle within the caps took on a 2-core laptop. */
const TIME_LIMIT_MS = 60_000;
/** About twice the heap the costliest bundle within the caps needed. */
const HEAP_LIMIT_MB = 1536;

export function openBundleInWorker(
  request: OpenBundleRequest,
  { script, timeLimitMs = TIME_LIMIT_MS, signal }: BundleVerifierOptions,
): Promise<Result<OpenedBundle, BundleVerifierErrorKind>> {
  return new Promise((resolve) => {
    const worker = new Worker(script, {
      workerData: request,
      resourceLimits: { maxOldGenerationSizeMb: HEAP_LIMIT_MB },
    });
    const timer = setTimeout(() => {
      resolve(
        err(
          'verifier-timeout',
          `verifying ${request.dir} took longer than ${timeLimitMs / 1000} s and was stopped: the bundle is NOT verified`,
        ),
      );
      void worker.terminate();
    }, timeLimitMs);
    const cancel = () => {
      resolve(
        err('verifier-cancelled', `verifying ${request.dir} was stopped before it ended: the bundle is NOT verified`),
      );
      void worker.terminate();
    };
    if (signal?.aborted) cancel();
    else signal?.addEventListener('abort', cancel, { once: true });
    // The first of these settles the promise; the rest find it settled.
    worker.once('message', (result: Result<OpenedBundle, OpenBundleErrorKind>) => resolve(result));
    worker.once('error', (e) =>
      resolve(err('verifier-failed', `the bundle could not be verified (${e.message}): it is NOT verified`)),
    );
    worker.once('exit', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', cancel);
      resolve(
        err(
          'verifier-failed',
          `the verifier stopped (exit code ${code}) before it answered: the bundle is NOT verified`,
        ),
      );
    });
  });
}
