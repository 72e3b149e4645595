// @tier integration
/**
 * Interop: shares encrypted by real GnuPG 2.2 (`gpg --encrypt` of the hex text, binary, then
 * base64, as `vault operator init -pgp-keys` output is handled) to GnuPG-generated keys decrypt
 * through both backends; the gpg backend's failures are named from gpg's real status output;
 * passphrases travel only through gpg-agent's pinentry, never a command line.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpgDecryptor } from '../electron/services/pgp/gpg-decryptor';
import { generateOfficerKey } from '../rehearsal-vault/officer-keys';
import { createOpenPgpDecryptor } from '../electron/services/pgp/openpgp-decryptor';
import {
  displayKeyId,
  identifyRecipient,
  type OfficerPublicKey,
  type Recipient,
} from '../electron/services/pgp/recipient';
import { readShareMessage, type ShareMessage } from '../electron/services/pgp/share-message';
import { encryptShare, readRecipientKey } from '../rehearsal-vault/vault-share-encryption';
import { createTempGnupg, type TempGnupg } from './support/temp-gnupg';
import { installTestPinentry, type TestPinentry } from './support/test-pinentry';

interface GpgOfficer {
  readonly name: string;
  readonly fingerprint: string;
  readonly passphrase?: string;
  readonly publicKeyArmored: string;
}

let home: TempGnupg;
let elsewhere: TempGnupg; // a second keyring: erin's secret key lives only there
let pinentry: TestPinentry;
const officers: Record<string, GpgOfficer> = {};
let plan: OfficerPublicKey[];

function gpg(gnupg: TempGnupg, args: string[], input?: Uint8Array | string): Buffer {
  return execFileSync('gpg', ['--homedir', gnupg.home, '--batch', '--no-tty', ...args], {
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Generates a key with gpg; a passphrase reaches gpg-agent only through the test pinentry. */
function generate(
  gnupg: TempGnupg,
  name: string,
  algo: string,
  usage: string,
  passphrase?: string,
  subkey?: string,
): GpgOfficer {
  const uid = `${name} <${name}@officers.example>`;
  if (passphrase === undefined)
    gpg(gnupg, ['--pinentry-mode', 'loopback', '--passphrase', '', '--quick-gen-key', uid, algo, usage, '0']);
  else {
    pinentry.answer(passphrase);
    gpg(gnupg, ['--quick-gen-key', uid, algo, usage, '0']);
  }
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg(gnupg, ['--with-colons', '--list-keys', uid]).toString())![1]!;
  if (subkey) {
    if (passphrase === undefined)
      gpg(gnupg, [
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        '',
        '--quick-add-key',
        fingerprint,
        subkey,
        'encr',
        '0',
      ]);
    else gpg(gnupg, ['--quick-add-key', fingerprint, subkey, 'encr', '0']);
  }
  const publicKeyArmored = gpg(gnupg, ['--armor', '--export', fingerprint]).toString();
  return { name, fingerprint, publicKeyArmored, ...(passphrase === undefined ? {} : { passphrase }) };
}

/** What Vault hands an officer, made by gpg: base64 of the binary message whose plaintext is the share's hex. */
function gpgEncryptShare(officer: GpgOfficer, share: Uint8Array, extra: string[] = []): string {
  return gpg(
    home,
    ['--trust-model', 'always', ...extra, '--recipient', officer.fingerprint, '--encrypt'],
    Buffer.from(share).toString('hex'),
  ).toString('base64');
}

function exportSecretKey(officer: GpgOfficer): string {
  if (officer.passphrase !== undefined) pinentry.answer(officer.passphrase);
  return gpg(home, ['--armor', '--export-secret-keys', officer.fingerprint]).toString();
}

async function attributed(
  base64: string,
  enteringOfficer?: string,
): Promise<{ message: ShareMessage; recipient: Recipient }> {
  const message = await readShareMessage(base64);
  if (!message.ok) throw new Error(message.error.message);
  const recipient = await identifyRecipient(message.value.recipientKeyIds, plan, enteringOfficer);
  if (!recipient.ok) throw new Error(recipient.error.message);
  return { message: message.value, recipient: recipient.value };
}

