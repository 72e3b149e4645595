/**
 * What a cluster keeps in storage and replication copies: the keyring, the token store, ACL
 * policies, a small KV, and the WAL index that every write advances. A DR secondary holds a
 * copy of all of it (which is why the primary's tokens work there); a performance secondary
 * keeps its own tokens.
 */
import { createHash, randomBytes } from 'node:crypto';
import { parsePolicy, type Policy } from './policy';
import { TokenStore, type TokenFormat } from './token-store';

/** Policies every cluster has; `root` is implicit, `default` grants nothing a ceremony needs. */
const DEFAULT_POLICY = (() => {
  const r = parsePolicy('default', 'path "auth/token/lookup-self" { capabilities = ["read"] }');
  if (!r.ok) throw new Error(`the built-in default policy does not parse: ${r.error.message}`);
  return r.value;
})();

export class ClusterStorage {
  readonly policies = new Map<string, Policy>();
  readonly kv = new Map<string, Readonly<Record<string, unknown>>>();
  /** Index of the last write-ahead-log entry. */
  wal = 0;

  private constructor(
    readonly keyring: Uint8Array,
    public tokens: TokenStore,
  ) {}

  static fresh(format: TokenFormat): ClusterStorage {
    const keyring = randomBytes(32);
    const storage = new ClusterStorage(keyring, new TokenStore(keyring, format));
    storage.policies.set('default', DEFAULT_POLICY);
    return storage;
  }

  /** A full copy (DR replication). */
  clone(): ClusterStorage {
    const keyring = Uint8Array.from(this.keyring);
    const copy = new ClusterStorage(keyring, this.tokens.clone(keyring));
    this.copyDataInto(copy);
    return copy;
  }

  /** A copy with a fresh, empty token store (performance replication: tokens are local). */
  cloneWithoutTokens(format: TokenFormat): ClusterStorage {
    const keyring = Uint8Array.from(this.keyring);
    const copy = new ClusterStorage(keyring, new TokenStore(keyring, format));
    this.copyDataInto(copy);
    return copy;
  }

  /** Replicated data only, leaving `target`'s own token store alone (a performance sync). */
  copyDataInto(target: ClusterStorage): void {
    target.policies.clear();
    for (const [k, v] of this.policies) target.policies.set(k, v);
    target.kv.clear();
    for (const [k, v] of this.kv) target.kv.set(k, v);
    target.wal = this.wal;
  }

  /** 40 hex characters that change with every write and match once a secondary has caught up. */
  merkleRoot(): string {
    const state = { wal: this.wal, kv: [...this.kv.entries()].sort(), policies: [...this.policies.keys()].sort() };
    return createHash('sha1').update(JSON.stringify(state)).digest('hex');
  }
}
