/**
 * The ceremony service's secrets, in memory only: the OTP, the encoded and decoded DR operation
 * token, the primary's root token and a secondary activation token, each under the name the
 * state machine uses in its `held` list (shared/ceremony/ceremony-steps.ts `SecretName`).
 *
 * - Values are kept as bytes, so they can be zero-filled; `retain(held)` wipes whatever the
 *   machine no longer lists as held, and `clear()` wipes everything.
 * - Each value, and its hex, base64 and base64url encodings, is registered with the journal's
 *   `forbid` guard the moment it is stored, so no later bug can write it to disk.
 * - Vault's API and shared/codecs/token-decode.ts take strings, so `text()` lends a value as a string
 *   for one call. JS strings cannot be wiped; callers keep them no longer than that call.
 */
import { bytesToLatin1, utf8ToBytes, wipe } from '../../../shared/codecs/bytes';
import type { SecretName } from '../../../shared/ceremony/ceremony-steps';
import { MIN_FORBIDDEN_LENGTH } from '../journal/journal';

/** The journal's guard (electron/services/journal/journal.ts `forbid`). */
export interface SecretGuard {
  forbid(secret: string): void;
}

export class SecretStore {
  private readonly values = new Map<SecretName, Uint8Array>();

  constructor(private readonly guard: SecretGuard) {}

  /** Stores (replacing and wiping any earlier value) and forbids the value in the journal. */
  put(name: SecretName, value: string): void {
    // Tokens, OTPs and encoded tokens are printable ASCII, which text() gives back byte for byte.
    if (!/^[\x21-\x7e]+$/.test(value)) throw new TypeError(`a ${name} is printable ASCII without spaces`);
    const bytes = utf8ToBytes(value);
    forbidEverywhere(this.guard, value, bytes);
    wipe(this.values.get(name));
    this.values.set(name, bytes);
  }

  has(name: SecretName): boolean {
    return this.values.has(name);
  }

  names(): SecretName[] {
    return [...this.values.keys()];
  }

  /** The value as text, for one call to Vault or the decoder; undefined when not held. */
  text(name: SecretName): string | undefined {
    const bytes = this.values.get(name);
    return bytes === undefined ? undefined : bytesToLatin1(bytes);
  }

  /** Wipes and forgets every secret not in `held`. */
  retain(held: readonly SecretName[]): void {
    for (const [name, bytes] of this.values) {
      if (held.includes(name)) continue;
      wipe(bytes);
      this.values.delete(name);
    }
  }

  clear(): void {
    this.retain([]);
  }
}

/**
 * Registers a secret and its common encodings with the guard. `text` is the form people and Vault
 * see (an OTP, a token, a share's hex); `bytes` the raw value whose encodings are also forbidden.
 */
export function forbidEverywhere(guard: SecretGuard, text: string | undefined, bytes: Uint8Array): void {
  // A view, not a copy: nothing extra to wipe.
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const forms = [
    text,
    view.toString('hex'),
    view.toString('base64'),
    view.toString('base64').replace(/=+$/, ''),
    view.toString('base64url'),
  ];
  for (const form of new Set(forms)) if (form !== undefined && form.length >= MIN_FORBIDDEN_LENGTH) guard.forbid(form);
}
