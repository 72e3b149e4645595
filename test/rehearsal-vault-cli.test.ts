// @tier integration
/**
 * End to end, with third-party tools only: the real `vault-ceremony rehearsal-vault` process,
 * `curl` with the client certificate it wrote, and GnuPG decrypting each officer's share exactly
 * as an officer would (`base64 -d | gpg -dq`). Covers Vault 1.x with generated officer keys and
 * Vault 2.x with officer keys made by GnuPG itself.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOtp } from '../shared/codecs/otp';
import { decodeToken } from '../shared/codecs/token-decode';
import { createTempGnupg, type TempGnupg } from './support/temp-gnupg';
import { builtCli } from './support/built-programs';

const ROOT = join(import.meta.dirname, '..');
const DR_ATTEMPT = 'sys/replication/dr/secondary/generate-operation-token/attempt';
const DR_UPDATE = 'sys/replication/dr/secondary/generate-operation-token/update';

interface ClusterJson {
  primary: { api_addr: string };
  dr_secondary: { api_addr: string };
  ca_cert: string;
  client_cert: string;
  client_key: string;
  root_token: string;
  threshold: number;
  shares: number;
  officers: Array<{
    name: string;
    fingerprint: string;
    public_key: string;
    private_key: string | null;
    encrypted_share: string;
  }>;
}

interface Running {
  readonly dir: string;
  readonly proc: ChildProcess;
  readonly cluster: ClusterJson;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

async function startCli(dir: string, args: string[]): Promise<Running> {
  const proc = spawn(process.execPath, [builtCli(), 'rehearsal-vault', '--dir', dir, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (c: Buffer) => (output += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  const file = join(dir, 'cluster.json');
  for (let waited = 0; !existsSync(file); waited += 100) {
    if (done || waited > 90_000) throw new Error(`rehearsal-vault did not write cluster.json:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { dir, proc, cluster: JSON.parse(readFileSync(file, 'utf8')) as ClusterJson, output: () => output, exited };
}

interface CurlResult {
  readonly exitCode: number;
  readonly status: number;
  readonly json: any;
}

/** curl as an operator would run it; the body goes on stdin, never on the command line. */
function curl(
  r: Running,
  addr: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; clientCert?: boolean } = {},
): CurlResult {
  const p = (f: string) => join(r.dir, f);
  const args = ['-sS', '--cacert', p(r.cluster.ca_cert), '-X', method, '-w', '\n%{http_code}'];
  if (options.clientCert !== false) args.push('--cert', p(r.cluster.client_cert), '--key', p(r.cluster.client_key));
  if (options.token) args.push('-H', `X-Vault-Token: ${options.token}`);
  if (options.body !== undefined) args.push('-H', 'Content-Type: application/json', '--data-binary', '@-');
  args.push(`${addr}/v1/${path}`);
  const out = spawnSync('curl', args, {
    input: options.body === undefined ? '' : JSON.stringify(options.body),
    encoding: 'utf8',
  });
  const lines = out.stdout.trimEnd().split('\n');
  const status = Number(lines.pop());
  const text = lines.join('\n');
  return { exitCode: out.status ?? -1, status, json: text ? JSON.parse(text) : undefined };
}

function officerShare(r: Running, gpg: TempGnupg, name: string): string {
  const officer = r.cluster.officers.find((o) => o.name === name)!;
  return gpg.decryptBase64(readFileSync(join(r.dir, officer.encrypted_share), 'utf8')).trim();
}

function newOtp(): string {
  const otp = generateOtp(28, (n) => randomBytes(n));
  if (!otp.ok) throw new Error(otp.error.message);
  return otp.value;
}

async function stop(r: Running): Promise<number | null> {
  r.proc.kill('SIGTERM');
  return r.exited;
}

