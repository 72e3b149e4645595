/**
 * One person's GnuPG key, used through the system gpg: their own GnuPG home, the card PIN (or key
 * passphrase) in a file they chose or typed into the app, and the primary fingerprint the plan or
 * cast names for them.
 *
 * Before any use, the key is checked: the home must hold that fingerprint's secret key (a card
 * stub or a software key) with a subkey for the job, neither expired nor revoked, and when it is on
 * a card, the card in the reader must hold that very key (by keygrip), so another person's card is
 * never asked for a PIN. After every use gpg-agent and its card daemon are stopped: the daemon
 * caches a card PIN for its lifetime, and that cache must never serve the next person.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { wipe } from '../../../shared/codecs/bytes';
import { err, ok, type Result } from '../../../shared/result';
import { lastLine, runGpgProcess } from './gpg-process';

interface GpgPersonKey {
  /** The person's name in the plan, for messages. */
  readonly name: string;
  /** Primary key fingerprint the plan names, hex (any case, spaces allowed). */
  readonly fingerprint: string;
  readonly homedir: string;
  /** Default `gpg` from PATH; `gpgconf` and `gpg-connect-agent` are taken from the same folder. */
  readonly gpgPath?: string;
  /** How long one gpg run may take before it is stopped; default 2 minutes (a card may want a touch). */
  readonly timeoutMs?: number;
}

/**
 * The card PIN or key passphrase: the first line of `pinFile` (a cast, a script), or the bytes the
 * person typed into the app (`pin`; the caller owns them and wipes them after use).
 */
export type GpgPerson = GpgPersonKey &
  ({ readonly pinFile: string; readonly pin?: never } | { readonly pin: Uint8Array; readonly pinFile?: never });

/** Where the PIN came from, for messages: "the PIN in FILE" or "the PIN typed". */
export function pinOrigin(person: GpgPerson): string {
  return person.pinFile === undefined ? 'typed' : `in ${person.pinFile}`;
}

export type GpgKeyErrorKind =
  | 'gpg-not-installed'
  | 'no-secret-key'
  | 'key-expired'
  | 'key-revoked'
  | 'card-not-present'
  | 'wrong-card'
  | 'pin-unreadable';

/** The (sub)key that will do the job, as found in the person's home. */
export interface GpgKeyInUse {
  /** Primary fingerprint, lowercase hex. */
  readonly fingerprint: string;
  /** The signing or encryption (sub)key's own fingerprint, lowercase hex. */
  readonly keyFingerprint: string;
  /** The card serial number when the secret is on a card (a stub in the home). */
  readonly cardSerial?: string;
}

const DEFAULT_TIMEOUT_MS = 2 * 60_000;
const CHECK_TIMEOUT_MS = 30_000;

export const normalFingerprint = (text: string): string => text.replace(/\s/g, '').toLowerCase();

export function gpgTimeout(person: GpgPerson): number {
  return person.timeoutMs ?? DEFAULT_TIMEOUT_MS;
}

/** A tool from gpg's own folder (`gpgconf`, `gpg-connect-agent`), or from PATH like gpg. */
function sibling(person: GpgPerson, tool: string): string {
  const gpg = person.gpgPath ?? 'gpg';
  const slash = gpg.lastIndexOf('/');
  return slash < 0 ? tool : `${gpg.slice(0, slash + 1)}${tool}`;
}

/**
 * Finds the person's key for `usage` ('s' sign, 'e' encrypt; `keyId` narrows to the subkey a
 * message is encrypted to) and, for a card key, checks that the card in the reader holds it.
 */
