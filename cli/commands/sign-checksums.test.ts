// @tier integration
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { builtCli } from '../../test/support/built-programs';
import { captureIo } from '../../test/support/capture-io';
import { createTempGnupg, type TempGnupg } from '../../test/support/temp-gnupg';
import { makeSigner, type TestSigner } from '../../test/support/transcript-bundle';
import { main } from '../main';

const PASSPHRASE = 'release officer passphrase ü';

let release: TestSigner;
let protectedKey: TestSigner;
let gnupg: TempGnupg;
let work: string;
let media: string;

beforeAll(async () => {
  [release, protectedKey] = await Promise.all([makeSigner('release'), makeSigner('officer', PASSPHRASE)]);
  gnupg = createTempGnupg();
  gnupg.importKey(release.publicKey);
  gnupg.importKey(protectedKey.publicKey);
});
afterAll(() => gnupg.dispose());

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'sign-checksums-'));
  media = join(work, 'media');
  spawnSync('mkdir', [media]);
  writeFileSync(join(media, 'vault-ceremony-0.1.0.AppImage'), 'an AppImage\n'.repeat(5000));
  writeFileSync(join(media, 'vault-ceremony_0.1.0_amd64.deb'), 'a deb\n'.repeat(3000));
  writeFileSync(join(media, 'vault-ceremony-0.1.0.cdx.json'), '{"bomFormat":"CycloneDX"}\n');
  writeFileSync(join(work, 'release.key.asc'), release.key.armoredPrivateKey);
  writeFileSync(join(work, 'officer.key.asc'), protectedKey.key.armoredPrivateKey);
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const { io, stdout, stderr } = captureIo();
  const code = await main(['sign-checksums', ...argv], io);
  return { code, stdout: stdout(), stderr: stderr() };
}

/** Stock `gpg --verify SHA256SUMS.asc SHA256SUMS`, as an officer runs it. */
function gpgVerify(): { status: number | null; validsig: string[] } {
  const r = spawnSync(
    'gpg',
    ['--homedir', gnupg.home, '--batch', '--no-tty', '--status-fd', '1', '--verify', 'SHA256SUMS.asc', 'SHA256SUMS'],
    { cwd: media, encoding: 'utf8' },
  );
  return {
    status: r.status,
    validsig: [...r.stdout.matchAll(/^\[GNUPG:\] VALIDSIG ([0-9A-F]{40}) /gm)].map((m) => m[1]!.toLowerCase()),
  };
}

const sha256sumCheck = () => spawnSync('sha256sum', ['--strict', '-c', 'SHA256SUMS'], { cwd: media, encoding: 'utf8' });

/**
 * The CLI as a separate process in a session of its own (so it has no controlling terminal to
 * prompt on), with `passphrase` (if any) written to its descriptor `fd`: 3 as a shell's `3<`
 * gives it, 0 for standard input, or none (no descriptor 3 is passed on, as under npx).
 */
