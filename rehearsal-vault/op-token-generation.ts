/**
 * Vault's one-slot root-token / DR-operation-token generation (vault/generate_root.go and
 * http/sys_generate_root.go): one attempt per cluster, shared by every family, with every check
 * in Vault's order and Vault's error texts. A failed combine or authentication resets progress
 * but keeps the attempt and its nonce; completion (or cancel) clears the slot. The slot lives
 * in memory only: restarting a cluster loses the attempt, as in Vault.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { randomBase62 } from '../shared/codecs/base62';
import { decodeStdBase64 } from '../shared/codecs/base64';
import { constantTimeEqual, wipe } from '../shared/codecs/bytes';
import { LEGACY_OTP_BYTES } from '../shared/codecs/otp';
import { err, ok, type Result } from '../shared/result';
import { encodeLegacyToken, encodeToken } from '../shared/codecs/token-encode';
import { encryptToken, readRecipientKey, vaultPgpKeyError, type VaultPgpRecipient } from './vault-share-encryption';
import { checkKeyLength, decodeKeyParameter } from './key-parameter';
import type { ShamirSeal } from './shamir-seal';
import type { OtpLength } from './token-store';

/** The generation families; Vault also has recovery-token generation, which rehearsals do not use. */
export type GenerationFamily = 'root' | 'dr-operation-token';

export type GenerationErrorKind =
  | 'not-initialized'
  | 'sealed'
  | 'bad-otp'
  | 'bad-pgp-key'
  | 'otp-and-pgp-key'
  | 'no-otp-or-pgp-key'
  | 'already-in-progress'
  | 'missing-key'
  | 'invalid-key'
  | 'no-attempt'
  | 'wrong-nonce'
  | 'wrong-strategy'
  | 'duplicate-key'
  | 'combine-failed'
  | 'authentication-failed'
  | 'encoding-failed';

/**
 * GenerateRootStatusResponse: no omitempty, so every field is always present, except that a
 * server before 0.11 has no `otp` and `otp_length` (its struct ends at `pgp_fingerprint`).
 */
export interface GenerationStatus {
  readonly nonce: string;
  readonly started: boolean;
  readonly progress: number;
  readonly required: number;
  readonly complete: boolean;
  readonly encoded_token: string;
  readonly encoded_root_token: string;
  readonly pgp_fingerprint: string;
  readonly otp?: string;
  readonly otp_length?: number;
}

/** What the slot needs from its cluster. */
export interface GenerationHost {
  readonly seal: ShamirSeal;
  readonly otpLength: OtpLength;
  /** Creates the token a family produces; `revoke` undoes it if encoding then fails. */
  mintToken(family: GenerationFamily): { token: string; revoke(): void };
}

interface Attempt {
  readonly nonce: string;
  readonly family: GenerationFamily;
  readonly otp: string;
  readonly recipient: VaultPgpRecipient | undefined;
}

export interface AttemptInfo {
  readonly nonce: string;
  readonly family: GenerationFamily;
  readonly pgpFingerprint: string;
}

const SEALED = 'Vault is sealed';

export class OperationTokenSlot {
  private attempt: Attempt | undefined;
  private keys: Uint8Array[] = [];
  // Vault holds generateRootLock for a whole update; PGP encryption awaits, so serialize.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: GenerationHost) {}

  /** The attempt in progress, without its OTP (for fault injection and status displays). */
  get current(): AttemptInfo | undefined {
    const a = this.attempt;
    return a && { nonce: a.nonce, family: a.family, pgpFingerprint: a.recipient?.fingerprint ?? '' };
  }

  /** GET …/attempt. `otp` is only ever passed by `start`, when the server generated it. */
  status(otp = ''): Result<GenerationStatus, GenerationErrorKind> {
    const config = this.host.seal.config;
    if (!config) return err('not-initialized', 'server is not yet initialized');
    if (this.host.seal.sealed) return err('sealed', SEALED);
    const a = this.attempt;
    return ok({
      nonce: a?.nonce ?? '',
      started: a !== undefined,
      progress: this.keys.length,
      required: config.threshold,
      complete: false,
      encoded_token: '',
      encoded_root_token: '',
      pgp_fingerprint: a?.recipient?.fingerprint ?? '',
      ...this.otpFields(otp, this.host.otpLength),
    });
  }

  /** PUT/POST …/attempt. With neither `otp` nor `pgpKey` the server makes the OTP and returns it once. */
  start(
    family: GenerationFamily,
    request: { otp?: string; pgpKey?: string },
  ): Promise<Result<GenerationStatus, GenerationErrorKind>> {
    return this.serialized(async () => {
      let otp = request.otp ?? '';
      const pgpKey = request.pgpKey ?? '';
      const legacy = this.host.otpLength === 0;
      if (legacy && otp !== '' && pgpKey !== '')
        return err('otp-and-pgp-key', 'only one of "otp" and "pgp_key" must be specified');
      // Before 0.11 the server never made the OTP: GenerateRootInit fell through to its default.
      if (legacy && otp === '' && pgpKey === '') return err('no-otp-or-pgp-key', 'unreachable condition');
      const generated = otp === '' && pgpKey === '';
      if (generated) otp = randomBase62(this.host.otpLength, randomBytes);

      // GenerateRootInit: an OTP wins over a PGP key when both are sent.
      let recipient: VaultPgpRecipient | undefined;
      if (otp !== '') {
        const bad = legacy ? checkLegacyOtp(otp) : otp.length !== this.host.otpLength && 'OTP string is wrong length';
        if (bad) return err('bad-otp', bad);
      } else {
        const key = await readRecipientKey(pgpKey);
        if (!key.ok) return err('bad-pgp-key', `error parsing PGP key: ${vaultPgpKeyError(pgpKey, key.error)}`);
        recipient = key.value;
      }
      if (this.host.seal.sealed) return err('sealed', SEALED);
      if (this.attempt) return err('already-in-progress', 'root generation already in progress');
      this.attempt = { nonce: randomUUID(), family, otp, recipient };
      return this.status(generated ? otp : '');
    });
  }

