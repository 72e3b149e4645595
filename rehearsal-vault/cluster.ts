/**
 * One simulated Vault Enterprise cluster (a single active node): seal, storage (tokens,
 * policies, KV, WAL), the generation slot, DR operation tokens and its replication roles.
 * HTTP lives in http-api.ts and replication between clusters in replication.ts; this is the
 * state they act on.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { encodeStdBase64 } from '../shared/codecs/base64';
import { bytesToHex, wipe } from '../shared/codecs/bytes';
import { err, ok, type Result } from '../shared/result';
import {
  encryptShare,
  encryptToken,
  readRecipientKey,
  vaultPgpKeyError,
  type VaultPgpRecipient,
} from './vault-share-encryption';
import { ClusterStorage } from './cluster-storage';
import { OperationTokenSlot, type GenerationFamily, type GenerationHost } from './op-token-generation';
import { policiesAllow, type Capability, type Policy } from './policy';
import { DISABLED, type ReplicationKind, type ReplicationState } from './replication-state';
import { ShamirSeal, validateSealConfig } from './shamir-seal';
import type { OtpLength, TokenEntry, TokenFormat } from './token-store';

export type VaultVersion = 1 | 2;
export type HaMembership = 'active' | 'standby' | 'standby-unhealthy' | 'removed';

export interface ClusterOptions {
  /** How the rehearsal names it: 'primary', 'dr-secondary', 'perf-secondary'. */
  readonly name: string;
  /** 2: generate-root and generate-operation-token require a Vault token. */
  readonly vaultVersion: VaultVersion;
  /**
   * generate-root's `otp_length` (default 28): 26 is a server with `disable_ssc_tokens` (`s.`
   * tokens), 0 a server before Vault 0.11 (UUID tokens, base64 OTPs of 16 bytes).
   */
  readonly otpLength?: OtpLength;
}

/** One server of `config.servers` in sys/storage/raft/configuration (raft.RaftConfigurationResponse). */
export interface RaftPeer {
  readonly node_id: string;
  /** Its cluster address, host:port. */
  readonly address: string;
  readonly leader: boolean;
  readonly voter: boolean;
}

export interface InitRequest {
  readonly secretShares: number;
  readonly secretThreshold: number;
  /** base64 of binary OpenPGP public keys, one per share, as Vault takes them. */
  readonly pgpKeys?: readonly string[];
  readonly rootTokenPgpKey?: string;
}

export interface InitResult {
  /** hex of each share, or of each PGP message when pgp_keys was given (Vault's `keys`). */
  readonly keys: readonly string[];
  readonly keysBase64: readonly string[];
  /** The root token, or base64 of a PGP message holding it. */
  readonly rootToken: string;
  /** The plaintext shares, for in-process callers that must unseal; never sent over HTTP. */
  readonly shares: readonly Uint8Array[];
}

export type InitErrorKind = 'invalid-config' | 'already-initialized' | 'encryption-failed';

const VERSIONS: Record<VaultVersion, string> = { 1: '1.19.5+ent', 2: '2.0.1+ent' };
/** The last Enterprise line before 0.11's base62 OTPs, for a legacy (`otp_length` 0) server. */
const LEGACY_VERSION = '0.10.4+prem';

