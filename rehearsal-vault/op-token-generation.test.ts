import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import { beforeEach, describe, expect, it } from 'vitest';
import { generateOfficerKey } from './officer-keys';
import { readRecipientKey, vaultKeyBase64 } from './vault-share-encryption';
import { OperationTokenSlot, type GenerationFamily, type GenerationStatus } from './op-token-generation';
import { ShamirSeal } from './shamir-seal';
import { TokenStore, type OtpLength } from './token-store';
import { decodeToken } from '../shared/codecs/token-decode';
import { CORPUS, loadSample } from '../test/support/vault-corpus';

const OTP = 'ABCDEFGHIJKLMNOPQRSTUVWXYZab'; // 28 characters; the server checks only the length

function decodeOtpToken(encoded: string, otp: string): string {
  const xored = Buffer.from(encoded, 'base64');
  return Buffer.from(xored.map((b, i) => b ^ otp.charCodeAt(i))).toString('latin1');
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function setup(shares = 5, threshold = 3, otpLength: OtpLength = 28) {
  const seal = new ShamirSeal();
  const init = seal.initialize(shares, threshold);
  if (!init.ok) throw new Error(init.error.message);
  const keys = init.value;
  for (const k of keys.slice(0, threshold)) seal.unseal(k);
  const tokens = new TokenStore(randomBytes(32), { otpLength });
  const minted: string[] = [];
  const slot = new OperationTokenSlot({
    seal,
    otpLength,
    mintToken: () => {
      const entry = tokens.createRoot('sys/generate-root');
      minted.push(entry.id);
      return { token: entry.id, revoke: () => tokens.revoke(entry.id) };
    },
  });
  return { seal, keys, slot, tokens, minted };
}

async function started(
  slot: OperationTokenSlot,
  family: GenerationFamily = 'dr-operation-token',
  otp = OTP,
): Promise<GenerationStatus> {
  const r = await slot.start(family, { otp });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('the generation slot', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
  });

  it('reports an idle slot with the OTP length even before any attempt', () => {
    expect(s.slot.status()).toEqual({
      ok: true,
      value: {
        nonce: '',
        started: false,
        progress: 0,
        required: 3,
        complete: false,
        encoded_token: '',
        encoded_root_token: '',
        pgp_fingerprint: '',
        otp: '',
        otp_length: 28,
      },
    });
  });

  it('generates a 28-character base62 OTP when none is sent, returns it once, never again', async () => {
    const r = await s.slot.start('dr-operation-token', {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.otp).toMatch(/^[A-Za-z0-9]{28}$/);
    expect(r.value.started).toBe(true);
    expect(r.value.nonce).toMatch(/^[0-9a-f-]{36}$/);
    const again = s.slot.status();
    expect(again.ok && again.value.otp).toBe('');
    expect(again.ok && again.value.nonce).toBe(r.value.nonce);
  });

  it('checks only the OTP length', async () => {
    expect(await s.slot.start('dr-operation-token', { otp: 'short' })).toMatchObject({
      ok: false,
      error: { kind: 'bad-otp', message: 'OTP string is wrong length' },
    });
    expect((await s.slot.start('dr-operation-token', { otp: '!'.repeat(28) })).ok).toBe(true);
  });

  it('holds one attempt at a time, across families', async () => {
    await started(s.slot, 'root');
    expect(await s.slot.start('dr-operation-token', { otp: OTP })).toMatchObject({
      error: { kind: 'already-in-progress', message: 'root generation already in progress' },
    });
  });

  it('completes with the threshold of shares and clears the slot', async () => {
    const { nonce } = await started(s.slot);
    for (const [i, key] of s.keys.slice(0, 3).entries()) {
      const r = await s.slot.update('dr-operation-token', hex(key), nonce);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value).toMatchObject({ nonce, started: true, progress: i + 1, required: 3, otp: '', otp_length: 0 });
      expect(r.value.complete).toBe(i === 2);
      if (i < 2) expect(r.value.encoded_token).toBe('');
      else {
        expect(r.value.encoded_root_token).toBe('');
        expect(r.value.encoded_token).toMatch(/^[A-Za-z0-9+/]{38}$/);
        const token = decodeOtpToken(r.value.encoded_token, OTP);
        expect(token).toMatch(/^hvs\.[A-Za-z0-9]{24}$/);
        expect(s.minted).toEqual([token]);
      }
    }
    expect(s.slot.status()).toMatchObject({ ok: true, value: { started: false, nonce: '', progress: 0 } });
  });

  it('fills encoded_root_token only for root generation, and takes base64 shares too', async () => {
    const { nonce } = await started(s.slot, 'root');
    let last;
    for (const key of s.keys.slice(2, 5))
      last = await s.slot.update('root', Buffer.from(key).toString('base64'), nonce);
    expect(last?.ok && last.value.encoded_root_token).toBe(last?.ok && last.value.encoded_token);
  });

  it('leaks the real nonce on a wrong one, as Vault does', async () => {
    const { nonce } = await started(s.slot);
    expect(await s.slot.update('dr-operation-token', hex(s.keys[0]!), 'not-the-nonce')).toMatchObject({
      error: {
        kind: 'wrong-nonce',
        message: `incorrect nonce supplied; nonce for this root generation operation is "${nonce}"`,
      },
    });
  });

  it('refuses a share of another family’s attempt', async () => {
    const { nonce } = await started(s.slot, 'root');
    expect(await s.slot.update('dr-operation-token', hex(s.keys[0]!), nonce)).toMatchObject({
      error: {
        kind: 'wrong-strategy',
        message: 'incorrect strategy supplied; a generate root operation of another type is already in progress',
      },
    });
  });

  it('refuses the same share twice', async () => {
    const { nonce } = await started(s.slot);
    await s.slot.update('dr-operation-token', hex(s.keys[0]!), nonce);
    expect(await s.slot.update('dr-operation-token', Buffer.from(s.keys[0]!).toString('base64'), nonce)).toMatchObject({
      error: { kind: 'duplicate-key', message: 'given key has already been provided during this generation operation' },
    });
  });

  it('checks the key before anything else, in Vault’s order and words', async () => {
    expect(await s.slot.update('dr-operation-token', '', 'n')).toMatchObject({
      error: { message: "'key' must be specified in request body as JSON" },
    });
    expect(await s.slot.update('dr-operation-token', 'not base64!', 'n')).toMatchObject({
      error: { message: "'key' must be a valid hex or base64 string" },
    });
    expect(await s.slot.update('dr-operation-token', 'abcd', 'n')).toMatchObject({
      error: { message: 'invalid key: key is shorter than minimum 16 bytes' },
    });
    expect(await s.slot.update('dr-operation-token', Buffer.alloc(34).toString('base64'), 'n')).toMatchObject({
      error: { message: 'invalid key: key is longer than maximum 33 bytes' },
    });
    expect(await s.slot.update('dr-operation-token', hex(s.keys[0]!), 'n')).toMatchObject({
      error: { kind: 'no-attempt', message: 'no root generation in progress' },
    });
  });

  it('resets progress but keeps the attempt and nonce when the shares are wrong', async () => {
    const other = setup();
    const { nonce } = await started(s.slot);
    let r;
    for (const key of other.keys.slice(0, 3)) r = await s.slot.update('dr-operation-token', hex(key), nonce);
    expect(r).toMatchObject({ ok: false, error: { kind: 'authentication-failed' } });
    expect(r?.ok === false && r.error.message).toMatch(/^root generation aborted: unable to authenticate: /);
    expect(s.slot.status()).toMatchObject({ ok: true, value: { started: true, nonce, progress: 0 } });
    for (const key of s.keys.slice(0, 3)) r = await s.slot.update('dr-operation-token', hex(key), nonce);
    expect(r?.ok && r.value.complete).toBe(true);
  });

  it('reports a failed combine with Shamir’s text', async () => {
    const { nonce } = await started(s.slot);
    await s.slot.update('dr-operation-token', hex(s.keys[0]!), nonce);
    await s.slot.update('dr-operation-token', hex(s.keys[1]!.subarray(0, 32)), nonce);
    const r = await s.slot.update('dr-operation-token', hex(s.keys[2]!), nonce);
    expect(r).toMatchObject({
      error: { kind: 'combine-failed', message: 'failed to compute root key: all parts must be the same length' },
    });
  });

  it('cancels, even when nothing is in progress', async () => {
    expect(s.slot.cancel().ok).toBe(true);
    await started(s.slot);
    expect(s.slot.cancel().ok).toBe(true);
    expect(s.slot.status()).toMatchObject({ value: { started: false } });
  });

  it('answers "Vault is sealed" when sealed', async () => {
    s.seal.seal();
    expect(s.slot.status()).toMatchObject({ error: { kind: 'sealed', message: 'Vault is sealed' } });
    expect(await s.slot.start('dr-operation-token', { otp: OTP })).toMatchObject({
      error: { message: 'Vault is sealed' },
    });
    expect(s.slot.cancel()).toMatchObject({ error: { message: 'Vault is sealed' } });
  });
});

