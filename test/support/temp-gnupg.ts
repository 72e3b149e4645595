/**
 * A throwaway GnuPG home for interop tests: real /usr/bin/gpg, batch mode, its own agent,
 * removed (agent killed) by `dispose()`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempGnupg {
  readonly home: string;
  /** Imports armored or binary key material. */
  importKey(key: string | Uint8Array): void;
  /** `base64 -d | gpg -dq` exactly as an officer types it; returns stdout, throws with stderr on failure. */
  decryptBase64(messageBase64: string, passphrase?: string): string;
  /** `gpg --list-packets` of the decoded message (no key needed for the outer packets). */
  listPackets(messageBase64: string): string;
  /** Stock `gpg --verify DIR/transcript.txt.sig DIR/transcript.txt`, its status lines on stdout. */
  verifyBundle(dir: string): { status: number | null; stdout: string };
  dispose(): void;
}

export function createTempGnupg(): TempGnupg {
  // Short path: the agent's socket path must fit in sockaddr_un.
  const home = mkdtempSync(join(tmpdir(), 'vcg-'));
  const gpg = ['--homedir', home, '--batch', '--no-tty', '--quiet'];
  return {
    home,
    importKey(key) {
      execFileSync('gpg', [...gpg, '--import'], { input: key, stdio: ['pipe', 'ignore', 'pipe'] });
    },
    decryptBase64(messageBase64, passphrase) {
      const passFile = join(home, 'passphrase');
      if (passphrase !== undefined) writeFileSync(passFile, passphrase, { mode: 0o600 });
      const pass = passphrase === undefined ? '' : ' --pinentry-mode loopback --passphrase-file "$GH/passphrase"';
      try {
        const r = spawnSync('sh', ['-c', `base64 -d | gpg --homedir "$GH" --batch --no-tty -dq${pass}`], {
          input: messageBase64,
          env: { ...process.env, GH: home },
        });
        if (r.status !== 0) throw new Error(`gpg -dq failed (${r.status}): ${r.stderr.toString()}`);
        return r.stdout.toString();
      } finally {
        rmSync(passFile, { force: true });
      }
    },
    listPackets(messageBase64) {
      const r = spawnSync('sh', ['-c', 'base64 -d | gpg --homedir "$GH" --batch --no-tty --list-packets'], {
        input: messageBase64,
        env: { ...process.env, GH: home },
      });
      return r.stdout.toString() + r.stderr.toString();
    },
    verifyBundle(dir) {
      const files = [join(dir, 'transcript.txt.sig'), join(dir, 'transcript.txt')];
      const r = spawnSync('gpg', [...gpg, '--status-fd', '1', '--verify', ...files], { encoding: 'utf8' });
      return { status: r.status, stdout: r.stdout };
    },
    dispose() {
      spawnSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent']);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
