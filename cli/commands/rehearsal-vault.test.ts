import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { RehearsalVault } from '../../rehearsal-vault/rehearsal-cluster-set';
import { runRehearsalVault, vaultCliSteps, writeBundle } from './rehearsal-vault';

const base = mkdtempSync(join(tmpdir(), 'vc-rv-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: (t: string) => void (stdout += t),
    stderr: (t: string) => void (stderr += t),
    stdin: new PassThrough(),
  };
  const code = await runRehearsalVault(argv, io, Promise.resolve());
  return { code, stdout, stderr };
}

describe('rehearsal-vault arguments', () => {
  it('needs --dir', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--dir is required/);
  });

  it('rejects unknown flags and malformed numbers with exit 2', async () => {
    expect((await run(['--dir', base, '--shares', '3'])).code).toBe(2);
    const r = await run(['--dir', base, '--officers', 'three']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--officers must be a whole number/);
    expect((await run(['--dir', base, '--vault-version', '3'])).stderr).toMatch(/--vault-version must be 1 or 2/);
  });

  it('rejects a threshold Vault would refuse, changing nothing', async () => {
    const dir = join(base, 'bad-threshold');
    const r = await run(['--dir', dir, '--officers', '3', '--threshold', '4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/threshold must be between 1 and the number of officers \(3\)/);
    expect((await run(['--dir', dir, '--officers', '3', '--threshold', '1'])).stderr).toMatch(/at least 2/);
    expect(existsSync(dir)).toBe(false);
  });

  it('rejects an officer key file that is not a key, naming the officer', async () => {
    const file = join(base, 'mallory.asc');
    writeFileSync(file, 'not a key');
    const r = await run(['--dir', join(base, 'k'), '--officer-keys', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/officer 'mallory'/);
  });

  it('refuses --passphrase-file with --officer-keys, and an empty passphrase file', async () => {
    const pass = join(base, 'pass');
    writeFileSync(pass, '\n');
    expect((await run(['--dir', base, '--officer-keys', 'a.asc', '--passphrase-file', pass])).stderr).toMatch(
      /no keys are generated/,
    );
    expect((await run(['--dir', base, '--passphrase-file', pass])).stderr).toMatch(/is empty/);
  });

  it('takes 1, 3 or 5 nodes and a known balancer mode, and nothing else', async () => {
    expect((await run(['--dir', base, '--nodes', '2'])).stderr).toMatch(/--nodes must be 1, 3 or 5/);
    expect((await run(['--dir', base, '--nodes', '7'])).code).toBe(2);
    expect((await run(['--dir', base, '--balancer', 'sticky'])).stderr).toMatch(
      /--balancer must be round-robin or active-only/,
    );
  });

  it('prints its usage on --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: vault-ceremony rehearsal-vault --dir DIR/);
  });
});

describe('cluster.json', () => {
  it('keeps api_addr for each cluster and lists every node and the balancer', () => {
    const node = (host: string) => ({
      id: `n-${host}`,
      apiAddr: `https://${host}:1`,
      clusterAddr: `https://${host}:8201`,
    });
    const vault = {
      primary: { apiAddr: 'https://127.0.1.1:1', nodes: [node('127.0.1.1')], balancerAddr: undefined },
      drSecondary: {
        apiAddr: 'https://127.0.0.1:9',
        nodes: [node('127.0.2.1'), node('127.0.2.2'), node('127.0.2.3')],
        balancerAddr: 'https://127.0.0.1:9',
      },
      caPem: 'ca',
      clientCertPem: 'cert',
      clientKeyPem: 'key',
      rootToken: 'hvs.root',
      threshold: 2,
      shares: 3,
      officers: [],
    } as unknown as RehearsalVault;
    const dir = join(base, 'bundle');
    writeBundle(dir, vault);
    const c = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8'));
    expect(c.primary).toEqual({
      api_addr: 'https://127.0.1.1:1',
      nodes: [{ id: 'n-127.0.1.1', api_addr: 'https://127.0.1.1:1', cluster_addr: 'https://127.0.1.1:8201' }],
      balancer: null,
    });
    expect(c.dr_secondary.api_addr).toBe('https://127.0.0.1:9');
    expect(c.dr_secondary.balancer).toBe('https://127.0.0.1:9');
    expect(c.dr_secondary.nodes.map((n: { api_addr: string }) => n.api_addr)).toEqual([
      'https://127.0.2.1:1',
      'https://127.0.2.2:1',
      'https://127.0.2.3:1',
    ]);
  });
});

describe("the banner's vault CLI steps", () => {
  const path = (f: string) => `/r/${f}`;

  it('never pairs -generate-otp with -init: the real CLI checks -generate-otp first and starts nothing', () => {
    for (const version of [1, 2] as const) {
      const steps = vaultCliSteps(version, 'https://127.0.0.1:8202', path).join('\n');
      expect(steps).not.toContain('-generate-otp');
      expect(steps).toContain('vault operator generate-root -dr-token -init ');
      expect(steps).toContain('vault operator generate-root -dr-token -decode=ENCODED_TOKEN -otp=OTP');
      expect(steps).toContain('export VAULT_ADDR=https://127.0.0.1:8202 VAULT_CACERT=/r/ca.pem');
    }
  });

  it('exports VAULT_TOKEN for Vault 2.x only, read from cluster.json rather than printed', () => {
    const one = vaultCliSteps(1, 'https://a', path).join('\n');
    const two = vaultCliSteps(2, 'https://a', path).join('\n');
    expect(one).not.toContain('VAULT_TOKEN');
    expect(two).toContain(`export VAULT_TOKEN="$(node -p "require('/r/cluster.json').root_token")"`);
    expect(two.indexOf('VAULT_TOKEN')).toBeLessThan(two.indexOf('vault operator generate-root'));
  });
});
