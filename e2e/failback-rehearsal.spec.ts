/**
 * The failback rehearsed in the app, by keyboard alone at 1024x640 and 1280x800: from the rehearsal
 * start form ("Rehearse the failback"), the promotion is played first without people (its own
 * bundle in the kit), then the old primary is failed back as its own ceremony in the wizard
 * (./failback-by-keyboard.ts) through to an export that `vault-ceremony verify --keyring` accepts.
 * Every step's action is focused and on screen without scrolling, and axe finds no violations.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { failbackByKeyboard } from './failback-by-keyboard';
import { tabTo } from './keyboard-helpers';
import { axe } from './wizard-helpers';

const PASSPHRASE = 'failback keys, 4 a.m.';
test.use({ actionTimeout: 15_000 });

for (const size of [
  { width: 1024, height: 640 },
  { width: 1280, height: 800 },
]) {
  test(`keyboard only at ${size.width}x${size.height}: the failback rehearsed in the app, authorised by signature, verified`, async ({
    page,
    harness,
  }) => {
    test.setTimeout(240_000);
    await page.setViewportSize(size);
    await page.goto(`${harness.origin}/`);
    await tabTo(
      page,
      page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Promotion ceremony' }),
    );
    await page.keyboard.press('Enter');
    // Three officers, two shares needed: the arrow keys step the number fields down.
    await tabTo(page, page.getByLabel('Officers', { exact: true }));
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(page.getByLabel('Officers', { exact: true })).toHaveValue('3');
    await tabTo(page, page.getByLabel('Shares needed (threshold)'));
    await page.keyboard.press('ArrowDown');
    await expect(page.getByLabel('Shares needed (threshold)')).toHaveValue('2');
    await tabTo(page, page.getByLabel('Passphrase for the generated keys'));
    await page.keyboard.type(PASSPHRASE);
    const start = page.getByRole('button', { name: 'Rehearse the failback' });
    await tabTo(page, start);
    await axe(page, 'the rehearsal start form');
    await page.keyboard.press('Enter');

    // The promotion that sets the scene is played first; then the failback's own ceremony opens.
    await expect(page.getByTestId('step-title')).toHaveText('Roll call', { timeout: 60_000 });
    await expect(page.getByTestId('ceremony-header')).toContainText('REHEARSAL');
    await expect(page.locator(':focus')).toHaveText('Confirm as administrator');
    const kit = harness.ceremony.snapshot()!.kitDir!;
    expect(readFileSync(join(kit, 'promotion', 'transcript.txt'), 'utf8')).toContain('REHEARSAL');
    await failbackByKeyboard(page, harness, {
      kit,
      passphrase: PASSPHRASE,
      officers: ['officer-1', 'officer-2'],
      bundle: 'failback-bundle',
    });
  });
}
