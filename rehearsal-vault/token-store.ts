/**
 * The token store of a simulated cluster: root tokens (fixed length, because generate-root XORs
 * them with an OTP), service tokens, token roles, and batch tokens.
 * Batch tokens are, as in Vault, self-contained blobs encrypted under the cluster's keyring,
 * so a DR secondary that shares the primary's keyring accepts them even if they were minted
 * after replication stopped.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { randomBase62 } from '../shared/codecs/base62';

export type TokenType = 'service' | 'batch';

export interface TokenEntry {
  readonly id: string;
  readonly accessor: string;
  readonly policies: readonly string[];
  readonly type: TokenType;
  readonly orphan: boolean;
  readonly renewable: boolean;
  /** Seconds; 0 = no expiry (root tokens). */
  readonly ttl: number;
  /** Milliseconds since the epoch. */
  readonly issuedAt: number;
  readonly path: string;
  readonly displayName: string;
}

export interface TokenRole {
  readonly name: string;
  readonly allowedPolicies: readonly string[];
  readonly orphan: boolean;
  readonly renewable: boolean;
  readonly tokenType: 'service' | 'batch' | 'default-service' | 'default-batch';
  readonly ttl: number;
}

/**
 * generate-root's `otp_length`, which is the length of a root token: 28 for `hvs.` + 24 base62,
 * 26 for `s.` + 24 (`disable_ssc_tokens`), and 0 for a server before Vault 0.11, whose tokens
 * are UUIDs and whose attempt status has no `otp_length` at all.
 */
export type OtpLength = 28 | 26 | 0;
export const OTP_LENGTHS: readonly OtpLength[] = [28, 26, 0];

export interface TokenFormat {
  readonly otpLength: OtpLength;
}

const TOKEN_BODY_LENGTH = 24;
const BATCH_PREFIX = 'hvb.';

export class TokenStore {
  private readonly tokens = new Map<string, TokenEntry>();
  private readonly roles = new Map<string, TokenRole>();

  /** `keyring` stands for the barrier keyring: batch tokens are sealed under it. */
  constructor(
    private readonly keyring: Uint8Array,
    private readonly format: TokenFormat,
  ) {}

  /** A fresh ID in root-token form, not stored: DR operation tokens use it. */
  newRootTokenId(): string {
    const { otpLength } = this.format;
    if (otpLength === 0) return randomUUID();
    return `${otpLength === 26 ? 's.' : 'hvs.'}${randomBase62(TOKEN_BODY_LENGTH, randomBytes)}`;
  }

  createRoot(path: string): TokenEntry {
    const id = this.newRootTokenId();
    return this.store({
      id,
      policies: ['root'],
      type: 'service',
      orphan: true,
      renewable: false,
      ttl: 0,
      path,
      displayName: 'root',
    });
  }

  createService(options: {
    policies: readonly string[];
    ttl: number;
    orphan: boolean;
    renewable: boolean;
    path: string;
    displayName: string;
  }): TokenEntry {
    // Modern service tokens are `hvs.` + base64url of a protobuf, about 95 characters.
    const id =
      this.format.otpLength === 28 ? `hvs.CAESI${randomBytes(64).toString('base64url')}` : this.newRootTokenId();
    return this.store({ id, type: 'service', ...options });
  }

  createBatch(options: {
    policies: readonly string[];
    ttl: number;
    orphan: boolean;
    path: string;
    displayName: string;
  }): TokenEntry {
    const entry = { type: 'batch' as const, renewable: false, accessor: '', issuedAt: Date.now(), ...options };
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keyring, iv);
    const sealed = Buffer.concat([cipher.update(JSON.stringify(entry), 'utf8'), cipher.final(), cipher.getAuthTag()]);
    const prefix = this.format.otpLength === 28 ? BATCH_PREFIX : 'b.';
    return { ...entry, id: `${prefix}${Buffer.concat([iv, sealed]).toString('base64url')}` };
  }

  /** The live entry for a token, or undefined (unknown, revoked, expired, or not ours). */
  lookup(id: string, now = Date.now()): TokenEntry | undefined {
    const entry = id.startsWith(BATCH_PREFIX) || id.startsWith('b.') ? this.openBatch(id) : this.tokens.get(id);
    if (!entry) return undefined;
    if (entry.ttl > 0 && now >= entry.issuedAt + entry.ttl * 1000) return undefined;
    return entry;
  }

  revoke(id: string): boolean {
    return this.tokens.delete(id);
  }

  setRole(role: TokenRole): void {
    this.roles.set(role.name, role);
  }

  role(name: string): TokenRole | undefined {
    return this.roles.get(name);
  }

  /** A copy sharing nothing mutable, for replication to a secondary. */
  clone(keyring: Uint8Array): TokenStore {
    const copy = new TokenStore(keyring, this.format);
    for (const [k, v] of this.tokens) copy.tokens.set(k, v);
    for (const [k, v] of this.roles) copy.roles.set(k, v);
    return copy;
  }

  private store(fields: Omit<TokenEntry, 'accessor' | 'issuedAt'>): TokenEntry {
    const entry: TokenEntry = {
      ...fields,
      accessor: randomBase62(TOKEN_BODY_LENGTH, randomBytes),
      issuedAt: Date.now(),
    };
    this.tokens.set(entry.id, entry);
    return entry;
  }

  private openBatch(id: string): TokenEntry | undefined {
    const raw = Buffer.from(id.slice(id.indexOf('.') + 1), 'base64url');
    if (raw.length < 12 + 16) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.keyring, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const json = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString(
        'utf8',
      );
      return { ...(JSON.parse(json) as Omit<TokenEntry, 'id'>), id };
    } catch {
      return undefined;
    }
  }
}
