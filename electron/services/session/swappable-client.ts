/**
 * A Vault client whose connection can be replaced while a ceremony holds it: after someone
 * fixes a connection profile (the wrong CA bundle, a renewed client certificate), the ceremony
 * reconnects and retries the failed step instead of being abandoned. Every call goes to the
 * connection current at the time of the call. An HA cluster's client stays one (./../vault/ha-client.ts),
 * so the ceremony still finds the active node, notices a leader change and waits for the cluster to settle.
 */
import type { Result } from '../../../shared/result';
import type { VaultClient } from '../vault/client';
import { isHaClient, type HaVaultClient } from '../vault/ha-client';

export interface SwappableClient {
  readonly client: VaultClient;
  /** Uses `next` from now on and closes the previous connection. */
  swap(next: VaultClient): void;
}

export function swappableClient(initial: VaultClient): SwappableClient {
  let current = initial;
  const client: VaultClient = {
    get profileName() {
      return current.profileName;
    },
    get address() {
      return current.address;
    },
    get generateRoot() {
      return current.generateRoot;
    },
    get generateRecoveryToken() {
      return current.generateRecoveryToken;
    },
    get drOperationToken() {
      return current.drOperationToken;
    },
    get dr() {
      return current.dr;
    },
    get performance() {
      return current.performance;
    },
    replicationStatus: () => current.replicationStatus(),
    health: (query) => current.health(query),
    sealStatus: () => current.sealStatus(),
    leader: () => current.leader(),
    decodeToken: (options) => current.decodeToken(options),
    close: () => current.close(),
  };
  // A reconnection makes the same kind of client from the same profile, so `current` stays HA.
  const ha = () => current as HaVaultClient;
  const haClient: HaVaultClient | undefined = isHaClient(initial)
    ? Object.defineProperties(client as HaVaultClient, {
        activeAddress: { get: () => ha().activeAddress },
        resolveActive: { value: (redirect?: string) => ha().resolveActive(redirect) },
        nodes: { value: () => ha().nodes() },
        settle: { value: (mode?: string, timeoutMs?: number) => ha().settle(mode, timeoutMs) },
      })
    : undefined;
  return {
    client: haClient ?? client,
    swap(next) {
      const previous = current;
      current = next;
      if (previous !== next) previous.close();
    },
  };
}

/** A ceremony's connection to one profile: the client it holds, and how to connect that profile afresh. */
export interface Reconnectable {
  readonly swappable: SwappableClient;
  readonly reconnect: () => Promise<Result<VaultClient>>;
}