export class Cluster implements GenerationHost {
  readonly id = randomUUID();
  readonly clusterName = `vault-cluster-${randomBytes(4).toString('hex')}`;
  readonly seal = new ShamirSeal();
  /** The active node's generation slot: an HA topology (./ha-cluster.ts) swaps in another node's on a leader change. */
  slot: OperationTokenSlot;
  /** DR operation tokens generated here; local to this cluster, never replicated. */
  readonly drOperationTokens = new Set<string>();
  readonly replication: Record<ReplicationKind, ReplicationState> = { dr: DISABLED, performance: DISABLED };
  storage: ClusterStorage;
  /** `https://127.0.0.1:PORT` once listening. */
  apiAddr = '';
  /** Its cluster port's address (Vault's 8201), distinct from `apiAddr` once listening. */
  clusterAddr = '';
  /** The API listener's certificate, which a secondary unwrapping here checks against its CA. */
  serverCertPem = '';
  /** When it last (re)started, in ms since the epoch. */
  startedAt = Date.now();
  /** Whether its listener is up (a "down" cluster neither answers nor replicates). */
  up = false;
  /**
   * What sys/health says of this node's place in its HA cluster: the active node, a healthy standby,
   * a standby whose heartbeats no longer reach the active node (474), or removed from the raft cluster (530).
   */
  haMembership: HaMembership = 'active';
  /** Its raft peers as sys/storage/raft/configuration lists them; an HA topology (./ha-cluster.ts) lists its nodes. */
  raftPeers: () => readonly RaftPeer[] = () => [
    { node_id: `${this.name}-node-1`, address: this.clusterAddr.replace(/^https:\/\//, ''), leader: true, voter: true },
  ];
  /** Called after every write, so replication can stream the new WAL entry. */
  onWrite: (cluster: Cluster) => void = () => undefined;

  constructor(readonly options: ClusterOptions) {
    this.storage = ClusterStorage.fresh(this.tokenFormat);
    this.slot = new OperationTokenSlot(this);
  }

  get name(): string {
    return this.options.name;
  }
  get version(): string {
    return this.otpLength === 0 ? LEGACY_VERSION : VERSIONS[this.options.vaultVersion];
  }
  get tokenFormat(): TokenFormat {
    return { otpLength: this.otpLength };
  }
  get otpLength(): OtpLength {
    return this.options.otpLength ?? 28;
  }
  get isDrSecondary(): boolean {
    return this.replication.dr.mode === 'secondary';
  }

  /** sys/init: the checks, order and texts of vault/init.go and SealConfig.Validate. */
  async initialize(request: InitRequest): Promise<Result<InitResult, InitErrorKind>> {
    const invalid = validateSealConfig(request.secretShares, request.secretThreshold);
    if (invalid) return err('invalid-config', `invalid seal configuration: ${invalid}`);
    const pgpKeys = request.pgpKeys ?? [];
    if (pgpKeys.length > 0 && pgpKeys.length !== request.secretShares) {
      return err(
        'invalid-config',
        'invalid seal configuration: count mismatch between number of provided PGP keys and number of shares',
      );
    }
    const recipients: VaultPgpRecipient[] = [];
    for (const text of pgpKeys) {
      const r = await readRecipientKey(text);
      if (!r.ok) return err('invalid-config', `invalid seal configuration: ${vaultPgpKeyError(text, r.error)}`);
      recipients.push(r.value);
    }
    let rootRecipient: VaultPgpRecipient | undefined;
    if (request.rootTokenPgpKey) {
      const r = await readRecipientKey(request.rootTokenPgpKey);
      if (!r.ok) return err('invalid-config', `error parsing root token PGP key: ${r.error.message}`);
      rootRecipient = r.value;
    }

    const split = this.seal.initialize(request.secretShares, request.secretThreshold);
    if (!split.ok)
      return err(
        split.error.kind === 'already-initialized' ? 'already-initialized' : 'invalid-config',
        split.error.message,
      );
    const shares = split.value;
    const root = this.storage.tokens.createRoot('auth/token/root');

    const outputs: Uint8Array[] = [];
    if (recipients.length > 0) {
      for (const [i, share] of shares.entries()) {
        const m = await encryptShare(share, recipients[i]!);
        if (!m.ok) return err('encryption-failed', m.error.message);
        outputs.push(Buffer.from(m.value.base64, 'base64'));
      }
    } else {
      outputs.push(...shares.map((s) => Uint8Array.from(s)));
    }
    let rootToken = root.id;
    if (rootRecipient) {
      const m = await encryptToken(root.id, rootRecipient);
      if (!m.ok) return err('encryption-failed', m.error.message);
      rootToken = m.value.base64;
    }
    const result = { keys: outputs.map(bytesToHex), keysBase64: outputs.map(encodeStdBase64), rootToken, shares };
    if (recipients.length === 0) wipe(...outputs);
    this.recordWrite();
    return ok(result);
  }

  /** GenerationHost: the token a completed generation yields. */
  mintToken(family: GenerationFamily): { token: string; revoke(): void } {
    if (family === 'root') {
      const entry = this.storage.tokens.createRoot('sys/generate-root');
      this.recordWrite();
      return { token: entry.id, revoke: () => this.storage.tokens.revoke(entry.id) };
    }
    // Same shape and length as a root token, because the client XORs it with an OTP of that
    // length. The `hvs.` prefix (rather than `s.`) for DR operation tokens is UNCONFIRMED.
    const token = this.storage.tokens.newRootTokenId();
    this.drOperationTokens.add(token);
    return { token, revoke: () => this.drOperationTokens.delete(token) };
  }

  /** The live token entry for an X-Vault-Token, if any. */
  authenticate(token: string | undefined): TokenEntry | undefined {
    return token ? this.storage.tokens.lookup(token) : undefined;
  }

  /** Whether a token may use `capability` on `path` (`root` may do anything). */
  allows(entry: TokenEntry, path: string, capability: Capability): boolean {
    if (entry.policies.includes('root')) return true;
    const policies = entry.policies
      .map((p) => this.storage.policies.get(p))
      .filter((p): p is Policy => p !== undefined);
    return policiesAllow(policies, path, capability);
  }

  /** Marks a change to replicated storage: the WAL advances and replication streams it. */
  recordWrite(): void {
    this.storage.wal += 1;
    this.onWrite(this);
  }

  /**
   * A process restart: in-memory state (the generation attempt, unseal progress) is lost.
   * `sealed`: come back sealed, as a Shamir-sealed Vault does; otherwise as if auto-unsealed.
   */
  restart(sealed: boolean): void {
    this.startedAt = Date.now();
    this.slot.clear();
    this.seal.resetProgress();
    if (sealed) this.seal.seal();
  }
}
