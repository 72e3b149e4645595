// @tier integration
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIGNATURE_FILE, SUMS_FILE, sha256sums } from './sha256sums';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sha256sums-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NAMES = [
  'vault-ceremony_0.1.0_amd64.deb',
  'vault-ceremony-0.1.0.AppImage',
  'Vault Ceremony 0.1.0.dmg',
  'vault-ceremony-0.1.0.cdx.json',
  'ünïcode-notes.txt',
  'B.txt',
  'a.txt',
];

function fill(): void {
  for (const [i, name] of NAMES.entries()) writeFileSync(join(dir, name), `artefact ${i}\n`.repeat(1000 * (i + 1)));
}

describe('SHA256SUMS', () => {
  it('is exactly what sha256sum writes for the same files in C-locale order, and sha256sum -c accepts it', async () => {
    fill();
    const sums = await sha256sums(dir);
    if (!sums.ok) throw new Error(sums.error.message);
    const sorted = spawnSync('sh', ['-c', 'ls -1 | LC_ALL=C sort'], { cwd: dir, encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean);
    const reference = spawnSync('sha256sum', ['--', ...sorted], { cwd: dir, encoding: 'utf8' });
    expect(sums.value).toBe(reference.stdout);
    expect(sums.value.split('\n')).toHaveLength(NAMES.length + 1);

    writeFileSync(join(dir, SUMS_FILE), sums.value);
    const check = spawnSync('sha256sum', ['--strict', '-c', SUMS_FILE], { cwd: dir, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('leaves out SHA256SUMS and its signature, so it can be recomputed beside them', async () => {
    fill();
    const before = await sha256sums(dir);
    writeFileSync(join(dir, SUMS_FILE), 'old');
    writeFileSync(join(dir, SIGNATURE_FILE), 'old');
    const after = await sha256sums(dir);
    expect(before.ok && after.ok && after.value === before.value).toBe(true);
  });

  it('changes when any artefact changes, and sha256sum -c then names it', async () => {
    fill();
    const sums = await sha256sums(dir);
    if (!sums.ok) throw new Error(sums.error.message);
    writeFileSync(join(dir, SUMS_FILE), sums.value);
    writeFileSync(join(dir, 'vault-ceremony_0.1.0_amd64.deb'), 'tampered');
    const check = spawnSync('sha256sum', ['-c', SUMS_FILE], { cwd: dir, encoding: 'utf8' });
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('vault-ceremony_0.1.0_amd64.deb: FAILED');
    const again = await sha256sums(dir);
    expect(again.ok && again.value).not.toBe(sums.value);
  });

  it('refuses folders, links, awkward names and an empty folder, changing nothing', async () => {
    expect(await sha256sums(dir)).toEqual({
      ok: false,
      error: { kind: 'nothing-to-sum', message: expect.stringMatching(/holds no files to checksum/) },
    });
    writeFileSync(join(dir, 'a.deb'), 'x');

    mkdirSync(join(dir, 'linux-unpacked'));
    const folder = await sha256sums(dir);
    expect(!folder.ok && folder.error).toEqual({
      kind: 'unsupported-entry',
      message: expect.stringMatching(
        /^linux-unpacked in .* is a folder: SHA256SUMS covers only the files directly in the folder/,
      ),
    });
    rmSync(join(dir, 'linux-unpacked'), { recursive: true });

    symlinkSync('/etc/hostname', join(dir, 'link.deb'));
    const link = await sha256sums(dir);
    expect(!link.ok && link.error.message).toMatch(/^link\.deb in .* is a symbolic link/);
    rmSync(join(dir, 'link.deb'));

    for (const name of ['two\nlines.deb', 'back\\slash.deb', 'trailing-space.deb ']) {
      writeFileSync(join(dir, name), 'x');
      const awkward = await sha256sums(dir);
      expect(!awkward.ok && awkward.error.kind, JSON.stringify(name)).toBe('unsafe-name');
      rmSync(join(dir, name));
    }
    expect(await sha256sums(join(dir, 'missing'))).toEqual({
      ok: false,
      error: { kind: 'not-a-folder', message: expect.any(String) },
    });
  });
});