  /** DELETE …/attempt: succeeds whether or not an attempt exists. */
  cancel(): Result<void, GenerationErrorKind> {
    if (this.host.seal.sealed) return err('sealed', SEALED);
    this.clear();
    return ok(undefined);
  }

  /** Forgets everything, as a restart does. */
  clear(): void {
    this.attempt = undefined;
    this.resetProgress();
  }

  /** PUT/POST …/update with one key share. */
  update(
    family: GenerationFamily,
    keyText: string,
    nonce: string,
  ): Promise<Result<GenerationStatus, GenerationErrorKind>> {
    return this.serialized(async () => {
      if (keyText === '') return err('missing-key', "'key' must be specified in request body as JSON");
      const decoded = decodeKeyParameter(keyText);
      if (!decoded.ok) return err('invalid-key', decoded.error.message);
      const key = decoded.value;
      const result = await this.provide(family, key, nonce);
      if (!result.ok) wipe(key);
      return result;
    });
  }

  private async provide(
    family: GenerationFamily,
    key: Uint8Array,
    nonce: string,
  ): Promise<Result<GenerationStatus, GenerationErrorKind>> {
    const badLength = checkKeyLength(key);
    if (badLength) return err('invalid-key', badLength);
    const config = this.host.seal.config;
    if (!config) return err('not-initialized', 'Vault is not initialized');
    if (this.host.seal.sealed) return err('sealed', SEALED);
    const a = this.attempt;
    if (!a) return err('no-attempt', 'no root generation in progress');
    if (nonce !== a.nonce) {
      // Vault's %q: this error hands the real nonce to whoever asks.
      return err(
        'wrong-nonce',
        `incorrect nonce supplied; nonce for this root generation operation is ${JSON.stringify(a.nonce)}`,
      );
    }
    if (family !== a.family) {
      return err(
        'wrong-strategy',
        'incorrect strategy supplied; a generate root operation of another type is already in progress',
      );
    }
    if (this.keys.some((k) => constantTimeEqual(k, key))) {
      return err('duplicate-key', 'given key has already been provided during this generation operation');
    }
    this.keys.push(key);
    const progress = this.keys.length;
    const base = { nonce, started: true, progress, required: config.threshold, ...this.otpFields('', 0) };
    const fingerprint = a.recipient?.fingerprint ?? '';
    if (progress < config.threshold) {
      return ok({ ...base, complete: false, encoded_token: '', encoded_root_token: '', pgp_fingerprint: fingerprint });
    }

    const combined = this.host.seal.combineParts(this.keys);
    this.resetProgress();
    if (!combined.ok) return err('combine-failed', `failed to compute root key: ${combined.error.message}`);
    const authentic = this.host.seal.verify(combined.value);
    wipe(combined.value);
    if (!authentic) {
      // UNCONFIRMED tail: Vault wraps the Shamir seal's keyring-decryption failure; this is the
      // most plausible composition of its texts ("unable to authenticate" + the unseal error).
      return err(
        'authentication-failed',
        'root generation aborted: unable to authenticate: unable to retrieve stored keys: failed to decrypt encrypted stored keys: cipher: message authentication failed',
      );
    }

    const minted = this.host.mintToken(family);
    const encoded = await encode(minted.token, a, this.host.otpLength === 0);
    if (!encoded.ok) {
      minted.revoke();
      return encoded;
    }
    this.attempt = undefined;
    return ok({
      ...base,
      complete: true,
      encoded_token: encoded.value,
      // Only the standard root strategy fills encoded_root_token (DR: "", inferred from Vault's handler).
      encoded_root_token: family === 'root' ? encoded.value : '',
      pgp_fingerprint: fingerprint,
    });
  }

  /** The fields a server since 0.11 adds to every status. */
  private otpFields(otp: string, otpLength: number): { otp?: string; otp_length?: number } {
    return this.host.otpLength === 0 ? {} : { otp, otp_length: otpLength };
  }

  private resetProgress(): void {
    wipe(...this.keys);
    this.keys = [];
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** GenerateRootInit's OTP check before 0.11: padded base64 of 16 bytes; Go's texts. */
function checkLegacyOtp(otp: string): string | undefined {
  const bytes = decodeStdBase64(otp);
  if (!bytes.ok) return `error decoding base64 OTP value: illegal base64 data at input byte ${bytes.offset}`;
  const length = bytes.value.length;
  wipe(bytes.value);
  return length === LEGACY_OTP_BYTES ? undefined : 'decoded OTP value is invalid or wrong length';
}

/**
 * roottoken.EncodeToken (RawStd base64 of token XOR OTP), before 0.11 padded base64 of the token
 * UUID's bytes XOR the OTP's, or base64 of a PGP message.
 */
async function encode(token: string, attempt: Attempt, legacy: boolean): Promise<Result<string, GenerationErrorKind>> {
  if (attempt.recipient) {
    const r = await encryptToken(token, attempt.recipient);
    return r.ok ? ok(r.value.base64) : err('encoding-failed', r.error.message);
  }
  const r = legacy ? encodeLegacyToken(token, attempt.otp) : encodeToken(token, attempt.otp);
  return r.ok ? r : err('encoding-failed', r.error.message);
}
