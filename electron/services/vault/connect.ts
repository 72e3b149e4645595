/**
 * From a saved profile to a ready client: load and check the TLS files, build the client,
 * then wipe the private key bytes (the TLS context holds its own copy inside OpenSSL).
 * A profile listing an HA cluster's nodes, or whose address is a balancer, gets a client that finds
 * and follows the active node (./ha-client.ts), each node's connection made the same way (with the
 * node's own server name when it has one).
 */
import { isHaProfile, nodeAddress, type ConnectionProfile } from '../../../shared/profiles/connection-profile';
import { wipe } from '../../../shared/codecs/bytes';
import { ok, type Result } from '../../../shared/result';
import { createVaultClient, type VaultClient } from './client';
import { createHaClient, origin } from './ha-client';
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
  if (!single.ok || !isHaProfile(profile)) return single;
  single.value.close();
  const nodes = profile.nodes ?? [];
  const serverNames = new Map(
    nodes.flatMap((n) => (typeof n !== 'string' && n.tlsServerName ? [[origin(n.address), n.tlsServerName]] : [])),
  );
  const ha = await createHaClient({
    profileName: profile.name,
    // A balancer is asked first: its sys/leader names the active node even when no node is listed.
    addresses: [...(profile.balancer ? [profile.address] : []), ...nodes.map(nodeAddress)],
    connect: async (address) => {
      const serverName = serverNames.get(origin(address));
      const c = await connectAddress(
        serverName ? { ...profile, tlsServerName: serverName } : profile,
        address,
        options,
      );
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