describe('generation variants', () => {
  it('uses the raw 32-byte key of a 1-of-1 seal', async () => {
    const s = setup(1, 1);
    expect(s.keys[0]).toHaveLength(32);
    const { nonce } = await started(s.slot);
    const r = await s.slot.update('dr-operation-token', hex(s.keys[0]!), nonce);
    expect(r.ok && r.value.complete).toBe(true);
  });

  it('uses 26-character OTPs and s. tokens with disable_ssc_tokens', async () => {
    const s = setup(3, 2, 26);
    expect(s.slot.status()).toMatchObject({ value: { otp_length: 26 } });
    const otp = OTP.slice(0, 26);
    const { nonce } = await started(s.slot, 'dr-operation-token', otp);
    let r;
    for (const key of s.keys.slice(0, 2)) r = await s.slot.update('dr-operation-token', hex(key), nonce);
    if (!r?.ok) throw new Error('did not complete');
    expect(r.value.encoded_token).toHaveLength(35);
    expect(decodeOtpToken(r.value.encoded_token, otp)).toMatch(/^s\.[A-Za-z0-9]{24}$/);
  });

  describe('a server before Vault 0.11 (otp_length 0)', () => {
    const LEGACY_OTP = Buffer.from(randomBytes(16)).toString('base64');

    it('leaves otp and otp_length out of its status, as its response struct had neither', async () => {
      const s = setup(3, 2, 0);
      const idle = s.slot.status();
      const struct = CORPUS.find((c) => c.file === 'generation-status-legacy-go-struct.json')!;
      expect(idle.ok && Object.keys(idle.value)).toEqual(Object.keys(loadSample(struct) as object));
      const { nonce } = await started(s.slot, 'dr-operation-token', LEGACY_OTP);
      const r = await s.slot.update('dr-operation-token', hex(s.keys[0]!), nonce);
      expect(r.ok && r.value).not.toHaveProperty('otp_length');
    });

    it('encodes a UUID token with the 16-byte OTP in padded base64, which the client decodes', async () => {
      const s = setup(3, 2, 0);
      const { nonce } = await started(s.slot, 'dr-operation-token', LEGACY_OTP);
      let r;
      for (const key of s.keys.slice(0, 2)) r = await s.slot.update('dr-operation-token', hex(key), nonce);
      if (!r?.ok) throw new Error('did not complete');
      expect(r.value.encoded_token).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      const decoded = decodeToken(r.value.encoded_token, LEGACY_OTP, 0);
      expect(decoded).toEqual({ ok: true, value: { token: s.minted[0], scheme: 'legacy' } });
      expect(s.minted[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    });

    it.each([
      [{ otp: 'QUJD' }, 'decoded OTP value is invalid or wrong length'],
      [{ otp: 'QUJD!' }, 'error decoding base64 OTP value: illegal base64 data at input byte 4'],
      [{ otp: 'ABCDEFGHIJKLMNOPQRSTUVWXYZab' }, 'decoded OTP value is invalid or wrong length'],
      [{ otp: LEGACY_OTP, pgpKey: 'x' }, 'only one of "otp" and "pgp_key" must be specified'],
      [{}, 'unreachable condition'],
    ])('refuses %j with Vault 0.10’s text', async (request, message) => {
      const s = setup(3, 2, 0);
      const r = await s.slot.start('dr-operation-token', request);
      expect(r).toMatchObject({ ok: false, error: { message } });
    });
  });

  it('encrypts the token to a PGP key instead, reporting its fingerprint throughout', async () => {
    const s = setup(3, 2);
    const officer = await generateOfficerKey({ name: 'officer' });
    const recipient = await readRecipientKey(officer.publicKeyArmored, { allowArmored: true });
    if (!recipient.ok) throw new Error(recipient.error.message);
    const begun = await s.slot.start('dr-operation-token', { pgpKey: vaultKeyBase64(recipient.value) });
    if (!begun.ok) throw new Error(begun.error.message);
    expect(begun.value).toMatchObject({ otp: '', pgp_fingerprint: officer.fingerprint });
    let r;
    for (const key of s.keys.slice(0, 2)) r = await s.slot.update('dr-operation-token', hex(key), begun.value.nonce);
    if (!r?.ok) throw new Error('did not complete');
    expect(r.value.pgp_fingerprint).toBe(officer.fingerprint);
    expect(r.value.encoded_token.length % 4).toBe(0);
    const { data } = await openpgp.decrypt({
      message: await openpgp.readMessage({ binaryMessage: Buffer.from(r.value.encoded_token, 'base64') }),
      decryptionKeys: await openpgp.readPrivateKey({ armoredKey: officer.privateKeyArmored }),
    });
    expect(data).toBe(s.minted[0]);
  });

  it('refuses an armored PGP key, as Vault does', async () => {
    const s = setup(3, 2);
    const officer = await generateOfficerKey({ name: 'officer' });
    const r = await s.slot.start('dr-operation-token', { pgpKey: officer.publicKeyArmored });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toBe(
      'error parsing PGP key: error decoding given PGP key: illegal base64 data at input byte 0',
    );
  });

  it.each([
    ['QUJD', 'openpgp: invalid data: tag byte does not have MSB set'],
    [
      Buffer.from([0xc2, 0x01, 0x00]).toString('base64'),
      'openpgp: invalid data: first packet was not a public/private key',
    ],
    [Buffer.from([0xc6, 0x05, 0x04]).toString('base64'), 'unexpected EOF'],
  ])('words a key it cannot read as the Go openpgp reader does (%s)', async (pgpKey, reason) => {
    const r = await setup(3, 2).slot.start('dr-operation-token', { pgpKey });
    expect(r).toMatchObject({
      ok: false,
      error: { message: `error parsing PGP key: error parsing given PGP key: ${reason}` },
    });
  });

  it('prefers the OTP when both an OTP and a PGP key are sent', async () => {
    const s = setup(3, 2);
    const r = await s.slot.start('dr-operation-token', { otp: OTP, pgpKey: 'not even a key' });
    expect(r).toMatchObject({ ok: true, value: { pgp_fingerprint: '', otp: '' } });
  });
});
