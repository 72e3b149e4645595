/**
 * Moves through the ceremony wizard as people do, one click at a time, waiting after each for
 * the main process's answer to be on screen (the wizard marks itself busy until then), so a
 * click never lands on a button of a state that is already gone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { expect, screenshotPath, type Harness } from './fixtures';

export async function act(page: Page, target: Locator): Promise<void> {
  await target.click();
  await expect(page.getByTestId('wizard')).toHaveAttribute('data-busy', 'false');
}

/** Opens the promotion ceremony screen and fills the rehearsal's start form; the caller starts it. */
export async function fillRehearsalStart(
  page: Page,
  origin: string,
  { officers, threshold, passphrase }: { officers: number; threshold: number; passphrase: string },
): Promise<void> {
  await page.goto(`${origin}/`);
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Promotion ceremony' }).click();
  await page.getByLabel('Officers', { exact: true }).fill(String(officers));
  await page.getByLabel('Shares needed (threshold)').fill(String(threshold));
  await page.getByLabel('Passphrase for the generated keys').fill(passphrase);
}

/** Gives every acknowledgement the step asks for (the first person offered each time), until the step changes. */
export async function confirmStep(page: Page, title: string): Promise<void> {
  const heading = page.getByTestId('step-title');
  await expect(heading).toHaveText(title);
  for (let i = 0; i < 12 && (await heading.textContent()) === title; i++) {
    await act(page, page.getByRole('button', { name: /^Confirm as / }).first());
  }
  await expect(heading).not.toHaveText(title);
}

/**
 * Authorises an irreversible step, or a proposed abort or waiver, as people do: each authoriser
 * (the first offered) types the cluster's name, chooses their key file (`keyFile(name)`) and
 * enters its passphrase, then presses their red button, which signs the statement; the last one's
 * says what it does now. Until the step's title (`title`; `Then: …` while a proposal is open) changes,
 * or, for a call the laptop is expected to refuse, until `refusal` is on screen.
 */
export async function authoriseStep(
  page: Page,
  harness: Harness,
  title: string,
  cluster: string,
  keyFile: (name: string) => string,
  passphrase: string,
  refusal?: Locator,
): Promise<void> {
  const heading = page.getByTestId('step-title');
  await expect(heading).toHaveText(title);
  const card = page.getByTestId('irreversible-authorisation');
  await expect(card.getByTestId('authorisation-statement')).toContainText(`Cluster: "${cluster}"`);
  const refused = async () => refusal !== undefined && (await refusal.count()) > 0;
  for (let i = 0; i < 4 && (await heading.textContent()) === title && !(await refused()); i++) {
    const person = card.locator('li.ack').first();
    const chooser = person.getByLabel('Who authorises');
    let name: string;
    if (await chooser.count()) {
      name = (await chooser.locator('option').nth(1).getAttribute('value')) ?? '';
      await chooser.selectOption(name);
    } else name = ((await person.locator('.ack-who').textContent()) ?? '').replace(/ \(.*$/, '');
    const button = person.getByRole('button', {
      name: /^(Authorise as|Promote now|Demote now|Update primary now|Perform the operation now|Abort now|Waive now)/,
    });
    await expect(button).toBeDisabled();
    await person.getByLabel('To authorise, type').fill(cluster);
    harness.nextFile.set('signing-key', keyFile(name));
    await person.getByRole('button', { name: 'Choose signing key file' }).click();
    await person.getByLabel(/^Key passphrase/).fill(passphrase);
    await act(page, button);
  }
  if (refusal) await expect(refusal).toBeVisible();
  else await expect(heading).not.toHaveText(title);
}

export interface ShareEntryOptions {
  readonly kit: string;
  readonly officer: string;
  readonly passphrase: string;
}

/** Pastes the officer's share from the kit, checks whose it is, and chooses their key file (not yet submitted). */
export async function prepareShare(
  page: Page,
  harness: Harness,
  { kit, officer }: Omit<ShareEntryOptions, 'passphrase'>,
): Promise<void> {
  await page
    .getByLabel('Encrypted share', { exact: true })
    .fill(readFileSync(join(kit, 'shares', `${officer}.b64`), 'utf8'));
  await act(page, page.getByRole('button', { name: 'Check whose share this is' }));
  await expect(page.getByTestId('share-owner')).toContainText(`This share is for ${officer}`);
  await expect(page.getByLabel('At the keyboard')).toHaveValue(officer);
  harness.nextFile.set('officer-private-key', join(kit, 'officers', `${officer}.key.asc`));
  await page.getByRole('button', { name: 'Choose private key file' }).click();
  await expect(page.getByLabel('Private key', { exact: true })).toHaveValue(
    join(kit, 'officers', `${officer}.key.asc`),
  );
}

/** A whole share entry: paste, check, key file, passphrase, submit; then the progress has moved. */
export async function enterShare(page: Page, harness: Harness, options: ShareEntryOptions): Promise<void> {
  const before = await page.getByTestId('ceremony-progress').textContent();
  await prepareShare(page, harness, options);
  await page.getByLabel(/^Key passphrase/).fill(options.passphrase);
  await act(page, page.getByRole('button', { name: 'Decrypt and enter the share' }));
  await expect(page.getByTestId('ceremony-progress')).not.toHaveText(before ?? '');
}

/** Signs as the person the wizard asks for next, with their key file from `keyFile(name)`. */
export async function sign(
  page: Page,
  harness: Harness,
  name: string,
  keyFile: string,
  passphrase: string,
): Promise<void> {
  const chooser = page.getByLabel('Who signs now');
  if (await chooser.count()) await chooser.selectOption(name);
  harness.nextFile.set('signing-key', keyFile);
  await page.getByRole('button', { name: 'Choose signing key file' }).click();
  await page.getByLabel(/^Key passphrase/).fill(passphrase);
  await act(page, page.getByRole('button', { name: `Sign as ${name}` }));
}

/** A full-page screenshot from the top, so the sticky ceremony header sits where it does on screen. */
export async function snap(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
}

/**
 * With DOCS_SCREENSHOTS=1, also writes what a 1280x800 laptop screen shows (from the top, or with
 * `focus` scrolled into view) to docs/screenshots/ for the README, so the committed images stay
 * small: `DOCS_SCREENSHOTS=1 npm run e2e`.
 */
export async function docShot(page: Page, name: string, focus?: Locator): Promise<void> {
  if (process.env['DOCS_SCREENSHOTS'] !== '1') return;
  const size = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 800 });
  try {
    await page.evaluate(() => window.scrollTo(0, 0));
    if (focus) await focus.evaluate((element) => element.scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: join(import.meta.dirname, '..', 'docs', 'screenshots', `${name}.png`) });
  } finally {
    if (size) await page.setViewportSize(size);
  }
}

/** Axe's scan of the page as it stands: no violations. */
export async function axe(page: Page, where: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(
    violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    `axe on ${where}`,
  ).toEqual([]);
}
