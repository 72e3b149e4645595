/**
 * A client for one cluster of an in-process rehearsal Vault, over mutual TLS with the certificates
 * it holds in memory. The private key's bytes are wiped once the TLS context has its own copy.
 */
import { utf8ToBytes, wipe } from '../../../shared/codecs/bytes';
import type { RehearsalEndpoint, RehearsalVault } from '../../../rehearsal-vault/rehearsal-cluster-set';
import { createVaultClient, type VaultClient } from '../vault/client';
import { createHaClient } from '../vault/ha-client';

export function rehearsalVaultClient(
  vault: RehearsalVault,
  cluster: { readonly profileName: string; readonly address: string },
  token?: string,
): VaultClient {
  const key = utf8ToBytes(vault.clientKeyPem);
  try {
    return createVaultClient({
      profileName: cluster.profileName,
      address: cluster.address,
      tls: { ca: vault.caPem, cert: vault.clientCertPem, key },
      ...(token === undefined ? {} : { token }),
    });
  } finally {
    wipe(key);
  }
}

/**
 * A client for one of the rehearsal's clusters: a plain one for a lone node, else one that finds
 * the active node among the cluster's nodes, or, behind a balancer, through the balancer's sys/leader.
 */
export async function rehearsalEndpointClient(
  vault: RehearsalVault,
  profileName: string,
  endpoint: RehearsalEndpoint,
  token?: string,
): Promise<VaultClient> {
  const single = (address: string) => rehearsalVaultClient(vault, { profileName, address }, token);
  if (endpoint.nodes.length === 1 && endpoint.balancerAddr === undefined) return single(endpoint.apiAddr);
  const ha = await createHaClient({
    profileName,
    addresses: endpoint.balancerAddr ? [endpoint.balancerAddr] : endpoint.nodes.map((n) => n.apiAddr),
    connect: async (address) => single(address),
  });
  return ha ?? single(endpoint.apiAddr);
}
