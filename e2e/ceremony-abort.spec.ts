/**
 * Aborting a rehearsal by keyboard: the cancel panel opens from its button and Escape closes it,
 * focus back on the button; the abort there only proposes it, with the reason typed. The signed
 * authorisation card then takes over, focus on its first field, and no witness's click can confirm
 * the abort: the administrator and a witness each sign the statement, which quotes the reason,
 * with their own key. Only then is the ceremony aborted: an ABORTED banner says why and who
 * authorised it, nothing more can be raised or cancelled, and everyone signs the transcript that
 * records the abort; then it ends aborted and its bundle is exported and verifies. A proposal raised
 * by mistake is withdrawn by a click, and the ceremony goes on.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { act, authoriseStep, axe, confirmStep, fillRehearsalStart, sign } from './wizard-helpers';
import { signingKeyIn } from '../electron/services/rehearsal/rehearsal-kit';

const PASSPHRASE = 'abort rehearsal keys';
const REASON = 'the laptop tamper seal is broken';
test.use({ actionTimeout: 15_000 });

test('aborting is proposed by keyboard, then authorised by the administrator and a witness with their keys', async ({
  page,
  harness,
}) => {
  test.setTimeout(120_000);
  await fillRehearsalStart(page, harness.origin, { officers: 2, threshold: 2, passphrase: PASSPHRASE });
  await page.getByRole('button', { name: 'Start the rehearsal' }).click();
  await expect(page.getByTestId('step-title')).toHaveText('Roll call');
  const kit = (await page.getByTestId('kit-dir').locator('.path').textContent())!;
  await confirmStep(page, 'Roll call');

  const opener = page.getByRole('button', { name: 'Cancel the ceremony…' });
  await opener.focus();
  await page.keyboard.press('Enter');
  const reason = page.getByLabel('Why (for the record)');
  await expect(reason).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(reason).toBeHidden();
  await expect(opener).toBeFocused();

  /** Proposes aborting from the cancel panel, by keyboard where a person would use it. */
  async function proposeAbort(why: string) {
    await opener.focus();
    await page.keyboard.press('Enter');
    await expect(reason).toBeFocused();
    await page.keyboard.type(why);
    await page.getByText('Abort at once instead (emergencies only)').click();
    await page.getByLabel('To abort the ceremony, type').fill('abort');
    const propose = page.getByRole('button', { name: 'Propose aborting: sign next' });
    await propose.focus();
    await page.keyboard.press('Enter');
  }

  // Raised by mistake: withdrawn by a click (nothing irreversible happened), and the ceremony goes on.
  await proposeAbort('wrong button');
  await expect(page.getByTestId('step-title')).toHaveText('Then: Check the DR secondary');
  await page.getByText('Withdraw it instead').click();
  await act(page, page.getByRole('button', { name: /^Withdraw #1 as / }).first());
  await expect(page.getByTestId('step-title')).toHaveText('Check the DR secondary');

  await proposeAbort(REASON);

  // Proposed, not done: the ceremony holds, a click cannot confirm it, and the card takes the focus.
  await expect(page.getByTestId('step-title')).toHaveText('Then: Check the DR secondary');
  const card = page.getByTestId('irreversible-authorisation');
  await expect(card.getByRole('heading', { name: 'Irreversible: Abort the ceremony' })).toBeVisible();
  await expect(card.getByTestId('irreversible-sentence')).toContainText(`“${REASON}”`);
  await expect(card.getByTestId('authorisation-statement')).toContainText(`Action: abort: "${REASON}"`);
  await expect(page.getByRole('button', { name: /^Witness #\d+ as / })).toHaveCount(0);
  await expect(card.getByLabel('To authorise, type').first()).toBeFocused();
  await axe(page, 'the abort awaiting signatures');

  await authoriseStep(
    page,
    harness,
    'Then: Check the DR secondary',
    'dr-secondary',
    (name) => signingKeyIn(kit, name),
    PASSPHRASE,
  );
  // Aborted: nothing more on Vault, and the transcript saying so is signed by everyone.
  await expect(page.getByTestId('step-title')).toHaveText('Sign the transcript');
  const banner = page.getByTestId('aborted-banner');
  await expect(banner.getByRole('heading', { name: 'ABORTED' })).toBeVisible();
  await expect(banner).toContainText(`“${REASON}”`);
  await expect(banner).toContainText('authorised by administrator and witness-1');
  await expect(page.getByRole('button', { name: 'Cancel the ceremony…' })).toHaveCount(0);
  await expect(page.getByTestId('sign-transcript-text')).toContainText('Outcome:        ABORTED');
  await expect(page.getByTestId('sign-transcript-text')).toContainText(`abort.reason: "${REASON}"`);
  await axe(page, 'signing the aborted ceremony');
  for (const signer of ['administrator', 'witness-1', 'witness-2'])
    await sign(page, harness, signer, signingKeyIn(kit, signer), PASSPHRASE);

  await expect(page.getByTestId('step-title')).toHaveText('Aborted');
  await expect(page.getByTestId('outcome')).toBeVisible();
  await expect(page.getByTestId('aborted-banner')).toBeVisible();
  // A folder already holding a note is refused before anything is written, in the words an
  // auditor's verify would warn about the note with.
  const crowded = join(harness.dataDir, 'crowded');
  mkdirSync(crowded);
  writeFileSync(join(crowded, 'README.txt'), 'Outcome: fine, really\n');
  harness.nextDirectory.set('export-bundle', crowded);
  await page.getByRole('button', { name: 'Choose bundle folder' }).click();
  await act(page, page.getByRole('button', { name: 'Export and verify' }));
  const exportPanel = page.getByRole('region', { name: 'Export the signed transcript bundle' });
  await expect(exportPanel.getByRole('alert')).toContainText(
    `the bundle was not written: ${crowded} already holds other entries, and an auditor's verify of that folder would warn: 1 entry in the bundle folder is NOT signed and NOT checked: "README.txt".`,
  );
  await expect(exportPanel.getByRole('alert')).toContainText('Export to a new or empty folder');
  expect(readdirSync(crowded)).toEqual(['README.txt']);

  const out = join(harness.dataDir, 'aborted-bundle');
  harness.nextDirectory.set('export-bundle', out);
  await page.getByRole('button', { name: 'Choose bundle folder' }).click();
  await act(page, page.getByRole('button', { name: 'Export and verify' }));
  await expect(page.getByTestId('export-result')).toContainText(`The bundle in ${out} verifies: 3 good signature(s)`);
  // Nothing else in the folder, so nothing for an auditor's verify to warn about.
  await expect(page.getByTestId('bundle-warnings')).toHaveCount(0);
  expect(readFileSync(join(out, 'transcript.txt'), 'utf8')).toMatch(/^Outcome: +ABORTED$/m);
});
