/**
 * The real renderer in Chromium against the real main-process handlers: the Start screen,
 * connection profiles with a CA that does not match (the precise TLS message must reach the
 * screen unchanged), the replication dashboard, keyboard-only use, and the page's sandbox.
 */
import type { ConnectionProfile } from '../shared/profiles/connection-profile';
import { CONTENT_SECURITY_POLICY } from '../electron/app/security/csp';
import { json, startTestServer, type TestServer } from '../test/support/mtls-test-server';
import { expect, screenshotPath, test } from './fixtures';

/** A DR secondary as Vault Enterprise describes itself (docs/vault-protocol.md §3.1). */
function drSecondaryVault(pki: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  return startTestServer(pki, (request, response) => {
    const path = request.url.split('?')[0];
    if (path === '/v1/sys/health') {
      return json(response, 472, {
        initialized: true,
        sealed: false,
        standby: false,
        replication_dr_mode: 'secondary',
        replication_performance_mode: 'disabled',
        version: '1.17.3+ent',
        cluster_name: 'vault-dc2',
      });
    }
    if (path === '/v1/sys/seal-status') {
      return json(response, 200, {
        type: 'shamir',
        initialized: true,
        sealed: false,
        t: 3,
        n: 5,
        progress: 0,
        nonce: '',
        version: '1.17.3+ent',
        storage_type: 'raft',
      });
    }
    if (path === '/v1/sys/replication/status') {
      return json(response, 200, {
        request_id: 'e2e',
        data: {
          dr: {
            mode: 'secondary',
            state: 'stream-wals',
            connection_state: 'ready',
            cluster_id: '5f0ba4d8-b3c1-2f70-3b5d-0e1c9d7b8a41',
            secondary_id: 'dc2',
            primary_cluster_addr: 'https://vault-dc1.example.com:8201',
            known_primary_cluster_addrs: ['https://vault-dc1.example.com:8201'],
            last_remote_wal: 4812,
            merkle_root: '9a3c1b0d5e7f',
            primaries: [
              {
                api_address: 'https://vault-dc1.example.com:8200',
                cluster_address: 'https://vault-dc1.example.com:8201',
                connection_status: 'connected',
                last_heartbeat: '2026-03-01T12:00:00Z',
                clock_skew_ms: 12,
                replication_primary_canary_age_ms: 850,
              },
            ],
          },
          performance: { mode: 'disabled' },
        },
      });
    }
    return json(response, 404, { errors: [] });
  });
}

test('Start → Connection profiles: a profile whose CA does not match shows the precise TLS error', async ({
  page,
  harness,
  pem,
  pki,
}) => {
  const vault = await drSecondaryVault(pki);
  try {
    const response = await page.goto(`${harness.origin}/`);
    expect(response?.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);

    await expect(page.getByRole('heading', { level: 1, name: 'Start' })).toBeVisible();
    await expect(page.getByTestId('mode')).toContainText('REHEARSAL');
    await expect(page.getByRole('radio', { name: /Rehearsal/ })).toBeChecked();
    await expect(page.getByText('There is no connection profile yet, so rehearsal is selected.')).toBeVisible();
    await page.screenshot({ path: screenshotPath('start'), fullPage: true });

    await page.getByRole('button', { name: 'Add a connection profile' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Connection profiles' })).toBeFocused();
    await expect(
      page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Connection profiles' }),
    ).toHaveAttribute('aria-current', 'page');

    const profile: ConnectionProfile = {
      name: 'dc2-wrong-ca',
      address: vault.address,
      caCertPath: pem.otherCa,
      clientCertPath: pem.clientCert,
      clientKeyPath: pem.clientKey,
    };
    await page.getByLabel('Name', { exact: true }).fill(profile.name);
    await page.getByLabel('Vault address', { exact: true }).fill(profile.address);
    // The CA comes through the main process's file dialog, as in the app.
    harness.nextFile.set('ca-bundle', pem.otherCa);
    await page.getByRole('button', { name: 'Choose CA certificate file' }).click();
    await expect(page.getByLabel('CA certificate', { exact: true })).toHaveValue(pem.otherCa);
    await page.getByLabel('Client certificate', { exact: true }).fill(pem.clientCert);
    await page.getByLabel('Client key', { exact: true }).fill(pem.clientKey);

    await page.getByRole('button', { name: 'Test connection' }).click();
    const shown = page.getByTestId('test-result');
    await expect(shown).toHaveAttribute('role', 'alert');
    // What the main process says for this profile, verbatim: computed here, not written down.
    const direct = await harness.registry.invoke(
      'profiles.test',
      { profile },
      { url: `${harness.origin}/`, isMainFrame: true },
    );
    expect(direct).toMatchObject({ ok: false, error: { kind: 'server-certificate-untrusted' } });
    const message = direct.ok ? '' : direct.error.message;
    expect(message).toContain("'dc2-wrong-ca'");
    await expect(shown).toHaveText(`Problem: ${message}`);
    expect(vault.requests).toEqual([]);
    await shown.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('profiles-tls-error'), fullPage: true });

    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect(page.getByTestId('form-result')).toHaveText("Done: Profile 'dc2-wrong-ca' is saved.");
    await expect(page.getByRole('row', { name: /dc2-wrong-ca/ })).toContainText(vault.address);
    await page.screenshot({ path: screenshotPath('profiles'), fullPage: true });

    // Back on Start, the saved profile is offered and nothing is preselected: going live is deliberate.
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Start' }).click();
    await expect(page.getByRole('radio', { name: /Live: dc2-wrong-ca/ })).not.toBeChecked();
    await expect(page.getByRole('radio', { name: /Rehearsal/ })).not.toBeChecked();
  } finally {
    await vault.close();
  }
});