function spawnCli(
  argv: string[],
  passphrase?: string,
  fd: 0 | 3 | 'none' = 3,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const stdio =
      fd === 3
        ? (['ignore', 'pipe', 'pipe', 'pipe'] as const)
        : fd === 0
          ? (['pipe', 'pipe', 'pipe'] as const)
          : (['ignore', 'pipe', 'pipe'] as const);
    const child = spawn(process.execPath, [builtCli(), 'sign-checksums', ...argv], {
      stdio: [...stdio],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    if (fd !== 'none')
      (child.stdio[fd] as NodeJS.WritableStream).end(passphrase === undefined ? '' : `${passphrase}\n`);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('vault-ceremony sign-checksums', () => {
  it('writes SHA256SUMS and a detached signature that stock gpg --verify and sha256sum -c accept', async () => {
    const { code, stdout, stderr } = await run(media, '--key', join(work, 'release.key.asc'));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('(3 files)');
    expect(stdout).toContain(`fingerprint ${release.fingerprint.toUpperCase()}`);
    expect(readFileSync(join(media, 'SHA256SUMS.asc'), 'utf8')).toMatch(
      /^-----BEGIN PGP SIGNATURE-----\n[\s\S]*-----END PGP SIGNATURE-----\n$/,
    );

    expect(gpgVerify()).toEqual({ status: 0, validsig: [release.fingerprint] });
    const check = sha256sumCheck();
    expect(check.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'vault-ceremony-0.1.0.AppImage: OK',
      'vault-ceremony-0.1.0.cdx.json: OK',
      'vault-ceremony_0.1.0_amd64.deb: OK',
    ]);
    expect(check.status).toBe(0);
  });

  it('a changed SHA256SUMS fails gpg --verify, and a changed artefact fails sha256sum -c', async () => {
    expect((await run(media, '--key', join(work, 'release.key.asc'))).code).toBe(0);
    const sums = readFileSync(join(media, 'SHA256SUMS'), 'utf8');
    const deb = readFileSync(join(media, 'vault-ceremony_0.1.0_amd64.deb'));

    writeFileSync(join(media, 'vault-ceremony_0.1.0_amd64.deb'), 'a trojaned deb\n');
    expect(gpgVerify().status).toBe(0);
    expect(sha256sumCheck().status).toBe(1);

    // An attacker who swaps the artefact must also rewrite SHA256SUMS, which breaks the signature.
    const forged = spawnSync('sha256sum', ['vault-ceremony_0.1.0_amd64.deb'], { cwd: media, encoding: 'utf8' }).stdout;
    writeFileSync(join(media, 'SHA256SUMS'), sums.replace(/^.*vault-ceremony_0\.1\.0_amd64\.deb\n/m, forged));
    expect(sha256sumCheck().status).toBe(0);
    expect(gpgVerify()).toEqual({ status: 1, validsig: [] });
    writeFileSync(join(media, 'vault-ceremony_0.1.0_amd64.deb'), deb);
  });

  it('unlocks a protected key with the passphrase from --passphrase-fd, never from arguments', async () => {
    const r = await spawnCli([media, '--key', join(work, 'officer.key.asc'), '--passphrase-fd', '3'], PASSPHRASE);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(gpgVerify()).toEqual({ status: 0, validsig: [protectedKey.fingerprint] });
    expect(r.stdout).not.toContain(PASSPHRASE);
  });

  it('reads the passphrase from standard input with --passphrase-fd 0 (what reaches a command run through npx)', async () => {
    const r = await spawnCli([media, '--key', join(work, 'officer.key.asc'), '--passphrase-fd', '0'], PASSPHRASE, 0);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(gpgVerify()).toEqual({ status: 0, validsig: [protectedKey.fingerprint] });
  });

  it('refuses a descriptor it was not given, without touching the one Node itself holds under that number', async () => {
    const r = await spawnCli(
      [media, '--key', join(work, 'officer.key.asc'), '--passphrase-fd', '3'],
      undefined,
      'none',
    );
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /descriptor 3 was not given to this command \(through npx only 0-2 are passed on\): use --passphrase-fd 0 < passphrase-file/,
    );
    const closed = await spawnCli(
      [media, '--key', join(work, 'officer.key.asc'), '--passphrase-fd', '99'],
      undefined,
      'none',
    );
    expect(closed.code).toBe(2);
    expect(closed.stderr).toMatch(/descriptor 99 was not given/);
    expect(existsSync(join(media, 'SHA256SUMS'))).toBe(false);
  });

  it('signs with a passphrase-protected key GnuPG generated and exported, as release officers usually make them', async () => {
    const home = mkdtempSync(join(tmpdir(), 'vcg-'));
    try {
      const gpg = (...args: string[]) =>
        spawnSync(
          'gpg',
          ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase-fd', '0', ...args],
          { input: PASSPHRASE, encoding: 'utf8' },
        );
      expect(gpg('--quick-gen-key', 'Release Signing <release@example.org>', 'ed25519', 'sign', 'never').status).toBe(
        0,
      );
      writeFileSync(join(work, 'gpg-release.key.asc'), gpg('--armor', '--export-secret-keys').stdout);
      const fingerprint = /^fpr:::::::::([0-9A-F]{40}):/m.exec(
        spawnSync('gpg', ['--homedir', home, '--with-colons', '--fingerprint'], { encoding: 'utf8' }).stdout,
      )![1]!;
      gnupg.importKey(spawnSync('gpg', ['--homedir', home, '--armor', '--export'], { encoding: 'utf8' }).stdout);

      const r = await spawnCli(
        [media, '--key', join(work, 'gpg-release.key.asc'), '--passphrase-fd', '0'],
        PASSPHRASE,
        0,
      );
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(`fingerprint ${fingerprint}`);
      expect(gpgVerify()).toEqual({ status: 0, validsig: [fingerprint.toLowerCase()] });
    } finally {
      spawnSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent']);
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('a wrong passphrase signs nothing and is not repeated', async () => {
    const r = await spawnCli(
      [media, '--key', join(work, 'officer.key.asc'), '--passphrase-fd', '3'],
      'not the passphrase',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the passphrase for .*key [0-9A-F]{40} is wrong/);
    expect(r.stderr + r.stdout).not.toContain('not the passphrase');
    expect(readdirSync(media).sort()).toEqual([
      'vault-ceremony-0.1.0.AppImage',
      'vault-ceremony-0.1.0.cdx.json',
      'vault-ceremony_0.1.0_amd64.deb',
    ]);
  });

  it('asks for a protected key’s passphrase on the terminal without echoing it', async () => {
    // `script` gives the command a pseudo-terminal; the passphrase is typed once the prompt shows.
    const command = [process.execPath, builtCli(), 'sign-checksums', media, '--key', join(work, 'officer.key.asc')]
      .map((a) => `'${a}'`)
      .join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    let typed = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        screen += d.toString();
        if (!typed && screen.includes('Passphrase: ')) {
          typed = true;
          child.stdin.write(`${PASSPHRASE}\r`);
        }
      });
      child.on('close', resolve);
    });
    expect(typed).toBe(true);
    expect(code).toBe(0);
    expect(screen).toContain('is protected by a passphrase');
    expect(screen).not.toContain(PASSPHRASE);
    expect(gpgVerify()).toEqual({ status: 0, validsig: [protectedKey.fingerprint] });
  });

  it('without a terminal or --passphrase-fd, a protected key is refused with what to do', async () => {
    const r = await spawnCli([media, '--key', join(work, 'officer.key.asc')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /no terminal to ask for the passphrase on: give it on a file descriptor with --passphrase-fd N/,
    );
    expect(existsSync(join(media, 'SHA256SUMS'))).toBe(false);
  });

  it('refuses bad input with exit 2 and writes nothing', async () => {
    const key = join(work, 'release.key.asc');
    expect((await run('--key', key)).stderr).toMatch(/give the release folder DIR/);
    expect((await run(media)).stderr).toMatch(/give the release signing key with --key FILE/);
    expect((await run(media, '--key', key, '--passphrase-fd', 'three')).stderr).toMatch(
      /--passphrase-fd takes a file descriptor number, not 'three'/,
    );
    expect((await run(media, '--key', key, '--passphrase', 'secret')).code).toBe(2);
    expect((await run(join(work, 'nowhere'), '--key', key)).stderr).toMatch(
      /the release folder DIR cannot be used: the folder does not exist/,
    );
    expect((await run(media, '--key', join(work, 'missing.asc'))).stderr).toMatch(
      /cannot read --key .*missing\.asc: the folder does not exist/,
    );
    const notAKey = await run(media, '--key', join(media, 'vault-ceremony-0.1.0.cdx.json'));
    expect(notAKey.code).toBe(1);
    expect(notAKey.stderr).toMatch(/the signing key is not an armored OpenPGP private key/);
    expect(readdirSync(media)).toHaveLength(3);

    spawnSync('mkdir', [join(media, 'linux-unpacked')]);
    const folder = await run(media, '--key', key);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/linux-unpacked in .* is a folder/);
  });

  it('never overwrites an existing SHA256SUMS or signature', async () => {
    expect((await run(media, '--key', join(work, 'release.key.asc'))).code).toBe(0);
    const signature = readFileSync(join(media, 'SHA256SUMS.asc'), 'utf8');
    const again = await run(media, '--key', join(work, 'release.key.asc'));
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/SHA256SUMS already exists/);
    expect(readFileSync(join(media, 'SHA256SUMS.asc'), 'utf8')).toBe(signature);
  });
});
