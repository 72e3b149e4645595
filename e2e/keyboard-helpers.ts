/**
 * Moving through the ceremony wizard by keyboard alone, as an officer at 3 a.m. does: Tab to a
 * control, Enter on the focused one, after every answer checking that focus is already on the next
 * thing to do, that it is on screen without scrolling, and that axe finds no violations.
 *
 * DOCS_SCREENSHOTS=1 writes the checked steps at 1024x640 to docs/screenshots/ for the README.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, type Harness } from './fixtures';
import { axe } from './wizard-helpers';
import { builtCli } from '../test/support/built-programs';
import { signingKeyIn } from '../electron/services/rehearsal/rehearsal-kit';

const ROOT = join(import.meta.dirname, '..');

/** Presses Tab until `target` has focus (keyboard users reach controls this way). */
export async function tabTo(page: Page, target: Locator, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  await expect(target).toBeFocused();
}

export async function settled(page: Page): Promise<void> {
  await expect(page.getByTestId('wizard')).toHaveAttribute('data-busy', 'false');
}

/**
 * The focused control is the step's action, and it is on screen with its context, neither under
 * the sticky ceremony header (which names the step), so nobody scrolls to see what to do and why;
 * and axe passes. The context is `context` when given, else what took over the top, else the
 * step's title or (on a step whose report has grown) the heading of the action's own card.
 */
export async function checkStep(
  page: Page,
  name: string,
  focused: Locator,
  save = true,
  context?: Locator,
): Promise<void> {
  await expect(focused).toBeFocused();
  await expect(focused).toBeInViewport({ ratio: 1 });
  expect(await shownWhole(focused), `${name}: the action is under the sticky ceremony header`).toBe(true);
  const takeover = page.getByTestId('takeover');
  const contexts = context
    ? [context]
    : (await takeover.count())
      ? [takeover.getByRole('heading').first()]
      : [
          page.getByTestId('step-title'),
          focused.locator('xpath=ancestor-or-self::*[contains(concat(" ", @class, " "), " card ")][1]//h2').first(),
        ];
  let shown = false;
  for (const c of contexts) shown ||= (await c.count()) > 0 && (await shownWhole(c));
  expect(shown, `${name}: the action's context is not on screen with it`).toBe(true);
  await axe(page, name);
  if (save && process.env['DOCS_SCREENSHOTS'] === '1' && page.viewportSize()?.width === 1024)
    await page.screenshot({ path: join(ROOT, 'docs', 'screenshots', `${name}.png`) });
}

/** Whether all of `shown` is on screen below the sticky ceremony header (the header counts as on screen). */
function shownWhole(shown: Locator): Promise<boolean> {
  return shown.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const header = document.querySelector('[data-testid="ceremony-header"]');
    const below = !header || header.contains(element) ? 0 : header.getBoundingClientRect().bottom - 1;
    return (
      box.top >= Math.max(0, below) &&
      box.bottom <= window.innerHeight &&
      box.left >= 0 &&
      box.right <= window.innerWidth
    );
  });
}