describe('rehearsal-vault (Vault 1.x, generated officer keys) driven by curl and gpg', () => {
  let r: Running;
  let gpg: TempGnupg;
  const base = mkdtempSync(join(tmpdir(), 'vc-cli-'));

  beforeAll(async () => {
    r = await startCli(join(base, 'rv'), ['--officers', '3', '--threshold', '2']);
    gpg = createTempGnupg();
    for (const o of r.cluster.officers) gpg.importKey(readFileSync(join(r.dir, o.private_key!), 'utf8'));
  });
  afterAll(async () => {
    if (r.proc.exitCode === null) await stop(r);
    gpg.dispose();
    rmSync(base, { recursive: true, force: true });
  });

  it('writes cluster.json in the brief’s shape, secrets readable only by the owner', () => {
    const c = r.cluster;
    expect(Object.keys(c)).toEqual([
      'primary',
      'dr_secondary',
      'ca_cert',
      'client_cert',
      'client_key',
      'root_token',
      'threshold',
      'shares',
      'officers',
    ]);
    expect(c.primary.api_addr).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(c.dr_secondary.api_addr).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(c).toMatchObject({
      ca_cert: 'ca.pem',
      client_cert: 'client.pem',
      client_key: 'client-key.pem',
      threshold: 2,
      shares: 3,
    });
    expect(c.root_token).toMatch(/^hvs\.[A-Za-z0-9]{24}$/);
    expect(c.officers.map((o) => o.name)).toEqual(['officer-1', 'officer-2', 'officer-3']);
    for (const o of c.officers) {
      expect(o).toEqual({
        name: o.name,
        fingerprint: expect.stringMatching(/^[0-9a-f]{40}$/),
        public_key: `officers/${o.name}.pub.asc`,
        private_key: `officers/${o.name}.key.asc`,
        encrypted_share: `shares/${o.name}.b64`,
      });
    }
    for (const f of ['cluster.json', 'client-key.pem', 'officers/officer-1.key.asc', 'shares/officer-1.b64']) {
      expect(statSync(join(r.dir, f)).mode & 0o077).toBe(0);
    }
  });

  it('prints where things are, but no share, key or token', () => {
    const out = r.output();
    expect(out).toContain(r.cluster.dr_secondary.api_addr);
    expect(out).toContain('REHEARSAL');
    expect(out).not.toContain(r.cluster.root_token);
    expect(out).not.toMatch(/BEGIN PGP|BEGIN PRIVATE KEY/);
    for (const o of r.cluster.officers)
      expect(out).not.toContain(readFileSync(join(r.dir, o.encrypted_share), 'utf8').trim().slice(0, 40));
  });

  it('refuses a client without the client certificate', () => {
    const res = curl(r, r.cluster.dr_secondary.api_addr, 'GET', 'sys/health', { clientCert: false });
    expect(res.exitCode).not.toBe(0);
    expect(res.status).toBe(0);
  });

  it('serves the DR secondary: status, disabled paths, refused promote', () => {
    const addr = r.cluster.dr_secondary.api_addr;
    const status = curl(r, addr, 'GET', 'sys/replication/dr/status');
    expect(status.status).toBe(200);
    expect(status.json.data).toMatchObject({ mode: 'secondary', state: 'stream-wals', connection_state: 'ready' });
    const mounts = curl(r, addr, 'GET', 'sys/mounts', { token: r.cluster.root_token });
    expect(mounts.status).toBe(400);
    expect(mounts.json).toEqual({ errors: ['path disabled in replication DR secondary mode'] });
    const promote = curl(r, addr, 'POST', 'sys/replication/dr/secondary/promote', {
      body: { dr_operation_token: 'hvs.ThisIsNotTheTokenxxxxxxxx' },
    });
    expect(promote.status).toBe(403);
    expect(promote.json).toEqual({ errors: ['permission denied'] });
  });

  it('generates a DR operation token from gpg-decrypted shares and promotes the secondary', () => {
    const addr = r.cluster.dr_secondary.api_addr;
    const otp = newOtp();
    const begun = curl(r, addr, 'PUT', DR_ATTEMPT, { body: { otp } });
    expect(begun.status).toBe(200);
    expect(begun.json).toMatchObject({ started: true, progress: 0, required: 2, otp_length: 28, otp: '' });
    const nonce: string = begun.json.nonce;

    const first = officerShare(r, gpg, 'officer-1');
    expect(first).toMatch(/^[0-9a-f]{66}$/);
    const wrongNonce = curl(r, addr, 'PUT', DR_UPDATE, { body: { key: first, nonce: 'not-the-nonce' } });
    expect(wrongNonce.status).toBe(400);
    expect(wrongNonce.json.errors).toEqual([
      `incorrect nonce supplied; nonce for this root generation operation is "${nonce}"`,
    ]);

    expect(curl(r, addr, 'PUT', DR_UPDATE, { body: { key: first, nonce } }).json).toMatchObject({
      progress: 1,
      complete: false,
      nonce,
    });
    const duplicate = curl(r, addr, 'PUT', DR_UPDATE, { body: { key: first, nonce } });
    expect(duplicate.status).toBe(400);
    expect(duplicate.json).toEqual({
      errors: ['given key has already been provided during this generation operation'],
    });

    const done = curl(r, addr, 'PUT', DR_UPDATE, { body: { key: officerShare(r, gpg, 'officer-3'), nonce } });
    expect(done.json).toMatchObject({
      progress: 2,
      required: 2,
      complete: true,
      otp_length: 0,
      encoded_root_token: '',
    });
    const decoded = decodeToken(done.json.encoded_token, otp, 28);
    if (!decoded.ok) throw new Error(decoded.error.message);
    expect(decoded.value.token).toMatch(/^hvs\.[A-Za-z0-9]{24}$/);
    expect(curl(r, addr, 'GET', DR_ATTEMPT).json).toMatchObject({ started: false, nonce: '' });

    const promoted = curl(r, addr, 'POST', 'sys/replication/dr/secondary/promote', {
      body: { dr_operation_token: decoded.value.token },
    });
    expect(promoted.status).toBe(200);
    expect(promoted.json.warnings[0]).toMatch(/^This cluster is being promoted to a replication primary\./);
    expect(curl(r, addr, 'GET', 'sys/replication/dr/status').json.data).toMatchObject({
      mode: 'primary',
      state: 'running',
    });
    expect(curl(r, addr, 'GET', 'sys/health').status).toBe(200);
    const deleted = curl(r, addr, 'POST', 'sys/replication/dr/secondary/operation-token/delete', {
      body: { dr_operation_token: decoded.value.token },
    });
    expect(deleted.status).toBe(204);
  });

  it('stops cleanly on SIGTERM and removes cluster.json', async () => {
    expect(await stop(r)).toBe(0);
    expect(existsSync(join(r.dir, 'cluster.json'))).toBe(false);
    expect(r.output()).toContain('Stopping the rehearsal Vault.');
  });
});

