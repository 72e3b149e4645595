/**
 * The e2e harness: the built renderer served from loopback with the app's CSP, every other
 * request from the page refused, and `window.vaultCeremony` bridged to the very handler
 * registry the main process builds (createChannelHandlers + createHandlerRegistry), with the
 * real profile store in a temporary directory, the real Vault client over mutual TLS and the
 * in-process rehearsal Vault.
 * The bridge passes the calling frame, so the registry's sender check runs as in the app.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import type {
  DirectoryChoicePurpose,
  FileChoicePurpose,
  ScreenRestart,
  VaultCeremonyApi,
} from '../shared/ipc/ipc-contract';
import { createChannelHandlers } from '../electron/app/ipc/channel-handlers';
import type { SaveFilePurpose } from '../electron/app/dialogs/save-file-dialog';
import { createHandlerRegistry, type HandlerRegistry } from '../electron/app/ipc/handler-registry';
import { openProfileStore } from '../electron/services/profiles/profile-store';
import { AppSession } from '../electron/services/session/app-session';
import { CeremonySession } from '../electron/services/session/ceremony-session';
import { createRehearsalHost, type RehearsalHost } from '../electron/services/rehearsal/rehearsal-host';
import { originOf } from '../electron/app/security/origin';
import type { ConnectionProfile } from '../shared/profiles/connection-profile';
import { connectProfile, type ConnectOptions } from '../electron/services/vault/connect';
import { builtBundleVerifier } from '../test/support/built-programs';
import { createTestPki, type TestPki } from '../test/support/mtls-test-server';
import { startRendererServer, type RendererServer } from './renderer-server';

const ROOT = join(import.meta.dirname, '..');

export interface PemFiles {
  readonly ca: string;
  readonly otherCa: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

interface WorkerFixtures {
  readonly workerDir: string;
  readonly pki: TestPki;
  readonly pem: PemFiles;
  readonly renderer: RendererServer;
}

export interface Harness {
  readonly registry: HandlerRegistry;
  /** The renderer's origin, the only one allowed to call. */
  readonly origin: string;
  /** What the next file dialog for each purpose answers (null: cancelled). */
  readonly nextFile: Map<FileChoicePurpose, string | null>;
  /** What the next folder dialog for each purpose answers (null: cancelled). */
  readonly nextDirectory: Map<DirectoryChoicePurpose, string | null>;
  /** What the next save dialog for each purpose answers (null: cancelled). */
  readonly nextSave: Map<SaveFilePurpose, string | null>;
  /** Everything written to the clipboard, in order. */
  readonly clipboard: string[];
  /** The environment `profiles.importFromEnv` reads. */
  readonly env: Record<string, string | undefined>;
  /** Requests the page made that were refused. */
  readonly blocked: string[];
  /** Console errors and uncaught exceptions in the page (CSP violations show up here). */
  readonly pageErrors: string[];
  /** The app's data folder for this test (profiles, journals, rehearsal kits). */
  readonly dataDir: string;
  /** The in-process rehearsal Vault behind the handlers, for drills (faults) and assertions. */
  readonly rehearsal: RehearsalHost;
  /** The ceremony behind the wizard's channels; `shutdown()` stands in for the app going down. */
  readonly ceremony: CeremonySession;
  /** What main.ts records when it reloads the page after its renderer process died. */
  readonly screenRestart: { current?: ScreenRestart };
}

declare global {
  interface Window {
    __vaultCeremonyBridge?: VaultCeremonyApi['invoke'];
  }
}

