/**
 * Signers' keys made, aged and revoked by real GnuPG, at chosen times (`--faked-system-time`), for
 * tests of how `verify` treats a key's life after it signed. Each person gets a GnuPG home with a
 * passphrase-protected key; `copyHome` forks a home so one history can branch (a key expired in
 * one copy, revoked in another) while the ceremony signs with the original.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CastMember } from '../../electron/services/rehearsal/rehearsal-cast';

const PASSPHRASE = 'key life passphrase';

/** gpg's revocation menu: the code typed at "Your decision?" for each reason it offers. */
export const REVOCATION_CHOICE = { 'no reason': '0', compromised: '1', superseded: '2', retired: '3' } as const;
export type RevocationReason = keyof typeof REVOCATION_CHOICE;

/** gpg's `--faked-system-time` value for `at`, frozen (`!`) so a whole command sees one time. */
const faked = (at: Date) => `${at.toISOString().slice(0, 19).replace(/[-:]/g, '')}!`;

export interface GpgKeyHome {
  readonly home: string;
  readonly fingerprint: string;
}

function gpg(home: string, at: Date | undefined, args: readonly string[], input?: string): string {
  const time = at ? ['--faked-system-time', faked(at)] : [];
  const r = spawnSync(
    'gpg',
    ['--homedir', home, '--no-tty', '--pinentry-mode', 'loopback', '--passphrase', PASSPHRASE, ...time, ...args],
    { input, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`gpg ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** A person's GnuPG home under `root` with an ed25519 key created at `created`; `subkey`: a cert-only primary with a signing subkey. */
export function makeGpgKey(root: string, name: string, created: Date, subkey = false): GpgKeyHome {
  const home = mkdtempSync(join(root, 'k-'));
  gpg(home, created, [
    '--batch',
    '--quick-gen-key',
    `${name} <${name}@ceremony.test>`,
    'ed25519',
    subkey ? 'cert' : 'sign',
    'never',
  ]);
  const fingerprint = primaryFingerprint(home);
  if (subkey) gpg(home, created, ['--batch', '--quick-add-key', fingerprint, 'ed25519', 'sign', 'never']);
  stopAgent(home);
  return { home, fingerprint };
}

/** The person as the rehearsal casts them: signing through their GnuPG home. */
export function gpgCastMember(name: string, key: GpgKeyHome): CastMember {
  const pinFile = join(key.home, 'passphrase.txt');
  writeFileSync(pinFile, `${PASSPHRASE}\n`, { mode: 0o600 });
  return {
    name,
    fingerprint: key.fingerprint.toLowerCase(),
    publicKeyArmored: exportPublicKey(key),
    privateKeyArmored: '',
    passphrase: undefined,
    gpg: { homedir: key.home, pinFile },
  };
}

/** A copy of the home (its agent stopped first, sockets left behind): the same key, a history of its own from here. */
export function copyHome(root: string, key: GpgKeyHome): GpgKeyHome {
  stopAgent(key.home);
  const home = mkdtempSync(join(root, 'k-'));
  cpSync(key.home, home, { recursive: true, filter: (src) => !/\/S\.[^/]*$/.test(src) });
  return { home, fingerprint: key.fingerprint };
}

/** `gpg --quick-set-expire` run at `at`: the key (or all its subkeys) expires at `expires`. */
export function setExpiry(key: GpgKeyHome, at: Date, expires: Date, subkeys = false): void {
  const seconds = Math.round((expires.getTime() - at.getTime()) / 1000);
  gpg(key.home, at, [
    '--batch',
    '--quick-set-expire',
    key.fingerprint,
    `seconds=${seconds}`,
    ...(subkeys ? ['*'] : []),
  ]);
  stopAgent(key.home);
}

/** `gpg --gen-revoke` run at `at` with `reason`, its certificate imported into the home. */
export function revokeKey(key: GpgKeyHome, at: Date, reason: RevocationReason): void {
  const answers = `y\n${REVOCATION_CHOICE[reason]}\nrevoked by the key-life test\n\ny\n`;
  const certificate = gpg(key.home, at, ['--command-fd', '0', '--armor', '--gen-revoke', key.fingerprint], answers);
  gpg(key.home, at, ['--batch', '--import'], certificate);
  stopAgent(key.home);
}

/** `gpg --edit-key` run at `at`: `revkey` on the first subkey, with `reason`. */
export function revokeSubkey(key: GpgKeyHome, at: Date, reason: RevocationReason): void {
  const answers = `key 1\nrevkey\ny\n${REVOCATION_CHOICE[reason]}\nrevoked by the key-life test\n\ny\nsave\n`;
  gpg(key.home, at, ['--command-fd', '0', '--edit-key', key.fingerprint], answers);
  stopAgent(key.home);
}

/** `gpg --edit-key` `addrevoker` run at `at`: the key's owner names `revoker`'s key to revoke it (a direct-key signature). */
export function designateRevoker(key: GpgKeyHome, revoker: GpgKeyHome, at: Date): void {
  gpg(key.home, undefined, ['--batch', '--import'], exportPublicKey(revoker));
  gpg(
    key.home,
    at,
    ['--command-fd', '0', '--edit-key', key.fingerprint],
    `addrevoker\n${revoker.fingerprint}\ny\nsave\n`,
  );
  stopAgent(key.home);
}

/** `gpg --desig-revoke` run at `at` in `revoker`'s home with `reason`, its certificate imported into the key's home. */
export function revokeAsDesignated(revoker: GpgKeyHome, key: GpgKeyHome, at: Date, reason: RevocationReason): void {
  gpg(revoker.home, undefined, ['--batch', '--import'], exportPublicKey(key));
  const answers = `y\n${REVOCATION_CHOICE[reason]}\nrevoked by the key-life test\n\ny\n`;
  const certificate = gpg(
    revoker.home,
    at,
    ['--command-fd', '0', '--armor', '--desig-revoke', key.fingerprint],
    answers,
  );
  gpg(key.home, at, ['--batch', '--import'], certificate);
  stopAgent(revoker.home);
  stopAgent(key.home);
}

/** `gpg --expert --edit-key` run at `at`: `change-usage` on the first subkey, from signing to authentication. */
export function unsignSubkey(key: GpgKeyHome, at: Date): void {
  gpg(
    key.home,
    at,
    ['--expert', '--command-fd', '0', '--edit-key', key.fingerprint],
    'key 1\nchange-usage\nS\nA\nQ\nsave\n',
  );
  stopAgent(key.home);
}

/** The armored public key as this home holds it now (revocations and new self-signatures included). */
export function exportPublicKey(key: GpgKeyHome): string {
  return gpg(key.home, undefined, ['--batch', '--armor', '--export', key.fingerprint]);
}

/** An armored detached signature by the key over `text`, made by gpg at `at` with `options` (e.g. `--ignore-time-conflict`). */
export function detachSignAt(key: GpgKeyHome, at: Date, text: string, options: readonly string[] = []): string {
  const signature = gpg(
    key.home,
    at,
    ['--batch', ...options, '--local-user', key.fingerprint, '--armor', '--detach-sign'],
    text,
  );
  stopAgent(key.home);
  return signature;
}

/**
 * Stock `gpg --verify SIGNATURE DATA` in a fresh home holding `keys`, at `at`: its exit code and
 * status lines, as an auditor with those keys would see them that day.
 */
export function gpgVerifyAt(
  root: string,
  keys: readonly string[],
  [signature, data]: readonly [string, string],
  at: Date,
): { code: number | null; status: string } {
  const home = mkdtempSync(join(root, 'v-'));
  try {
    for (const key of keys) gpg(home, at, ['--batch', '--import'], key);
    const time = ['--faked-system-time', faked(at)];
    const r = spawnSync(
      'gpg',
      ['--homedir', home, '--batch', '--no-tty', ...time, '--status-fd', '1', '--verify', signature, data],
      { encoding: 'utf8' },
    );
    return { code: r.status, status: r.stdout };
  } finally {
    stopAgent(home);
    rmSync(home, { recursive: true, force: true });
  }
}

function primaryFingerprint(home: string): string {
  const listing = gpg(home, undefined, ['--batch', '--with-colons', '--list-keys']);
  const fpr = listing.split('\n').find((l) => l.startsWith('fpr:'));
  if (!fpr) throw new Error(`no key in ${home}`);
  return fpr.split(':')[9]!;
}

function stopAgent(home: string): void {
  execFileSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent']);
}
