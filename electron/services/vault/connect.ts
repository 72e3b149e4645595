/**
 * From a saved profile to a ready client: load and check the TLS files, build the client,
 * then wipe the private key bytes (the TLS context holds its own copy inside OpenSSL).
 * A profile listing an HA cluster's nodes gets a client that finds and follows the active
 * node (./ha-client.ts), each node's connection made the same way.
 */
import type { ConnectionProfile } from '../../../shared/profiles/connection-profile';
import { wipe } from '../../../shared/codecs/bytes';
import { ok, type Result } from '../../../shared/result';
import { createVaultClient, type VaultClient } from './client';
import { createHaClient } from './ha-client';
import { loadTlsMaterial, type TlsMaterialErrorKind } from './tls-material';

export interface ConnectOptions {
  /** X-Vault-Token for endpoints that need one; never stored in the profile. */
  readonly token?: string;
  readonly timeoutMs?: number;
}

export async function connectProfile(
  profile: ConnectionProfile,
  options: ConnectOptions = {},
): Promise<Result<VaultClient, TlsMaterialErrorKind>> {
  const single = await connectAddress(profile, profile.address, options);
  if (!single.ok || !profile.nodes) return single;
  single.value.close();
  const ha = await createHaClient({
    profileName: profile.name,
    addresses: profile.nodes,
    connect: async (address) => {
      const c = await connectAddress(profile, address, options);
      return c.ok ? c.value : undefined;
    },
  });
  return ha ? ok(ha) : connectAddress(profile, profile.address, options);
}

async function connectAddress(
  profile: ConnectionProfile,
  address: string,
  options: ConnectOptions,
): Promise<Result<VaultClient, TlsMaterialErrorKind>> {
  const material = await loadTlsMaterial(profile);
  if (!material.ok) return material;
  try {
    return ok(
      createVaultClient({
        profileName: profile.name,
        address,
        tls: material.value,
        ...(options.token === undefined ? {} : { token: options.token }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      }),
    );
  } finally {
    wipe(material.value.key);
  }
}