export const test = base.extend<{ harness: Harness }, WorkerFixtures>({
  workerDir: [
    async ({}, use) => {
      const dir = mkdtempSync(join(tmpdir(), 'vault-ceremony-e2e-'));
      await use(dir);
      rmSync(dir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  pki: [async ({}, use) => use(await createTestPki()), { scope: 'worker' }],
  pem: [
    async ({ workerDir, pki }, use) => {
      const pem: PemFiles = {
        ca: join(workerDir, 'ca.pem'),
        otherCa: join(workerDir, 'other-ca.pem'),
        clientCert: join(workerDir, 'client.pem'),
        clientKey: join(workerDir, 'client-key.pem'),
      };
      writeFileSync(pem.ca, pki.ca.certPem);
      writeFileSync(pem.otherCa, pki.otherCa.certPem);
      writeFileSync(pem.clientCert, pki.client.certPem);
      writeFileSync(pem.clientKey, pki.client.keyPem, { mode: 0o600 });
      await use(pem);
    },
    { scope: 'worker' },
  ],
  renderer: [
    async ({}, use) => {
      const server = await startRendererServer(join(ROOT, 'dist', 'renderer'));
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],

  harness: async ({ page, renderer }, use, testInfo) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vault-ceremony-e2e-data-'));
    const nextFile = new Map<FileChoicePurpose, string | null>();
    const nextDirectory = new Map<DirectoryChoicePurpose, string | null>();
    const nextSave = new Map<SaveFilePurpose, string | null>();
    const clipboard: string[] = [];
    const screenRestart: { current?: ScreenRestart } = {};
    const env: Record<string, string | undefined> = {};
    const blocked: string[] = [];
    const pageErrors: string[] = [];
    const rehearsal = createRehearsalHost();
    const profiles = openProfileStore(dataDir);
    const connect = (profile: ConnectionProfile, options?: ConnectOptions) =>
      connectProfile(profile, { ...options, timeoutMs: 10_000 });
    const ceremony = new CeremonySession({ dataDir, profiles, connect, rehearsal, now: () => new Date() });
    const registry = createHandlerRegistry(
      createChannelHandlers({
        version: 'e2e',
        profiles,
        env,
        cwd: dataDir,
        openFile: async (purpose) => nextFile.get(purpose) ?? null,
        openDirectory: async (purpose) => nextDirectory.get(purpose) ?? null,
        saveFile: async (purpose) => nextSave.get(purpose) ?? null,
        writeClipboard: async (text) => void clipboard.push(text),
        connect,
        rehearsal,
        session: new AppSession(profiles),
        ceremony,
        bundleVerifier: builtBundleVerifier(),
        screenRestart,
      }),
      {
        allowedOrigins: [renderer.origin],
        onFault: (fault) => pageErrors.push(`handler fault: ${JSON.stringify(fault)}`),
      },
    );

    await page.context().route('**/*', async (route) => {
      const url = route.request().url();
      if (originOf(url) === renderer.origin) return route.continue();
      blocked.push(url);
      return route.abort('blockedbyclient');
    });
    await page.exposeBinding('__vaultCeremonyBridge', (source, channel: unknown, arg: unknown) =>
      registry.invoke(channel, arg, { url: source.frame.url(), isMainFrame: source.frame.parentFrame() === null }),
    );
    // What the preload does in the app: one frozen object with one function.
    await page.addInitScript(() => {
      Object.defineProperty(window, 'vaultCeremony', {
        value: Object.freeze({
          invoke: (channel: string, arg: unknown) => window.__vaultCeremonyBridge!(channel as never, arg as never),
        }),
        writable: false,
        configurable: false,
      });
    });
    page.on('console', (message) => {
      if (message.type() === 'error')
        pageErrors.push(`${message.text()} (${message.location().url}:${message.location().lineNumber})`);
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await use({
      registry,
      origin: renderer.origin,
      nextFile,
      nextDirectory,
      nextSave,
      clipboard,
      env,
      blocked,
      pageErrors,
      dataDir,
      rehearsal,
      ceremony,
      screenRestart,
    });

    await ceremony.shutdown();
    await rehearsal.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (testInfo.status === testInfo.expectedStatus) {
      expect(pageErrors, 'the page logged errors').toEqual([]);
      expect(blocked, 'the page tried to reach beyond its origin').toEqual([]);
    }
  },
});

export { expect };

/** Where each screen's screenshot goes, kept with the tests for review. */
export function screenshotPath(name: string): string {
  return join(ROOT, 'e2e', 'screenshots', `${name}.png`);
}
