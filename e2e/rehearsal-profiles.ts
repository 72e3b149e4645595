/**
 * The rehearsal Vault reached as a live Vault is: connection profiles dc1 (its primary) and dc2
 * (its DR secondary), saved through the app's own channel with its TLS files written to disk.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RehearsalVault } from '../rehearsal-vault/rehearsal-cluster-set';
import { expect, type Harness } from './fixtures';

/** Writes a file into the folder and answers its path. */
export type WriteFile = (name: string, text: string, mode?: number) => string;

export function fileWriter(dir: string): WriteFile {
  return (name, text, mode = 0o644) => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode });
    return path;
  };
}

export async function saveRehearsalProfiles(harness: Harness, v: RehearsalVault, file: WriteFile): Promise<void> {
  const tls = {
    caCertPath: file('ca.pem', v.caPem),
    clientCertPath: file('client.pem', v.clientCertPem),
    clientKeyPath: file('client-key.pem', v.clientKeyPem, 0o600),
  };
  const app = { url: `${harness.origin}/`, isMainFrame: true };
  for (const [name, address] of [
    ['dc1', v.primary.apiAddr],
    ['dc2', v.drSecondary.apiAddr],
  ] as const) {
    const saved = await harness.registry.invoke(
      'profiles.save',
      { profile: { name, address, ...tls }, replace: false },
      app,
    );
    expect(saved.ok).toBe(true);
  }
}
