/**
 * The worker thread ./bundle-verifier.ts starts (built to dist/electron/verify-worker.cjs): opens
 * the one bundle its workerData names, posts the result, and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openBundle, type OpenBundleRequest } from './open-bundle';

void openBundle(workerData as OpenBundleRequest).then((result) => parentPort?.postMessage(result));
