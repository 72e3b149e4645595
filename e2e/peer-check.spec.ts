/**
 * The plan's peer_profiles and token_path on screen, not only in the plan file: at the roll call,
 * where the room confirms the ceremony, and on the promote step, where the laptop asks each peer
 * whether it still reports DR primary. A live plan on the rehearsal Vault (dc2 its DR secondary,
 * dc1 its primary, over real mutual TLS) with a batch DR operation token, so no shares are needed:
 * named as a peer, dc1 still answers primary and the promotion stops, saying so; once dc1 is
 * demoted the laptop asks again and promotes, and the answer stays in view after the promote.
 * A plan that names no peer says plainly that no other cluster will be asked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateOfficerKey } from '../rehearsal-vault/officer-keys';
import type { RehearsalVault } from '../rehearsal-vault/rehearsal-cluster-set';
import { validPlanData } from '../test/support/ceremony-plan-data';
import { vaultRequest } from '../test/support/mtls-client';
import { expect, test, type Harness } from './fixtures';
import { fileWriter, saveRehearsalProfiles } from './rehearsal-profiles';
import { act, authoriseStep, axe, confirmStep, docShot, snap } from './wizard-helpers';
import type { Page } from '@playwright/test';

test.use({ actionTimeout: 15_000 });
/** Ann's and Wes's signing keys share one passphrase here, as authoriseStep enters one. */
const PASSPHRASES = 'we sign at 3am';

const NO_PEERS =
  'No other cluster will be asked: the plan names no peer_profiles, so nothing checks for a second DR primary ' +
  'before promoting. Only the attestation that the old primary is down or fenced stands against two primaries.';

interface LivePlan {
  readonly vault: RehearsalVault;
  readonly keyFile: (name: string) => string;
}

/** A batch DR operation token made on the rehearsal primary, as an operator prepares one in advance. */
async function batchToken(v: RehearsalVault): Promise<string> {
  const id = { caPem: v.caPem, certPem: v.clientCertPem, keyPem: v.clientKeyPem };
  const primary = (method: string, path: string, body: unknown) =>
    vaultRequest(id, v.primary.apiAddr, method, path, { token: v.rootToken, body });
  const policy = 'path "sys/replication/dr/secondary/promote" { capabilities = ["update"] }';
  expect((await primary('PUT', 'sys/policy/dr-promote', { policy })).status).toBe(204);
  const role = { allowed_policies: 'dr-promote', orphan: true, renewable: false, token_type: 'batch' };
  expect((await primary('POST', 'auth/token/roles/failover', role)).status).toBe(204);
  return (await primary('POST', 'auth/token/create/failover', { ttl: '8h' })).json.auth.client_token as string;
}

/** Profiles dc2 (the DR secondary) and dc1 (the primary), a live session on dc2, and the plan started. */
async function startLivePlan(
  page: Page,
  harness: Harness,
  work: string,
  peers: string[] | undefined,
): Promise<LivePlan> {
  const started = await harness.rehearsal.vault();
  if (!started.ok) throw new Error(started.error.message);
  const v = started.value;
  const file = fileWriter(work);
  await saveRehearsalProfiles(harness, v, file);
  const ann = await generateOfficerKey({ name: 'Ann', passphrase: PASSPHRASES });
  const wes = await generateOfficerKey({ name: 'Wes', passphrase: PASSPHRASES });
  const keys: Record<string, string> = {
    Ann: file('ann.key.asc', ann.privateKeyArmored, 0o600),
    Wes: file('wes.key.asc', wes.privateKeyArmored, 0o600),
  };
  const planPath = file(
    'plan.yaml',
    stringify({
      ...validPlanData(),
      token_path: 'batch-dr-token',
      threshold: undefined,
      officers: [],
      primary_cluster_addr: undefined,
      peer_profiles: peers,
      administrator: { name: 'Ann', fingerprint: ann.fingerprint },
      witnesses: [{ name: 'Wes', fingerprint: wes.fingerprint }],
    }),
  );

  await page.goto(`${harness.origin}/`);
  await page.getByRole('radio', { name: /Live: dc2/ }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByTestId('mode')).toContainText('LIVE');
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Promotion ceremony' }).click();
  harness.nextFile.set('ceremony-plan', planPath);
  await page.getByRole('button', { name: 'Choose ceremony plan file' }).click();
  await page.getByRole('button', { name: 'Start the ceremony' }).click();
  await expect(page.getByTestId('step-title')).toHaveText('Roll call');
  return { vault: v, keyFile: (name) => keys[name]! };
}

