/**
 * An in-app rehearsal on 3-node clusters at 1024x640 and 1280x800: the dashboard shows every node
 * of the DR secondary (role, health, seal, raft index, which one is active) axe-clean and without
 * sideways scrolling; then, mid-ceremony after one of two shares, the drill steps the active node
 * down. The ceremony is not told: on the next share it finds the attempt gone with the old leader,
 * stops for a witnessed deviation, and starts again on the new active node with a new attempt, then
 * promotes (signed authorisations), waits for the cluster to settle, and its exported bundle
 * verifies with the leader change on the record. Every ceremony step's action is focused, on
 * screen without scrolling, and axe-clean (checkStep).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test, type Harness } from './fixtures';
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
import { act, axe, prepareShare, snap } from './wizard-helpers';

const PASSPHRASE = 'ha rehearsal, 3 a.m.';
test.use({ actionTimeout: 15_000 });

async function screen(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeFocused();
}

async function fitsAndAxeClean(page: Page, where: string): Promise<void> {
  await axe(page, where);
  expect(
    await page.evaluate(() => document.documentElement.scrollWidth),
    `${where} scrolls sideways`,
  ).toBeLessThanOrEqual(page.viewportSize()!.width);
}

async function drNodes(harness: Harness) {
  const vault = await harness.rehearsal.vault();
  if (!vault.ok) throw new Error(vault.error.message);
  return vault.value.drSecondary.nodes.map((n) => n.apiAddr);
}

for (const size of [
  { width: 1024, height: 640 },
  { width: 1280, height: 800 },
]) {
  test(`an HA rehearsal at ${size.width}x${size.height}: every node on the dashboard, the active node steps down mid-ceremony, the witnessed restart promotes and verifies`, async ({
    page,
    harness,
  }) => {
    test.setTimeout(180_000);
    const at = `${size.width}x${size.height}`;
    await page.setViewportSize(size);
    await page.goto(`${harness.origin}/`);
    await screen(page, 'Promotion ceremony');
    await page.getByLabel('Officers', { exact: true }).fill('3');
    await page.getByLabel('Shares needed (threshold)').fill('2');
    await page.getByLabel('Nodes per cluster').selectOption('3');
    await page.getByLabel('Passphrase for the generated keys').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Start the rehearsal' }).click();
    await expect(page.getByTestId('step-title')).toHaveText('Roll call');
    const kit = harness.ceremony.snapshot()!.kitDir!;
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
    await fitsAndAxeClean(page, `the dashboard of a 3-node cluster at ${at}`);
    await snap(page, `ha-dashboard-nodes-${at}`);

    // The ceremony up to one share of two, by keyboard.
    await screen(page, 'Promotion ceremony');
    await tabTo(page, page.getByRole('button', { name: 'Confirm as administrator' }));
    await confirmByEnter(page, 'Roll call', 'ha-roll-call', false);
    await confirmByEnter(page, 'Check the DR secondary', 'ha-check-secondary', false);
    await confirmByEnter(page, 'Attest the old primary is down or fenced', 'ha-attest-fenced', false);
    await confirmByEnter(page, 'Generate the one-time password', 'ha-generate-otp', false);
    await confirmByEnter(page, 'Start the attempt and pin its nonce', 'ha-start-attempt', false);
    const firstNonce = (await page.getByTestId('ceremony-nonce').textContent())!;
    await shareByKeyboard(page, harness, {
      kit,
      officer: 'officer-1',
      passphrase: PASSPHRASE,
      shot: 'ha-share',
      save: false,
    });
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
    await fitsAndAxeClean(page, `the ceremony with the drills open at ${at}`);
    await snap(page, `ha-drill-step-down-${at}`);
    await drills.getByRole('button', { name: 'Close the drills' }).click();

    // The next share finds the attempt gone: nothing is sent, and the deviation takes over the top.
    await prepareShare(page, harness, { kit, officer: 'officer-2' });
    await page.getByLabel(/^Key passphrase/).fill(PASSPHRASE);
    await act(page, page.getByRole('button', { name: 'Decrypt and enter the share' }));
    const deviation = page.getByTestId('open-deviations');
    await expect(deviation).toContainText(`The active node changed from ${first} to ${second}`);
    await expect(deviation).toContainText(`the attempt with nonce ${firstNonce} lived only in`);
    await expect(deviation.getByRole('heading', { level: 2 })).toBeInViewport();
    const witness = deviation.getByRole('button', { name: /^Witness #\d+ as witness-1$/ });
    await checkStep(page, 'ha-attempt-lost', witness, false);
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth),
      'the lost-attempt deviation scrolls sideways',
    ).toBeLessThanOrEqual(size.width);
    await snap(page, `ha-attempt-lost-${at}`);
    await page.keyboard.press('Enter');
    await settled(page);

    // The restart: a new attempt on the new active node, and every share again.
    const title = page.getByTestId('step-title');
    for (let i = 0; i < 4 && (await title.textContent()) !== 'Officers enter their shares'; i++)
      await confirmByEnter(page, (await title.textContent())!, `ha-restart-${i}`, false);
    await expect(title).toHaveText('Officers enter their shares');
    await expect(page.getByTestId('ceremony-progress')).toHaveText('0 of 2 entered');
    await expect(page.getByTestId('ceremony-nonce')).not.toHaveText(firstNonce);
    for (const officer of ['officer-1', 'officer-2'])
      await shareByKeyboard(page, harness, {
        kit,
        officer,
        passphrase: PASSPHRASE,
        shot: `ha-share-again-${officer}`,
        save: false,
      });
    await confirmByEnter(page, 'Decode the DR operation token', 'ha-decode-token', false);

    // The promotion on the new active node, authorised by signature; then the cluster settles.
    await expect(title).toHaveText('Promote the DR secondary');
    const nameField = page.getByTestId('irreversible-authorisation').getByLabel('To authorise, type').first();
    await checkStep(page, 'ha-promote', nameField, false);
    await authoriseStepByKeyboard(
      page,
      harness,
      { kit, cluster: 'dr-secondary', passphrase: PASSPHRASE },
      'Promote now, as witness-1',
    );
    await expect(page.getByTestId('vault-report')).toContainText('primary');
    await confirmByEnter(page, 'Check the promotion', 'ha-check-promoted', false);
    await confirmByEnter(page, 'Delete the DR operation token', 'ha-delete-token', false);
    await signByKeyboard(page, harness, { kit, passphrase: PASSPHRASE, shot: 'ha-sign', save: false });
    await expect(page.getByTestId('outcome')).toContainText('Promoted and recorded');
    await checkStep(page, 'ha-finished', page.locator(':focus'), false);

    // The bundle verifies, and its journal has the leader change and the witnessed restart on it.
    const bundle = await exportAndVerifyByKeyboard(page, harness, { kit, name: 'ha-bundle' });
    await expect(page.locator('body')).not.toContainText(PASSPHRASE);
    const journal = readFileSync(join(bundle, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; details: Record<string, unknown> });
    const ofType = (type: string) => journal.filter((e) => e.type === type).map((e) => e.details);
    expect(ofType('active-node').map((d) => [d['previous'] ?? null, d['node']])).toContainEqual([first, second]);
    expect(ofType('deviation')[0]).toMatchObject({ kind: 'attempt-lost' });
    expect(ofType('deviation-witnessed')).toHaveLength(1);
    expect(ofType('cluster-settled').at(-1)).toMatchObject({ settled: true });
    const transcript = readFileSync(join(bundle, 'transcript.txt'), 'utf8');
    expect(transcript).toContain(`The active node changed from ${first} to ${second}`);
    expect(transcript).toContain('sys/replication/dr/secondary/promote');

    // The dashboard now shows the second node active.
    await screen(page, 'Replication dashboard');
    await expect(page.getByTestId('cluster-verdict')).toHaveText(`3 nodes, active: node 2 (${second}), all unsealed`);
  });
}