/** Enter on the focused "Confirm as …" buttons until the step changes. */
export async function confirmByEnter(page: Page, title: string, shot: string, save = true): Promise<void> {
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
export async function shareByKeyboard(
  page: Page,
  harness: Harness,
  {
    kit,
    officer,
    passphrase,
    shot,
    save = true,
  }: { kit: string; officer: string; passphrase: string; shot?: string; save?: boolean },
): Promise<void> {
  const pasted = page.getByLabel('Encrypted share', { exact: true });
  await expect(pasted).toBeFocused();
  if (shot) await checkStep(page, shot, pasted, save);
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
  await page.keyboard.type(passphrase);
  await tabTo(page, page.getByRole('button', { name: 'Decrypt and enter the share' }));
  await page.keyboard.press('Enter');
  await settled(page);
}

/**
 * One authoriser signs the irreversible step's statement by keyboard: chosen (when asked), the
 * cluster's name typed, their kit key file and passphrase, then their red `button`.
 */
export async function authoriseByKeyboard(
  page: Page,
  harness: Harness,
  options: {
    kit: string;
    name: string;
    cluster: string;
    passphrase: string;
    button: string;
    shot?: string;
  },
): Promise<void> {
  const person = page.getByTestId('irreversible-authorisation').locator('li.ack').first();
  const chooser = person.getByLabel('Who authorises');
  if (await chooser.count()) {
    await chooser.focus();
    await chooser.selectOption(options.name);
    await tabTo(page, person.getByLabel('To authorise, type'));
  }
  await expect(person.getByLabel('To authorise, type')).toBeFocused();
  await page.keyboard.type(options.cluster);
  const keyField = person.getByLabel('Signing key', { exact: true });
  await tabTo(page, keyField);
  harness.nextFile.set('signing-key', signingKeyIn(options.kit, options.name));
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(keyField).not.toHaveValue('');
  await tabTo(page, person.getByLabel(/^Key passphrase/));
  await page.keyboard.type(options.passphrase);
  await tabTo(page, person.getByRole('button', { name: options.button }));
  // Tabbing through a form taller than the screen scrolls with the person filling it: the button alone is checked.
  if (options.shot) await checkStep(page, options.shot, page.locator(':focus'), true, page.locator(':focus'));
  await page.keyboard.press('Enter');
  await settled(page);
}

/** The administrator, then witness-1 (whose red `lastButton` makes the call), authorise the step by keyboard. */
export async function authoriseStepByKeyboard(
  page: Page,
  harness: Harness,
  authoriser: { kit: string; cluster: string; passphrase: string },
  lastButton: string,
  shot?: string,
): Promise<void> {
  await authoriseByKeyboard(page, harness, {
    ...authoriser,
    name: 'administrator',
    button: 'Authorise as administrator',
  });
  await authoriseByKeyboard(page, harness, {
    ...authoriser,
    name: 'witness-1',
    button: lastButton,
    ...(shot ? { shot } : {}),
  });
}

/**
 * Each signer signs the transcript by keyboard: chosen (focus starts on the chooser), through the
 * key choice to their kit key file, its passphrase, and their button. `shot` checks the first.
 */
export async function signByKeyboard(
  page: Page,
  harness: Harness,
  { kit, passphrase, shot, save = true }: { kit: string; passphrase: string; shot?: string; save?: boolean },
): Promise<void> {
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
    if (shot && signer === 'administrator') await checkStep(page, shot, keyField, save);
    harness.nextFile.set('signing-key', signingKeyIn(kit, signer));
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect(keyField).not.toHaveValue('');
    await tabTo(page, page.getByLabel(/^Key passphrase/));
    await page.keyboard.type(passphrase);
    await tabTo(page, page.getByRole('button', { name: `Sign as ${signer}` }));
    await page.keyboard.press('Enter');
    await settled(page);
  }
}

/**
 * The finished ceremony's bundle exported by keyboard into a new folder named `name` (the app
 * verifies it where it landed), then what an auditor runs on it, anchored on the signers' public
 * keys from `kit`: `vault-ceremony verify --keyring` must exit 0. Returns the bundle's folder.
 */
export async function exportAndVerifyByKeyboard(
  page: Page,
  harness: Harness,
  { kit, name }: { kit: string; name: string },
): Promise<string> {
  const out = join(harness.dataDir, name);
  harness.nextDirectory.set('export-bundle', out);
  await tabTo(page, page.getByRole('button', { name: 'Choose bundle folder' }));
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Bundle folder', { exact: true })).toHaveValue(out);
  await tabTo(page, page.getByRole('button', { name: 'Export and verify' }));
  await page.keyboard.press('Enter');
  await settled(page);
  await expect(page.getByTestId('export-result')).toContainText(`The bundle in ${out} verifies: 3 good signature(s)`);

  const keyrings = ['administrator', 'witness-1', 'witness-2'].flatMap((s) => [
    '--keyring',
    join(kit, 'signers', `${s}.pub.asc`),
  ]);
  const verified = spawnSync(process.execPath, [builtCli(), 'verify', out, ...keyrings], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(verified.status, `${verified.stdout}\n${verified.stderr}`).toBe(0);
  return out;
}
