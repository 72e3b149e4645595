/**
 * Signing through the system gpg with a person's GnuPG home: the key may be on a smartcard, where
 * openpgp.js cannot reach it. Each signature: check the key (gpg-person.ts), hand gpg the PIN
 * through a pipe with loopback pinentry, read the outcome from `--status-fd`, then stop the
 * person's agent. A refused PIN is reported, never tried again here: a card locks after a few.
 */
import { utf8ToBytes, wipe } from '../../../shared/codecs/bytes';
import { err, ok, type Result } from '../../../shared/result';
import { lastLine, PASSPHRASE_FD, runGpgProcess, STATUS_FD, type GpgRun } from './gpg-process';
import {
  checkGpgKey,
  gpgTimeout,
  normalFingerprint,
  pinOrigin,
  pinTriesLeft,
  readPin,
  withGpgPerson,
  type GpgPerson,
} from './gpg-person';
import { GPG_ERR, gpgSignFailure, type GpgSignFailure } from './gpg-status';
import type { SignErrorKind, Signer } from './signer';

/** A signature is a few hundred bytes; anything far larger is not what was asked for. */
const MAX_SIGNED = 16 * 1024 * 1024;

export function createGpgSigner(person: GpgPerson): Signer {
  const fingerprint = normalFingerprint(person.fingerprint);
  const base = ['--homedir', person.homedir, '--batch', '--no-tty', '--status-fd', String(STATUS_FD)];
  const sign = (mode: string[], input: Uint8Array) =>
    withGpgPerson(person, async (): Promise<Result<string, SignErrorKind>> => {
      const key = await checkGpgKey(person, 's');
      if (!key.ok) return key;
      const pin = await readPin(person);
      if (!pin.ok) return pin;
      let run: GpgRun;
      try {
        // `KEYFPR!`: exactly the checked (sub)key, never another one gpg might prefer.
        run = await runGpgProcess(
          person.gpgPath ?? 'gpg',
          [
            ...base,
            '--pinentry-mode',
            'loopback',
            '--passphrase-fd',
            String(PASSPHRASE_FD),
            '--local-user',
            `${key.value.keyFingerprint}!`,
            '--armor',
            ...mode,
          ],
          input,
          { timeoutMs: gpgTimeout(person), maxOutput: input.length + MAX_SIGNED, passphrase: pin.value },
        );
      } finally {
        wipe(pin.value);
      }
      if (run.timedOut)
        return err(
          'timeout',
          `gpg did not sign within ${Math.round(gpgTimeout(person) / 1000)} s and was stopped: ${person.name}'s card may want a touch; nothing was signed`,
        );
      const failure = gpgSignFailure(run.status, run.exitCode);
      if (failure) return explain(failure, person, run);
      return ok(new TextDecoder().decode(run.output));
    });
  return {
    name: person.name,
    fingerprint,
    // gpg takes the input's last line ending as the end of the text, not part of it; openpgp.js
    // (and the transcript) sign every line ending of `text`. One more line ending makes them agree.
    clearsign: (text) => sign(['--clearsign'], utf8ToBytes(`${text}\n`)),
    detachSign: (data) => sign(['--detach-sign'], data),
    async publicKey() {
      // The fingerprint without `!`: with it gpg exports the primary key alone, without the
      // subkeys, so a signing subkey's signatures (a card's, often) would find no key to check.
      const run = await runGpgProcess(
        person.gpgPath ?? 'gpg',
        [...base, '--armor', '--export-options', 'export-minimal', '--export', fingerprint],
        new Uint8Array(),
        { timeoutMs: gpgTimeout(person) },
      );
      const armored = new TextDecoder().decode(run.output);
      if (run.exitCode !== 0 || !armored.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----'))
        return err(
          'no-secret-key',
          `${person.homedir} does not hold ${person.name}'s public key ${fingerprint.toUpperCase()}: import it there`,
        );
      return ok(armored);
    },
  };
}

async function explain(failure: GpgSignFailure, person: GpgPerson, run: GpgRun): Promise<Result<never, SignErrorKind>> {
  const who = person.name;
  const nothing = 'nothing was signed';
  switch (failure.kind) {
    case 'bad-passphrase': {
      if (failure.code !== GPG_ERR.BAD_PIN)
        return err('wrong-passphrase', `the passphrase ${pinOrigin(person)} for ${who}'s key is wrong; ${nothing}`);
      const left = await pinTriesLeft(person);
      return err(
        'wrong-passphrase',
        `the PIN ${pinOrigin(person)} for ${who}'s card is wrong; ${nothing}. ${left === undefined ? 'A card locks after a few wrong PINs' : `The card allows ${left} more ${left === 1 ? 'try' : 'tries'} before it locks`}: check the PIN before trying again`,
      );
    }
    case 'key-expired':
      return err('key-expired', `${who}'s signing key has expired; ${nothing}: extend its expiry, then try again`);
    case 'key-revoked':
      return err('key-revoked', `${who}'s signing key is revoked; ${nothing}: the plan must name ${who}'s current key`);
    case 'no-secret-key':
      return err('no-secret-key', `gpg found no secret signing key of ${who} in ${person.homedir}; ${nothing}`);
    case 'card-not-present':
      return err(
        'card-not-present',
        `${who}'s card is not present; ${nothing}: insert it, check the reader, try again`,
      );
    case 'card-error':
      return failure.code === GPG_ERR.PIN_BLOCKED
        ? err(
            'pin-blocked',
            `the PIN of ${who}'s card is blocked; ${nothing}: unblock it with the reset code or admin PIN (\`gpg --card-edit\`, then \`passwd\`)`,
          )
        : failure.code === GPG_ERR.WRONG_CARD
          ? err('wrong-card', `the card in the reader is not ${who}'s; ${nothing}: insert ${who}'s card`)
          : err(
              'card-error',
              `${who}'s card refused to sign (gpg error code ${failure.code}); ${nothing}: check the card and reader`,
            );
    case 'cancelled':
      return err('cancelled', `the PIN request for ${who}'s card was cancelled; ${nothing}`);
    case 'pinentry-failed':
      return err(
        'pinentry-failed',
        `gpg-agent in ${person.homedir} refused a PIN handed over a pipe: add \`allow-loopback-pinentry\` to its gpg-agent.conf`,
      );
    case 'timeout':
      return err('timeout', `the card or agent timed out while signing for ${who}; ${nothing}: try again`);
    case 'gpg-failed':
      return err(
        'gpg-failed',
        `gpg failed to sign for ${who} (exit code ${run.exitCode ?? 'none'}) without saying why on its status channel: ${lastLine(run.stderr) || 'no message'}`,
      );
  }
}
