/**
 * The transcript viewer on real signed bundles, by clicks and typing in Chromium.
 */
import { cpSync, appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle, threeSigners } from '../test/support/transcript-bundle';
import { expect, screenshotPath, test, type Harness } from './fixtures';
import { docShot } from './wizard-helpers';
import type { Page } from '@playwright/test';

async function openScreen(page: Page, harness: Harness, name: string) {
  await page.goto(`${harness.origin}/`);
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeFocused();
}

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
