/**
 * The ceremony at 3 a.m. on a small laptop, by keyboard alone, at 1024x640 and 1280x800: a whole
 * rehearsal (with a nonce changed under an officer, witnessed from the takeover at the top) where
 * after every answer focus is already on the next thing to do, so Enter carries people through the
 * ordinary acknowledgements and stops at the promotion's empty cluster-name field. On every step
 * the action is on screen without scrolling, and axe finds no violations.
 *
 * DOCS_SCREENSHOTS=1 writes each step at 1024x640 to docs/screenshots/ for the README.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, test, type Harness } from './fixtures';
import { axe } from './wizard-helpers';

const PASSPHRASE = 'rehearsal keys, 3 a.m.';
const ROOT = join(import.meta.dirname, '..');
test.use({ actionTimeout: 15_000 });

/** Presses Tab until `target` has focus (keyboard users reach controls this way). */
async function tabTo(page: Page, target: Locator, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  await expect(target).toBeFocused();
}

async function settled(page: Page): Promise<void> {
  await expect(page.getByTestId('wizard')).toHaveAttribute('data-busy', 'false');
}

/** The focused control is the step's action, it is on screen without scrolling, and axe passes. */
async function checkStep(page: Page, name: string, focused: Locator, save = true): Promise<void> {
  await expect(focused).toBeFocused();
  await expect(focused).toBeInViewport({ ratio: 1 });
  await axe(page, name);
  if (save && process.env['DOCS_SCREENSHOTS'] === '1' && page.viewportSize()?.width === 1024)
    await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', `${name}.png`) });
}

async function vaultNonce(harness: Harness): Promise<string> {
  const client = await harness.rehearsal.connect('dr-secondary');
  if (!client.ok) throw new Error(client.error.message);
  try {
    const status = await client.value.drOperationToken.status();
    if (!status.ok) throw new Error(status.error.message);
    return status.value.data.nonce;
  } finally {
    client.value.close();
  }
}

/** Enter on the focused "Confirm as …" buttons until the step changes. */
async function confirmByEnter(page: Page, title: string, shot: string, save = true): Promise<void> {
  const heading = page.getByTestId('step-title');
  await expect(heading).toHaveText(title);
  const focused = page.locator(':focus');
  await checkStep(page, shot, focused, save);
  for (let i = 0; i < 8 && (await heading.textContent()) === title; i++) {
    await expect(focused).toHaveText(/^Confirm as /);
    await page.keyboard.press('Enter');
    await settled(page);
  }
  await expect(heading).not.toHaveText(title);
}

/** An officer's share by keyboard: paste, check, key file, passphrase, submit. */
async function shareByKeyboard(page: Page, harness: Harness, kit: string, officer: string, shot?: string) {
  const pasted = page.getByLabel('Encrypted share', { exact: true });
  await expect(pasted).toBeFocused();
  if (shot) await checkStep(page, shot, pasted);
  await page.keyboard.insertText(readFileSync(join(kit, 'shares', `${officer}.b64`), 'utf8'));
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Check whose share this is' })).toBeFocused();
  await page.keyboard.press('Enter');
  await settled(page);
  await expect(page.getByTestId('share-owner')).toContainText(`This share is for ${officer}`);
  await expect(page.getByLabel('Private key', { exact: true })).toBeFocused();
  harness.nextFile.set('officer-private-key', join(kit, 'officers', `${officer}.key.asc`));
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Private key', { exact: true })).not.toHaveValue('');
  await tabTo(page, page.getByLabel(/^Key passphrase/));
  await page.keyboard.type(PASSPHRASE);
  await tabTo(page, page.getByRole('button', { name: 'Decrypt and enter the share' }));
  await page.keyboard.press('Enter');
  await settled(page);
}

