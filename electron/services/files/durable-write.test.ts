import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeFolder, syncDirectory, writeFileAtomically, writeNewFile } from './durable-write';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vc-durable-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('writeFileAtomically', () => {
  it('replaces the file with the new content and mode, leaving no temporary file', async () => {
    const path = join(dir, 'profiles.json');
    writeFileSync(path, 'old');
    await writeFileAtomically(path, 'new\n', 0o600);
    expect(readFileSync(path, 'utf8')).toBe('new\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['profiles.json']);
  });

  it('rejects with the file-system error and removes its temporary file when the rename fails', async () => {
    // A directory in the way: rename refuses it even for root, after the temporary file was written.
    const path = join(dir, 'transcript.txt.asc');
    mkdirSync(path);
    writeFileSync(join(path, 'inside'), 'old');
    await expect(writeFileAtomically(path, 'new', 0o644)).rejects.toMatchObject({ code: 'EISDIR' });
    expect(readdirSync(dir)).toEqual(['transcript.txt.asc']);
    expect(readFileSync(join(path, 'inside'), 'utf8')).toBe('old');
  });

  it('rejects when the folder does not exist', async () => {
    await expect(writeFileAtomically(join(dir, 'missing', 'f'), 'x', 0o644)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('syncDirectory', () => {
  it('syncs an existing folder and rejects for a missing one', async () => {
    await expect(syncDirectory(dir)).resolves.toBeUndefined();
    await expect(syncDirectory(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('writing never follows a planted symbolic link', () => {
  it('writeFileAtomically replaces the link itself, leaving its target untouched', async () => {
    const target = join(dir, 'elsewhere');
    writeFileSync(target, 'untouched');
    symlinkSync(target, join(dir, 'client-key.pem'));
    await writeFileAtomically(join(dir, 'client-key.pem'), 'secret', 0o600);
    expect(readFileSync(target, 'utf8')).toBe('untouched');
    expect(lstatSync(join(dir, 'client-key.pem')).isSymbolicLink()).toBe(false);
    expect(statSync(join(dir, 'client-key.pem')).mode & 0o777).toBe(0o600);
  });

  it('writeNewFile refuses a name a link already holds', async () => {
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'plan.yaml'));
    await expect(writeNewFile(join(dir, 'plan.yaml'), 'x', 0o644)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(existsSync(join(dir, 'elsewhere'))).toBe(false);
  });

  it('makeFolder accepts a real folder and refuses a link or a file in its place', async () => {
    await makeFolder(join(dir, 'officers'));
    await makeFolder(join(dir, 'officers'));
    expect(statSync(join(dir, 'officers')).mode & 0o777).toBe(0o700);
    symlinkSync(tmpdir(), join(dir, 'shares'));
    await expect(makeFolder(join(dir, 'shares'))).rejects.toMatchObject({ code: 'ELOOP' });
    writeFileSync(join(dir, 'file'), '');
    await expect(makeFolder(join(dir, 'file'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(makeFolder(join(dir, 'missing', 'child'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
