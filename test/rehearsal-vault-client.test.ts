// @tier integration
/**
 * The promotion flow through the project's own Vault client against the rehearsal Vault: the
 * two were written apart from each other, so this proves they agree on Vault's wire protocol.
 */
import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startRehearsalVault,
  type RehearsalOfficer,
  type RehearsalVault,
} from '../rehearsal-vault/rehearsal-cluster-set';
import { createVaultClient, type VaultClient } from '../electron/services/vault/client';
import { generateOtp } from '../shared/codecs/otp';
import { decodeToken } from '../shared/codecs/token-decode';

async function share(officer: RehearsalOfficer): Promise<string> {
  const { data } = await openpgp.decrypt({
    message: await openpgp.readMessage({ binaryMessage: Buffer.from(officer.encryptedShare, 'base64') }),
    decryptionKeys: await openpgp.readPrivateKey({ armoredKey: officer.privateKeyArmored! }),
  });
  return data;
}

describe('the Vault client against the rehearsal Vault', () => {
  let v: RehearsalVault;
  let secondary: VaultClient;
  let primary: VaultClient;

  beforeAll(async () => {
    const started = await startRehearsalVault({ officers: 3, threshold: 2 });
    if (!started.ok) throw new Error(started.error.message);
    v = started.value;
    const tls = { ca: v.caPem, cert: v.clientCertPem, key: v.clientKeyPem };
    secondary = createVaultClient({ profileName: 'rehearsal-dr', address: v.drSecondary.apiAddr, tls });
    primary = createVaultClient({
      profileName: 'rehearsal-primary',
      address: v.primary.apiAddr,
      tls,
      token: v.rootToken,
    });
  });
  afterAll(async () => {
    secondary.close();
    primary.close();
    await v.close();
  });

  it('reads health, seal status and replication status as the dashboard does', async () => {
    const health = await secondary.health();
    expect(health.ok && health.value.status).toBe(472);
    const seal = await secondary.sealStatus();
    expect(seal.ok && seal.value.data).toMatchObject({ sealed: false, t: 2, n: 3 });
    const status = await secondary.replicationStatus();
    expect(status.ok && status.value.data.dr).toMatchObject({ mode: 'secondary', connection_state: 'ready' });
    const dr = await primary.dr.status();
    expect(dr.ok && dr.value.data).toMatchObject({ mode: 'primary', known_secondaries: ['dr-secondary'] });
  });

  it('surfaces Vault’s refusals with Vault’s text', async () => {
    const otp = generateOtp(28, (n) => randomBytes(n));
    if (!otp.ok) throw new Error(otp.error.message);
    const begun = await secondary.drOperationToken.start({ otp: otp.value });
    if (!begun.ok) throw new Error(begun.error.message);
    const wrong = await secondary.drOperationToken.submitShare({ key: await share(v.officers[0]!), nonce: 'not-it' });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) {
      expect(wrong.error.kind).toBe('vault-error');
      expect(wrong.error.errors).toEqual([
        `incorrect nonce supplied; nonce for this root generation operation is "${begun.value.data.nonce}"`,
      ]);
    }
    expect((await secondary.drOperationToken.cancel()).ok).toBe(true);
  });

  it('generates a DR operation token, promotes, and deletes the token', async () => {
    await secondary.drOperationToken.cancel();
    const status = await secondary.drOperationToken.status();
    if (!status.ok) throw new Error(status.error.message);
    expect(status.value.data).toMatchObject({ started: false, otp_length: 28 });
    const otp = generateOtp(status.value.data.otp_length, (n) => randomBytes(n));
    if (!otp.ok) throw new Error(otp.error.message);
    const begun = await secondary.drOperationToken.start({ otp: otp.value });
    if (!begun.ok) throw new Error(begun.error.message);
    const nonce = begun.value.data.nonce;

    let last;
    for (const officer of v.officers.slice(0, 2)) {
      last = await secondary.drOperationToken.submitShare({ key: await share(officer), nonce });
      if (!last.ok) throw new Error(last.error.message);
    }
    expect(last?.ok && last.value.data).toMatchObject({ complete: true, progress: 2, required: 2 });
    const decoded = decodeToken(last?.ok ? last.value.data.encoded_token : '', otp.value, 28);
    if (!decoded.ok) throw new Error(decoded.error.message);

    const promoted = await secondary.dr.secondary.promote({ drOperationToken: decoded.value.token });
    if (!promoted.ok) throw new Error(promoted.error.message);
    expect(promoted.value.warnings[0]).toMatch(/being promoted to a replication primary/);
    const after = await secondary.dr.status();
    expect(after.ok && after.value.data.mode).toBe('primary');
    const deleted = await secondary.drOperationToken.delete(decoded.value.token);
    expect(deleted.ok).toBe(true);
  });
});
