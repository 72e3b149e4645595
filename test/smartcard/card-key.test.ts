// @tier integration
/**
 * The GnuPG key backend against a real card-like token (SoftHSM2 driven by gnupg-pkcs11-scd):
 * Vault-style shares decrypt on the token (one whose cryptogram starts with a zero byte too),
 * signatures made on it verify with stock gpg and openpgp.js, the home holds only stubs, a wrong
 * PIN is refused and named, a PIN cached for one person never serves the next, and another
 * person's card is refused before any PIN is sent.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../shared/codecs/bytes';
import { createGpgDecryptor } from '../../electron/services/pgp/gpg-decryptor';
import { createGpgSigner } from '../../electron/services/pgp/gpg-signer';
import { createOpenPgpSigner } from '../../electron/services/pgp/openpgp-signer';
import type { Signer } from '../../electron/services/pgp/signer';
import { countersignTranscript, signTranscript } from '../../electron/services/transcript/signing';
import { generateOfficerKey } from '../../rehearsal-vault/officer-keys';
import { createSoftHsmCard, softHsmMissing, type SoftHsmCard } from '../support/softhsm-card';
import { createTempGnupg, type TempGnupg } from '../support/temp-gnupg';
import { vaultShareFor } from '../support/vault-share';

const missing = softHsmMissing();
if (missing) console.warn(`skipping smartcard tests: ${missing}`);

describe.skipIf(missing !== undefined)('a key on a card-like token, through gpg', () => {
  let ann: SoftHsmCard;
  let bob: SoftHsmCard;
  let verifier: TempGnupg;

  beforeAll(() => {
    ann = createSoftHsmCard('Ann Card');
    bob = createSoftHsmCard('Bob Card');
    verifier = createTempGnupg();
    verifier.importKey(ann.publicKeyArmored);
    verifier.importKey(bob.publicKeyArmored);
  }, 60_000);

  afterAll(() => {
    ann?.cleanup();
    bob?.cleanup();
    verifier?.dispose();
  });

  const person = (card: SoftHsmCard, pinFile = card.pinFile) => ({
    name: card.name,
    fingerprint: card.fingerprint,
    homedir: card.homedir,
    pinFile,
    timeoutMs: 20_000,
  });

  /** Stock gpg in a home of its own: the fingerprints of the good signatures it reports. */
  function gpgVerify(args: string[], input?: string): string[] {
    const r = spawnSync('gpg', ['--homedir', verifier.home, '--batch', '--status-fd', '1', '--verify', ...args], {
      input,
    });
    return [...r.stdout.toString().matchAll(/^\[GNUPG:\] VALIDSIG ([0-9A-F]{40}) /gm)].map((m) => m[1]!.toLowerCase());
  }

  async function shareFor(card: SoftHsmCard) {
    const share = randomBytes(33);
    return { share, ...(await vaultShareFor(card, share)) };
  }

  it('decrypts a share that Vault would encrypt to the card key, on the token', async () => {
    const { share, message, recipient } = await shareFor(ann);
    const r = await createGpgDecryptor({ gnupgHome: ann.homedir, pinFile: ann.pinFile }).decrypt(message, recipient);
    expect(r.ok && bytesToHex(r.value)).toBe(bytesToHex(share));
  });

  it('decrypts a share whose RSA cryptogram starts with a zero byte, as a real card does', async () => {
    // 1 share in 256 to 512: gpg-agent hands the card daemon such a cryptogram a byte short of the
    // modulus (see pkcs11-cryptogram-pad.c), and the card must still decrypt it.
    for (let tries = 0; tries < 20_000; tries++) {
      const { share, message, recipient } = await shareFor(ann);
      const pkesk = (await openpgp.readMessage({ binaryMessage: message.bytes })).packets[0] as unknown as {
        encrypted: { c: Uint8Array };
      };
      const cryptogram = pkesk.encrypted.c;
      // One byte short even after gpg's signed MPI encoding, which adds a zero before a high bit.
      if (cryptogram.length !== 255 || cryptogram[0]! >= 0x80) continue;
      const r = await createGpgDecryptor({ gnupgHome: ann.homedir, pinFile: ann.pinFile }).decrypt(message, recipient);
      expect(r.ok ? bytesToHex(r.value) : r.error.message).toBe(bytesToHex(share));
      return;
    }
    throw new Error('no share with a short cryptogram in 20,000 tries');
  });

  it('cleartext-signs and detach-signs on the token; stock gpg and openpgp.js verify both', async () => {
    const signer = createGpgSigner(person(ann));
    const text = 'transcript line 1\ntrailing space  \n- dash line\n';
    const clear = await signer.clearsign(text);
    expect(clear.ok).toBe(true);
    if (!clear.ok) return;
    expect(gpgVerify([], clear.value)).toEqual([ann.fingerprint]);

    const data = Buffer.from('SHA256SUMS body\n');
    const detached = await signer.detachSign(data);
    expect(detached.ok).toBe(true);
    if (!detached.ok) return;
    const dir = verifier.home;
    writeFileSync(join(dir, 'data'), data);
    writeFileSync(join(dir, 'data.asc'), detached.value);
    expect(gpgVerify([join(dir, 'data.asc'), join(dir, 'data')])).toEqual([ann.fingerprint]);

    const publicKey = await signer.publicKey();
    expect(publicKey.ok).toBe(true);
    if (!publicKey.ok) return;
    const verificationKeys = await openpgp.readKey({ armoredKey: publicKey.value });
    expect(verificationKeys.getFingerprint()).toBe(ann.fingerprint);
    const viaClear = await openpgp.verify({
      message: await openpgp.readCleartextMessage({ cleartextMessage: clear.value }),
      verificationKeys,
      expectSigned: true,
    });
    // The signed text is `text` to its last line ending (OpenPGP drops trailing spaces).
    expect(viaClear.data).toBe(text.replace(/ +$/gm, ''));
    const viaDetached = await openpgp.verify({
      message: await openpgp.createMessage({ binary: data }),
      signature: await openpgp.readSignature({ armoredSignature: detached.value }),
      verificationKeys,
      expectSigned: true,
    });
    expect(viaDetached.signatures).toHaveLength(1);
  });

  it('leaves only shadowed stubs in private-keys-v1.d: the key never left the token', async () => {
    expect((await createGpgSigner(person(ann)).clearsign('x\n')).ok).toBe(true);
    const dir = join(ann.homedir, 'private-keys-v1.d');
    const files = readdirSync(dir);
    expect(files).toHaveLength(2);
    for (const f of files) expect(readFileSync(join(dir, f), 'utf8')).toContain('(shadowed-private-key');
  });

  it('refuses a wrong PIN with a named error and signs or decrypts nothing', async () => {
    const signed = await createGpgSigner(person(ann, ann.wrongPinFile)).clearsign('must not be signed\n');
    expect(signed.ok).toBe(false);
    if (!signed.ok) {
      expect(signed.error.kind).toBe('wrong-passphrase');
      expect(signed.error.message).toMatch(/PIN .* is wrong; nothing was signed/);
      expect(signed.error.message).not.toContain('135790');
    }
    const { message, recipient } = await shareFor(ann);
    const r = await createGpgDecryptor({ gnupgHome: ann.homedir, pinFile: ann.wrongPinFile }).decrypt(
      message,
      recipient,
    );
    expect(!r.ok && r.error.kind).toBe('bad-passphrase');
  });

  it("never lets the PIN cached for one person's use serve the next use", async () => {
    // The threat is real: the card daemon caches the PIN, so plain gpg signs with a wrong PIN
    // once a right one has been given in the same agent's lifetime.
    const plain = (pinFile: string) =>
      spawnSync(
        'sh',
        ['-c', `echo x | gpg --homedir "$H" --batch --pinentry-mode loopback --passphrase-fd 4 --clearsign 4<"$P"`],
        { env: { ...process.env, H: ann.homedir, P: pinFile } },
      ).status;
    try {
      expect(plain(ann.pinFile)).toBe(0);
      expect(plain(ann.wrongPinFile)).toBe(0);
    } finally {
      ann.stopAgent();
    }
    // Through the signer, each use stops the agent afterwards, so the next must know the PIN.
    expect((await createGpgSigner(person(ann)).clearsign('first\n')).ok).toBe(true);
    const next = await createGpgSigner(person(ann, ann.wrongPinFile)).clearsign('second\n');
    expect(!next.ok && next.error.kind).toBe('wrong-passphrase');
    const { message, recipient } = await shareFor(ann);
    expect(
      (await createGpgDecryptor({ gnupgHome: ann.homedir, pinFile: ann.pinFile }).decrypt(message, recipient)).ok,
    ).toBe(true);
    const after = await createGpgDecryptor({ gnupgHome: ann.homedir, pinFile: ann.wrongPinFile }).decrypt(
      message,
      recipient,
    );
    expect(!after.ok && after.error.kind).toBe('bad-passphrase');
  });

  it("refuses another person's card, or no card, before any PIN is sent", async () => {
    try {
      const { message, recipient } = await shareFor(ann);
      const decryptor = createGpgDecryptor({ gnupgHome: ann.homedir, pinFile: ann.pinFile });
      ann.insertCardOf(bob);
      const other = await createGpgSigner(person(ann)).clearsign('x\n');
      expect(!other.ok && other.error.kind).toBe('wrong-card');
      const otherDecrypt = await decryptor.decrypt(message, recipient);
      expect(!otherDecrypt.ok && otherDecrypt.error.kind).toBe('card-error');
      ann.removeCard();
      const none = await createGpgSigner(person(ann)).clearsign('x\n');
      expect(!none.ok && none.error.kind).toBe('card-not-present');
      const noneDecrypt = await decryptor.decrypt(message, recipient);
      expect(!noneDecrypt.ok && noneDecrypt.error.kind).toBe('card-not-present');
    } finally {
      ann.insertCardOf(ann);
    }
  });

  it("refuses a signer whose home does not hold the named person's key", async () => {
    const r = await createGpgSigner({ ...person(bob), homedir: ann.homedir }).clearsign('x\n');
    expect(!r.ok && r.error.kind).toBe('no-secret-key');
  });

  it('signs with mixed backends (openpgp.js file key and card key); stock gpg verifies both', async () => {
    const software = await generateOfficerKey({ name: 'Sam Soft', algorithm: 'curve25519', passphrase: 'sam pass' });
    const dir = verifier.home;
    writeFileSync(join(dir, 'sam.key'), software.privateKeyArmored, { mode: 0o600 });
    writeFileSync(join(dir, 'sam.pass'), 'sam pass\n', { mode: 0o600 });
    verifier.importKey(software.publicKeyArmored);
    const signers: Signer[] = [
      createOpenPgpSigner({
        name: 'Sam Soft',
        fingerprint: software.fingerprint,
        privateKeyFile: join(dir, 'sam.key'),
        passphraseFile: join(dir, 'sam.pass'),
      }),
      createGpgSigner(person(bob)),
    ];
    const text = 'the same transcript\n\n- with a dashed line\n';
    for (const signer of signers) {
      const r = await signer.clearsign(text);
      expect(r.ok).toBe(true);
      if (r.ok) expect(gpgVerify([], r.value)).toEqual([signer.fingerprint]);
    }
    // One transcript, signed by the file key and countersigned on the card, in either order.
    for (const [first, second] of [signers, [...signers].reverse()] as Signer[][]) {
      const signed = await signTranscript(text, first!);
      const both = signed.ok ? await countersignTranscript(signed.value.armored, second!) : signed;
      expect(both.ok).toBe(true);
      if (both.ok) expect(gpgVerify([], both.value.armored).sort()).toEqual(signers.map((x) => x.fingerprint).sort());
    }
    const wrong = await createOpenPgpSigner({
      name: 'Sam Soft',
      fingerprint: bob.fingerprint,
      privateKeyFile: join(dir, 'sam.key'),
    }).clearsign(text);
    expect(!wrong.ok && wrong.error.kind).toBe('wrong-key');
  });
});
