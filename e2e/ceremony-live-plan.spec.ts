/**
 * A ceremony from a reviewed plan file in a live session, against a DR secondary reached through
 * a connection profile (here the rehearsal Vault's, over real mutual TLS). The profile names the
 * wrong CA: the ceremony's first Vault call fails with the precise TLS message; the profile is
 * fixed on its own screen; the wizard, picked up where it stood, reconnects and goes on. Then the
 * laptop goes down and the ceremony is resumed from its journal; then it is cancelled (witnessed),
 * its transcript of what happened signed and exported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateOfficerKey } from '../rehearsal-vault/officer-keys';
import { verifyBundle } from '../electron/services/transcript/verify';
import { validPlanData } from '../test/support/ceremony-plan-data';
import { expect, test } from './fixtures';
import { fileWriter } from './rehearsal-profiles';
import { act, confirmStep, docShot, sign, snap } from './wizard-helpers';

test.use({ actionTimeout: 15_000 });

test('live plan: a TLS profile error named, the profile fixed, the ceremony reconnected and continued, resumed after a restart, then cancelled and signed', async ({
  page,
  harness,
  pem,
}) => {
  test.setTimeout(120_000);
  const work = mkdtempSync(join(tmpdir(), 'vault-ceremony-e2e-live-'));
  try {
    const vault = await harness.rehearsal.vault();
    if (!vault.ok) throw new Error(vault.error.message);
    const v = vault.value;
    const file = fileWriter(work);
    const ca = file('dc2-ca.pem', v.caPem);
    const cert = file('dc2-client.pem', v.clientCertPem);
    const key = file('dc2-client-key.pem', v.clientKeyPem, 0o600);
    const saved = await harness.registry.invoke(
      'profiles.save',
      {
        profile: {
          name: 'dc2',
          address: v.drSecondary.apiAddr,
          caCertPath: pem.otherCa,
          clientCertPath: cert,
          clientKeyPath: key,
        },
        replace: false,
      },
      { url: `${harness.origin}/`, isMainFrame: true },
    );
    expect(saved.ok).toBe(true);

    const ann = await generateOfficerKey({ name: 'Ann', passphrase: 'ann signs at 3am' });
    const wes = await generateOfficerKey({ name: 'Wes' });
    const annKey = file('ann.key.asc', ann.privateKeyArmored, 0o600);
    const wesKey = file('wes.key.asc', wes.privateKeyArmored, 0o600);
    const planPath = file(
      'plan.yaml',
      stringify({
        ...validPlanData(),
        id: 'dr-2026-dc2',
        threshold: v.threshold,
        // This plan names no primary_cluster_addr (yaml leaves out undefined values).
        primary_cluster_addr: undefined,
        administrator: { name: 'Ann', fingerprint: ann.fingerprint },
        witnesses: [{ name: 'Wes', fingerprint: wes.fingerprint }],
        officers: v.officers.map((o, i) => ({ name: o.name, fingerprint: o.fingerprint, share_index: i + 1 })),
      }),
    );
    const keyring = file('officers.asc', v.officers.map((o) => o.publicKeyArmored).join('\n'));

    // Live, on profile dc2.
    await page.goto(`${harness.origin}/`);
    await page.getByRole('radio', { name: /Live: dc2/ }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByTestId('mode')).toContainText('LIVE');
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Promotion ceremony' }).click();

    await expect(page.getByRole('heading', { name: 'Start from the reviewed plan' })).toBeVisible();
    harness.nextFile.set('ceremony-plan', planPath);
    await page.getByRole('button', { name: 'Choose ceremony plan file' }).click();
    harness.nextFile.set('officer-public-keys', keyring);
    await page.getByRole('button', { name: "Choose officers' public keys file" }).click();
    await page.getByRole('button', { name: 'Start the ceremony' }).click();
    await expect(page.getByTestId('ceremony-header')).toContainText('LIVE promotion of dc2');
    await expect(page.getByTestId('record-details')).toContainText('Promote dc2 after loss of dc1');
    await confirmStep(page, 'Roll call');

    // The first call to Vault fails on the wrong CA, named as such; nothing else moves.
    const retry = page.getByTestId('retry-panel');
    await expect(retry).toBeVisible();
    const direct = await harness.registry.invoke(
      'profiles.test',
      {
        profile: {
          name: 'dc2',
          address: v.drSecondary.apiAddr,
          caCertPath: pem.otherCa,
          clientCertPath: cert,
          clientKeyPath: key,
        },
      },
      { url: `${harness.origin}/`, isMainFrame: true },
    );
    expect(direct).toMatchObject({ ok: false, error: { kind: 'server-certificate-untrusted' } });
    await expect(retry.getByRole('alert')).toContainText(direct.ok ? '' : direct.error.message);
    await snap(page, 'ceremony-tls-error');
    await docShot(page, 'ceremony-tls-error');
    await act(page, retry.getByRole('button', { name: 'Try again', exact: true }));
    await expect(retry).toBeVisible();

    // Fix the profile on its own screen (the ceremony waits in the main process), then reconnect.
    await page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('button', { name: 'Connection profiles' })
      .click();
    await page.getByRole('button', { name: 'Edit profile dc2' }).click();
    harness.nextFile.set('ca-bundle', ca);
    await page.getByRole('button', { name: 'Choose CA certificate file' }).click();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByTestId('form-result')).toHaveText("Done: Profile 'dc2' is saved.");
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Promotion ceremony' }).click();
    await expect(page.getByTestId('step-title')).toHaveText('Check the DR secondary');
    await act(page, page.getByTestId('retry-panel').getByRole('button', { name: 'Reconnect and try again' }));
    await expect(page.getByTestId('retry-panel')).toHaveCount(0);
    await expect(page.getByText("I saw Vault report DR mode 'secondary' for 'dc2'.").first()).toBeVisible();
    await confirmStep(page, 'Check the DR secondary');

    // The laptop goes down here. After the restart, the ceremony is offered for resuming and goes on from its journal.
    await harness.ceremony.shutdown();
    await page.reload();
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Promotion ceremony' }).click();
    const resumable = page.getByTestId('resumable');
    await expect(resumable).toContainText('Promote dc2 after loss of dc1');
    await expect(resumable).toContainText('Attest the old primary is down or fenced');
    harness.nextFile.set('officer-public-keys', keyring);
    await page.getByRole('button', { name: "Choose officers' public keys file" }).click();
    await snap(page, 'ceremony-resume');
    await page.getByRole('button', { name: /^Resume dr-2026-dc2 started / }).click();
    const resumed = page.getByTestId('open-deviations');
    await expect(resumed).toContainText('The ceremony resumed after an interruption');
    await act(page, resumed.getByRole('button', { name: /^Witness #\d+ as Wes$/ }));

    // Cancelled before the primary is attested fenced: witnessed, then the closing steps.
    await expect(page.getByTestId('step-title')).toHaveText('Attest the old primary is down or fenced');
    await page.getByRole('button', { name: 'Cancel the ceremony…' }).click();
    const cancel = page.getByRole('button', { name: 'Cancel the ceremony', exact: true });
    await expect(cancel).toBeDisabled();
    await page.getByLabel('Why (for the record)').fill('dc1 came back: the outage is over');
    await act(page, cancel);
    await act(page, page.getByTestId('open-deviations').getByRole('button', { name: /^Witness #\d+ as Wes$/ }));
    await expect(page.getByTestId('step-title')).toHaveText('Sign the transcript');
    await sign(page, harness, 'Ann', annKey, 'ann signs at 3am');
    await sign(page, harness, 'Wes', wesKey, '');
    await expect(page.getByTestId('step-title')).toHaveText('Cancelled');

    const out = join(work, 'bundle');
    harness.nextDirectory.set('export-bundle', out);
    await page.getByRole('button', { name: 'Choose bundle folder' }).click();
    await act(page, page.getByRole('button', { name: 'Export and verify' }));
    await expect(page.getByTestId('export-result')).toContainText('verifies: 2 good signature(s) (Ann, Wes)');
    const report = await verifyBundle(out);
    expect(report).toMatchObject({ valid: true, rehearsal: false, ceremonyId: 'dr-2026-dc2' });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
