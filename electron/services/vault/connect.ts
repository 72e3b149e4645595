/**
 * From a saved profile to a ready client: load and check the TLS files, build the client,
 * then wipe the private key bytes (the TLS context holds its own copy inside OpenSSL).
 */
import type { ConnectionProfile } from '../../../shared/profiles/connection-profile';
import { wipe } from '../../../shared/codecs/bytes';
import { ok, type Result } from '../../../shared/result';
import { createVaultClient, type VaultClient } from './client';
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
  const material = await loadTlsMaterial(profile);
  if (!material.ok) return material;
  try {
    return ok(
      createVaultClient({
        profileName: profile.name,
        address: profile.address,
        tls: material.value,
        ...(options.token === undefined ? {} : { token: options.token }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      }),
    );
  } finally {
    wipe(material.value.key);
  }
}