/** From the roll call to the promote step: the secondary checked, the primary attested fenced, the batch token entered. */
async function toPromote(page: Page, v: RehearsalVault): Promise<void> {
  await confirmStep(page, 'Roll call');
  await confirmStep(page, 'Check the DR secondary');
  await confirmStep(page, 'Attest the old primary is down or fenced');
  await expect(page.getByTestId('step-title')).toHaveText('Enter the batch DR operation token');
  const token = page.getByLabel('The batch DR operation token', { exact: true });
  for (let i = 0; i < 4 && (await token.count()) === 0; i++)
    await act(page, page.getByRole('button', { name: /^Confirm as / }).first());
  await token.fill(await batchToken(v));
  await act(page, page.getByRole('button', { name: 'Enter the token' }));
  await expect(page.getByTestId('step-title')).toHaveText('Promote the DR secondary');
}

test('a plan naming a peer: shown at the roll call, asked at the promote, its answer stopping then allowing it', async ({
  page,
  harness,
}) => {
  test.setTimeout(150_000);
  const work = mkdtempSync(join(tmpdir(), 'vault-ceremony-e2e-peers-'));
  try {
    const { vault: v, keyFile } = await startLivePlan(page, harness, work, ['dc1']);
    const review = page.getByTestId('plan-review');
    await expect(review.getByTestId('plan-peers')).toHaveText(
      "'dc1': right before promoting, the laptop asks it whether it still reports DR primary, and stops if one does.",
    );
    await expect(review.getByTestId('plan-token-path')).toHaveText(
      'batch-dr-token: the administrator enters a batch DR operation token prepared on the primary; no shares.',
    );
    await snap(page, 'plan-review-peers');
    await axe(page, "the plan's review at the roll call");
    await toPromote(page, v);

    // Before the authorisation: who will be asked, and that nothing was asked yet.
    const check = page.getByTestId('peer-check');
    await expect(check.getByTestId('peer-answer')).toHaveText(
      'dc1: not asked yet; the laptop asks when the promotion is authorised, right before it promotes.',
    );
    await expect(page.getByTestId('script')).toContainText(
      "The laptop first asks 'dc1' whether it still reports DR primary",
    );

    // dc1 still reports primary: the laptop stops before promoting, and the answer says why.
    const stillPrimary = check.getByTestId('peer-answer').filter({ hasText: 'DR mode primary' });
    await authoriseStep(page, harness, 'Promote the DR secondary', 'dc2', keyFile, PASSPHRASES, stillPrimary);
    await expect(page.getByTestId('step-title')).toHaveText('Promote the DR secondary');
    await expect(check.getByTestId('peer-answer')).toHaveText(
      /^dc1: answered at \d\d:\d\d:\d\d UTC: DR mode primary\. Promoting beside it makes two primaries, so the laptop stops unless a witnessed 'two-primaries' deviation accepts it\.$/,
    );
    await expect(page.getByTestId('vault-report').filter({ hasText: 'on dc1' })).toContainText('DR mode');
    await snap(page, 'peer-check-still-primary');
    await docShot(page, 'peer-check-still-primary', check);
    await axe(page, 'the peer check on the promote step');
    const status = await vaultRequest(
      { caPem: v.caPem, certPem: v.clientCertPem, keyPem: v.clientKeyPem },
      v.drSecondary.apiAddr,
      'GET',
      'sys/replication/dr/status',
    );
    expect(status.json.data.mode).toBe('secondary');

    // The old primary is demoted; asked again, it no longer reports primary, and the promotion goes ahead.
    const demoted = await vaultRequest(
      { caPem: v.caPem, certPem: v.clientCertPem, keyPem: v.clientKeyPem },
      v.primary.apiAddr,
      'POST',
      'sys/replication/dr/primary/demote',
      { token: v.rootToken },
    );
    expect(demoted.status).toBeLessThan(300);
    // A refused irreversible call is authorised afresh.
    await authoriseStep(page, harness, 'Promote the DR secondary', 'dc2', keyFile, PASSPHRASES);
    await expect(page.getByTestId('step-title')).toHaveText('Check the promotion');
    await expect(check.getByTestId('peer-answer')).toHaveText(
      /^dc1: answered at \d\d:\d\d:\d\d UTC: DR mode secondary; not a primary\.$/,
    );
    await snap(page, 'peer-check-answered');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('a promotion plan naming no peer says plainly that no other cluster will be asked', async ({ page, harness }) => {
  test.setTimeout(120_000);
  const work = mkdtempSync(join(tmpdir(), 'vault-ceremony-e2e-peers-'));
  try {
    const { vault: v } = await startLivePlan(page, harness, work, undefined);
    await expect(page.getByTestId('plan-review').getByTestId('plan-peers')).toHaveText(NO_PEERS);
    await toPromote(page, v);
    await expect(page.getByTestId('peer-check')).toHaveText(`Other clusters asked before promoting${NO_PEERS}`);
    // Kept where the plan's record is, for any step.
    await page.getByTestId('record-details').locator('summary').click();
    await expect(page.getByTestId('record-details').getByTestId('plan-peers')).toHaveText(NO_PEERS);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