export async function checkGpgKey(
  person: GpgPerson,
  usage: 's' | 'e',
  keyId?: string,
): Promise<Result<GpgKeyInUse, GpgKeyErrorKind>> {
  const expected = normalFingerprint(person.fingerprint);
  const listing = await runGpgProcess(
    person.gpgPath ?? 'gpg',
    [
      '--homedir',
      person.homedir,
      '--batch',
      '--no-tty',
      '--with-colons',
      '--with-keygrip',
      '--list-secret-keys',
      '--',
      expected,
    ],
    new Uint8Array(),
    { timeoutMs: CHECK_TIMEOUT_MS },
  );
  if (listing.spawnError) return gpgMissing(person, listing.spawnError);
  const keys = parseSecretKeys(new TextDecoder().decode(listing.output)).filter((k) => k.primary === expected);
  const noKey = `${person.homedir} holds no secret key (nor card stub) for ${person.name}'s key ${expected.toUpperCase()}`;
  if (keys.length === 0)
    return err(
      'no-secret-key',
      `${noKey}: give ${person.name}'s own GnuPG home, and for a card key run \`gpg --homedir ${person.homedir} --card-status\` once with the card inserted`,
    );
  // A share Vault encrypted to a since-expired key must still decrypt; only signing needs a valid key.
  const valid = (k: SecretKeyLine) => usage === 'e' || (k.validity !== 'r' && k.validity !== 'e');
  const primary = keys[0]!;
  if (usage === 's' && primary.validity === 'r') return revoked(person, expected);
  if (usage === 's' && primary.validity === 'e') return expired(person, expected);
  const able = keys.filter((k) => k.usage.includes(usage) && (keyId === undefined || k.fingerprint.endsWith(keyId)));
  const key = able.find(valid);
  if (!key) {
    if (able.some((k) => k.validity === 'r')) return revoked(person, expected);
    if (able.some((k) => k.validity === 'e')) return expired(person, expected);
    return err(
      'no-secret-key',
      `${person.name}'s key ${expected.toUpperCase()} in ${person.homedir} has no usable ${usage === 's' ? 'signing' : 'decryption'} secret key${keyId === undefined ? '' : ` for key ID ${keyId.toUpperCase()}`}`,
    );
  }
  const inUse = { fingerprint: expected, keyFingerprint: key.fingerprint };
  // Field 15: '+' a secret in the home, '#' a stub without a known card, else the card serial.
  if (key.token === '+') return ok(inUse);
  const card = await cardKeygrips(person);
  if (!card.ok) return card;
  if (!card.value.includes(key.keygrip))
    return err(
      'wrong-card',
      `the card in the reader does not hold ${person.name}'s key ${expected.toUpperCase()}: it is another person's card, or no card; insert ${person.name}'s own card and try again (no PIN was asked for)`,
    );
  return ok({ ...inUse, cardSerial: key.token });
}

interface SecretKeyLine {
  readonly primary: string;
  readonly fingerprint: string;
  readonly keygrip: string;
  readonly validity: string;
  readonly usage: string;
  readonly token: string;
}

/** `sec`/`ssb` records of `--with-colons --with-keygrip -K`, each with its `fpr` and `grp` record. */
function parseSecretKeys(colons: string): SecretKeyLine[] {
  const keys: SecretKeyLine[] = [];
  let primary = '';
  let current: { validity: string; usage: string; token: string; fingerprint?: string } | undefined;
  for (const line of colons.split('\n')) {
    const f = line.split(':');
    if (f[0] === 'sec' || f[0] === 'ssb') {
      if (f[0] === 'sec') primary = '';
      current = { validity: f[1] ?? '', usage: f[11] ?? '', token: f[14] ?? '' };
    } else if (f[0] === 'fpr' && current && current.fingerprint === undefined) {
      current.fingerprint = (f[9] ?? '').toLowerCase();
      if (primary === '') primary = current.fingerprint;
    } else if (f[0] === 'grp' && current?.fingerprint !== undefined) {
      keys.push({ ...current, primary, fingerprint: current.fingerprint, keygrip: (f[9] ?? '').toUpperCase() });
      current = undefined;
    }
  }
  return keys;
}

/** The keygrips the card in the reader holds, from the card daemon's KEYPAIRINFO lines. */
async function cardKeygrips(person: GpgPerson): Promise<Result<string[], GpgKeyErrorKind>> {
  const run = await runGpgProcess(
    sibling(person, 'gpg-connect-agent'),
    ['--homedir', person.homedir, 'SCD LEARN --force', '/bye'],
    new Uint8Array(),
    { timeoutMs: CHECK_TIMEOUT_MS },
  );
  if (run.spawnError) return gpgMissing(person, run.spawnError);
  const text = new TextDecoder().decode(run.output);
  const grips = [...text.matchAll(/^S KEYPAIRINFO ([0-9A-F]{40}) /gm)].map((m) => m[1]!);
  if (grips.length === 0 && /^ERR /m.test(text))
    return err(
      'card-not-present',
      `no card was found for ${person.name} (${lastLine(text.replace(/^S .*$/gm, ''))}): insert ${person.name}'s card, check the reader, then try again`,
    );
  return ok(grips);
}

/**
 * The user-PIN tries left, where the card reports them (`pinretry` of `--card-status --with-colons`);
 * undefined when it does not (a PKCS#11 token shows 0:0:0).
 */
export async function pinTriesLeft(person: GpgPerson): Promise<number | undefined> {
  const run = await runGpgProcess(
    person.gpgPath ?? 'gpg',
    ['--homedir', person.homedir, '--batch', '--no-tty', '--with-colons', '--card-status'],
    new Uint8Array(),
    { timeoutMs: CHECK_TIMEOUT_MS },
  );
  const m = /^pinretry:(\d+):(\d+):(\d+):/m.exec(new TextDecoder().decode(run.output));
  if (!m || (m[1] === '0' && m[2] === '0' && m[3] === '0')) return undefined;
  return Number(m[1]);
}

