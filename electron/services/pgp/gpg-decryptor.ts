/**
 * Share decryption with the system gpg, for keys held by gpg-agent or on an OpenPGP smartcard
 * (openpgp.js cannot reach either). The message goes in on stdin and the plaintext comes back on
 * stdout; argv carries only options, never a secret. Passphrases and PINs go through gpg-agent's
 * own pinentry (`--pinentry-mode ask`, overriding any loopback setting in gpg.conf), so this
 * process never sees them; or, with `pinFile` (headless runs from a cast) or `pin` (typed into the
 * app), through a pipe with loopback pinentry, after checking the key and card (gpg-person.ts),
 * stopping the agent after use. Outcomes come from `--status-fd`, not from localised stderr.
 */
import { wipe } from '../../../shared/codecs/bytes';
import { err, type Result } from '../../../shared/result';
import { lastLine, PASSPHRASE_FD, runGpgProcess, STATUS_FD, type GpgRun } from './gpg-process';
import { checkGpgKey, readPin, withGpgPerson, type GpgKeyErrorKind, type GpgPerson } from './gpg-person';
import { GPG_ERR, gpgDecryptFailure, type GpgDecryptFailure } from './gpg-status';
import { displayKeyId, type Recipient } from './recipient';
import { assertAttributed, type ShareDecryptErrorKind, type ShareDecryptor } from './share-decryptor';
import type { ShareMessage } from './share-message';
import { shareFromPlaintext } from './share-plaintext';

export interface GpgDecryptorOptions {
  /** GnuPG home directory; default: gpg's own (GNUPGHOME, else ~/.gnupg), i.e. the officer's usual setup. */
  readonly gnupgHome?: string;
  /** The gpg executable; default `gpg` from PATH. */
  readonly gpgPath?: string;
  /** How long the officer has for the passphrase/PIN prompt and the card; default 5 minutes. */
  readonly timeoutMs?: number;
  /**
   * The card PIN or key passphrase on this file's first line (with `gnupgHome`, the person's own
   * home): given to gpg through a pipe instead of a prompt, and gpg-agent is stopped after use.
   */
  readonly pinFile?: string;
  /** The PIN or passphrase the person typed, handed over like the file's line; the caller wipes it. */
  readonly pin?: Uint8Array;
}

type Outcome = Result<Uint8Array, ShareDecryptErrorKind>;

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
/** A share is 66 hex characters; gpg stops on its own well before a decompression bomb fills memory. */
const MAX_PLAINTEXT = 4096;

export function createGpgDecryptor(options: GpgDecryptorOptions = {}): ShareDecryptor {
  const gpgPath = options.gpgPath ?? 'gpg';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const args = (pinentry: readonly string[]) => [
    '--batch',
    '--no-tty',
    '--status-fd',
    String(STATUS_FD),
    ...pinentry,
    '--max-output',
    String(MAX_PLAINTEXT),
    ...(options.gnupgHome === undefined ? [] : ['--homedir', options.gnupgHome]),
    '--decrypt',
  ];
  const run = async (message: ShareMessage, recipient: Recipient): Promise<Outcome> => {
    const pinSource = pinOf(options);
    if (pinSource === undefined)
      return outcome(
        await runGpgProcess(gpgPath, args(['--pinentry-mode', 'ask']), message.bytes, {
          timeoutMs,
          maxOutput: MAX_PLAINTEXT,
        }),
        recipient,
      );
    const person: GpgPerson = {
      name: recipient.officer,
      fingerprint: recipient.fingerprint,
      homedir: options.gnupgHome ?? '',
      ...pinSource,
      gpgPath,
      timeoutMs,
    };
    return withGpgPerson(person, async () => {
      const key = await checkGpgKey(person, 'e', recipient.keyId);
      if (!key.ok) return keyRefused(key.error.kind, key.error.message);
      const pin = await readPin(person);
      if (!pin.ok) return keyRefused(pin.error.kind, pin.error.message);
      const loopback = ['--pinentry-mode', 'loopback', '--passphrase-fd', String(PASSPHRASE_FD)];
      try {
        return outcome(
          await runGpgProcess(gpgPath, args(loopback), message.bytes, {
            timeoutMs,
            maxOutput: MAX_PLAINTEXT,
            passphrase: pin.value,
          }),
          recipient,
        );
      } finally {
        wipe(pin.value);
      }
    });
  };
  const outcome = (run: GpgRun, recipient: Recipient): Outcome => {
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
      return shareFromPlaintext(run.output);
    } finally {
      wipe(run.output);
    }
  };
  if (pinOf(options) !== undefined && options.gnupgHome === undefined)
    throw new TypeError('a PIN is only for a named GnuPG home: give gnupgHome too');
  if (options.pinFile !== undefined && options.pin !== undefined)
    throw new TypeError('give a PIN file or a typed PIN, not both');
  return {
    async decrypt(message, recipient) {
      assertAttributed(message, recipient);
      return run(message, recipient);
    },
  };
}

function pinOf(options: GpgDecryptorOptions): { pinFile: string } | { pin: Uint8Array } | undefined {
  if (options.pin !== undefined) return { pin: options.pin };
  return options.pinFile === undefined ? undefined : { pinFile: options.pinFile };
}

/** A key or card refused before gpg was asked to decrypt: the share decryptor's own kinds. */
function keyRefused(kind: GpgKeyErrorKind, message: string): Outcome {
  const kinds: Record<GpgKeyErrorKind, ShareDecryptErrorKind> = {
    'gpg-not-installed': 'gpg-not-installed',
    'no-secret-key': 'no-secret-key',
    'key-expired': 'invalid-key',
    'key-revoked': 'invalid-key',
    'card-not-present': 'card-not-present',
    'wrong-card': 'card-error',
    'pin-unreadable': 'passphrase-required',
  };
  return err(kinds[kind], message);
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