test('a profile imported from VAULT_* variables, tested, chosen on Start, then its replication dashboard', async ({
  page,
  harness,
  pem,
  pki,
}) => {
  const vault = await drSecondaryVault(pki);
  try {
    Object.assign(harness.env, {
      VAULT_ADDR: vault.address,
      VAULT_CACERT: pem.ca,
      VAULT_CLIENT_CERT: pem.clientCert,
      VAULT_CLIENT_KEY: pem.clientKey,
      VAULT_TOKEN: 'hvs.not-for-profiles',
    });
    await page.goto(`${harness.origin}/`);
    await page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('button', { name: 'Connection profiles' })
      .click();
    await page.getByLabel('Name', { exact: true }).fill('dc2');
    await page.getByRole('button', { name: 'Import from VAULT_* variables' }).click();
    await expect(page.getByLabel('Vault address', { exact: true })).toHaveValue(vault.address);
    await expect(page.getByLabel('CA certificate', { exact: true })).toHaveValue(pem.ca);
    await expect(page.locator('body')).not.toContainText('hvs.');

    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByTestId('test-result')).toHaveText(
      `Done: Connected to ${vault.address} over mutual TLS: Vault 1.17.3+ent (cluster vault-dc2), the active node of a DR secondary, unsealed.`,
    );
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect(page.getByRole('row', { name: /dc2/ })).toBeVisible();

    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Start' }).click();
    await page.getByRole('radio', { name: /Live: dc2/ }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Replication dashboard' })).toBeFocused();
    await expect(page.getByTestId('mode')).toContainText('LIVE');
    await expect(page.getByTestId('mode')).toContainText('profile dc2');

    await expect(page.getByTestId('verdict')).toContainText('Health: Good');
    await expect(page.getByTestId('verdict')).toContainText(
      'This cluster is a DR secondary connected to its primary (state stream-wals).',
    );
    const dr = page.getByTestId('dr');
    const rows: ReadonlyArray<readonly [string, string]> = [
      ['Mode', 'secondary'],
      ['State', 'stream-wals'],
      ['Connection state', 'ready'],
      ['Last remote WAL', '4812'],
      ['Replication lag (age of newest primary canary)', '850 ms'],
      ['Known primary cluster addresses', 'https://vault-dc1.example.com:8201'],
    ];
    for (const [label, value] of rows) {
      await expect(
        dr
          .locator('div', { has: page.locator('dt', { hasText: new RegExp(`^${label.replace(/[()]/g, '\\$&')}$`) }) })
          .locator('dd'),
      ).toHaveText(value);
    }
    await expect(page.getByTestId('performance')).toContainText('disabled');
    await expect(page.getByTestId('node')).toContainText('HTTP 472: DR secondary, active');
    await expect(page.getByTestId('age')).toContainText(/Updated (just now|\d+ s ago); refreshes every 10 s/);
    await page.screenshot({ path: screenshotPath('dashboard'), fullPage: true });

    // The timer refreshes without being asked.
    const before = vault.requests.length;
    await expect.poll(() => vault.requests.length, { timeout: 25_000 }).toBeGreaterThan(before);
  } finally {
    await vault.close();
  }
});

