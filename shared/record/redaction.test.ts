import { createHash } from 'node:crypto';
import fc from 'fast-check';
import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from './journal-event';
import { REDACTED, commitment, pgpKeyFingerprint, redact, redactObject } from './redaction';

const sha = (text: string) => ({ redacted: `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}` });

const OTP = 'kZ8bq2YtLmN4pQ7rS1uV3wX5yA9c';
const DR_TOKEN = 'hvs.AbCdEfGhIjKlMnOpQrStUvWx';
const ENCODED = 'GhIVMzc4Lx0YBEQDKBc3XhgqITU9ABE9PAMFOA';

describe('redact', () => {
  it('commits machine-generated secrets in a DR token update response and keeps the rest', () => {
    const response = {
      nonce: '2dbd10f1-8528-6246-09e7-82b25b8aba63',
      started: true,
      progress: 3,
      required: 3,
      complete: true,
      encoded_token: ENCODED,
      encoded_root_token: '',
      pgp_fingerprint: '',
      otp: '',
      otp_length: 0,
    };
    expect(redact(response)).toEqual({ ...response, encoded_token: sha(ENCODED) });
  });

  it('commits an OTP and a Vault-generated token, checkable with sha256sum', () => {
    expect(redact({ otp: OTP, dr_operation_token: DR_TOKEN })).toEqual({
      otp: sha(OTP),
      dr_operation_token: sha(DR_TOKEN),
    });
    expect(commitment(OTP)).toEqual(sha(OTP));
  });

  it('makes opaque what a person may have chosen: custom tokens, shares, passphrases', () => {
    const request = {
      key: 'aGVsbG8gd29ybGQgdGhpcyBpcyBhIHNoYXJlIGZvciB0ZXN0cw==',
      nonce: 'n-1',
      dr_operation_token: 'root',
      passphrase: 'correct horse battery staple',
      token: 'my-own-token-id',
      otp: 'too-short',
    };
    expect(redact(request)).toEqual({
      key: REDACTED,
      nonce: 'n-1',
      dr_operation_token: REDACTED,
      passphrase: REDACTED,
      token: REDACTED,
      otp: REDACTED,
    });
  });

  it('finds secrets at any depth, in arrays and under header spellings', () => {
    const wrapped = {
      request_id: 'r-1',
      wrap_info: { token: 'hvs.CAESIJ' + 'x'.repeat(80), accessor: 'AbCdEfGhIjKlMnOpQrStUvWx', ttl: 1800 },
      auth: { client_token: 'root', policies: ['root'] },
      headers: { 'X-Vault-Token': DR_TOKEN },
      data: { keys_base64: ['c2hhcmUtMQ==', 'c2hhcmUtMg=='], list: [{ otp: OTP }] },
    };
    expect(redact(wrapped)).toEqual({
      request_id: 'r-1',
      wrap_info: { token: sha(wrapped.wrap_info.token), accessor: sha('AbCdEfGhIjKlMnOpQrStUvWx'), ttl: 1800 },
      auth: { client_token: REDACTED, policies: ['root'] },
      headers: { 'X-Vault-Token': sha(DR_TOKEN) },
      data: { keys_base64: [REDACTED, REDACTED], list: [{ otp: sha(OTP) }] },
    });
  });

  it('keeps null, empty strings and unknown fields; makes non-string secrets opaque', () => {
    expect(redact({ otp: null, token: '', secondary_public_key: 'pk', extra: { a: [1, 'b'] }, key: 42 })).toEqual({
      otp: null,
      token: '',
      secondary_public_key: 'pk',
      extra: { a: [1, 'b'] },
      key: REDACTED,
    });
  });

  it('is idempotent', () => {
    const secretNames = fc.constantFrom(
      'otp',
      'token',
      'key',
      'encoded_token',
      'dr_operation_token',
      'pgp_key',
      'note',
      'X-Vault-Token',
    );
    const value = fc.letrec<{ v: JsonValue }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.constant(OTP),
        fc.constant(DR_TOKEN),
        fc.integer(),
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(secretNames, tie('v'), { maxKeys: 3 }) as fc.Arbitrary<JsonValue>,
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        const once = redact(v);
        expect(redact(once)).toEqual(once);
      }),
    );
  });

  it('never lets a secret-named string through, whatever it looks like', () => {
    const names = [
      'otp',
      'token',
      'key',
      'encoded_token',
      'dr_operation_token',
      'root_token',
      'client_token',
      'passphrase',
    ];
    const hidden = (v: JsonValue | undefined) =>
      v === REDACTED ||
      (typeof v === 'object' &&
        v !== null &&
        /^sha256:[0-9a-f]{64}$/.test(String((v as { redacted?: unknown }).redacted)));
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.string({ minLength: 1 }), (name, secret) => {
        const out = redactObject({ [name]: secret, nested: { [name]: [secret] } });
        expect(hidden(out[name])).toBe(true);
        expect(hidden(((out.nested as JsonObject)[name] as JsonValue[])[0])).toBe(true);
      }),
    );
  });

  it('treats field names that are Object.prototype members as ordinary fields', () => {
    const input = JSON.parse(
      `{"__proto__": {"otp": "${OTP}"}, "constructor": "c", "toString": ["t"], "a": 1}`,
    ) as JsonObject;
    const out = redactObject(input);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe(
      `{"__proto__":{"otp":${JSON.stringify(sha(OTP))}},"constructor":"c","toString":["t"],"a":1}`,
    );
  });
});

describe('pgp_key', () => {
  it('is replaced by the fingerprint Vault would report for it', async () => {
    const { publicKey, privateKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'officer' }],
      format: 'object',
    });
    const base64 = Buffer.from(publicKey.write()).toString('base64');
    expect(pgpKeyFingerprint(base64)).toBe(publicKey.getFingerprint());
    expect(redact({ pgp_key: base64, pgp_keys: [base64] })).toEqual({
      pgp_key: { fingerprint: publicKey.getFingerprint() },
      pgp_keys: [{ fingerprint: publicKey.getFingerprint() }],
    });
    // A private key pasted where a public key belongs is not fingerprinted, just hidden.
    expect(redact({ pgp_key: Buffer.from(privateKey.write()).toString('base64') })).toEqual({ pgp_key: REDACTED });
    expect(redact({ pgp_key: 'not base64!' })).toEqual({ pgp_key: REDACTED });
  });
});
