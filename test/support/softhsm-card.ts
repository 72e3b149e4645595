/**
 * A card-like token for tests (../shared/design/smartcard-testing.md): a SoftHSM2 token with an
 * RSA-2048 signing key and encryption key made on the token, self-signed certificates beside them
 * (gnupg-pkcs11-scd lists only keys with one), and a GnuPG home whose agent drives the token
 * through gnupg-pkcs11-scd, holding only stubs. The OpenPGP key is made from the token's keygrips.
 *
 * Each card has its own token folder, reached through a per-home wrapper that sets SOFTHSM2_CONF
 * for the card daemon only, so cards never see each other and the test process's environment is
 * untouched. `removeCard`/`insertCardOf` point the reader at nothing or at another card. The card
 * daemon's verbose log is never enabled: it writes the PIN in hex. The daemon reaches the token
 * through pkcs11-cryptogram-pad.c, which gives it RSA cryptograms at full length as GnuPG's own
 * card daemon does for a real card.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_INFO, agentReachable, runningAgent } from '../../electron/services/pgp/gpg-person';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';
/** The PKCS#11 module in front of SoftHSM that the card daemon loads, built with the system C compiler. */
const PAD_SOURCE = join(import.meta.dirname, 'pkcs11-cryptogram-pad.c');
const PKCS11_HEADERS = '/usr/include/p11-kit-1';
const TOOLS = [
  '/usr/bin/softhsm2-util',
  '/usr/bin/pkcs11-tool',
  '/usr/bin/certtool',
  '/usr/bin/gnupg-pkcs11-scd',
  '/usr/bin/cc',
  `${PKCS11_HEADERS}/p11-kit/pkcs11.h`,
];

/** Why card tests cannot run here, or undefined when the Debian packages are installed. */
export function softHsmMissing(): string | undefined {
  const missing = TOOLS.filter((t) => !existsSync(t));
  if (!existsSync(SOFTHSM_MODULE)) missing.push(SOFTHSM_MODULE);
  return missing.length === 0
    ? undefined
    : `card tests need the Debian packages softhsm2 gnupg-pkcs11-scd opensc gnutls-bin gcc libc6-dev libp11-kit-dev (missing: ${missing.join(', ')})`;
}

export interface SoftHsmCard {
  readonly name: string;
  /** The person's GnuPG home: stubs only, agent configured for the token. */
  readonly homedir: string;
  /** Primary key fingerprint, lowercase hex. */
  readonly fingerprint: string;
  readonly publicKeyArmored: string;
  /** The right PIN, on the file's first line. */
  readonly pinFile: string;
  /** A wrong PIN. */
  readonly wrongPinFile: string;
  /** The token folder of this card, for `insertCardOf`. */
  readonly tokenDir: string;
  /** Points this home's reader at no token. */
  removeCard(): void;
  /** Points this home's reader at another card's token (own card: back in). */
  insertCardOf(card: SoftHsmCard): void;
  /** Stops the home's agent and card daemon (a cached PIN with them) and waits until the agent is unreachable. */
  stopAgent(): void;
  /** Stops the home's agent and card daemon and removes everything. */
  cleanup(): void;
}

const SO_PIN = '87654321';
const PIN = '246810';
/**
 * One test file at a time holds SoftHSM cards: two files driving their card daemons at once on this
 * 2-core machine made a decryption on one of them fail now and then. The lock is a file naming the
 * holding process (taken over when that process is gone), counted within a process so that a file
 * may hold several cards.
 */
const CARD_LOCK = join(tmpdir(), 'vault-ceremony-softhsm-cards.lock');
let cardsHeld = 0;
const pause = new Int32Array(new SharedArrayBuffer(4));

function holdCards(): void {
  if (cardsHeld++ > 0) return;
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      writeFileSync(CARD_LOCK, String(process.pid), { flag: 'wx' });
      process.once('exit', () => releaseCards(true));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = Number(readFileSync(CARD_LOCK, 'utf8'));
    if (!processIsAlive(holder)) rmSync(CARD_LOCK, { force: true });
    else if (Date.now() > deadline) throw new Error(`test process ${holder} has held the SoftHSM cards for 10 minutes`);
    else Atomics.wait(pause, 0, 0, 200);
  }
}

function releaseCards(all = false): void {
  cardsHeld = all ? 0 : Math.max(0, cardsHeld - 1);
  if (cardsHeld === 0 && existsSync(CARD_LOCK) && readFileSync(CARD_LOCK, 'utf8') === String(process.pid))
    rmSync(CARD_LOCK, { force: true });
}

/** Stops the home's agent and card daemon and waits until the agent is unreachable, as the code under test does. */
function stopAgentOf(homedir: string): void {
  const info = spawnSync('gpg-connect-agent', ['--homedir', homedir, ...AGENT_INFO]);
  const agent = runningAgent(info.stdout.toString());
  spawnSync('gpgconf', ['--homedir', homedir, '--kill', 'all']);
  const deadline = Date.now() + 5_000;
  while (agent && agentReachable(agent) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 10);
}

function processIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function createSoftHsmCard(name = 'Officer Card'): SoftHsmCard {
  holdCards();
  // Short path: the agent's socket path must fit in sockaddr_un.
  const root = mkdtempSync(join(tmpdir(), 'vcsc-'));
  const homedir = join(root, 'h');
  const tokenDir = join(root, 't');
  mkdirSync(homedir, { mode: 0o700 });
  mkdirSync(tokenDir, { mode: 0o700 });
  const hsmConf = join(root, 'softhsm2.conf');
  const readerConf = join(root, 'reader.conf');
  const pointReader = (dir: string) => writeFileSync(readerConf, `directories.tokendir = ${dir}\n`);
  writeFileSync(hsmConf, `directories.tokendir = ${tokenDir}\n`);
  pointReader(tokenDir);
  const pinFile = join(root, 'pin');
  const wrongPinFile = join(root, 'wrong-pin');
  writeFileSync(pinFile, `${PIN}\n`, { mode: 0o600 });
  writeFileSync(wrongPinFile, '135790\n', { mode: 0o600 });
  let cleaned = false;
  const cleanup = () => {
    stopAgentOf(homedir);
    rmSync(root, { recursive: true, force: true });
    if (!cleaned) releaseCards();
    cleaned = true;
  };
  try {
    const env = { ...process.env, SOFTHSM2_CONF: hsmConf, GNUTLS_PIN: PIN };
    const run = (cmd: string, args: string[], input?: string) =>
      execFileSync(cmd, args, { env, input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
    const label = 'officer-card';
    run('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', SO_PIN, '--pin', PIN]);
    const p11 = ['--module', SOFTHSM_MODULE, '--login', '--pin', PIN];
    for (const [id, object] of [
      ['01', 'sig'],
      ['02', 'enc'],
    ] as const) {
      run('pkcs11-tool', [...p11, '--keypairgen', '--key-type', 'rsa:2048', '--id', id, '--label', object]);
      const template = join(root, `${object}.tmpl`);
      const cert = join(root, `${object}.der`);
      writeFileSync(template, `cn = "${name} ${object}"\nexpiration_days = 3650\nsigning_key\nencryption_key\n`);
      const uri = `pkcs11:token=${label};object=${object}`;
      run('certtool', [
        '--provider',
        SOFTHSM_MODULE,
        '--generate-self-signed',
        '--load-privkey',
        `${uri};type=private`,
        '--load-pubkey',
        `${uri};type=public`,
        '--template',
        template,
        '--outder',
        '--outfile',
        cert,
      ]);
      run('pkcs11-tool', [...p11, '--write-object', cert, '--type', 'cert', '--id', id, '--label', object]);
    }

    const scd = join(homedir, 'scd.sh');
    writeFileSync(scd, `#!/bin/sh\nSOFTHSM2_CONF='${readerConf}' exec /usr/bin/gnupg-pkcs11-scd "$@"\n`, {
      mode: 0o700,
    });
    const pad = join(root, 'pkcs11-cryptogram-pad.so');
    run('cc', [
      '-shared',
      '-fPIC',
      '-O2',
      `-I${PKCS11_HEADERS}`,
      `-DREAL_MODULE="${SOFTHSM_MODULE}"`,
      '-o',
      pad,
      PAD_SOURCE,
      '-ldl',
    ]);
    writeFileSync(
      join(homedir, 'gpg-agent.conf'),
      `scdaemon-program ${scd}\nallow-loopback-pinentry\npinentry-program /bin/false\n`,
    );
    writeFileSync(join(homedir, 'gnupg-pkcs11-scd.conf'), `providers p1\nprovider-p1-library ${pad}\n`);
    const gpg = ['--homedir', homedir, '--batch', '--no-tty'];
    // LEARN makes the agent write the stubs and names the keygrips (the token's id 01 and 02).
    const learned = run('gpg-connect-agent', ['--homedir', homedir, 'LEARN --sendinfo', '/bye']);
    const grip = (id: string) => {
      const m = new RegExp(`^S KEYPAIRINFO ([0-9A-F]{40}) \\S*/${id}$`, 'm').exec(learned);
      if (!m) throw new Error(`the token's key ${id} was not learned:\n${learned}`);
      return m[1]!;
    };
    const params = join(root, 'keygen');
    writeFileSync(
      params,
      [
        'Key-Type: RSA',
        `Key-Grip: ${grip('01')}`,
        'Key-Usage: sign,cert',
        'Subkey-Type: RSA',
        `Subkey-Grip: ${grip('02')}`,
        'Subkey-Usage: encrypt',
        `Name-Real: ${name}`,
        'Name-Email: card@officers.example',
        'Expire-Date: 0',
        '%commit',
        '',
      ].join('\n'),
    );
    const status = run(
      'gpg',
      [...gpg, '--status-fd', '1', '--pinentry-mode', 'loopback', '--passphrase-fd', '0', '--gen-key', params],
      `${PIN}\n`,
    );
    const created = /^\[GNUPG:\] KEY_CREATED \S+ ([0-9A-F]{40})$/m.exec(status);
    if (!created) throw new Error(`gpg made no key from the token's keygrips:\n${status}`);
    const fingerprint = created[1]!.toLowerCase();
    const publicKeyArmored = run('gpg', [...gpg, '--armor', '--export', fingerprint]);
    // The PIN the keygen used stays cached by the card daemon until it stops.
    stopAgentOf(homedir);
    return {
      name,
      homedir,
      fingerprint,
      publicKeyArmored,
      pinFile,
      wrongPinFile,
      tokenDir,
      removeCard: () => pointReader(join(root, 'no-card')),
      insertCardOf: (card) => pointReader(card.tokenDir),
      stopAgent: () => stopAgentOf(homedir),
      cleanup,
    };
  } catch (e) {
    cleanup();
    throw e;
  }
}
