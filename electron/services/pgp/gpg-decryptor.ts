/**
 * Share decryption with the system gpg, for keys held by gpg-agent or on an OpenPGP smartcard
 * (openpgp.js cannot reach either). The message goes in on stdin and the plaintext comes back on
 * stdout; argv carries only options, never a secret. Passphrases and PINs go only through
 * gpg-agent's own pinentry (`--pinentry-mode ask`, overriding any loopback setting in gpg.conf),
 * so this process never sees them. Outcomes come from `--status-fd`, not from localised stderr.
 */
import { spawn } from 'node:child_process';
import { wipe } from '../../../shared/codecs/bytes';
import { err, type Result } from '../../../shared/result';
import { GPG_ERR, gpgDecryptFailure, type GpgDecryptFailure } from './gpg-status';
import { displayKeyId, type Recipient } from './recipient';
import { assertAttributed, type ShareDecryptErrorKind, type ShareDecryptor } from './share-decryptor';
import { shareFromPlaintext } from './share-plaintext';

export interface GpgDecryptorOptions {
  /** GnuPG home directory; default: gpg's own (GNUPGHOME, else ~/.gnupg), i.e. the officer's usual setup. */
  readonly gnupgHome?: string;
  /** The gpg executable; default `gpg` from PATH. */
  readonly gpgPath?: string;
  /** How long the officer has for the passphrase/PIN prompt and the card; default 5 minutes. */
  readonly timeoutMs?: number;
}

type Outcome = Result<Uint8Array, ShareDecryptErrorKind>;

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
/** A share is 66 hex characters; gpg stops on its own well before a decompression bomb fills memory. */
const MAX_PLAINTEXT = 4096;
/** After SIGTERM, how long gpg gets to exit before SIGKILL. */
const KILL_GRACE_MS = 2_000;
const STATUS_FD = 3;

export function createGpgDecryptor(options: GpgDecryptorOptions = {}): ShareDecryptor {
  const gpgPath = options.gpgPath ?? 'gpg';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const args = [
    '--batch',
    '--no-tty',
    '--status-fd',
    String(STATUS_FD),
    '--pinentry-mode',
    'ask',
    '--max-output',
    String(MAX_PLAINTEXT),
    ...(options.gnupgHome === undefined ? [] : ['--homedir', options.gnupgHome]),
    '--decrypt',
  ];
  return {
    async decrypt(message, recipient) {
      assertAttributed(message, recipient);
      const run = await runGpg(gpgPath, args, message.bytes, timeoutMs);
      try {
        if (run.spawnError !== undefined) return notInstalled(gpgPath, run.spawnError);
        if (run.timedOut) {
          return err(
            'timeout',
            `gpg did not finish within ${Math.round(timeoutMs / 1000)} s, so it was stopped and nothing was submitted: a passphrase or PIN prompt may be waiting on another screen, or ${recipient.officer}'s card may want a touch; try again`,
          );
        }
        if (run.overflow)
          return err(
            'not-a-share',
            'the message decrypts to far more than a share, so it is not a Vault unseal or recovery share',
          );
        const failure = gpgDecryptFailure(run.status, run.exitCode);
        if (failure) return explain(failure, recipient, run, options.gnupgHome);
        return shareFromPlaintext(run.plaintext);
      } finally {
        wipe(run.plaintext);
      }
    },
  };
}

interface GpgRun {
  readonly plaintext: Uint8Array;
  readonly status: string;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly overflow: boolean;
  readonly spawnError?: NodeJS.ErrnoException;
}