for (const size of [
  { width: 1024, height: 640 },
  { width: 1280, height: 800 },
]) {
  test(`keyboard only at ${size.width}x${size.height}: a whole rehearsal, every action in view, axe clean`, async ({
    page,
    harness,
  }) => {
    test.setTimeout(240_000);
    await page.setViewportSize(size);
    await page.goto(`${harness.origin}/`);
    await axe(page, 'start screen');
    await tabTo(
      page,
      page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Promotion ceremony' }),
    );
    await page.keyboard.press('Enter');
    await tabTo(page, page.getByLabel('Passphrase for the generated keys'));
    await page.keyboard.type(PASSPHRASE);
    await axe(page, 'ceremony start');
    await tabTo(page, page.getByRole('button', { name: 'Start the rehearsal' }));
    await page.keyboard.press('Enter');

    // The first Tab-free Enter confirms the administrator: focus is already there.
    await expect(page.getByTestId('step-title')).toHaveText('Roll call');
    await expect(page.locator(':focus')).toHaveText('Confirm as administrator');
    const kit = (await page.getByTestId('kit-dir').locator('.path').textContent())!;
    await confirmByEnter(page, 'Roll call', 'step-01-roll-call');

    // What Vault reported is on screen above the attestation that cites it.
    await expect(page.getByTestId('vault-report')).toContainText('DR mode');
    await expect(page.getByTestId('vault-report')).toContainText('secondary');
    await expect(page.getByTestId('vault-report')).toContainText('HTTP 200');
    await expect(page.getByTestId('secondary-verdict')).toBeVisible();
    await confirmByEnter(page, 'Check the DR secondary', 'step-02-check-secondary');
    await confirmByEnter(page, 'Attest the old primary is down or fenced', 'step-03-attest-primary-fenced');
    await expect(page.getByTestId('laptop-report')).toContainText('one-time password was generated');
    await confirmByEnter(page, 'Generate the one-time password', 'step-04-generate-otp');
    const first = await vaultNonce(harness);
    await expect(page.getByTestId('ceremony-nonce')).toHaveText(first);
    await confirmByEnter(page, 'Start the attempt and pin its nonce', 'step-05-start-attempt');

    // Share entry; after each accepted share the live region says so and focus is back on the paste field.
    await shareByKeyboard(page, harness, kit, 'officer-1', 'step-06-share-entry');
    await expect(page.getByTestId('ceremony-progress')).toHaveText('1 of 3 entered');
    await expect(page.getByTestId('announcement')).toContainText("officer-1's share was accepted: 1 of 3");

    // Someone else restarts the attempt: the takeover is the first thing on screen, with who acts.
    const vault = await harness.rehearsal.vault();
    if (!vault.ok) throw new Error(vault.error.message);
    const other = await vault.value.faults.replaceAttempt('drSecondary');
    await shareByKeyboard(page, harness, kit, 'officer-2');
    const takeover = page.getByTestId('open-deviations');
    await expect(takeover).toContainText('Stopped: The nonce changed');
    await expect(takeover).toContainText('Who acts now: witness-1 or witness-2');
    await expect(page.getByTestId('ceremony-step')).toContainText(
      'Cancel the attempt (a detour from the 12 planned steps)',
    );
    await expect(page.getByTestId('ceremony-nonce')).toHaveText(`${first} pinned; Vault now reports ${other}`);
    await expect(page.getByTestId('script')).toHaveCount(0);
    const witness = takeover.getByRole('button', { name: /^Witness #\d+ as witness-1$/ });
    await expect(takeover.getByRole('heading', { level: 2 })).toBeInViewport();
    await checkStep(page, 'deviation-takeover', witness);
    await page.keyboard.press('Enter');
    await settled(page);
    await confirmByEnter(page, 'Cancel the attempt', 'step-07-cancel-attempt');
    await confirmByEnter(page, 'Generate the one-time password', 'step-04-generate-otp-again', false);
    await confirmByEnter(page, 'Start the attempt and pin its nonce', 'step-05-start-attempt-again', false);
    for (const officer of ['officer-3', 'officer-4', 'officer-5']) await shareByKeyboard(page, harness, kit, officer);
    await confirmByEnter(page, 'Decode the DR operation token', 'step-08-decode-token');

    // The promotion: Enter repetition stops here, at an empty field; nothing fires until the name is typed.
    await expect(page.getByTestId('step-title')).toHaveText('Promote the DR secondary');
    const card = page.getByTestId('irreversible-authorisation');
    await expect(card).toContainText("the laptop promotes 'dr-secondary' to DR primary at once");
    const nameField = card.getByLabel('To authorise, type').first();
    await expect(nameField).toBeFocused();
    for (let i = 0; i < 3; i++) await page.keyboard.press('Enter');
    await settled(page);
    await expect(page.getByTestId('step-title')).toHaveText('Promote the DR secondary');
    await expect(card.getByRole('button', { name: 'Authorise as administrator' })).toBeDisabled();
    await checkStep(page, 'step-09-promote', nameField);
    // Each authoriser signs the statement: the cluster's name, their key file and passphrase, by keyboard.
    const authoriseByKeyboard = async (name: string, button: string, shot?: string) => {
      const person = card.locator('li.ack').first();
      const chooser = person.getByLabel('Who authorises');
      if (await chooser.count()) {
        await chooser.focus();
        await chooser.selectOption(name);
        await tabTo(page, person.getByLabel('To authorise, type'));
      }
      await expect(person.getByLabel('To authorise, type')).toBeFocused();
      await page.keyboard.type('dr-secondary');
      const keyField = person.getByLabel('Signing key', { exact: true });
      await tabTo(page, keyField);
      harness.nextFile.set('signing-key', join(kit, 'signers', `${name}.key.asc`));
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await expect(keyField).not.toHaveValue('');
      await tabTo(page, person.getByLabel(/^Key passphrase/));
      await page.keyboard.type(PASSPHRASE);
      await tabTo(page, person.getByRole('button', { name: button }));
      if (shot) await checkStep(page, shot, page.locator(':focus'));
      await page.keyboard.press('Enter');
      await settled(page);
    };
    await authoriseByKeyboard('administrator', 'Authorise as administrator');
    await authoriseByKeyboard('witness-1', 'Promote now, as witness-1', 'promote-danger');

    await expect(page.getByTestId('vault-report')).toContainText('primary');
    await expect(page.getByTestId('vault-warning')).toContainText('unavailable for a brief period');
    await confirmByEnter(page, 'Check the promotion', 'step-10-check-promoted');
    await confirmByEnter(page, 'Delete the DR operation token', 'step-11-delete-operation-token');

    // Signing: the key file and passphrase, by keyboard, for each signer.
    for (const signer of ['administrator', 'witness-1', 'witness-2']) {
      await expect(page.getByTestId('step-title')).toHaveText('Sign the transcript');
      const chooser = page.getByLabel('Who signs now');
      if (await chooser.count()) {
        await expect(chooser).toBeFocused();
        await chooser.selectOption(signer);
        // Through the key choice ("key in this app (file)" stays chosen) to the key file.
        await page.keyboard.press('Tab');
        await expect(page.getByRole('radio', { name: 'Key in this app (file)' })).toBeFocused();
        await page.keyboard.press('Tab');
      }
      const keyField = page.getByLabel('Signing key', { exact: true });
      await expect(keyField).toBeFocused();
      if (signer === 'administrator') await checkStep(page, 'step-12-sign-transcript', keyField);
      harness.nextFile.set('signing-key', join(kit, 'signers', `${signer}.key.asc`));
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await expect(keyField).not.toHaveValue('');
      await tabTo(page, page.getByLabel(/^Key passphrase/));
      await page.keyboard.type(PASSPHRASE);
      await tabTo(page, page.getByRole('button', { name: `Sign as ${signer}` }));
      await page.keyboard.press('Enter');
      await settled(page);
    }

    // The outcome: what comes next, from the guides.
    await expect(page.getByTestId('outcome')).toContainText('Promoted and recorded');
    const next = page.getByTestId('next-steps');
    await expect(next).toContainText('Switch traffic');
    await expect(next).toContainText('old primary');
    await expect(next).toContainText('failback');
    await checkStep(page, 'step-13-finished', page.locator(':focus'));
    await expect(page.locator('body')).not.toContainText(PASSPHRASE);
  });
}

test('every screen is axe-clean and fits the window at both sizes', async ({ page, harness }) => {
  for (const size of [
    { width: 1024, height: 640 },
    { width: 1280, height: 800 },
  ]) {
    await page.setViewportSize(size);
    await page.goto(`${harness.origin}/`);
    // The app opens on Start; each other screen, then Start again.
    for (const name of [
      'Connection profiles',
      'Replication dashboard',
      'Promotion ceremony',
      'Failback and setup operations',
      'Transcript viewer',
      'Start',
    ]) {
      await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name }).click();
      await expect(page.getByRole('heading', { level: 1, name })).toBeFocused();
      if (name === 'Replication dashboard') await expect(page.getByTestId('age')).toBeVisible();
      if (name === 'Failback and setup operations')
        await expect(page.getByTestId('cluster-mode')).not.toContainText('Reading');
      await axe(page, `${name} at ${size.width}x${size.height}`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, `${name} is wider than the window`).toBeLessThanOrEqual(size.width);
    }
  }
});
