/**
 * The DR operation-token ceremony over plain HTTP against one rehearsal cluster, as a test's
 * stand-in for the officers: decrypt each share with the officer's generated key, start an
 * attempt with a fixed OTP, enter the threshold of shares, decode the token.
 */
import * as openpgp from 'openpgp';
import type { RehearsalOfficer, RehearsalVault } from '../../rehearsal-vault/rehearsal-cluster-set';
import { vaultRequest } from './mtls-client';

export const OTP = 'Xq3ZkT9vLm2RbW8nPc4YdH7sJf6A'; // 28 characters, as a client generates one
export const DR_GENERATION = 'sys/replication/dr/secondary/generate-operation-token';

/** An officer's share as hex, decrypted with the key the rehearsal Vault generated for them. */
export async function decryptShare(officer: RehearsalOfficer): Promise<string> {
  const { data } = await openpgp.decrypt({
    message: await openpgp.readMessage({ binaryMessage: Buffer.from(officer.encryptedShare, 'base64') }),
    decryptionKeys: await openpgp.readPrivateKey({ armoredKey: officer.privateKeyArmored! }),
  });
  return data;
}

/** The token in a modern `encoded_token`: base64, XORed with the OTP. */
export function decodeToken(encoded: string, otp: string = OTP): string {
  return Buffer.from(Buffer.from(encoded, 'base64').map((b, i) => b ^ otp.charCodeAt(i))).toString('latin1');
}

/** Generates a DR operation token on the cluster at `addr` (a node or balancer); throws if any step fails. */
export async function generateDrTokenAt(v: RehearsalVault, addr: string, token?: string): Promise<string> {
  const id = { caPem: v.caPem, certPem: v.clientCertPem, keyPem: v.clientKeyPem };
  const call = (path: string, body: unknown) =>
    vaultRequest(id, addr, 'PUT', path, { body, ...(token ? { token } : {}) });
  const begun = await call(`${DR_GENERATION}/attempt`, { otp: OTP });
  if (begun.status !== 200) throw new Error(`attempt at ${addr}: HTTP ${begun.status} ${begun.text}`);
  let last = begun;
  for (const officer of v.officers.slice(0, v.threshold)) {
    last = await call(`${DR_GENERATION}/update`, { key: await decryptShare(officer), nonce: begun.json.nonce });
    if (last.status !== 200) throw new Error(`update at ${addr}: HTTP ${last.status} ${last.text}`);
  }
  if (last.json.complete !== true) throw new Error(`the attempt at ${addr} did not complete`);
  return decodeToken(last.json.encoded_token);
}
