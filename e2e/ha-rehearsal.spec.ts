/**
 * An in-app rehearsal on 3-node clusters at 1024x640: the dashboard shows every node of the DR
 * secondary (role, health, seal, raft index, which one is active) axe-clean and without sideways
 * scrolling; then, mid-ceremony after one of two shares, the drill steps the active node down. The
 * ceremony is not told: on the next share it finds the attempt gone with the old leader, stops for
 * a witnessed deviation, and starts again on the new active node with a new attempt.
 */
import type { Page } from '@playwright/test';
import { expect, test, type Harness } from './fixtures';
import { act, axe, confirmStep, enterShare, prepareShare, snap } from './wizard-helpers';

const PASSPHRASE = 'ha rehearsal, 3 a.m.';
test.use({ viewport: { width: 1024, height: 640 }, actionTimeout: 15_000 });

async function screen(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeFocused();
}

async function fitsAndAxeClean(page: Page, where: string): Promise<void> {
  await axe(page, where);
  expect(
    await page.evaluate(() => document.documentElement.scrollWidth),
    `${where} scrolls sideways`,
  ).toBeLessThanOrEqual(1024);
}

async function drNodes(harness: Harness) {
  const vault = await harness.rehearsal.vault();
  if (!vault.ok) throw new Error(vault.error.message);
  return vault.value.drSecondary.nodes.map((n) => n.apiAddr);
}

test('an HA rehearsal: every node on the dashboard, then the active node steps down mid-ceremony and the ceremony restarts, witnessed', async ({
  page,
  harness,
}) => {
  test.setTimeout(150_000);
  await page.goto(`${harness.origin}/`);
  await screen(page, 'Promotion ceremony');
  await page.getByLabel('Officers', { exact: true }).fill('3');
  await page.getByLabel('Shares needed (threshold)').fill('2');
  await page.getByLabel('Nodes per cluster').selectOption('3');
  await page.getByLabel('Passphrase for the generated keys').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Start the rehearsal' }).click();
  await expect(page.getByTestId('step-title')).toHaveText('Roll call');
  const kit = (await page.getByTestId('kit-dir').locator('.path').textContent())!;
  const [first, second] = await drNodes(harness);

  // The dashboard: the DR secondary's three nodes, the first active, all unsealed.
  await screen(page, 'Replication dashboard');
  const card = page.getByTestId('cluster-nodes');
  await expect(page.getByTestId('cluster-verdict')).toHaveText(`3 nodes, active: node 1 (${first}), all unsealed`);
  await expect(card.getByTestId('cluster-node')).toHaveCount(3);
  await expect(card.getByTestId('cluster-node').nth(0)).toContainText('active');
  await expect(card.getByTestId('cluster-node').nth(1)).toContainText('standby');
  await expect(card.getByTestId('cluster-node').nth(1)).toContainText('HTTP 472');
  await expect(card.getByTestId('cluster-node').nth(1)).toContainText('unsealed');
  await fitsAndAxeClean(page, 'the dashboard of a 3-node cluster');
  await snap(page, 'ha-dashboard-nodes');

  // The ceremony up to one share of two.
  await screen(page, 'Promotion ceremony');
  await confirmStep(page, 'Roll call');
  await confirmStep(page, 'Check the DR secondary');
  await confirmStep(page, 'Attest the old primary is down or fenced');
  await confirmStep(page, 'Generate the one-time password');
  await confirmStep(page, 'Start the attempt and pin its nonce');
  const firstNonce = (await page.getByTestId('ceremony-nonce').textContent())!;
  await enterShare(page, harness, { kit, officer: 'officer-1', passphrase: PASSPHRASE });
  await expect(page.getByTestId('ceremony-progress')).toHaveText('1 of 2 entered');

  // The drill: offered in this rehearsal only, it steps the active node down; the ceremony is not told.
  await page.getByRole('button', { name: 'Rehearsal drills…' }).click();
  const drills = page.getByTestId('drills');
  await expect(drills.getByRole('button', { name: 'Kill the active node' })).toBeVisible();
  await drills.getByRole('button', { name: 'Step down the active node' }).click();
  await expect(page.getByTestId('drill-done')).toHaveText(
    'Drill: dr-secondary-node-1 stepped down; dr-secondary-node-2 is active now.',
  );
  await expect(page.getByTestId('ceremony-progress')).toHaveText('1 of 2 entered');
  await fitsAndAxeClean(page, 'the ceremony with the drills open');
  await snap(page, 'ha-drill-step-down');
  await drills.getByRole('button', { name: 'Close the drills' }).click();

  // The next share finds the attempt gone: nothing is sent, and the deviation waits for a witness.
  await prepareShare(page, harness, { kit, officer: 'officer-2' });
  await page.getByLabel(/^Key passphrase/).fill(PASSPHRASE);
  await act(page, page.getByRole('button', { name: 'Decrypt and enter the share' }));
  const deviation = page.getByTestId('open-deviations');
  await expect(deviation).toContainText(`The active node changed from ${first} to ${second}`);
  await expect(deviation).toContainText(`the attempt with nonce ${firstNonce} lived only in`);
  await fitsAndAxeClean(page, 'the lost-attempt deviation');
  await snap(page, 'ha-attempt-lost');
  await act(page, deviation.getByRole('button', { name: /^Witness #\d+ as witness-1$/ }));

  // The restart: a new attempt on the new active node, and every share again.
  for (let i = 0; i < 4 && (await page.getByTestId('step-title').textContent()) !== 'Officers enter their shares'; i++)
    await confirmStep(page, (await page.getByTestId('step-title').textContent())!);
  await expect(page.getByTestId('step-title')).toHaveText('Officers enter their shares');
  await expect(page.getByTestId('ceremony-progress')).toHaveText('0 of 2 entered');
  await expect(page.getByTestId('ceremony-nonce')).not.toHaveText(firstNonce);
  await enterShare(page, harness, { kit, officer: 'officer-1', passphrase: PASSPHRASE });
  await expect(page.getByTestId('ceremony-progress')).toHaveText('1 of 2 entered');

  // The dashboard now shows the second node active.
  await screen(page, 'Replication dashboard');
  await expect(page.getByTestId('cluster-verdict')).toHaveText(`3 nodes, active: node 2 (${second}), all unsealed`);
});