test('rehearsal by default: Start → Continue → the dashboard of the in-process rehearsal Vault', async ({
  page,
  harness,
}) => {
  await page.goto(`${harness.origin}/`);
  await expect(page.getByRole('radio', { name: /Rehearsal/ })).toBeChecked();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Replication dashboard' })).toBeFocused();
  await expect(page.getByTestId('mode')).toContainText('REHEARSAL');

  const cluster = page.getByLabel('Cluster', { exact: true });
  await expect(cluster.locator('option:checked')).toHaveText(/^Rehearsal DR secondary — https:\/\/127\.0\.0\.1:\d+$/);
  await expect(page.getByTestId('verdict')).toContainText('This node is the active node of a DR secondary cluster');
  await expect(page.getByTestId('dr').locator('dd').first()).toHaveText('secondary');
  await expect(page.getByTestId('node')).toContainText('HTTP 472: DR secondary, active');
  await expect(page.getByTestId('age')).toContainText(/Updated (just now|\d+ s ago)/);
  await page.screenshot({ path: screenshotPath('dashboard-rehearsal'), fullPage: true });

  await cluster.selectOption({
    label: (await cluster.locator('option', { hasText: 'Rehearsal primary' }).textContent())!,
  });
  await expect(page.getByTestId('dr').locator('dd').first()).toHaveText('primary');
  await expect(page.getByTestId('verdict')).toContainText('This cluster is a DR primary with 1 known secondary.');
  await expect(page.getByTestId('node')).toContainText('HTTP 200: active, unsealed');
});

test('keyboard only: skip link, display options, navigation and focus', async ({ page, harness }) => {
  await page.goto(`${harness.origin}/`);
  await expect(page.getByRole('radio', { name: /Rehearsal/ })).toBeChecked();

  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('checkbox', { name: 'High contrast' })).toBeFocused();
  await page.keyboard.press('Space');
  await expect(page.locator('html')).toHaveAttribute('data-contrast', 'high');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('checkbox', { name: 'Large text' })).toBeFocused();
  await page.keyboard.press('Space');
  await expect(page.locator('html')).toHaveAttribute('data-text', 'large');

  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Start' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Connection profiles' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Connection profiles' })).toBeFocused();

  // From the heading, the form is reachable in reading order.
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Name', { exact: true })).toBeFocused();
  await page.keyboard.type('dc2');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Vault address', { exact: true })).toBeFocused();
  await page.keyboard.type('http://vault.example.com:8200');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel(/^HA nodes/)).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('checkbox', { name: /The Vault address is a load balancer/ })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('CA certificate', { exact: true })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Choose CA certificate file' })).toBeFocused();

  // Submitting with Enter validates with the same schema as the main process and names the field.
  await page.getByLabel('Vault address', { exact: true }).press('Enter');
  await expect(page.getByLabel('Vault address', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(
    page.getByText('address must start with https:// (plain http would expose shares and tokens)'),
  ).toBeVisible();
  await page.screenshot({ path: screenshotPath('profiles-high-contrast-large-text'), fullPage: true });
});

test('the page is sandboxed: no network, no string-to-DOM sinks, no inline script', async ({ page, harness }) => {
  await page.goto(`${harness.origin}/`);
  await expect(page.getByRole('heading', { level: 1, name: 'Start' })).toBeVisible();

  const outcomes = await page.evaluate(async () => {
    const fetched = await fetch('https://vault.example.com:8200/v1/sys/health').then(
      () => 'reached',
      () => 'refused',
    );
    let innerHtml = 'allowed';
    try {
      document.createElement('div').innerHTML = '<img src=x onerror=alert(1)>';
    } catch {
      innerHtml = 'refused';
    }
    // An inline script: refused by the CSP (and by Trusted Types) before it can run.
    const script = document.createElement('script');
    script.appendChild(document.createTextNode('window.name = "inline script ran"'));
    try {
      document.body.appendChild(script);
    } catch {
      // Trusted Types may refuse the insertion itself; either way it must not run.
    }
    const inline = window.name === 'inline script ran' ? 'ran' : 'refused';
    return { fetched, innerHtml, inline };
  });
  expect(outcomes).toEqual({ fetched: 'refused', innerHtml: 'refused', inline: 'refused' });
  // Each refusal was a CSP enforcement the browser reported; nothing reached the network.
  expect(harness.pageErrors.length).toBeGreaterThan(0);
  expect(
    harness.pageErrors.every((e) => /Content Security Policy|TrustedHTML|TrustedScript|Trusted Type/i.test(e)),
    harness.pageErrors.join('\n'),
  ).toBe(true);
  expect(harness.blocked).toEqual([]);
  harness.pageErrors.length = 0;

  // The bridge answers only contract channels, with data.
  const unknown = await page.evaluate(() => window.vaultCeremony!.invoke('fs.readFile' as never, {} as never));
  expect(unknown).toMatchObject({ ok: false, error: { kind: 'unknown-channel' } });
});
