/**
 * After the window's renderer process died and main reloaded the app's page (simulated here as
 * main.ts does it: the restart recorded where app.info reads it, then the page loaded again).
 * Mid-ceremony, the page opens straight at the ceremony's current step, saying why the screen
 * started over; with no ceremony it opens on Start and says so. Either way main is told the notice
 * was shown, so a later ordinary reload opens on Start without it.
 */
import { expect, screenshotPath, test } from './fixtures';
import { axe, confirmStep, docShot, fillRehearsalStart, snap } from './wizard-helpers';

const CRASH = { reason: 'crashed', at: '2026-03-01T03:12:05.000Z' };
const WHY = 'The screen was restarted at 03:12:05 UTC after its process ended (crashed)';

test('mid-ceremony: the reloaded page opens at the ceremony’s step with the notice, once', async ({
  page,
  harness,
}) => {
  await fillRehearsalStart(page, harness.origin, { officers: 1, threshold: 1, passphrase: 'restart drill' });
  await page.getByRole('button', { name: 'Start the rehearsal' }).click();
  await confirmStep(page, 'Roll call');
  await expect(page.getByTestId('step-title')).toHaveText('Check the DR secondary');
  await expect(page.getByTestId('vault-report')).toContainText('secondary');

  harness.screenRestart.current = CRASH;
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Promotion ceremony' })).toBeVisible();
  await expect(page.getByTestId('step-title')).toHaveText('Check the DR secondary');
  await expect(page.getByTestId('ceremony-step')).toHaveText(/^2 of \d+: Check the DR secondary$/);
  const notice = page.getByTestId('screen-restarted');
  await expect(notice).toHaveText(
    `${WHY}, so it opened again here, at the ceremony's current step. The ceremony is where it was; ` +
      'only what was typed and not yet submitted must be entered again.',
  );
  await expect(notice.getByRole('button')).toHaveCount(0);
  await snap(page, 'screen-restarted-ceremony');
  await docShot(page, 'screen-restarted-ceremony');
  await axe(page, 'the ceremony reopened after the screen restarted');
  // Main was told: it no longer reports the restart.
  await expect.poll(() => harness.screenRestart.current).toBeUndefined();

  // The ceremony goes on from where it stood; moving on from the ceremony screen puts the notice away.
  await confirmStep(page, 'Check the DR secondary');
  await expect(notice).toBeVisible();
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('button', { name: 'Replication dashboard' })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Replication dashboard' })).toBeFocused();
  await expect(notice).toHaveCount(0);

  // An ordinary reload later: Start, as always, and no word of a crash.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Start' })).toBeVisible();
  await expect(page.getByRole('radio', { name: /Rehearsal/ })).toBeVisible();
  await expect(notice).toHaveCount(0);
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Promotion ceremony' }).click();
  await expect(page.getByTestId('step-title')).toHaveText('Attest the old primary is down or fenced');
});

test('no ceremony in progress: the reloaded page opens on Start, saying so, once', async ({ page, harness }) => {
  await page.goto(`${harness.origin}/`);
  await expect(page.getByRole('heading', { level: 1, name: 'Start' })).toBeVisible();
  await expect(page.getByTestId('screen-restarted')).toHaveCount(0);

  harness.screenRestart.current = CRASH;
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Start' })).toBeVisible();
  const notice = page.getByTestId('screen-restarted');
  await expect(notice).toHaveText(
    `${WHY}. No ceremony is in progress; only what was typed and not yet submitted must be entered again.`,
  );
  await page.screenshot({ path: screenshotPath('screen-restarted'), fullPage: true });
  await expect.poll(() => harness.screenRestart.current).toBeUndefined();

  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Start' })).toBeVisible();
  await expect(page.getByRole('radio', { name: /Rehearsal/ })).toBeChecked();
  await expect(notice).toHaveCount(0);
});

test('a restart newer than the one shown is still said on the next load', async ({ page, harness }) => {
  harness.screenRestart.current = CRASH;
  await page.goto(`${harness.origin}/`);
  await expect(page.getByTestId('screen-restarted')).toBeVisible();
  await expect.poll(() => harness.screenRestart.current).toBeUndefined();
  // A second crash: main records it; the page told of the first cannot put it away.
  const again = { reason: 'oom', at: '2026-03-01T03:14:30.000Z' };
  harness.screenRestart.current = again;
  const answer = await page.evaluate((at) => window.vaultCeremony!.invoke('app.screenRestartShown', { at }), CRASH.at);
  expect(answer).toEqual({ ok: true, value: { cleared: false } });
  await page.reload();
  await expect(page.getByTestId('screen-restarted')).toContainText(
    'restarted at 03:14:30 UTC after its process ended (oom)',
  );
});
