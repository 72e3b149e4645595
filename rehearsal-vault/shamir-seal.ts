/**
 * Vault's Shamir seal, reduced to what a ceremony touches: the seal configuration, the 32-byte
 * unseal key its shares rebuild, sealed/unsealed, and unseal progress. The unseal key is the
 * thing a DR secondary takes from its primary when replication is enabled, which is why the
 * primary's officers can generate a DR operation token on the secondary.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { constantTimeEqual, wipe } from '../shared/codecs/bytes';
import { err, ok, type Result } from '../shared/result';
import { checkKeyLength } from './key-parameter';
import { combine, split } from './shamir';

export interface SealConfig {
  readonly shares: number;
  readonly threshold: number;
}

export type SealErrorKind = 'already-initialized' | 'invalid-config' | 'not-initialized' | 'invalid-key' | 'wrong-key';

/** What Vault says when the combined key does not open the stored keyring (Shamir seal). */
export const WRONG_UNSEAL_KEY_MESSAGE =
  'failed to decrypt encrypted stored keys: cipher: message authentication failed';

export class ShamirSeal {
  private configValue: SealConfig | undefined;
  private unsealKey: Uint8Array | undefined;
  private parts: Uint8Array[] = [];
  private nonceValue = '';
  private sealedValue = true;

  get config(): SealConfig | undefined {
    return this.configValue;
  }
  get sealed(): boolean {
    return this.sealedValue;
  }
  get progress(): number {
    return this.parts.length;
  }
  get nonce(): string {
    return this.nonceValue;
  }

  /**
   * sys/init: validates as Vault's SealConfig.Validate (same order, same texts; validation comes
   * before the already-initialized check, as in Vault), makes a fresh
   * unseal key and returns its shares (a 1-of-1 seal hands out the raw key). Stays sealed.
   */
  initialize(shares: number, threshold: number): Result<Uint8Array[], SealErrorKind> {
    const invalid = validateSealConfig(shares, threshold);
    if (invalid) return err('invalid-config', invalid);
    if (this.configValue) return err('already-initialized', 'Vault is already initialized');
    const key = randomBytes(32);
    let keyShares: Uint8Array[];
    if (shares === 1) {
      keyShares = [Uint8Array.from(key)];
    } else {
      const r = split(key, shares, threshold);
      if (!r.ok) throw new Error(`validated seal config was refused by split: ${r.error.message}`);
      keyShares = r.value;
    }
    this.configValue = { shares, threshold };
    this.unsealKey = key;
    return ok(keyShares);
  }

  /** sys/unseal with one key part. A repeated part is ignored, as in Vault. */
  unseal(part: Uint8Array): Result<void, SealErrorKind> {
    if (!this.configValue || !this.unsealKey) return err('not-initialized', 'Vault is not initialized');
    if (!this.sealedValue) return ok(undefined);
    const tooLong = checkKeyLength(part);
    if (tooLong) return err('invalid-key', tooLong);
    if (this.parts.some((p) => constantTimeEqual(p, part))) return ok(undefined);
    if (this.nonceValue === '') this.nonceValue = randomUUID();
    this.parts.push(Uint8Array.from(part));
    if (this.parts.length < this.configValue.threshold) return ok(undefined);

    const combined = this.combineParts(this.parts);
    this.resetProgress();
    if (!combined.ok) return combined;
    const matches = this.verify(combined.value);
    wipe(combined.value);
    if (!matches) return err('wrong-key', WRONG_UNSEAL_KEY_MESSAGE);
    this.sealedValue = false;
    return ok(undefined);
  }

  /** Rebuilds the key from parts as Vault does for the live threshold (1: the part itself). */
  combineParts(parts: readonly Uint8Array[]): Result<Uint8Array, SealErrorKind> {
    if (this.configValue?.threshold === 1) return ok(Uint8Array.from(parts[0]!));
    const r = combine(parts);
    return r.ok ? r : err('wrong-key', r.error.message);
  }

  /** Whether a combined key is this seal's unseal key (Vault: it decrypts the stored keyring). */
  verify(candidate: Uint8Array): boolean {
    return this.unsealKey !== undefined && constantTimeEqual(candidate, this.unsealKey);
  }

  resetProgress(): void {
    wipe(...this.parts);
    this.parts = [];
    this.nonceValue = '';
  }

  seal(): void {
    this.resetProgress();
    this.sealedValue = true;
  }

  /** Replication: take another cluster's seal configuration and key (enabling a secondary). */
  adopt(other: ShamirSeal): void {
    if (!other.configValue || !other.unsealKey) throw new Error('cannot adopt an uninitialized seal');
    wipe(this.unsealKey);
    this.configValue = other.configValue;
    this.unsealKey = Uint8Array.from(other.unsealKey);
    this.resetProgress();
  }
}

/** SealConfig.Validate's share/threshold checks, in order; undefined when valid. */
export function validateSealConfig(shares: number, threshold: number): string | undefined {
  if (shares < 1) return 'shares must be at least one';
  if (threshold < 1) return 'threshold must be at least one';
  if (shares > 1 && threshold === 1) return 'threshold must be greater than one for multiple shares';
  if (shares > 255) return 'shares must be less than 256';
  if (threshold > 255) return 'threshold must be less than 256';
  if (threshold > shares) return 'threshold cannot be larger than shares';
  return undefined;
}
