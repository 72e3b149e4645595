/**
 * A rehearsal by clicks against a Vault before 0.11, chosen on the start form: the server reports
 * no otp_length, so the laptop makes a 24-character base64 OTP, and the token it decodes (and
 * promotes with) is a UUID, the one the rehearsal Vault minted.
 */
import { expect, test } from './fixtures';
import { authoriseStep, confirmStep, enterShare, fillRehearsalStart, sign } from './wizard-helpers';
import { signingKeyIn } from '../electron/services/rehearsal/rehearsal-kit';

const PASSPHRASE = 'legacy rehearsal keys';
test.use({ actionTimeout: 15_000 });

test('a legacy (pre-0.11) rehearsal by clicks: 24-character OTP, UUID token, promoted and signed', async ({
  page,
  harness,
}) => {
  test.setTimeout(120_000);
  await fillRehearsalStart(page, harness.origin, { officers: 2, threshold: 2, passphrase: PASSPHRASE });
  await page
    .getByLabel('One-time password form')
    .selectOption({ label: '24-character base64, UUID token (a server before Vault 0.11)' });
  await expect(page.getByRole('option', { name: /^2\.x/ })).toBeDisabled();
  await page.getByRole('button', { name: 'Start the rehearsal' }).click();
  await expect(page.getByTestId('step-title')).toHaveText('Roll call');
  const kit = (await page.getByTestId('kit-dir').locator('.path').textContent())!;

  const vault = await harness.rehearsal.vault();
  if (!vault.ok) throw new Error(vault.error.message);
  const secondary = vault.value.cluster('drSecondary');
  expect(secondary.version).toBe('0.10.4+prem');
  const minted: string[] = [];
  const mint = secondary.mintToken.bind(secondary);
  secondary.mintToken = (family) => {
    const token = mint(family);
    minted.push(token.token);
    return token;
  };

  await confirmStep(page, 'Roll call');
  await confirmStep(page, 'Check the DR secondary');
  await confirmStep(page, 'Attest the old primary is down or fenced');
  await expect(
    page
      .getByRole('blockquote')
      .filter({ hasText: 'I saw the laptop report a 24-character one-time password generated.' })
      .first(),
  ).toBeVisible();
  await confirmStep(page, 'Generate the one-time password');
  await confirmStep(page, 'Start the attempt and pin its nonce');
  for (const officer of ['officer-1', 'officer-2'])
    await enterShare(page, harness, { kit, officer, passphrase: PASSPHRASE });
  await confirmStep(page, 'Decode the DR operation token');
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
  // The simulator promotes only with the token it minted: the laptop decoded exactly this UUID.
  expect(minted).toHaveLength(1);
  expect(minted[0]).toMatch(/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/);
  expect(secondary.replication.dr.mode).toBe('primary');

  for (const signer of ['administrator', 'witness-1', 'witness-2'])
    await sign(page, harness, signer, signingKeyIn(kit, signer), PASSPHRASE);
  await expect(page.getByTestId('step-title')).toHaveText('Finished');
  await expect(page.getByTestId('outcome')).toContainText('Promoted and recorded');
});
