/**
 * A replication operation as a ceremony, started from the Operations screen at 1024x640: a DR
 * secondary-token on the rehearsal primary (real mTLS to the in-process rehearsal Vault). The screen
 * states the cluster's mode and offers only what applies; the wizard runs the roll call, the
 * pre-check, the Vault token, the call, the post-check (where the activation token is handed over:
 * masked, revealed on request, copied once, saved to a new 0600 file), signing and export. Axe
 * scans each screen on the way.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { generateOfficerKey } from '../rehearsal-vault/officer-keys';
import { expect, test, type Harness } from './fixtures';
import { act, authoriseStep, axe, confirmStep, docShot, sign, snap } from './wizard-helpers';
import { signingKeyIn } from '../electron/services/rehearsal/rehearsal-kit';
import { fileWriter, saveRehearsalProfiles } from './rehearsal-profiles';

test.use({ viewport: { width: 1024, height: 640 }, actionTimeout: 15_000 });

async function chooseRehearsalPrimary(page: Page, harness: Harness): Promise<void> {
  await page.goto(`${harness.origin}/`);
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('button', { name: 'Failback and setup operations' })
    .click();
  const cluster = page.getByLabel('Cluster', { exact: true });
  await cluster.selectOption({
    label: (await cluster.locator('option', { hasText: 'Rehearsal primary' }).textContent())!,
  });
}

/** The Vault token step: authorised by the administrator and a witness, then the token itself, in the same step. */
async function enterRehearsalVaultToken(page: Page): Promise<void> {
  await expect(page.getByTestId('step-title')).toHaveText('Enter the Vault token');
  const confirm = page.getByRole('button', { name: /^Confirm as / });
  while ((await confirm.count()) > 0) await act(page, confirm.first());
  await act(page, page.getByRole('button', { name: "Use the rehearsal Vault's root token" }));
}

test('operations: a DR secondary-token on the rehearsal primary runs as a ceremony, its token handed over once', async ({
  page,
  harness,
}) => {
  await chooseRehearsalPrimary(page, harness);
  // The mode is stated, and only what applies to a DR primary is offered.
  await expect(page.getByTestId('cluster-mode')).toContainText('is a DR primary');
  await expect(page.getByRole('radio', { name: /Update primary/ })).toHaveCount(0);
  await page.getByRole('radio', { name: /Create a secondary activation token/ }).check();
  await page.getByLabel('Secondary id', { exact: true }).fill('dc3');
  await axe(page, 'the Operations screen');
  await page.getByRole('button', { name: 'Start the operation ceremony' }).click();

  // The app moves to the wizard, which runs the operation's own script.
  await expect(page.getByRole('heading', { level: 1, name: 'Promotion ceremony' })).toBeFocused();
  await expect(page.getByTestId('wizard')).toBeVisible();
  const kit = harness.ceremony.snapshot()?.kitDir;
  expect(kit).toBeTruthy();
  await confirmStep(page, 'Roll call');
  await expect(page.getByTestId('script')).toContainText("must report DR mode 'primary'");
  await confirmStep(page, 'Check the cluster before the operation');
  await enterRehearsalVaultToken(page);
  await expect(page.getByTestId('step-title')).toHaveText('Perform the operation');
  // Not destructive: the ordinary acknowledgement, not the irreversible card.
  await expect(page.getByTestId('irreversible-authorisation')).toHaveCount(0);
  await confirmStep(page, 'Perform the operation');

  // The post-check hands the token over: masked until revealed; copied once; saved once to a new file.
  await expect(page.getByTestId('step-title')).toHaveText('Check the change');
  const handover = page.getByTestId('activation-token');
  await expect(handover).toBeVisible();
  await expect(page.getByTestId('activation-token-value')).toContainText('••••');
  await axe(page, 'the activation token handover');
  await docShot(page, 'operations-activation-token', handover);
  await act(page, page.getByRole('button', { name: 'Reveal the token' }));
  const token = ((await page.getByTestId('activation-token-value').textContent()) ?? '').replace(
    'Activation token: ',
    '',
  );
  expect(token.length).toBeGreaterThan(20);
  expect(token).not.toContain('•');
  const sha256 = createHash('sha256').update(token, 'utf8').digest('hex');
  await expect(page.getByTestId('activation-token-sha256')).toHaveText(sha256);
  await page.getByRole('button', { name: 'Hide the token' }).click();
  await expect(page.locator('body')).not.toContainText(token);

  await act(page, page.getByRole('button', { name: 'Copy once' }));
  expect(harness.clipboard).toEqual([token]);
  await expect(page.getByRole('button', { name: 'Copied once' })).toBeDisabled();

  const saved = join(harness.dataDir, 'dc3-activation-token.txt');
  harness.nextSave.set('activation-token', saved);
  await act(page, page.getByRole('button', { name: 'Save to a file…' }));
  await expect(page.getByTestId('activation-token-saved')).toHaveText(saved);
  expect(readFileSync(saved, 'utf8')).toBe(`${token}\n`);
  expect(statSync(saved).mode & 0o777).toBe(0o600);
  // Never over an existing file: the second save is refused and the file is as it was.
  await act(page, page.getByRole('button', { name: 'Save to a file…' }));
  await expect(page.getByRole('alert').first()).toContainText('choose a new file');
  expect(readFileSync(saved, 'utf8')).toBe(`${token}\n`);

  await confirmStep(page, 'Check the change');
  await expect(handover).toHaveCount(0);

  await expect(page.getByTestId('step-title')).toHaveText('Sign the transcript');
  for (const signer of ['administrator', 'witness-1', 'witness-2'])
    await sign(page, harness, signer, signingKeyIn(kit!, signer), '');
  await expect(page.getByTestId('step-title')).toHaveText('Finished');
  await axe(page, 'the finished operation ceremony');

  const out = join(harness.dataDir, 'operation-bundle');
  harness.nextDirectory.set('export-bundle', out);
  await page.getByRole('button', { name: 'Choose bundle folder' }).click();
  await act(page, page.getByRole('button', { name: 'Export and verify' }));
  await expect(page.getByTestId('export-result')).toContainText(`The bundle in ${out} verifies: 3 good signature(s)`);

  // The record names the call and holds the token's SHA-256, never the token.
  const transcript = readFileSync(join(out, 'transcript.txt'), 'utf8');
  expect(transcript).toContain('sys/replication/dr/primary/secondary-token');
  for (const file of readdirSync(out, { recursive: true, encoding: 'utf8' }))
    if (statSync(join(out, file)).isFile()) expect(readFileSync(join(out, file), 'utf8')).not.toContain(token);
  const journal = readFileSync(join(kit!, 'ceremony', 'journal.jsonl'), 'utf8');
  expect(journal).toContain(sha256);
  expect(journal).not.toContain(token);
});

