/**
 * A failback ceremony in the wizard by keyboard alone, from its roll call to its verified export:
 * both clusters checked, the Vault token, demote (signed authorisations), a DR operation token on
 * the demoted cluster from officers' shares, the activation token, update-primary (signed
 * authorisations), the check that it follows the new primary, signing, and the bundle verified by
 * `vault-ceremony verify --keyring`. Every step's action is focused, on screen without scrolling,
 * and axe-clean. Shared by the failback started from the rehearsal start form and the one offered
 * on a finished promotion's page.
 *
 * DOCS_SCREENSHOTS=1 writes the update-primary authorisation to docs/screenshots/ for the README.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, type Harness } from './fixtures';
import {
  authoriseStepByKeyboard,
  checkStep,
  confirmByEnter,
  exportAndVerifyByKeyboard,
  settled,
  shareByKeyboard,
  signByKeyboard,
  tabTo,
} from './keyboard-helpers';

export interface FailbackWalk {
  /** The failback's own kit: its signers' keys and the officers' shares for the old primary. */
  readonly kit: string;
  readonly passphrase: string;
  /** The officers who enter a share, as many as the threshold. */
  readonly officers: readonly string[];
  /** The bundle folder's name under the harness's data folder. */
  readonly bundle: string;
}

/** Walks the failback from its roll call to a bundle that verifies. */
export async function failbackByKeyboard(page: Page, harness: Harness, walk: FailbackWalk): Promise<void> {
  const { kit, passphrase } = walk;
  await expect(page.getByTestId('step-title')).toHaveText('Roll call');
  await expect(page.getByTestId('script')).toContainText('We begin failback ceremony');
  await confirmByEnter(page, 'Roll call', 'failback-roll-call', false);
  await expect(page.getByTestId('vault-report')).toContainText('primary');
  await confirmByEnter(page, 'Check the new primary', 'failback-check-new-primary', false);
  await expect(page.getByTestId('script')).toContainText('two primaries are running');
  await confirmByEnter(page, 'Check the old primary', 'failback-check-old-primary', false);

  // The Vault token: authorised, then the rehearsal Vault's root token stands in for the administrator's.
  await expect(page.getByTestId('step-title')).toHaveText('Enter the Vault token');
  await checkStep(page, 'failback-vault-token', page.locator(':focus'), false);
  for (let i = 0; i < 4 && (await page.locator(':focus').textContent())?.startsWith('Confirm as '); i++) {
    await page.keyboard.press('Enter');
    await settled(page);
  }
  await checkStep(page, 'failback-vault-token-entry', page.locator(':focus'), false);
  await tabTo(page, page.getByRole('button', { name: "Use the rehearsal Vault's root token" }));
  await page.keyboard.press('Enter');
  await settled(page);

  // Demote: the red card, the cluster's name typed, a signed authorisation from each.
  await expect(page.getByTestId('step-title')).toHaveText('Demote the old primary');
  await expect(page.getByTestId('irreversible-sentence')).toContainText("'primary'");
  const authoriser = { kit, cluster: 'primary', passphrase };
  await checkStep(page, 'failback-demote', page.locator(':focus'), false);
  await authoriseStepByKeyboard(page, harness, authoriser, 'Demote now, as witness-1');

  // The DR operation token on the demoted cluster, from the officers' shares.
  await confirmByEnter(page, 'Generate the one-time password', 'failback-generate-otp', false);
  await confirmByEnter(page, 'Start the attempt and pin its nonce', 'failback-start-attempt', false);
  for (const [i, officer] of walk.officers.entries())
    await shareByKeyboard(page, harness, {
      kit,
      officer,
      passphrase,
      ...(i === 0 ? { shot: 'failback-share-entry', save: false } : {}),
    });
  await confirmByEnter(page, 'Decode the DR operation token', 'failback-decode-token', false);
  await confirmByEnter(page, 'Create the secondary activation token', 'failback-secondary-token', false);

  // update-primary: the step the README shows.
  await expect(page.getByTestId('step-title')).toHaveText('Point the demoted cluster at the new primary');
  const card = page.getByTestId('irreversible-authorisation');
  await expect(card.getByTestId('irreversible-sentence')).toContainText("'primary'");
  await checkStep(page, 'failback-update-primary', card.getByLabel('To authorise, type').first());
  await authoriseStepByKeyboard(page, harness, authoriser, 'Update primary now, as witness-1');

  await expect(page.getByTestId('vault-report')).toContainText('secondary');
  await confirmByEnter(page, 'Check the demoted cluster', 'failback-check-demoted', false);
  await confirmByEnter(page, 'Delete the DR operation token', 'failback-delete-token', false);

  await signByKeyboard(page, harness, { kit, passphrase });

  await expect(page.getByTestId('outcome')).toContainText('Failed back and recorded');
  await expect(page.getByTestId('next-steps')).toContainText('now follows the new primary');
  await checkStep(page, 'failback-finished', page.locator(':focus'), false);
  // No failback of a failback: that is offered after a promotion only.
  await expect(page.getByTestId('failback-offer')).toHaveCount(0);

  const bundle = await exportAndVerifyByKeyboard(page, harness, { kit, name: walk.bundle });
  await expect(page.locator('body')).not.toContainText(passphrase);
  // The record names both calls, and the old primary now follows the new one.
  const transcript = readFileSync(join(bundle, 'transcript.txt'), 'utf8');
  expect(transcript).toContain('sys/replication/dr/primary/demote');
  expect(transcript).toContain('sys/replication/dr/secondary/update-primary');
  const oldPrimary = await harness.rehearsal.connect('primary');
  if (!oldPrimary.ok) throw new Error(oldPrimary.error.message);
  try {
    const status = await oldPrimary.value.replicationStatus();
    expect(status.ok && status.value.data.dr.mode).toBe('secondary');
  } finally {
    oldPrimary.value.close();
  }
}