describe('rehearsal-vault --vault-version 2 with officer keys made by GnuPG', () => {
  let r: Running;
  let gpg: TempGnupg;
  const base = mkdtempSync(join(tmpdir(), 'vc-cli2-'));

  beforeAll(async () => {
    gpg = createTempGnupg();
    const g = ['--homedir', gpg.home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', ''];
    for (const name of ['alice', 'bob']) {
      const made = spawnSync(
        'gpg',
        [...g, '--quick-gen-key', `${name} <${name}@example.org>`, 'future-default', 'default', 'never'],
        { encoding: 'utf8' },
      );
      if (made.status !== 0) throw new Error(made.stderr);
    }
    // One armored, one binary export: both are what officers hand over.
    writeFileSync(
      join(base, 'alice.asc'),
      spawnSync('gpg', ['--homedir', gpg.home, '--armor', '--export', 'alice@example.org']).stdout,
    );
    writeFileSync(
      join(base, 'bob.gpg'),
      spawnSync('gpg', ['--homedir', gpg.home, '--export', 'bob@example.org']).stdout,
    );
    r = await startCli(join(base, 'rv'), [
      '--officer-keys',
      `${join(base, 'alice.asc')},${join(base, 'bob.gpg')}`,
      '--threshold',
      '2',
      '--vault-version',
      '2',
    ]);
  });
  afterAll(async () => {
    if (r && r.proc.exitCode === null) await stop(r);
    gpg.dispose();
    rmSync(base, { recursive: true, force: true });
  });

  it('names officers after their key files, with no private key written', () => {
    expect(r.cluster.officers.map((o) => [o.name, o.private_key])).toEqual([
      ['alice', null],
      ['bob', null],
    ]);
    const listed = spawnSync('gpg', ['--homedir', gpg.home, '--with-colons', '--fingerprint', 'alice@example.org'], {
      encoding: 'utf8',
    }).stdout;
    expect(listed).toContain(`fpr:::::::::${r.cluster.officers[0]!.fingerprint.toUpperCase()}:`);
  });

  it('refuses generate-operation-token without a token (403), and completes the ceremony with the root token', () => {
    const addr = r.cluster.dr_secondary.api_addr;
    const otp = newOtp();
    const refused = curl(r, addr, 'PUT', DR_ATTEMPT, { body: { otp } });
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ errors: ['permission denied'] });
    expect(curl(r, addr, 'GET', DR_ATTEMPT).status).toBe(403);

    const token = r.cluster.root_token;
    const nonce: string = curl(r, addr, 'PUT', DR_ATTEMPT, { body: { otp }, token }).json.nonce;
    let last: CurlResult | undefined;
    for (const name of ['alice', 'bob'])
      last = curl(r, addr, 'PUT', DR_UPDATE, { body: { key: officerShare(r, gpg, name), nonce }, token });
    expect(last!.json.complete).toBe(true);
    const decoded = decodeToken(last!.json.encoded_token, otp, 28);
    if (!decoded.ok) throw new Error(decoded.error.message);
    expect(
      curl(r, addr, 'POST', 'sys/replication/dr/secondary/promote', {
        body: { dr_operation_token: decoded.value.token },
      }).status,
    ).toBe(200);
    expect(curl(r, addr, 'GET', 'sys/replication/dr/status').json.data.mode).toBe('primary');
  });
});
