// @tier integration
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { RehearsalVault } from '../../rehearsal-vault/rehearsal-cluster-set';
import { runRehearsalVault, vaultCliSteps, writeBundle } from './rehearsal-vault';

const base = mkdtempSync(join(tmpdir(), 'vc-rv-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function run(
  argv: string[],
  stopped: Promise<void> = Promise.resolve(),
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: (t: string) => void (stdout += t),
    stderr: (t: string) => void (stderr += t),
    stdin: new PassThrough(),
  };
  const code = await runRehearsalVault(argv, io, stopped);
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
    expect((await run(['--dir', base, '--otp-length', '24'])).stderr).toMatch(/--otp-length must be 28, 26 or 0/);
    const legacyV2 = await run(['--dir', join(base, 'legacy-v2'), '--otp-length', '0', '--vault-version', '2']);
    expect(legacyV2.code).toBe(2);
    expect(legacyV2.stderr).toMatch(/legacy server \(otp_length 0\) is a Vault before 0\.11/);
    expect(existsSync(join(base, 'legacy-v2'))).toBe(false);
  });

  it('runs a legacy server with --otp-length 0 and says so in its banner', async () => {
    const r = await run(['--dir', join(base, 'legacy'), '--officers', '2', '--threshold', '2', '--otp-length', '0']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Vault version  0.10.4+prem');
    expect(r.stdout).toContain('otp_length     none (before 0.11: 24-character base64 OTPs, UUID tokens)');
    expect(r.stdout).toContain('vault operator generate-root -dr-token -init -otp=OTP');
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

  it('takes 1, 3 or 5 nodes, a known balancer mode and a known topology, and nothing else', async () => {
    expect((await run(['--dir', base, '--nodes', '2'])).stderr).toMatch(/--nodes must be 1, 3 or 5/);
    expect((await run(['--dir', base, '--nodes', '7'])).code).toBe(2);
    expect((await run(['--dir', base, '--balancer', 'sticky'])).stderr).toMatch(
      /--balancer must be round-robin, active-only, misconfigured-8201, not 'sticky'/,
    );
    const topology = await run(['--dir', base, '--topology', 'star']);
    expect(topology.code).toBe(2);
    expect(topology.stderr).toMatch(/--topology must be dr, dr2, perf-dr, not 'star'/);
  });

  it('prints its usage on --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: vault-ceremony rehearsal-vault --dir DIR/);
    for (const option of [
      '--otp-length 28|26|0',
      '--passphrase-file F',
      '--nodes 1|3|5',
      '--balancer round-robin',
      'misconfigured-8201',
      '--topology dr|dr2|perf-dr',
    ])
      expect(r.stdout).toContain(option);
  });
});

describe('cluster.json', () => {
  it('keeps api_addr and cluster_addr for each cluster and lists every node and the balancer', async () => {
    const node = (host: string) => ({
      id: `n-${host}`,
      apiAddr: `https://${host}:1`,
      clusterAddr: `https://${host}:8201`,
    });
    const primary = {
      apiAddr: 'https://127.0.1.1:1',
      clusterAddr: 'https://127.0.1.1:8201',
      nodes: [node('127.0.1.1')],
      balancerAddr: undefined,
    };
    const drSecondary = {
      apiAddr: 'https://127.0.0.1:9',
      clusterAddr: 'https://127.0.2.1:8201',
      nodes: [node('127.0.2.1'), node('127.0.2.2'), node('127.0.2.3')],
      balancerAddr: 'https://127.0.0.1:9',
    };
    const dc3 = { ...primary, apiAddr: 'https://127.0.3.1:1', nodes: [node('127.0.3.1')] };
    const vault = {
      primary,
      drSecondary,
      clusters: [
        { name: 'primary', replication: 'primary', primary: undefined, endpoint: primary, rootToken: undefined },
        { name: 'dr-secondary', replication: 'dr-secondary', primary: 'primary', endpoint: drSecondary },
        { name: 'dc3-dr-secondary', replication: 'dr-secondary', primary: 'primary', endpoint: dc3 },
      ],
      caPem: 'ca',
      clientCertPem: 'cert',
      clientKeyPem: 'key',
      rootToken: 'hvs.root',
      threshold: 2,
      shares: 3,
      officers: [],
    } as unknown as RehearsalVault;
    const dir = join(base, 'bundle');
    mkdirSync(dir);
    await writeBundle(dir, vault);
    const c = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8'));
    expect(c.primary).toEqual({
      api_addr: 'https://127.0.1.1:1',
      cluster_addr: 'https://127.0.1.1:8201',
      nodes: [{ id: 'n-127.0.1.1', api_addr: 'https://127.0.1.1:1', cluster_addr: 'https://127.0.1.1:8201' }],
      balancer: null,
    });
    expect(c.dr_secondary.api_addr).toBe('https://127.0.0.1:9');
    expect(c.dr_secondary.cluster_addr).toBe('https://127.0.2.1:8201');
    expect(c.dr_secondary.balancer).toBe('https://127.0.0.1:9');
    expect(c.dr_secondary.nodes.map((n: { api_addr: string }) => n.api_addr)).toEqual([
      'https://127.0.2.1:1',
      'https://127.0.2.2:1',
      'https://127.0.2.3:1',
    ]);
    // Every cluster of the topology, with its role and where it replicates from.
    expect(
      c.clusters.map((e: { name: string; role: string; primary: string | null }) => [e.name, e.role, e.primary]),
    ).toEqual([
      ['primary', 'primary', null],
      ['dr-secondary', 'dr-secondary', 'primary'],
      ['dc3-dr-secondary', 'dr-secondary', 'primary'],
    ]);
    expect(c.clusters[2]).toMatchObject({
      api_addr: 'https://127.0.3.1:1',
      balancer: null,
      nodes: [{ id: 'n-127.0.3.1' }],
    });
    expect(c.clusters[1]).toMatchObject({ api_addr: 'https://127.0.0.1:9', balancer: 'https://127.0.0.1:9' });
  });
});

