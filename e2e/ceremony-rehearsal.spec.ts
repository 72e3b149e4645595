/**
 * A full rehearsal of the promotion ceremony by clicks and typing, against the in-process
 * rehearsal Vault over mutual TLS: five officers, three shares needed, every generated key
 * protected by a passphrase and decrypted in the app. On the way, the things that go wrong at
 * 3 a.m., each shown with its message and the ceremony going on correctly afterwards: a wrong
 * passphrase, a share for an officer who is not expected, the DR secondary going away in the
 * middle of share entry, and someone else restarting the attempt (a new nonce). Then promote,
 * sign, export, and `vault-ceremony verify` (the CLI, spawned) passes on the exported bundle.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test, type Harness } from './fixtures';
import { act, authoriseStep, confirmStep, enterShare, prepareShare, sign, snap } from './wizard-helpers';
import { builtCli } from '../test/support/built-programs';
import { signingKeyIn } from '../electron/services/rehearsal/rehearsal-kit';

const PASSPHRASE = 'rehearsal keys, 3 a.m.';
// A click that cannot happen fails in seconds, not at the end of the test's long budget.
test.use({ actionTimeout: 15_000 });
const ROOT = join(import.meta.dirname, '..');
const APP = (harness: Harness) => ({ url: `${harness.origin}/`, isMainFrame: true });

async function vaultAttempt(harness: Harness) {
  const client = await harness.rehearsal.connect('dr-secondary');
  if (!client.ok) throw new Error(client.error.message);
  try {
    const status = await client.value.drOperationToken.status();
    if (!status.ok) throw new Error(status.error.message);
    return status.value.data;
  } finally {
    client.value.close();
  }
}

async function faults(harness: Harness) {
  const vault = await harness.rehearsal.vault();
  if (!vault.ok) throw new Error(vault.error.message);
  return vault.value.faults;
}

test('a full rehearsal by clicks: shares decrypted in-app, every mishap recovered, promoted, signed, exported and verified by the CLI', async ({
  page,
  harness,
}) => {
  test.setTimeout(180_000);
  const out = mkdtempSync(join(tmpdir(), 'vault-ceremony-e2e-bundle-'));
  try {
    await page.goto(`${harness.origin}/`);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Promotion ceremony' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Promotion ceremony' })).toBeFocused();

    // Start: five officers, three shares, every generated key behind a passphrase.
    await expect(page.getByRole('heading', { name: 'Rehearse the promotion' })).toBeVisible();
    await page.getByLabel('Officers', { exact: true }).fill('5');
    await page.getByLabel('Shares needed (threshold)').fill('3');
    const passphraseField = page.getByLabel('Passphrase for the generated keys');
    await expect(passphraseField).toHaveAttribute('type', 'password');
    await passphraseField.fill(PASSPHRASE);
    await snap(page, 'ceremony-start');
    await page.getByRole('button', { name: 'Start the rehearsal' }).click();

    await expect(page.getByTestId('step-title')).toHaveText('Roll call');
    await expect(page.getByTestId('ceremony-header')).toContainText('REHEARSAL');
    await expect(page.getByTestId('script')).toContainText('REHEARSAL. We begin promotion ceremony');
    await expect(page.getByTestId('ceremony-nonce')).toHaveText('not pinned yet');
    const kit = (await page.getByTestId('kit-dir').locator('.path').textContent())!;
    expect(kit.startsWith(join(harness.dataDir, 'rehearsals'))).toBe(true);
    await snap(page, 'ceremony-roll-call');

    await confirmStep(page, 'Roll call');
    await expect(page.getByTestId('script')).toContainText("It must report DR mode 'secondary'");
    await confirmStep(page, 'Check the DR secondary');
    await confirmStep(page, 'Attest the old primary is down or fenced');
    await expect(
      page
        .getByRole('blockquote')
        .filter({ hasText: 'I saw the laptop report a 28-character one-time password generated.' })
        .first(),
    ).toBeVisible();
    await confirmStep(page, 'Generate the one-time password');

    // The nonce is pinned: the header shows what Vault says.
    const first = await vaultAttempt(harness);
    await expect(page.getByTestId('ceremony-nonce')).toHaveText(first.nonce);
    await expect(page.getByTestId('script')).toContainText(`Its nonce is ${first.nonce}`);
    await confirmStep(page, 'Start the attempt and pin its nonce');
    await expect(page.getByTestId('step-title')).toHaveText('Officers enter their shares');
    await expect(page.getByTestId('ceremony-progress')).toHaveText('0 of 3 entered');

    // officer-1 mistypes the passphrase: a clear message, nothing sent, and the form keeps the share and key file.
    await prepareShare(page, harness, { kit, officer: 'officer-1' });
    await expect(page.getByTestId('share-statement')).toContainText(`for nonce ${first.nonce}`);
    await snap(page, 'ceremony-share-entry');
    await page.getByLabel(/^Key passphrase/).fill('not the passphrase');
    await act(page, page.getByRole('button', { name: 'Decrypt and enter the share' }));
    const refusal = page.getByRole('alert').filter({ hasText: 'passphrase' });
    await expect(refusal).toBeVisible();
    await expect(page.locator('body')).not.toContainText('not the passphrase');
    await expect(page.getByLabel(/^Key passphrase/)).toHaveValue('');
    await expect(page.getByLabel('Encrypted share', { exact: true })).not.toHaveValue('');
    await expect(page.getByTestId('ceremony-progress')).toHaveText('0 of 3 entered');
    expect((await vaultAttempt(harness)).progress).toBe(0);
    await snap(page, 'ceremony-wrong-passphrase');
    await page.getByLabel(/^Key passphrase/).fill(PASSPHRASE);
    await act(page, page.getByRole('button', { name: 'Decrypt and enter the share' }));
    await expect(page.getByTestId('ceremony-progress')).toHaveText('1 of 3 entered');
    await expect(page.getByTestId('waiting-officers')).toHaveText('officer-2, officer-3, officer-4, officer-5');

    // A share for an officer who is not expected (officer-1 again): named, and not offered for entry.
    await page
      .getByLabel('Encrypted share', { exact: true })
      .fill(readFileSync(join(kit, 'shares', 'officer-1.b64'), 'utf8'));
    await act(page, page.getByRole('button', { name: 'Check whose share this is' }));
    await expect(
      page.getByRole('alert').filter({ hasText: "This share is officer-1's, who is not expected now" }),
    ).toBeVisible();
    await expect(page.getByRole('button', { name: 'Decrypt and enter the share' })).toHaveCount(0);

    // The DR secondary goes away while officer-2 enters: the share is not sent, the message says so, and it is entered again once Vault is back.
    await prepareShare(page, harness, { kit, officer: 'officer-2' });
    await (await faults(harness)).takeDown('drSecondary');
    await page.getByLabel(/^Key passphrase/).fill(PASSPHRASE);
    await act(page, page.getByRole('button', { name: 'Decrypt and enter the share' }));
    await expect(page.getByTestId('last-error')).toContainText(
      'the attempt status could not be checked, so the share was not sent',
    );
    await expect(page.getByTestId('ceremony-progress')).toHaveText('1 of 3 entered');
    await snap(page, 'ceremony-server-away');
    await (await faults(harness)).bringUp('drSecondary');
    await expect(page.getByLabel('Encrypted share', { exact: true })).not.toHaveValue('');
    await page.getByLabel(/^Key passphrase/).fill(PASSPHRASE);
    await act(page, page.getByRole('button', { name: 'Decrypt and enter the share' }));
    await expect(page.getByTestId('ceremony-progress')).toHaveText('2 of 3 entered');
    await expect(page.getByTestId('last-error')).toHaveCount(0);

    // Someone else restarts the attempt: the nonce changes under officer-3, whose share is not sent.
    const otherNonce = await (await faults(harness)).replaceAttempt('drSecondary');
    await enterShareExpectingDeviation(page, harness, kit);
    const deviation = page.getByTestId('open-deviations');
    await expect(deviation).toContainText(otherNonce);
    await snap(page, 'ceremony-nonce-deviation');
    await act(page, deviation.getByRole('button', { name: /^Witness #\d+ as witness-1$/ }));
    await confirmStep(page, 'Cancel the attempt');
    expect((await vaultAttempt(harness)).started).toBe(false);
    await confirmStep(page, 'Generate the one-time password');
    const second = await vaultAttempt(harness);
    expect(second.nonce).not.toBe(first.nonce);
    expect(second.nonce).not.toBe(otherNonce);
    await expect(page.getByTestId('ceremony-nonce')).toHaveText(second.nonce);
    await confirmStep(page, 'Start the attempt and pin its nonce');

    // Every share again, for the new attempt.
    await expect(page.getByTestId('ceremony-progress')).toHaveText('0 of 3 entered');
    for (const officer of ['officer-3', 'officer-4', 'officer-5'])
      await enterShare(page, harness, { kit, officer, passphrase: PASSPHRASE });

    await confirmStep(page, 'Decode the DR operation token');
    await expect(page.getByTestId('script')).toContainText("The laptop promotes 'dr-secondary' to primary");
    await authoriseStep(
      page,
      harness,
      'Promote the DR secondary',
      'dr-secondary',
      (name) => signingKeyIn(kit, name),
      PASSPHRASE,
    );
    await confirmStep(page, 'Check the promotion');
    await confirmStep(page, 'Delete the DR operation token');
    const dr = await harness.registry.invoke(
      'replication.status',
      { target: { kind: 'rehearsal', cluster: 'dr-secondary' } },
      APP(harness),
    );
    expect(dr).toMatchObject({ ok: true, value: { replication: { ok: true, value: { dr: { mode: 'primary' } } } } });

    // Signatures: the administrator, then each witness, with their kit key files and the passphrase.
    await expect(page.getByTestId('step-title')).toHaveText('Sign the transcript');
    await expect(page.getByTestId('sign-transcript-text')).toContainText('REHEARSAL');
    await snap(page, 'ceremony-signing');
    for (const signer of ['administrator', 'witness-1', 'witness-2'])
      await sign(page, harness, signer, signingKeyIn(kit, signer), PASSPHRASE);
    await expect(page.getByTestId('step-title')).toHaveText('Finished');
    await expect(page.getByTestId('outcome')).toContainText('Promoted and recorded');
    await expect(page.getByTestId('outcome')).toContainText('Nothing is left open on Vault.');

    harness.nextDirectory.set('export-bundle', out);
    await page.getByRole('button', { name: 'Choose bundle folder' }).click();
    await act(page, page.getByRole('button', { name: 'Export and verify' }));
    await expect(page.getByTestId('export-result')).toContainText(
      `The bundle in ${out} verifies: 3 good signature(s) (administrator, witness-1, witness-2)`,
    );
    await snap(page, 'ceremony-finished');
    await expect(page.locator('body')).not.toContainText(PASSPHRASE);

    // What an auditor runs, as a separate process: consistent, though nothing anchors the keys (exit 3).
    const verified = spawnSync(process.execPath, [builtCli(), 'verify', out], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(verified.status, `${verified.stdout}\n${verified.stderr}`).toBe(3);

    await page.getByRole('button', { name: 'Close this ceremony' }).click();
    await expect(page.getByRole('heading', { name: 'Rehearse the promotion' })).toBeVisible();
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

/** officer-3 enters a share after the attempt was replaced: the share is refused and a deviation opens. */
async function enterShareExpectingDeviation(page: Page, harness: Harness, kit: string) {
  await prepareShare(page, harness, { kit, officer: 'officer-3' });
  await page.getByLabel(/^Key passphrase/).fill(PASSPHRASE);
  await act(page, page.getByRole('button', { name: 'Decrypt and enter the share' }));
  await expect(page.getByTestId('open-deviations')).toBeVisible();
  await expect(page.getByTestId('ceremony-progress')).not.toHaveText('3 of 3 entered');
}
