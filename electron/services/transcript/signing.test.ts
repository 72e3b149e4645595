// @tier integration
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempGnupg, type TempGnupg } from '../../../test/support/temp-gnupg';
import { keySigner, makeSigner, threeSigners, type TestSigner } from '../../../test/support/transcript-bundle';
import { openPgpKeySigner } from '../pgp/openpgp-signer';
import type { Signer } from '../pgp/signer';
import { ok } from '../../../shared/result';
import { countersignTranscript, readSignedTranscript, signTranscript } from './signing';

const TEXT =
  'VAULT DR SECONDARY PROMOTION CEREMONY: TRANSCRIPT\n\n- a line that needs dash-escaping\nFrom the start\nJournal head:   00\n';

let signers: TestSigner[];
let gnupg: TempGnupg;

beforeAll(async () => {
  signers = await threeSigners();
  gnupg = createTempGnupg();
  for (const s of signers) gnupg.importKey(s.publicKey);
});
afterAll(() => gnupg.dispose());

async function signedByAll(): Promise<string> {
  let signed = await signTranscript(TEXT, signers[0]!.signer);
  for (const witness of signers.slice(1)) {
    if (!signed.ok) break;
    signed = await countersignTranscript(signed.value.armored, witness.signer);
  }
  if (!signed.ok) throw new Error(signed.error.message);
  return signed.value.armored;
}

function gpgVerify(armored: string): { status: number | null; goodsig: string[]; validsig: string[] } {
  const file = join(gnupg.home, 'transcript.txt.asc');
  writeFileSync(file, armored);
  const r = spawnSync('gpg', ['--homedir', gnupg.home, '--batch', '--no-tty', '--status-fd', '1', '--verify', file]);
  const status = r.stdout.toString();
  return {
    status: r.status,
    goodsig: [...status.matchAll(/^\[GNUPG:\] GOODSIG \S+ (.*)$/gm)].map((m) => m[1]!),
    validsig: [...status.matchAll(/^\[GNUPG:\] VALIDSIG \S+ \S+ \S+ \S+ \S+ \S+ \S+ \S+ \S+ ([0-9A-F]{40})$/gm)].map(
      (m) => m[1]!.toLowerCase(),
    ),
  };
}

