/**
 * Failback and setup operations against the in-process rehearsal Vault (real mTLS), and the
 * transcript viewer on real signed bundles, by clicks and typing in Chromium.
 */
import { cpSync, appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle, threeSigners } from '../test/support/transcript-bundle';
import { expect, screenshotPath, test, type Harness } from './fixtures';
import { docShot } from './wizard-helpers';
import type { Page } from '@playwright/test';

const APP_FRAME = (harness: Harness) => ({ url: `${harness.origin}/`, isMainFrame: true });

async function drMode(harness: Harness, cluster: 'primary' | 'dr-secondary'): Promise<string | undefined> {
  const status = await harness.registry.invoke(
    'replication.status',
    { target: { kind: 'rehearsal', cluster } },
    APP_FRAME(harness),
  );
  return status.ok
    ? (status.value as { replication: { value?: { dr: { mode: string } } } }).replication.value?.dr.mode
    : undefined;
}

async function openScreen(page: Page, harness: Harness, name: string) {
  await page.goto(`${harness.origin}/`);
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeFocused();
}

test('operations: a secondary activation token shown once, a refused call, and a demotion behind type-to-confirm', async ({
  page,
  harness,
}) => {
  await openScreen(page, harness, 'Failback and setup operations');
  const cluster = page.getByLabel('Cluster', { exact: true });
  await expect(cluster.locator('option')).toHaveCount(2);
  await cluster.selectOption({
    label: (await cluster.locator('option', { hasText: 'Rehearsal primary' }).textContent())!,
  });

  await page.getByRole('radio', { name: /Create a secondary activation token/ }).check();
  await page.getByLabel('Secondary id', { exact: true }).fill('dc3');
  await expect(page.getByLabel('TTL', { exact: true })).toHaveValue('30m');
  await expect(page.getByRole('checkbox', { name: /Use the rehearsal Vault's root token/ })).toBeChecked();
  await page.getByRole('button', { name: 'Create a secondary activation token' }).click();

  const panel = page.getByTestId('activation-token');
  await expect(panel).toContainText("Secondary activation token for 'dc3'");
  await expect(panel).toContainText('Shown once.');
  await expect(panel).toContainText('1800 s');
  // Masked until someone asks to see it.
  await expect(page.getByTestId('activation-token-value')).toContainText('••••');
  await page.getByRole('button', { name: 'Show the token' }).click();
  const token = ((await page.getByTestId('activation-token-value').textContent()) ?? '').replace(
    'Activation token: ',
    '',
  );
  expect(token.length).toBeGreaterThan(20);
  expect(token).not.toContain('•');
  // Vault's answer beside it has the token replaced.
  await expect(page.getByTestId('operation-result')).toContainText(
    'answered HTTP 200 to sys/replication/dr/primary/secondary-token',
  );
  await expect(page.getByTestId('operation-result')).not.toContainText(token);
  await expect(page.getByRole('button', { name: /copy/i })).toHaveCount(0);
  await page.screenshot({ path: screenshotPath('operations-activation-token'), fullPage: true });
  await page.getByRole('button', { name: 'I have carried it over: hide it' }).click();
  await expect(panel).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText(token);

  // A typed Vault token that Vault refuses: its words reach the screen, the token does not, and the field is cleared.
  await page.getByLabel('Secondary id', { exact: true }).fill('dc4');
  await page.getByRole('checkbox', { name: /Use the rehearsal Vault's root token/ }).uncheck();
  const vaultToken = page.getByLabel('Vault token', { exact: true });
  await expect(vaultToken).toHaveAttribute('type', 'password');
  await expect(vaultToken).toHaveAttribute('autocomplete', 'off');
  await expect(vaultToken).toHaveAttribute('spellcheck', 'false');
  await vaultToken.fill('hvs.NotTheRightTokenAtAll1');
  await page.getByRole('button', { name: 'Create a secondary activation token' }).click();
  await expect(page.getByRole('alert')).toContainText('permission denied');
  await expect(page.getByRole('alert')).not.toContainText('hvs.NotTheRightTokenAtAll1');
  await expect(vaultToken).toHaveValue('');

  // Only what applies to a DR primary is offered, and the screen says it is one.
  await expect(page.getByTestId('cluster-mode')).toContainText('is a DR primary');
  await expect(page.getByRole('radio', { name: /Update primary/ })).toHaveCount(0);
  // Demote: the button stays disabled until the cluster's name is typed exactly.
  await page.getByRole('radio', { name: /Demote this primary/ }).check();
  await page.getByRole('checkbox', { name: /Use the rehearsal Vault's root token/ }).check();
  const demote = page.getByRole('button', { name: 'Demote this primary' });
  await expect(demote).toBeDisabled();
  const confirm = page.getByLabel(/To demote this primary, type/);
  await confirm.fill('rehearsal');
  await expect(demote).toBeDisabled();
  await expect(page.getByText('Does not match yet.')).toBeVisible();
  await confirm.fill('rehearsal primary');
  await expect(demote).toBeEnabled();
  await page.screenshot({ path: screenshotPath('operations-demote-confirm'), fullPage: true });
  await docShot(page, 'operations-demote-confirm', demote);
  expect(await drMode(harness, 'primary')).toBe('primary');
  await demote.click();
  await expect(page.getByTestId('operation-result')).toContainText(
    'answered HTTP 200 to sys/replication/dr/primary/demote',
  );
  expect(await drMode(harness, 'primary')).toBe('secondary');
  // Now a secondary with no primary: demote is gone, update-primary is offered.
  await expect(page.getByTestId('cluster-mode')).toContainText('is a DR secondary');
  await expect(page.getByRole('radio', { name: /Demote this primary/ })).toHaveCount(0);
  await expect(page.getByRole('radio', { name: /Update primary/ })).toHaveCount(1);
});

test('transcript viewer: a good bundle verified with its signers and text, and a tampered one with its problem named', async ({
  page,
  harness,
}) => {
  const bundle = await makeBundle(await threeSigners());
  try {
    await openScreen(page, harness, 'Transcript viewer');
    harness.nextDirectory.set('transcript-bundle', bundle.dir);
    await page.getByRole('button', { name: 'Choose bundle folder' }).click();
    await expect(page.getByLabel('Bundle folder', { exact: true })).toHaveValue(bundle.dir);
    await page.getByRole('button', { name: 'Open and verify' }).click();

    const verdict = page.getByTestId('bundle-verdict');
    await expect(verdict.getByRole('heading')).toHaveText('⚠ Consistent, but NOT anchored: who signed is unproven');
    await expect(verdict).toHaveAttribute('data-verdict', 'unanchored');
    const ring = join(bundle.root, 'auditor-keys.asc');
    writeFileSync(ring, bundle.signers.map((s) => s.publicKey).join(''));
    await page.getByLabel("Signers' public keys (optional)", { exact: true }).fill(ring);
    await page.getByRole('button', { name: 'Open and verify' }).click();
    await expect(verdict.getByRole('heading')).toHaveText('✔ Verified: signers anchored by your keys');
    await expect(verdict).toHaveAttribute('data-verdict', 'anchored');
    await expect(verdict).toContainText('dc2-2025-01-31 REHEARSAL');
    const signatures = page.getByTestId('bundle-signatures');
    for (const [i, signer] of bundle.signers.entries()) {
      const row = signatures.locator('tbody tr').nth(i);
      await expect(row.locator('th')).toHaveText(signer.name);
      await expect(row).toContainText(signer.fingerprint.toUpperCase().slice(0, 4));
      await expect(row).toContainText('Good');
    }
    await expect(page.getByTestId('bundle-text')).toContainText('dc2-2025-01-31');
    await page.screenshot({ path: screenshotPath('transcript-viewer'), fullPage: true });
    await docShot(page, 'transcript-viewer');

    const tampered = join(bundle.root, 'tampered');
    cpSync(bundle.dir, tampered, { recursive: true });
    appendFileSync(join(tampered, 'journal.jsonl'), '{"seq":99}\n');
    await page.getByLabel('Bundle folder', { exact: true }).fill(tampered);
    await page.getByRole('button', { name: 'Open and verify' }).click();
    await expect(verdict.getByRole('heading')).toHaveText('✘ NOT VERIFIED');
    await expect(page.getByTestId('bundle-problems')).toContainText('journal-invalid: journal.jsonl');
    await expect(page.getByRole('alert')).toContainText('This text did not verify');
    await page.screenshot({ path: screenshotPath('transcript-viewer-tampered'), fullPage: true });

    await page.getByLabel('Bundle folder', { exact: true }).fill(join(bundle.root, 'nowhere'));
    await page.getByRole('button', { name: 'Open and verify' }).click();
    await expect(page.getByRole('alert')).toContainText('the folder does not exist');
  } finally {
    bundle.dispose();
  }
});
