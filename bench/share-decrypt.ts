/**
 * Share decryption, per officer key type: openpgp.js in this process (electron/services/pgp/openpgp-
 * decryptor.ts, reading the armored private key each time, as every share entry does) against
 * `gpg --decrypt` of the same Vault-style message (a new gpg process each time, key already in a
 * temp GNUPGHOME, agent running), with the ratio of the medians. The keys have no passphrase:
 * gpg-agent would cache one after the first run, openpgp.js pays its S2K every time.
 */
import { randomBytes } from 'node:crypto';
import { decodeStdBase64 } from '../shared/codecs/base64';
import { bytesToHex } from '../shared/codecs/bytes';
import { generateOfficerKey, type OfficerKeyAlgorithm } from '../rehearsal-vault/officer-keys';
import { createOpenPgpDecryptor } from '../electron/services/pgp/openpgp-decryptor';
import { identifyRecipient } from '../electron/services/pgp/recipient';
import { readShareMessage } from '../electron/services/pgp/share-message';
import { encryptShare, readRecipientKey } from '../rehearsal-vault/vault-share-encryption';
import { createTempGnupg } from '../test/support/temp-gnupg';
import { runGpgOk } from './gpg-run';
import { measure } from './measure';
import { ratio, timed, type Benchmark, type Metric } from './metric';

const KEY_TYPES: ReadonlyArray<{ label: string; algorithm: OfficerKeyAlgorithm }> = [
  { label: 'curve25519', algorithm: 'curve25519' },
  { label: 'rsa4096', algorithm: 'rsa4096' },
];

export const shareDecryptBenchmark: Benchmark = {
  name: 'share decrypt',
  async run() {
    const metrics: Metric[] = [];
    for (const { label, algorithm } of KEY_TYPES) metrics.push(...(await benchKeyType(label, algorithm)));
    return metrics;
  },
};

async function benchKeyType(label: string, algorithm: OfficerKeyAlgorithm): Promise<Metric[]> {
  const officer = await generateOfficerKey({ name: `bench-${label}`, algorithm });
  const recipientKey = await readRecipientKey(officer.publicKeyArmored, { allowArmored: true });
  if (!recipientKey.ok) throw new Error(recipientKey.error.message);
  const share = randomBytes(33);
  const encrypted = await encryptShare(share, recipientKey.value);
  if (!encrypted.ok) throw new Error(encrypted.error.message);
  const base64 = encrypted.value.base64;
  const binary = decodeStdBase64(base64);
  if (!binary.ok) throw new Error(binary.error.message);
  const parsed = await readShareMessage(base64);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const recipient = await identifyRecipient(parsed.value.recipientKeyIds, [officer]);
  if (!recipient.ok) throw new Error(recipient.error.message);
  const expected = bytesToHex(share);

  const ours = await measure(
    async () => {
      const message = await readShareMessage(base64);
      if (!message.ok) throw new Error(message.error.message);
      const decrypted = await createOpenPgpDecryptor({ privateKeyArmored: officer.privateKeyArmored }).decrypt(
        message.value,
        recipient.value,
      );
      if (!decrypted.ok || bytesToHex(decrypted.value) !== expected)
        throw new Error(`openpgp.js did not decrypt the ${label} share`);
    },
    { runs: 15 },
  );

  const gnupg = createTempGnupg();
  try {
    gnupg.importKey(officer.privateKeyArmored);
    const gpg = await measure(
      async () => {
        const plaintext = await runGpgOk(gnupg.home, ['--decrypt'], binary.value);
        if (plaintext.toString() !== expected) throw new Error(`gpg did not decrypt the ${label} share`);
      },
      { runs: 15 },
    );
    return [
      timed(`share_decrypt_${label}_ms`, ours, 'openpgp.js in-process, incl. reading the armored key'),
      timed(`share_decrypt_${label}_gpg_ms`, gpg, 'gpg --decrypt, new process, agent warm'),
      ratio(`share_decrypt_${label}_vs_gpg_ratio`, ours, gpg, 'ours / gpg, medians; target <= 1'),
    ];
  } finally {
    gnupg.dispose();
  }
}
