/**
 * Turns a Vault request or response (or any event details) into its journal-safe form.
 *
 * Fields are matched by name at any depth, case-insensitively, with `-` read as `_` (so the
 * `X-Vault-Token` header, `wrap_info.token` and `auth.client_token` are all caught). Unknown
 * fields pass through unchanged; `null` and `""` pass through because they reveal nothing.
 *
 * Policy: a value becomes a SHA-256 commitment `{"redacted":"sha256:<hex>"}` only when its *form*
 * proves a machine generated it at random with at least ~122 bits of entropy (a Vault token of
 * `hvs.` + 24 base62 characters, an OTP of 24–32 base62 characters or 16 base64'd bytes, an
 * encoded token, a UUID), so no guess can ever be confirmed against the hash, while auditors can
 * still see that, say, the token used to promote is the one later deleted. Anything a person
 * may have chosen or mistyped gets the opaque `"[redacted]"` instead: a dev-mode token `root`,
 * a share field into which someone pasted a passphrase, a passphrase itself. Shares are always
 * opaque: their commitment is the SHA-256 of the PGP ciphertext, which the ceremony records.
 * PGP public keys are not secret but are long; they are replaced by their fingerprint.
 *
 * Redaction is idempotent: an already-redacted value is kept as it is.
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { decodeStdBase64 } from '../codecs/base64';
import { bytesToHex, utf8ToBytes } from '../codecs/bytes';
import type { JsonObject, JsonValue } from './journal-event';

export const REDACTED = '[redacted]';

const TOKEN_FORMS = [
  /^(?:hv[sbr]|[sbr])\.[A-Za-z0-9]{24}$/, // root, DR operation and pre-1.10 service tokens
  /^(?:hv[sbr]|[sbr])\.[A-Za-z0-9_-]{60,}(?:\.[A-Za-z0-9]+)?$/, // SSC service and batch tokens
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, // legacy (pre-1.0) UUID tokens
];
const OTP_FORMS = [/^[A-Za-z0-9]{24,32}$/, /^[A-Za-z0-9+/]{22}==$/];
const ENCODED_FORMS = [/^[A-Za-z0-9+/]{22,}={0,2}$/];
const ACCESSOR_FORMS = [/^[A-Za-z0-9]{24}(?:\.[A-Za-z0-9]+)?$/];

type Rule = (value: string) => JsonValue;

const commitIf =
  (forms: readonly RegExp[]): Rule =>
  (value) =>
    forms.some((f) => f.test(value)) ? commitment(value) : REDACTED;
const opaque: Rule = () => REDACTED;
const fingerprint: Rule = (value) => {
  const fp = pgpKeyFingerprint(value);
  return fp === undefined ? REDACTED : { fingerprint: fp };
};

const RULES: ReadonlyMap<string, Rule> = new Map(
  Object.entries({
    otp: commitIf(OTP_FORMS),
    encoded_token: commitIf(ENCODED_FORMS),
    encoded_root_token: commitIf(ENCODED_FORMS),
    dr_operation_token: commitIf(TOKEN_FORMS),
    token: commitIf(TOKEN_FORMS),
    root_token: commitIf(TOKEN_FORMS),
    client_token: commitIf(TOKEN_FORMS),
    x_vault_token: commitIf(TOKEN_FORMS),
    accessor: commitIf(ACCESSOR_FORMS),
    key: opaque,
    keys: opaque,
    keys_base64: opaque,
    unseal_keys_b64: opaque,
    unseal_keys_hex: opaque,
    recovery_keys: opaque,
    recovery_keys_b64: opaque,
    recovery_keys_base64: opaque,
    recovery_keys_hex: opaque,
    passphrase: opaque,
    password: opaque,
    private_key: opaque,
    client_key: opaque,
    secret_id: opaque,
    authorization: opaque,
    pgp_key: fingerprint,
    pgp_keys: fingerprint,
    recovery_pgp_keys: fingerprint,
    root_token_pgp_key: fingerprint,
  }),
); // a Map, so field names like `constructor` or `__proto__` find no rule

/** `{"redacted":"sha256:<hex of the UTF-8 value>"}`: checkable with `printf %s VALUE | sha256sum`. */
export function commitment(value: string): JsonObject {
  return { redacted: `sha256:${bytesToHex(sha256(utf8ToBytes(value)))}` };
}