function runGpg(gpgPath: string, args: string[], input: Uint8Array, timeoutMs: number): Promise<GpgRun> {
  return new Promise((resolve) => {
    const child = spawn(gpgPath, args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let status = '';
    let stderr = '';
    let timedOut = false;
    let overflow = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (killTimer) return;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);

    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PLAINTEXT && !overflow) {
        overflow = true;
        stop();
      }
      chunks.push(chunk);
    });
    child.stdio[STATUS_FD]!.on('data', (chunk: Buffer) => (status += chunk.toString('latin1')));
    // Only the tail is kept for an unexplained failure; gpg's stderr carries key IDs and user IDs, never plaintext.
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
    // gpg may exit (e.g. gpg missing, bad options) before reading all of stdin.
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => (spawnError = e));
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      const plaintext = new Uint8Array(size);
      let at = 0;
      for (const chunk of chunks) {
        plaintext.set(chunk, at);
        at += chunk.length;
        wipe(chunk);
      }
      resolve({ plaintext, status, stderr, exitCode, timedOut, overflow, ...(spawnError ? { spawnError } : {}) });
    });
    child.stdin.end(input);
  });
}

function notInstalled(gpgPath: string, cause: NodeJS.ErrnoException): Outcome {
  if (cause.code === 'ENOENT') {
    return err(
      'gpg-not-installed',
      `gpg was not found ('${gpgPath}'): install GnuPG 2.2 or later, or set the path to gpg in the settings`,
    );
  }
  return err(
    'gpg-not-installed',
    `gpg ('${gpgPath}') could not be started (${cause.code ?? cause.message}): check that it is an executable GnuPG`,
  );
}

function explain(
  failure: GpgDecryptFailure,
  recipient: Recipient,
  run: GpgRun,
  gnupgHome: string | undefined,
): Outcome {
  const who = recipient.officer;
  const key = displayKeyId(recipient.keyId);
  switch (failure.kind) {
    case 'no-secret-key':
      return err(
        'no-secret-key',
        `gpg could not find the secret key ${key}${gnupgHome === undefined ? '' : ` in ${gnupgHome}`}: insert ${who}'s smartcard (and run \`gpg --card-status\` once so gpg learns its keys) or import ${who}'s key into gpg`,
      );
    case 'bad-passphrase':
      return err(
        'bad-passphrase',
        failure.code === GPG_ERR.BAD_PIN
          ? `the PIN for ${who}'s smartcard is wrong; nothing was submitted (the card locks after a few wrong PINs)`
          : `the passphrase for ${who}'s key is wrong; nothing was submitted`,
      );
    case 'cancelled':
      return err(
        'cancelled',
        `the passphrase, PIN or insert-card prompt for ${who}'s key was cancelled; nothing was submitted`,
      );
    case 'card-not-present':
      return err(
        'card-not-present',
        failure.code === GPG_ERR.NO_SCDAEMON
          ? `${who}'s key ${key} is on a smartcard, but gpg's smartcard daemon (scdaemon) is not installed on this machine: install scdaemon, then try again`
          : `${who}'s key ${key} is on a smartcard that is not present: insert ${who}'s card (check the reader), then try again`,
      );
    case 'card-error':
      return err(
        'card-error',
        failure.code === GPG_ERR.PIN_BLOCKED
          ? `the PIN of ${who}'s smartcard is blocked: unblock it with the reset code or admin PIN (\`gpg --card-edit\`), then try again`
          : failure.code === GPG_ERR.WRONG_CARD
            ? `the smartcard in the reader does not hold key ${key}: insert ${who}'s card`
            : `${who}'s smartcard refused to decrypt (gpg error code ${failure.code}): check the card and reader, then try again`,
      );
    case 'pinentry-failed':
      return err(
        'pinentry-failed',
        `gpg-agent could not show a passphrase prompt for ${who}'s key: configure a working pinentry-program in gpg-agent.conf`,
      );
    case 'timeout':
      return err(
        'timeout',
        `the passphrase or PIN prompt for ${who}'s key timed out; nothing was submitted: try again`,
      );
    case 'decryption-failed':
      return err(
        'decryption-failed',
        `gpg could not decrypt the share with ${who}'s key ${key}: the message is damaged or was altered; ask for the original`,
      );
    case 'gpg-failed':
      return err(
        'gpg-failed',
        `gpg failed (exit code ${run.exitCode ?? 'none'}) without saying why on its status channel: ${lastLine(run.stderr) || 'no message'}`,
      );
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}
