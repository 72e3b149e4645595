/**
 * A client for one cluster of an in-process rehearsal Vault, over mutual TLS with the certificates
 * it holds in memory. The private key's bytes are wiped once the TLS context has its own copy.
 */
import { utf8ToBytes, wipe } from '../../../shared/codecs/bytes';
import type { RehearsalVault } from '../../../rehearsal-vault/rehearsal-cluster-set';
import { createVaultClient, type VaultClient } from '../vault/client';

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