describe("the banner's vault CLI steps", () => {
  const path = (f: string) => `/r/${f}`;

  it('never pairs -generate-otp with -init: the real CLI checks -generate-otp first and starts nothing', () => {
    expect(
      vaultCliSteps(1, 'https://a', path, 0).filter((l) => /-generate-otp.*-init|-init.*-generate-otp/.test(l)),
    ).toEqual([]);
    for (const version of [1, 2] as const) {
      const steps = vaultCliSteps(version, 'https://127.0.0.1:8202', path).join('\n');
      expect(steps).not.toContain('-generate-otp');
      expect(steps).toContain('vault operator generate-root -dr-token -init ');
      expect(steps).toContain('vault operator generate-root -dr-token -decode=ENCODED_TOKEN -otp=OTP');
      expect(steps).toContain('export VAULT_ADDR=https://127.0.0.1:8202 VAULT_CACERT=/r/ca.pem');
    }
  });

  it('has a legacy server’s OTP made by -generate-otp and given to -init, which makes none itself', () => {
    const steps = vaultCliSteps(1, 'https://a', path, 0);
    const generate = steps.findIndex((l) => l.includes('vault operator generate-root -dr-token -generate-otp'));
    const init = steps.findIndex((l) => l.includes('vault operator generate-root -dr-token -init -otp=OTP'));
    expect(generate).toBeGreaterThan(-1);
    expect(init).toBeGreaterThan(generate);
  });

  it('exports VAULT_TOKEN for Vault 2.x only, read from cluster.json rather than printed', () => {
    const one = vaultCliSteps(1, 'https://a', path).join('\n');
    const two = vaultCliSteps(2, 'https://a', path).join('\n');
    expect(one).not.toContain('VAULT_TOKEN');
    expect(two).toContain(`export VAULT_TOKEN="$(node -p "require('/r/cluster.json').root_token")"`);
    expect(two.indexOf('VAULT_TOKEN')).toBeLessThan(two.indexOf('vault operator generate-root'));
  });
});

describe('rehearsal-vault and its folder', () => {
  it('refuses a file given as --dir with a one-line reason, no stack trace', async () => {
    const file = join(base, 'a-file');
    writeFileSync(file, 'x');
    const r = await run(['--dir', file, '--officers', '2', '--threshold', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^vault-ceremony rehearsal-vault: cannot use --dir .*a-file: a file is where a folder should be\n/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('writes through no symbolic link planted in the folder, and keeps secrets 0600', async () => {
    const dir = join(base, 'planted');
    mkdirSync(dir);
    const elsewhere = join(base, 'elsewhere');
    writeFileSync(elsewhere, 'untouched');
    symlinkSync(elsewhere, join(dir, 'client-key.pem'));
    symlinkSync(base, join(dir, 'officers'));
    const r = await run(['--dir', dir, '--officers', '2', '--threshold', '2']);
    expect(readFileSync(elsewhere, 'utf8')).toBe('untouched');
    // The planted folder link is refused, not written through.
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/officers: it is a symbolic link/);
    rmSync(join(dir, 'officers'));
    const again = await run(['--dir', dir, '--officers', '2', '--threshold', '2']);
    expect(again.code).toBe(0);
    expect(readFileSync(elsewhere, 'utf8')).toBe('untouched');
    expect(lstatSync(join(dir, 'client-key.pem')).isSymbolicLink()).toBe(false);
    expect(statSync(join(dir, 'client-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'officers')).mode & 0o777).toBe(0o700);
  });

  it('refuses a second rehearsal Vault on a folder in use, naming its PID, and leaves the first intact', async () => {
    const dir = join(base, 'shared');
    let stop!: () => void;
    const first = run(['--dir', dir, '--officers', '2', '--threshold', '2'], new Promise((r) => (stop = r)));
    for (let i = 0; i < 300 && !existsSync(join(dir, 'cluster.json')); i++)
      await new Promise((r) => setTimeout(r, 100));
    const before = readFileSync(join(dir, 'cluster.json'), 'utf8');
    const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
    const second = await run(['--dir', dir, '--officers', '2', '--threshold', '2']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(`^vault-ceremony rehearsal-vault: the rehearsal Vault folder .* is in use by process ${process.pid}`),
    );
    expect(readFileSync(join(dir, 'cluster.json'), 'utf8')).toBe(before);
    expect(readFileSync(join(dir, 'ca.pem'), 'utf8')).toBe(ca);
    stop();
    expect((await first).code).toBe(0);
    expect(existsSync(join(dir, 'cluster.json'))).toBe(false);
  }, 60_000);
});