/** Makes the secret part of `officer`'s encryption subkey a smartcard stub, as `gpg --card-status` leaves it. */
function moveSubkeyToAbsentCard(officer: GpgOfficer): void {
  const colons = gpg(home, ['--with-colons', '--with-keygrip', '--list-secret-keys', officer.fingerprint]).toString();
  const keygrip = /^ssb:[^\n]*\n(?:fpr:[^\n]*\n)?grp:+([0-9A-F]{40}):/m.exec(colons)![1]!;
  const file = join(home.home, 'private-keys-v1.d', `${keygrip}.key`);
  const q = /\(q(#[0-9A-F]+#)\)/.exec(readFileSync(file, 'utf8').replace(/\s+/g, ''))![1]!;
  writeFileSync(
    file,
    `Key: (shadowed-private-key (ecc (curve Curve25519)(flags djb-tweak)(q ${q})(shadowed t1-v1 (#D2760001240102010006123456780000# OPENPGP.2))))\n`,
  );
  spawnSync('gpgconf', ['--homedir', home.home, '--kill', 'gpg-agent']);
}

beforeAll(async () => {
  home = createTempGnupg();
  elsewhere = createTempGnupg();
  pinentry = installTestPinentry(home.home);
  // The same smartcard outcome whether or not this machine has scdaemon: with one, gpg-agent would
  // instead loop asking the (always-OK) test pinentry to insert the card.
  appendFileSync(join(home.home, 'gpg-agent.conf'), 'scdaemon-program /bin/false\n');
  installTestPinentry(elsewhere.home);
  officers.alice = generate(home, 'alice', 'future-default', 'default', 'alice passphrase');
  officers.bob = generate(home, 'bob', 'future-default', 'default');
  // RSA-4096 primary that itself encrypts: the message names the primary key ID.
  officers.carol = generate(home, 'carol', 'rsa4096', 'cert,encr', 'carol passphrase');
  // RSA-3072 with a separate encryption subkey.
  officers.dave = generate(home, 'dave', 'rsa3072', 'cert,sign', undefined, 'rsa3072');
  officers.erin = generate(elsewhere, 'erin', 'future-default', 'default');
  gpg(home, ['--import'], officers.erin.publicKeyArmored);
  officers.frank = generate(home, 'frank', 'future-default', 'default');
  moveSubkeyToAbsentCard(officers.frank);
  plan = Object.values(officers).map(({ name, publicKeyArmored, fingerprint }) => ({
    name,
    publicKeyArmored,
    fingerprint,
  }));
}, 300_000);

afterAll(() => {
  home?.dispose();
  elsewhere?.dispose();
});

describe('shares encrypted by gpg to gpg-generated keys', () => {
  it.each(['alice', 'bob', 'carol', 'dave'])(
    '%s: attributed to the officer, then decrypted by gpg and by openpgp.js',
    async (name) => {
      const officer = officers[name]!;
      const share = randomBytes(33);
      const { message, recipient } = await attributed(gpgEncryptShare(officer, share), name);
      expect(recipient.officer).toBe(name);
      expect(recipient.fingerprint).toBe(officer.fingerprint.toLowerCase());

      const asked = pinentry.timesAsked();
      if (officer.passphrase !== undefined) pinentry.answer(officer.passphrase);
      const viaGpg = await createGpgDecryptor({ gnupgHome: home.home }).decrypt(message, recipient);
      expect(viaGpg.ok && [...viaGpg.value]).toEqual([...share]);
      // A protected key was unlocked through gpg-agent's pinentry, and only then.
      expect(pinentry.timesAsked() - asked).toBe(officer.passphrase === undefined ? 0 : 1);

      const viaOpenPgp = await createOpenPgpDecryptor({
        privateKeyArmored: exportSecretKey(officer),
        passphrase: officer.passphrase,
      }).decrypt(message, recipient);
      expect(viaOpenPgp.ok && [...viaOpenPgp.value]).toEqual([...share]);
    },
  );

  it('matches the primary key for carol (RSA-4096 encrypting primary) and a subkey for the others', async () => {
    for (const [name, primary] of [
      ['carol', true],
      ['alice', false],
      ['dave', false],
    ] as const) {
      const { recipient } = await attributed(gpgEncryptShare(officers[name]!, randomBytes(33)));
      expect(recipient.keyId === officers[name]!.fingerprint.slice(-16).toLowerCase()).toBe(primary);
    }
  });

  it('decrypts the 32-byte key of a 1-of-1 seal through gpg', async () => {
    const key = randomBytes(32);
    const { message, recipient } = await attributed(gpgEncryptShare(officers.bob!, key));
    const r = await createGpgDecryptor({ gnupgHome: home.home }).decrypt(message, recipient);
    expect(r.ok && [...r.value]).toEqual([...key]);
  });

  it('refuses a share of another officer before any key is touched', async () => {
    const message = await readShareMessage(gpgEncryptShare(officers.alice!, randomBytes(33)));
    if (!message.ok) throw new Error(message.error.message);
    const r = await identifyRecipient(message.value.recipientKeyIds, plan, 'bob');
    expect(!r.ok && r.error.kind).toBe('other-officer');
    expect(!r.ok && r.error.message).toMatch(/\(officer 'alice'\), not to bob's key/);
  });

  it('refuses a message gpg wrote without integrity protection (--rfc2440)', async () => {
    const r = await readShareMessage(gpgEncryptShare(officers.bob!, randomBytes(33), ['--rfc2440']));
    expect(!r.ok && r.error.kind).toBe('unprotected');
  });
});

describe('keys generated and shares encrypted by openpgp.js (as the rehearsal Vault does)', () => {
  it.each([
    ['curve25519Legacy, with passphrase', 'curve25519', 'gina passphrase'],
    ['RSA-3072, without passphrase', 'rsa3072', undefined],
  ] as const)('decrypt through gpg and openpgp.js alike (%s)', async (_, algorithm, passphrase) => {
    const name = algorithm === 'rsa3072' ? 'hank' : 'gina';
    const key = await generateOfficerKey({ name, algorithm, ...(passphrase ? { passphrase } : {}) });
    gpg(home, ['--import'], key.privateKeyArmored);
    const recipientKey = await readRecipientKey(key.publicKeyArmored, { allowArmored: true });
    if (!recipientKey.ok) throw new Error(recipientKey.error.message);
    const share = randomBytes(33);
    const encrypted = await encryptShare(share, recipientKey.value);
    if (!encrypted.ok) throw new Error(encrypted.error.message);
    const message = await readShareMessage(encrypted.value.base64);
    if (!message.ok) throw new Error(message.error.message);
    const recipient = await identifyRecipient(message.value.recipientKeyIds, [...plan, key], name);
    if (!recipient.ok) throw new Error(recipient.error.message);

    if (passphrase) pinentry.answer(passphrase);
    const viaGpg = await createGpgDecryptor({ gnupgHome: home.home }).decrypt(message.value, recipient.value);
    expect(viaGpg.ok && [...viaGpg.value]).toEqual([...share]);
    const viaOpenPgp = await createOpenPgpDecryptor({ privateKeyArmored: key.privateKeyArmored, passphrase }).decrypt(
      message.value,
      recipient.value,
    );
    expect(viaOpenPgp.ok && [...viaOpenPgp.value]).toEqual([...share]);
  });
});

describe('the gpg backend names what went wrong', () => {
  const decryptor = () => createGpgDecryptor({ gnupgHome: home.home });

  it("a wrong passphrase, typed into gpg-agent's pinentry", async () => {
    const { message, recipient } = await attributed(gpgEncryptShare(officers.alice!, randomBytes(33)));
    pinentry.answer('not alice passphrase');
    const asked = pinentry.timesAsked();
    const r = await decryptor().decrypt(message, recipient);
    expect(!r.ok && r.error).toEqual({
      kind: 'bad-passphrase',
      message: "the passphrase for alice's key is wrong; nothing was submitted",
    });
    expect(pinentry.timesAsked()).toBeGreaterThan(asked);
  });

  it('a cancelled pinentry', async () => {
    const { message, recipient } = await attributed(gpgEncryptShare(officers.carol!, randomBytes(33)));
    pinentry.cancel();
    const r = await decryptor().decrypt(message, recipient);
    expect(!r.ok && r.error.kind).toBe('cancelled');
    expect(!r.ok && r.error.message).toMatch(/prompt for carol's key was cancelled; nothing was submitted/);
  });

  it('no secret key on this machine', async () => {
    const { message, recipient } = await attributed(gpgEncryptShare(officers.erin!, randomBytes(33)));
    const r = await decryptor().decrypt(message, recipient);
    expect(!r.ok && r.error.kind).toBe('no-secret-key');
    expect(!r.ok && r.error.message).toContain(`gpg could not find the secret key ${displayKeyId(recipient.keyId)}`);
    expect(!r.ok && r.error.message).toMatch(/insert erin's smartcard .* or import erin's key into gpg/);
  });

  it('a key whose secret part is on a smartcard that cannot be reached', async () => {
    const { message, recipient } = await attributed(gpgEncryptShare(officers.frank!, randomBytes(33)));
    const r = await decryptor().decrypt(message, recipient);
    expect(!r.ok && r.error.kind).toBe('card-not-present');
    expect(!r.ok && r.error.message).toMatch(/frank's key .* is on a smartcard/);
  });

  it('a corrupted message, through either backend', async () => {
    const bytes = Buffer.from(gpgEncryptShare(officers.bob!, randomBytes(33)), 'base64');
    bytes[bytes.length - 30]! ^= 0x40;
    const { message, recipient } = await attributed(bytes.toString('base64'));
    const r = await decryptor().decrypt(message, recipient);
    expect(!r.ok && r.error.kind).toBe('decryption-failed');
    const viaOpenPgp = await createOpenPgpDecryptor({ privateKeyArmored: exportSecretKey(officers.bob!) }).decrypt(
      message,
      recipient,
    );
    expect(!viaOpenPgp.ok && viaOpenPgp.error.kind).toBe('decryption-failed');
  });

  it('gpg not installed', async () => {
    const { message, recipient } = await attributed(gpgEncryptShare(officers.bob!, randomBytes(33)));
    const r = await createGpgDecryptor({ gpgPath: join(home.home, 'no-such-gpg') }).decrypt(message, recipient);
    expect(!r.ok && r.error.kind).toBe('gpg-not-installed');
  });

  it('a prompt nobody answers: gpg is stopped after the timeout', async () => {
    const { message, recipient } = await attributed(gpgEncryptShare(officers.alice!, randomBytes(33)));
    pinentry.answer(officers.alice!.passphrase!);
    pinentry.hold();
    try {
      const started = Date.now();
      const r = await createGpgDecryptor({ gnupgHome: home.home, timeoutMs: 1500 }).decrypt(message, recipient);
      expect(!r.ok && r.error.kind).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(childGpgPids()).toEqual([]);
    } finally {
      pinentry.release();
    }
  });
});

describe('secrets never reach a command line', () => {
  it('while gpg waits for the passphrase, no process has the passphrase or the share in its argv, and gpg not in its environment', async () => {
    const alice = officers.alice!;
    const share = randomBytes(33);
    const shareHex = share.toString('hex');
    const { message, recipient } = await attributed(gpgEncryptShare(alice, share));
    pinentry.answer(alice.passphrase!);
    pinentry.hold();
    let pending: Promise<unknown> | undefined;
    try {
      pending = createGpgDecryptor({ gnupgHome: home.home }).decrypt(message, recipient);
      const pids = await waitFor(() => {
        const found = childGpgPids();
        return found.length > 0 && pinentryRunning() ? found : undefined;
      });
      for (const pid of pids) {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean);
        expect(argv).toEqual([
          'gpg',
          '--batch',
          '--no-tty',
          '--status-fd',
          '3',
          '--pinentry-mode',
          'ask',
          '--max-output',
          '4096',
          '--homedir',
          home.home,
          '--decrypt',
        ]);
        const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
        expect(environ).not.toContain(alice.passphrase!);
        expect(environ.toLowerCase()).not.toContain(shareHex);
      }
      for (const cmdline of allCommandLines()) {
        expect(cmdline).not.toContain(alice.passphrase!);
        expect(cmdline.toLowerCase()).not.toContain(shareHex);
      }
    } finally {
      pinentry.release();
    }
    const r = (await pending) as Awaited<ReturnType<ReturnType<typeof createGpgDecryptor>['decrypt']>>;
    expect(r.ok && Buffer.from(r.value).toString('hex')).toBe(shareHex);
  });
});

/** gpg processes this test process spawned (field 4 of /proc/PID/stat is the parent PID). */
function childGpgPids(): number[] {
  return procPids().filter((pid) => {
    const stat = safeRead(`/proc/${pid}/stat`);
    const m = stat && /^\d+ \((.*)\) \S (\d+)/.exec(stat);
    return m !== undefined && m !== null && m[1] === 'gpg' && Number(m[2]) === process.pid;
  });
}

function pinentryRunning(): boolean {
  return allCommandLines().some((c) => c.includes('test-pinentry/pinentry.sh'));
}

function allCommandLines(): string[] {
  return procPids().flatMap((pid) => {
    const c = safeRead(`/proc/${pid}/cmdline`);
    return c ? [c.replace(/\0/g, ' ')] : [];
  });
}

function procPids(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined; // the process ended meanwhile
  }
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for gpg and its pinentry');
    await new Promise((r) => setTimeout(r, 50));
  }
}