test('operations: a demote runs as a ceremony whose call waits on the irreversible-step card', async ({
  page,
  harness,
}) => {
  await chooseRehearsalPrimary(page, harness);
  await page.getByRole('radio', { name: /Demote this primary/ }).check();
  await page.getByRole('button', { name: 'Start the operation ceremony' }).click();
  await expect(page.getByTestId('wizard')).toBeVisible();

  await confirmStep(page, 'Roll call');
  await confirmStep(page, 'Check the cluster before the operation');
  await enterRehearsalVaultToken(page);

  // The destructive call: the red card, what happens on the click, the cluster's name typed.
  await expect(page.getByTestId('step-title')).toHaveText('Perform the operation');
  await expect(page.getByTestId('irreversible-sentence')).toContainText(
    "the laptop calls 'Demote this primary (DR)' on 'primary' at once. It cannot be undone.",
  );
  await expect(page.getByRole('button', { name: /^Confirm as / })).toHaveCount(0);
  await axe(page, 'the irreversible-step card of an operation');
  const kit = harness.ceremony.snapshot()?.kitDir;
  await authoriseStep(page, harness, 'Perform the operation', 'primary', (name) => signingKeyIn(kit!, name), '');
  await expect(page.getByTestId('step-title')).toHaveText('Check the change');
  await expect(page.getByTestId('script')).toContainText("must now report DR mode 'secondary'");
});