describe('cleartext signing', () => {
  it('administrator signs, two witnesses countersign, and stock gpg --verify reports three good signatures', async () => {
    const armored = await signedByAll();
    const result = gpgVerify(armored);
    expect(result.status).toBe(0);
    expect(result.goodsig.sort()).toEqual([
      'alice <alice@example.org>',
      'bob <bob@example.org>',
      'carol <carol@example.org>',
    ]);
    expect(result.validsig.sort()).toEqual(signers.map((s) => s.fingerprint).sort());
  });

  it('keeps the signed text exactly and in canonical armor with LF line ends', async () => {
    const armored = await signedByAll();
    expect(armored).not.toContain('\r');
    expect(armored).toContain('\n- - a line that needs dash-escaping\n');
    const read = await readSignedTranscript(armored);
    expect(read.ok && read.value.text).toBe(TEXT);
    expect(read.ok && read.value.signatures.length).toBe(3);
  });

  it('reports the signer with its public key and fingerprint', async () => {
    const signed = await signTranscript(TEXT, signers[1]!.signer);
    expect(signed.ok && signed.value.signer.fingerprint).toBe(signers[1]!.fingerprint);
    expect(signed.ok && signed.value.signer.userIds).toEqual(['bob <bob@example.org>']);
    const publicKey = signed.ok ? await openpgp.readKey({ armoredKey: signed.value.signer.publicKey }) : undefined;
    expect(publicKey?.isPrivate()).toBe(false);
  });

  it('needs the right passphrase, and never repeats it', async () => {
    const { armoredPrivateKey } = signers[1]!.key;
    const missing = await signTranscript(TEXT, await keySigner({ armoredPrivateKey }));
    expect(!missing.ok && missing.error.kind).toBe('passphrase-needed');
    const wrong = await signTranscript(TEXT, await keySigner({ armoredPrivateKey, passphrase: 'not bob passphrase' }));
    expect(!wrong.ok && wrong.error.kind).toBe('wrong-passphrase');
    expect(!wrong.ok && wrong.error.message).not.toContain('not bob passphrase');
  });

  it('refuses a second signature by the same key', async () => {
    const signed = await signTranscript(TEXT, signers[0]!.signer);
    const again = signed.ok ? await countersignTranscript(signed.value.armored, signers[0]!.signer) : signed;
    expect(!again.ok && again.error.kind).toBe('already-signed');
  });

  it('refuses v6 keys, which GnuPG 2.2 cannot verify', async () => {
    const { privateKey } = await openpgp.generateKey({
      type: 'curve25519',
      userIDs: [{ name: 'v6' }],
      config: { v6Keys: true },
      format: 'armored',
    });
    const signer = await openPgpKeySigner({ armoredPrivateKey: privateKey });
    expect(!signer.ok && signer.error.kind).toBe('key-unsupported');
  });

  it('refuses v4 keys of RFC 9580 Ed25519, which GnuPG 2.2 cannot verify either', async () => {
    const { privateKey } = await openpgp.generateKey({
      type: 'curve25519',
      userIDs: [{ name: 'ed' }],
      format: 'armored',
    });
    const signer = await openPgpKeySigner({ armoredPrivateKey: privateKey });
    expect(!signer.ok && signer.error.kind).toBe('key-unsupported');
    expect(!signer.ok && signer.error.message).toContain(
      'uses public-key algorithm ed25519 (27); GnuPG 2.2 cannot verify',
    );
  });

  it('refuses to countersign a document that is not canonical or not signed', async () => {
    const armored = await signedByAll();
    const trailing = armored.replace('From the start\n', 'From the start \n');
    const result = await countersignTranscript(trailing, (await makeSigner('dave')).signer);
    expect(!result.ok && result.error.kind).toBe('not-canonical');
    const garbage = await countersignTranscript(TEXT, signers[2]!.signer);
    expect(!garbage.ok && garbage.error.kind).toBe('not-a-transcript');
    const bad = await openPgpKeySigner({ armoredPrivateKey: signers[0]!.publicKey });
    expect(!bad.ok && bad.error.kind).toBe('key-invalid');
  });

  it('refuses a signature GnuPG 2.2 cannot check or that states more than the text, as verify would', async () => {
    const alice = signers[0]!;
    const key = await openpgp.readPrivateKey({ armoredKey: alice.key.armoredPrivateKey });
    // What the signer's gpg.conf may ask for: another hash, a notation gpg prints beside the signature.
    const signing = (options: Pick<openpgp.SignOptions, 'config' | 'signatureNotations'>): Signer => ({
      ...alice.signer,
      clearsign: async (text) =>
        ok(
          await openpgp.sign({ message: await openpgp.createCleartextMessage({ text }), signingKeys: key, ...options }),
        ),
    });
    const sha3 = await signTranscript(
      TEXT,
      signing({ config: { preferredHashAlgorithm: openpgp.enums.hash.sha3_512 } }),
    );
    expect(!sha3.ok && sha3.error.message).toContain('uses hash sha3_512 (14), which stock GnuPG 2.2 cannot check');
    const notation = { name: 'outcome', value: Buffer.from('ABORTED'), humanReadable: true, critical: false };
    const stated = await signTranscript(TEXT, signing({ signatureNotations: [notation] }));
    expect(!stated.ok && stated.error.message).toContain('states more than the transcript: a notation "outcome"');
    expect((await signTranscript(TEXT, signing({}))).ok).toBe(true);
  });

  it('accepts from a signer only its own one good signature over the text', async () => {
    const [alice, bob] = [signers[0]!.signer, signers[1]!.signer];
    const lying = (clearsign: Signer['clearsign']): Signer => ({ ...alice, clearsign });
    // Another key's signature, handed back as if it were alice's.
    const impostor = await signTranscript(
      TEXT,
      lying((text) => bob.clearsign(text)),
    );
    expect(!impostor.ok && impostor.error.kind).toBe('signature-invalid');
    // alice's signature, but over other text.
    const other = await signTranscript(
      TEXT,
      lying(() => alice.clearsign(`${TEXT}more\n`)),
    );
    expect(!other.ok && other.error.kind).toBe('signature-invalid');
    // A public key that is not the planned fingerprint.
    const wrongKey = await signTranscript(TEXT, { ...alice, publicKey: () => bob.publicKey() });
    expect(!wrongKey.ok && wrongKey.error.kind).toBe('wrong-key');
    const honest = await signTranscript(
      TEXT,
      lying((text) => alice.clearsign(text)),
    );
    expect(honest.ok).toBe(true);
  });
});