export function redact(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map((v: JsonValue) => redact(v));
  if (value === null || typeof value !== 'object') return value;
  return redactObject(value as JsonObject);
}

export function redactObject(object: JsonObject): JsonObject {
  return Object.fromEntries(
    Object.entries(object).map(([name, value]) => {
      const rule = RULES.get(name.toLowerCase().replace(/-/g, '_'));
      return [name, rule ? applyRule(rule, value) : redact(value)];
    }),
  );
}

function applyRule(rule: Rule, value: JsonValue): JsonValue {
  if (value === null || value === '' || isRedactedForm(value)) return value;
  if (typeof value === 'string') return rule(value);
  if (Array.isArray(value)) return value.map((v: JsonValue) => applyRule(rule, v));
  return REDACTED;
}

export function isRedactedForm(value: JsonValue): boolean {
  if (value === REDACTED) return true;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value as JsonObject);
  if (entries.length !== 1) return false;
  const [name, inner] = entries[0]!;
  if (typeof inner !== 'string') return false;
  return (
    (name === 'redacted' && /^sha256:[0-9a-f]{64}$/.test(inner)) ||
    (name === 'fingerprint' && /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(inner))
  );
}

/**
 * Lowercase hex fingerprint (as Vault prints `pgp_fingerprint`) of a public key given the way
 * Vault takes it: base64 of the binary key. Undefined for anything else, including a secret key.
 */
export function pgpKeyFingerprint(base64Key: string): string | undefined {
  const decoded = decodeStdBase64(base64Key);
  if (!decoded.ok) return undefined;
  const packet = firstPacket(decoded.value);
  if (!packet || packet.tag !== 6) return undefined; // 6: public key; a secret key (5) never gets here
  const body = packet.body;
  const n = body.length;
  if (body[0] === 4 && n < 0x10000) return bytesToHex(sha1(concat([0x99, n >> 8, n & 255], body)));
  if (body[0] === 6)
    return bytesToHex(sha256(concat([0x9b, n >>> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255], body)));
  return undefined;
}

/** RFC 4880 §4.2 packet header (old and new format; partial and indeterminate lengths refused). */
function firstPacket(bytes: Uint8Array): { tag: number; body: Uint8Array } | undefined {
  const b0 = bytes[0];
  if (b0 === undefined || (b0 & 0x80) === 0) return undefined;
  let tag: number;
  let length: number;
  let offset: number;
  const at = (i: number) => bytes[i] ?? 0;
  if (b0 & 0x40) {
    tag = b0 & 0x3f;
    const l0 = at(1);
    if (l0 < 192) [length, offset] = [l0, 2];
    else if (l0 < 224) [length, offset] = [((l0 - 192) << 8) + at(2) + 192, 3];
    else if (l0 === 255) [length, offset] = [((at(2) << 24) | (at(3) << 16) | (at(4) << 8) | at(5)) >>> 0, 6];
    else return undefined;
  } else {
    tag = (b0 >> 2) & 0x0f;
    const lengthType = b0 & 3;
    if (lengthType === 0) [length, offset] = [at(1), 2];
    else if (lengthType === 1) [length, offset] = [(at(1) << 8) | at(2), 3];
    else if (lengthType === 2) [length, offset] = [((at(1) << 24) | (at(2) << 16) | (at(3) << 8) | at(4)) >>> 0, 5];
    else return undefined;
  }
  if (length === 0 || offset + length > bytes.length) return undefined;
  return { tag, body: bytes.subarray(offset, offset + length) };
}

function concat(prefix: number[], body: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix);
  out.set(body, prefix.length);
  return out;
}
