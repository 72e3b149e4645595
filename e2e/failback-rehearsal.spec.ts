/**
 * The failback rehearsed in the app, by keyboard alone at 1024x640: from the rehearsal start form
 * ("Rehearse the failback"), the promotion is played first without people (its own bundle in the
 * kit), then the old primary is failed back as its own ceremony in the wizard: both clusters
 * checked, the Vault token, demote (signed authorisations), a DR operation token from officers'
 * shares, the activation token, update-primary (signed authorisations), the check that it follows
 * the new primary, signing, export, and `vault-ceremony verify --keyring` exits 0 on the bundle.
 * Every step's action is focused and on screen, and axe finds no violations.
 *
 * DOCS_SCREENSHOTS=1 writes the update-primary authorisation to docs/screenshots/ for the README.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';
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
import { builtCli } from '../test/support/built-cli';

const PASSPHRASE = 'failback keys, 4 a.m.';
const ROOT = join(import.meta.dirname, '..');
test.use({ viewport: { width: 1024, height: 640 }, actionTimeout: 15_000 });

test('keyboard only at 1024x640: the failback rehearsed in the app, authorised by signature, verified', async ({
  page,
  harness,
}) => {
  test.setTimeout(240_000);
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
  await confirmByEnter(page, 'Roll call', 'failback-roll-call', false);
  await expect(page.getByTestId('vault-report')).toContainText('primary');
  await confirmByEnter(page, 'Check the new primary', 'failback-check-new-primary', false);
  await expect(page.getByTestId('script')).toContainText('two primaries are running');
  await confirmByEnter(page, 'Check the old primary', 'failback-check-old-primary', false);

  // The Vault token: authorised, then the rehearsal Vault's root token stands in for the administrator's.
  await expect(page.getByTestId('step-title')).toHaveText('Enter the Vault token');
  for (let i = 0; i < 4 && (await page.locator(':focus').textContent())?.startsWith('Confirm as '); i++) {
    await page.keyboard.press('Enter');
    await settled(page);
  }
  await tabTo(page, page.getByRole('button', { name: "Use the rehearsal Vault's root token" }));
  await page.keyboard.press('Enter');
  await settled(page);

  // Demote: the red card, the cluster's name typed, a signed authorisation from each.
  await expect(page.getByTestId('step-title')).toHaveText('Demote the old primary');
  await expect(page.getByTestId('irreversible-sentence')).toContainText("'primary'");
  const authoriser = { kit, cluster: 'primary', passphrase: PASSPHRASE };
  await checkStep(page, 'failback-demote', page.locator(':focus'), false);
  await authoriseStepByKeyboard(page, harness, authoriser, 'Demote now, as witness-1');

  // The DR operation token on the demoted cluster, from two officers' shares.
  await confirmByEnter(page, 'Generate the one-time password', 'failback-generate-otp', false);
  await confirmByEnter(page, 'Start the attempt and pin its nonce', 'failback-start-attempt', false);
  for (const officer of ['officer-1', 'officer-2'])
    await shareByKeyboard(page, harness, { kit, officer, passphrase: PASSPHRASE });
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

  await signByKeyboard(page, harness, { kit, passphrase: PASSPHRASE });

  await expect(page.getByTestId('outcome')).toContainText('Failed back and recorded');
  await expect(page.getByTestId('next-steps')).toContainText('now follows the new primary');
  await checkStep(page, 'failback-finished', page.locator(':focus'), false);
  // No failback of a failback: that is offered after a promotion only.
  await expect(page.getByTestId('failback-offer')).toHaveCount(0);

  const out = join(harness.dataDir, 'failback-bundle');
  harness.nextDirectory.set('export-bundle', out);
  await tabTo(page, page.getByRole('button', { name: 'Choose bundle folder' }));
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Bundle folder', { exact: true })).toHaveValue(out);
  await tabTo(page, page.getByRole('button', { name: 'Export and verify' }));
  await page.keyboard.press('Enter');
  await settled(page);
  await expect(page.getByTestId('export-result')).toContainText(`The bundle in ${out} verifies: 3 good signature(s)`);
  await expect(page.locator('body')).not.toContainText(PASSPHRASE);

  // What an auditor runs, anchored on the signers' public keys: exit 0, and the record names both calls.
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
  const transcript = readFileSync(join(out, 'transcript.txt'), 'utf8');
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
});
