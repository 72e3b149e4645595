/**
 * The ceremony at 3 a.m. on a small laptop, by keyboard alone, at 1024x640 and 1280x800: a whole
 * rehearsal (with a nonce changed under an officer, witnessed from the takeover at the top) where
 * after every answer focus is already on the next thing to do, so Enter carries people through the
 * ordinary acknowledgements and stops at the promotion's empty cluster-name field. On every step
 * the action is on screen without scrolling, and axe finds no violations. Then the failback offered
 * on the finished page, at 1024x640 through to its verified export (./failback-by-keyboard.ts).
 *
 * DOCS_SCREENSHOTS=1 writes each step at 1024x640 to docs/screenshots/ for the README.
 */
import { expect, test, type Harness } from './fixtures';
import { failbackByKeyboard } from './failback-by-keyboard';
import {
  authoriseStepByKeyboard,
  checkStep,
  confirmByEnter,
  settled,
  shareByKeyboard,
  signByKeyboard,
  tabTo,
} from './keyboard-helpers';
import { axe } from './wizard-helpers';

const PASSPHRASE = 'rehearsal keys, 3 a.m.';
test.use({ actionTimeout: 15_000 });

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
    await shareByKeyboard(page, harness, {
      kit,
      officer: 'officer-1',
      passphrase: PASSPHRASE,
      shot: 'step-06-share-entry',
    });
    await expect(page.getByTestId('ceremony-progress')).toHaveText('1 of 3 entered');
    await expect(page.getByTestId('announcement')).toContainText("officer-1's share was accepted: 1 of 3");

    // Someone else restarts the attempt: the takeover is the first thing on screen, with who acts.
    const vault = await harness.rehearsal.vault();
    if (!vault.ok) throw new Error(vault.error.message);
    const other = await vault.value.faults.replaceAttempt('drSecondary');
    await shareByKeyboard(page, harness, { kit, officer: 'officer-2', passphrase: PASSPHRASE });
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
    for (const officer of ['officer-3', 'officer-4', 'officer-5'])
      await shareByKeyboard(page, harness, { kit, officer, passphrase: PASSPHRASE });
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
    await authoriseStepByKeyboard(
      page,
      harness,
      { kit, cluster: 'dr-secondary', passphrase: PASSPHRASE },
      'Promote now, as witness-1',
      'promote-danger',
    );

    await expect(page.getByTestId('vault-report')).toContainText('primary');
    await expect(page.getByTestId('vault-warning')).toContainText('unavailable for a brief period');
    await confirmByEnter(page, 'Check the promotion', 'step-10-check-promoted');
    await confirmByEnter(page, 'Delete the DR operation token', 'step-11-delete-operation-token');

    // Signing: the key file and passphrase, by keyboard, for each signer.
    await signByKeyboard(page, harness, { kit, passphrase: PASSPHRASE, shot: 'step-12-sign-transcript' });

    // The outcome: what comes next, from the guides.
    await expect(page.getByTestId('outcome')).toContainText('Promoted and recorded');
    const next = page.getByTestId('next-steps');
    await expect(next).toContainText('Switch traffic');
    await expect(next).toContainText('old primary');
    await expect(next).toContainText('failback');
    await checkStep(page, 'step-13-finished', page.locator(':focus'));
    await expect(page.locator('body')).not.toContainText(PASSPHRASE);

    // The failback is offered next, as its own ceremony on the same rehearsal Vault, with its own kit
    // and new signing keys; carried through to a verified export at one size (failback-rehearsal.spec.ts
    // walks the same steps at both, so the suite need not do it twice more).
    await tabTo(page, page.getByLabel("Passphrase for the failback's signing keys"));
    await page.keyboard.type(PASSPHRASE);
    await tabTo(page, page.getByRole('button', { name: 'Rehearse the failback' }));
    await page.keyboard.press('Enter');
    await settled(page);
    await expect(page.getByTestId('step-title')).toHaveText('Roll call');
    await expect(page.locator(':focus')).toHaveText('Confirm as administrator');
    const failbackKit = harness.ceremony.snapshot()!.kitDir!;
    expect(failbackKit).not.toBe(kit);
    if (size.width !== 1024) return;
    await failbackByKeyboard(page, harness, {
      kit: failbackKit,
      passphrase: PASSPHRASE,
      officers: ['officer-1', 'officer-2', 'officer-3'],
      bundle: 'failback-bundle',
    });
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
