/**
 * One officer with a card, through the UI: an in-app rehearsal with the officers' own public keys
 * (Olu's on a card-like SoftHSM token, Ben's a key file), in which Olu chooses "Key in GnuPG / on
 * a smartcard", types her GnuPG home and PIN: a wrong PIN is refused by name with nothing sent,
 * the right one decrypts her share on the token. The record details say both keys were real.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateOfficerKey } from '../rehearsal-vault/officer-keys';
import { createSoftHsmCard, softHsmMissing } from '../test/support/softhsm-card';
import { expect, test } from './fixtures';
import { act, confirmStep } from './wizard-helpers';

test.use({ actionTimeout: 15_000 });

test('an officer decrypts their share on a card, after a wrong PIN is refused', async ({ page, harness }) => {
  test.skip(softHsmMissing() !== undefined, softHsmMissing() ?? '');
  test.setTimeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'vault-ceremony-e2e-card-'));
  const olu = createSoftHsmCard('Olu');
  try {
    const ben = await generateOfficerKey({ name: 'Ben' });
    const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
    const keys = [file('olu.pub.asc', olu.publicKeyArmored), file('ben.pub.asc', ben.publicKeyArmored)];
    const benKey = file('ben.key.asc', ben.privateKeyArmored);

    await page.goto(`${harness.origin}/`);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Promotion ceremony' }).click();
    await page.getByRole('radio', { name: /officers' own public keys/ }).check();
    harness.nextFile.set('officer-public-keys', keys[0]!);
    await page.getByRole('button', { name: 'Choose officer 1 public key file' }).click();
    await page.getByRole('button', { name: 'Add another officer' }).click();
    harness.nextFile.set('officer-public-keys', keys[1]!);
    await page.getByRole('button', { name: 'Choose officer 2 public key file' }).click();
    await page.getByLabel('Shares needed (threshold)').fill('2');
    await page.getByRole('button', { name: 'Start the rehearsal' }).click();
    await expect(page.getByTestId('step-title')).toHaveText('Roll call');

    await page.getByTestId('record-details').locator('summary').click();
    await expect(page.getByTestId('rehearsal-keys')).toContainText('Olu: real key');
    await expect(page.getByTestId('rehearsal-keys')).toContainText('(supplied)');
    const kit = (await page.getByTestId('kit-dir').locator('.path').textContent())!;

    for (const title of [
      'Roll call',
      'Check the DR secondary',
      'Attest the old primary is down or fenced',
      'Generate the one-time password',
      'Start the attempt and pin its nonce',
    ])
      await confirmStep(page, title);
    await expect(page.getByTestId('step-title')).toHaveText('Officers enter their shares');

    const share = (officer: string) => readFileSync(join(kit, 'shares', `${officer}.b64`), 'utf8');
    await page.getByLabel('Encrypted share', { exact: true }).fill(share('Olu'));
    await act(page, page.getByRole('button', { name: 'Check whose share this is' }));
    await expect(page.getByTestId('share-owner')).toContainText('This share is for Olu');
    await page.getByRole('radio', { name: 'Key in GnuPG / on a smartcard' }).check();
    await page.getByLabel('GnuPG home', { exact: true }).fill(olu.homedir);
    await page.getByLabel(/^Card PIN/).fill('135790');
    await act(page, page.getByRole('button', { name: 'Decrypt and enter the share' }));
    await expect(page.getByRole('alert').filter({ hasText: "the PIN for Olu's smartcard is wrong" })).toContainText(
      'nothing was submitted',
    );
    await expect(page.getByTestId('waiting-officers')).toHaveText('Olu, Ben');
    await expect(page.getByLabel(/^Card PIN/)).toHaveValue('');
    await expect(page.getByLabel('GnuPG home', { exact: true })).toHaveValue(olu.homedir);

    await page.getByLabel(/^Card PIN/).fill('246810');
    await act(page, page.getByRole('button', { name: 'Decrypt and enter the share' }));
    await expect(page.getByTestId('waiting-officers')).toHaveText('Ben');

    await page.getByLabel('Encrypted share', { exact: true }).fill(share('Ben'));
    await act(page, page.getByRole('button', { name: 'Check whose share this is' }));
    harness.nextFile.set('officer-private-key', benKey);
    await page.getByRole('button', { name: 'Choose private key file' }).click();
    await act(page, page.getByRole('button', { name: 'Decrypt and enter the share' }));
    await expect(page.getByTestId('step-title')).not.toHaveText('Officers enter their shares');
    await expect(page.locator('body')).not.toContainText('246810');
  } finally {
    olu.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
