/**
 * The card path beside the file path: per-share decryption and per-transcript-signature time
 * (signing.ts, as the ceremony signs) through gpg on a SoftHSM token (test/support/softhsm-card.ts), each use checking the card and stopping the agent
 * as the ceremony does, against openpgp.js with a passphrase-protected RSA key file. Also the
 * token fixture's build time, which every card test pays once per file.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bytesToHex } from '../shared/codecs/bytes';
import { createGpgDecryptor } from '../electron/services/pgp/gpg-decryptor';
import { createGpgSigner } from '../electron/services/pgp/gpg-signer';
import { createOpenPgpDecryptor } from '../electron/services/pgp/openpgp-decryptor';
import { createOpenPgpSigner } from '../electron/services/pgp/openpgp-signer';
import type { OfficerPublicKey } from '../electron/services/pgp/recipient';
import type { ShareDecryptor } from '../electron/services/pgp/share-decryptor';
import type { Signer } from '../electron/services/pgp/signer';
import { signTranscript } from '../electron/services/transcript/signing';
import { generateOfficerKey } from '../rehearsal-vault/officer-keys';
import { createSoftHsmCard, softHsmMissing } from '../test/support/softhsm-card';
import { vaultShareFor } from '../test/support/vault-share';
import { measure } from './measure';
import { ratio, round, timed, type Benchmark } from './metric';

const PASSPHRASE = 'bench passphrase';

export const smartcardBenchmark: Benchmark = {
  name: 'smartcard',
  async run() {
    const missing = softHsmMissing();
    if (missing) {
      process.stderr.write(`bench: smartcard skipped: ${missing}\n`);
      return [];
    }
    const start = performance.now();
    const card = createSoftHsmCard('Bench Card');
    const built = performance.now() - start;
    try {
      const file = await generateOfficerKey({ name: 'Bench File', algorithm: 'rsa3072', passphrase: PASSPHRASE });
      const keyFile = join(card.homedir, '..', 'file.key');
      const passFile = join(card.homedir, '..', 'file.pass');
      writeFileSync(keyFile, file.privateKeyArmored, { mode: 0o600 });
      writeFileSync(passFile, `${PASSPHRASE}\n`, { mode: 0o600 });

      const gpgDecrypt = await timeDecrypt(card, () =>
        createGpgDecryptor({ gnupgHome: card.homedir, pinFile: card.pinFile }),
      );
      const fileDecrypt = await timeDecrypt(file, () =>
        createOpenPgpDecryptor({ privateKeyArmored: file.privateKeyArmored, passphrase: PASSPHRASE }),
      );
      const gpgSign = await timeSign(
        createGpgSigner({
          name: card.name,
          fingerprint: card.fingerprint,
          homedir: card.homedir,
          pinFile: card.pinFile,
        }),
      );
      const fileSign = await timeSign(
        createOpenPgpSigner({
          name: file.name,
          fingerprint: file.fingerprint,
          privateKeyFile: keyFile,
          passphraseFile: passFile,
        }),
      );
      return [
        {
          name: 'smartcard_fixture_build_ms',
          value: round(built),
          unit: 'ms',
          note: 'SoftHSM token + GnuPG home, RSA-2048',
        },
        timed('share_decrypt_card_gpg_ms', gpgDecrypt, 'gpg on the token: key+card check, decrypt, agent stopped'),
        timed('share_decrypt_file_rsa3072_ms', fileDecrypt, 'openpgp.js, passphrase-protected RSA-3072 key'),
        ratio('share_decrypt_card_vs_file_ratio', gpgDecrypt, fileDecrypt, 'card / file, medians'),
        timed(
          'sign_card_gpg_ms',
          gpgSign,
          'transcript signature, gpg on the token: key export, key+card check, sign, agent stopped, checked',
        ),
        timed(
          'sign_file_rsa3072_ms',
          fileSign,
          'transcript signature, openpgp.js, passphrase-protected RSA-3072 key file, checked',
        ),
        ratio('sign_card_vs_file_ratio', gpgSign, fileSign, 'card / file, medians'),
      ];
    } finally {
      card.cleanup();
    }
  },
};

/** `decryptor` makes a fresh one per share, as share entry does (the openpgp.js one is single use). */
async function timeDecrypt(officer: OfficerPublicKey, decryptor: () => ShareDecryptor) {
  const share = randomBytes(33);
  const { message, recipient } = await vaultShareFor(officer, share);
  return measure(
    async () => {
      const r = await decryptor().decrypt(message, recipient);
      if (!r.ok || bytesToHex(r.value) !== bytesToHex(share)) throw new Error(`${officer.name}: share not decrypted`);
    },
    { runs: 9 },
  );
}

/** One transcript signature as the ceremony makes it: public key, signature, its check. */
function timeSign(signer: Signer) {
  return measure(
    async () => {
      const r = await signTranscript('a transcript of a few lines\nsigned by one person\n', signer);
      if (!r.ok) throw new Error(`${signer.name}: ${r.error.message}`);
    },
    { runs: 9 },
  );
}