/**
 * The PIN as gpg's pipe gets it: a copy of the typed bytes, or the PIN file's first line; the caller
 * wipes the bytes after use.
 */
export async function readPin(person: GpgPerson): Promise<Result<Uint8Array, GpgKeyErrorKind>> {
  if (person.pinFile === undefined) {
    if (person.pin.length === 0)
      return err('pin-unreadable', `no PIN was typed for ${person.name}'s key: type the card PIN or key passphrase`);
    return ok(person.pin.slice());
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(person.pinFile);
  } catch (e) {
    return err(
      'pin-unreadable',
      `${person.name}'s PIN file ${person.pinFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const end = bytes.indexOf(0x0a);
  const line = bytes.subarray(0, end < 0 ? bytes.length : end);
  const pin = new Uint8Array(line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length);
  pin.set(line.subarray(0, pin.length));
  wipe(bytes);
  if (pin.length === 0)
    return err(
      'pin-unreadable',
      `${person.name}'s PIN file ${person.pinFile} is empty: write the PIN on its first line`,
    );
  return ok(pin);
}

/**
 * Runs `use`, then stops the person's gpg-agent and card daemon whatever happened, so a PIN cached
 * by the card daemon is gone before anyone else's turn.
 */
export async function withGpgPerson<T>(person: GpgPerson, use: () => Promise<T>): Promise<T> {
  try {
    return await use();
  } finally {
    await stopAgent(person);
  }
}

/** How long a stopped agent may take to become unreachable before the next use goes ahead anyway. */
const STOP_TIMEOUT_MS = 5_000;

/**
 * Stops the agent and returns once it can no longer be reached (`agentReachable`). `gpgconf --kill`
 * may return just before the agent removes its socket, and a gpg started in that moment (the next
 * use, e.g. the officer's retry after a wrong PIN) connects to the dying agent, gets "can't connect
 * to the agent: End of file" and sees no secret key.
 */
async function stopAgent(person: GpgPerson): Promise<void> {
  const info = await runGpgProcess(
    sibling(person, 'gpg-connect-agent'),
    ['--homedir', person.homedir, ...AGENT_INFO],
    new Uint8Array(),
    { timeoutMs: CHECK_TIMEOUT_MS },
  );
  const agent = runningAgent(new TextDecoder().decode(info.output));
  await new Promise<void>((resolve) => {
    const child = spawn(sibling(person, 'gpgconf'), ['--homedir', person.homedir, '--kill', 'all'], {
      stdio: 'ignore',
    });
    child.on('error', () => resolve());
    child.on('close', () => resolve());
  });
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (agent && agentReachable(agent) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10));
}

/** `gpg-connect-agent` arguments that ask a home's running agent for its process id and socket, starting none. */
export const AGENT_INFO = ['--no-autostart', 'GETINFO pid', 'GETINFO socket_name', '/bye'] as const;

export interface RunningAgent {
  readonly pid: number;
  readonly socket: string;
}

/** The agent in the output of `gpg-connect-agent … AGENT_INFO`; undefined when none was running. */
export function runningAgent(output: string): RunningAgent | undefined {
  const [pid, socket] = [...output.matchAll(/^D (.+)$/gm)].map((m) => m[1]!);
  if (pid === undefined || socket === undefined || !/^\d+$/.test(pid)) return undefined;
  // Assuan data lines escape %, CR and LF as %XX.
  const path = socket.replace(/%([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return { pid: Number(pid), socket: path };
}

/**
 * Whether a stopped agent may still take a connection: until its socket is gone, or (a supervised
 * agent keeps its socket) until its process has exited, about 2 s after it was told to stop.
 */
export function agentReachable(agent: RunningAgent): boolean {
  if (!existsSync(agent.socket)) return false;
  try {
    process.kill(agent.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function gpgMissing(person: GpgPerson, cause: NodeJS.ErrnoException) {
  const tool = person.gpgPath ?? 'gpg';
  return err(
    'gpg-not-installed',
    cause.code === 'ENOENT'
      ? `GnuPG was not found ('${tool}'): install GnuPG 2.2 or later (and its scdaemon for cards)`
      : `GnuPG ('${tool}') could not be started (${cause.code ?? cause.message}): check that it is an executable GnuPG`,
  );
}

function revoked(person: GpgPerson, fingerprint: string) {
  return err(
    'key-revoked',
    `${person.name}'s key ${fingerprint.toUpperCase()} is revoked: it must not be used; the plan must name ${person.name}'s current key`,
  );
}

function expired(person: GpgPerson, fingerprint: string) {
  return err(
    'key-expired',
    `${person.name}'s key ${fingerprint.toUpperCase()} has expired: extend its expiry (\`gpg --quick-set-expire\`) and give the plan the refreshed public key, then try again`,
  );
}