test('operations: live, the plan prepared from the people named on the screen, no plan file written by hand', async ({
  page,
  harness,
}) => {
  test.setTimeout(120_000);
  const vault = await harness.rehearsal.vault();
  if (!vault.ok) throw new Error(vault.error.message);
  const v = vault.value;
  const file = fileWriter(harness.dataDir);
  await saveRehearsalProfiles(harness, v, file);
  const ann = await generateOfficerKey({ name: 'Ann', passphrase: 'ann signs at 4am' });
  const wes = await generateOfficerKey({ name: 'Wes' });

  await page.goto(`${harness.origin}/`);
  await page.getByRole('radio', { name: /Live: dc1/ }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByTestId('mode')).toContainText('LIVE');
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('button', { name: 'Failback and setup operations' })
    .click();
  const cluster = page.getByLabel('Cluster', { exact: true });
  const choose = async (name: string) =>
    cluster.selectOption({ label: (await cluster.locator('option', { hasText: name }).textContent())! });
  // update-primary on a live DR secondary takes officers' shares: that still comes from a plan file.
  await choose('dc2');
  await expect(page.getByTestId('cluster-mode')).toContainText('is a DR secondary');
  await page.getByRole('radio', { name: /Update primary/ }).check();
  await expect(page.getByRole('status').filter({ hasText: 'start it from a reviewed plan file' })).toBeVisible();
  await expect(page.getByTestId('operation-people')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Start the operation ceremony' })).toBeDisabled();
  await choose('dc1');
  await expect(page.getByTestId('cluster-mode')).toContainText('is a DR primary');
  await page.getByRole('radio', { name: /Create a secondary activation token/ }).check();
  await page.getByLabel('Secondary id', { exact: true }).fill('dc3');

  // Ann by her public key file; Wes by the fingerprint his card shows, in gpg's groups.
  const people = page.getByTestId('operation-people');
  await people.getByLabel('Administrator name').fill('Ann');
  harness.nextFile.set('person-public-key', file('ann.pub.asc', ann.publicKeyArmored));
  await people.getByRole('button', { name: 'Choose administrator public key file' }).click();
  await expect(people.getByRole('textbox', { name: /^Administrator public key/ })).not.toHaveValue('');
  await people.getByLabel('Witness 1 name').fill('Wes');
  await people
    .getByRole('textbox', { name: /^Witness 1 key fingerprint/ })
    .fill(wes.fingerprint.toUpperCase().replace(/(.{4})(?=.)/g, '$1 '));
  await axe(page, 'the Operations screen, live, with the people named');
  await snap(page, 'operations-live-people');
  await page.getByRole('button', { name: 'Start the operation ceremony' }).click();

  await expect(page.getByTestId('wizard')).toBeVisible();
  const plan = harness.ceremony.snapshot()!.plan;
  expect(plan).toMatchObject({
    kind: 'operation',
    rehearsal: false,
    profile: 'dc1',
    administrator: { name: 'Ann', fingerprint: ann.fingerprint },
    witnesses: [{ name: 'Wes', fingerprint: wes.fingerprint }],
  });
  await expect(page.getByTestId('ceremony-header')).not.toContainText('REHEARSAL');
  await confirmStep(page, 'Roll call');
  await confirmStep(page, 'Check the cluster before the operation');
  await expect(page.getByTestId('step-title')).toHaveText('Enter the Vault token');
  const confirm = page.getByRole('button', { name: /^Confirm as / });
  while ((await confirm.count()) > 0) await act(page, confirm.first());
  // Live: no rehearsal root token on offer; the administrator types their own.
  await expect(page.getByRole('button', { name: "Use the rehearsal Vault's root token" })).toHaveCount(0);
  await page.getByRole('textbox', { name: /^A Vault token with sudo/ }).fill(v.rootToken);
  await act(page, page.getByRole('button', { name: 'Enter the token' }));
  await confirmStep(page, 'Perform the operation');
  await confirmStep(page, 'Check the change');
  await sign(page, harness, 'Ann', file('ann.key.asc', ann.privateKeyArmored, 0o600), 'ann signs at 4am');
  await sign(page, harness, 'Wes', file('wes.key.asc', wes.privateKeyArmored, 0o600), '');
  await expect(page.getByTestId('step-title')).toHaveText('Finished');

  const out = join(harness.dataDir, 'live-operation-bundle');
  harness.nextDirectory.set('export-bundle', out);
  await page.getByRole('button', { name: 'Choose bundle folder' }).click();
  await act(page, page.getByRole('button', { name: 'Export and verify' }));
  await expect(page.getByTestId('export-result')).toContainText(`The bundle in ${out} verifies: 2 good signature(s)`);
  for (const f of readdirSync(out, { recursive: true, encoding: 'utf8' }))
    if (statSync(join(out, f)).isFile()) expect(readFileSync(join(out, f), 'utf8')).not.toContain(v.rootToken);
});
