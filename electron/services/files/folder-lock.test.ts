// @tier integration
/** One process per data folder: a live holder is named, a dead one's lock is taken over. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FOLDER_LOCK_FILE, lockFolder } from './folder-lock';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vc-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lockFile = () => join(dir, FOLDER_LOCK_FILE);
const startTimeOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
};

describe('lockFolder', () => {
  it('locks a folder once: a second holder is refused, naming the PID; release frees it', () => {
    const first = lockFolder(dir, 'the folder');
    expect(first.ok).toBe(true);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({ pid: process.pid });
    const second = lockFolder(dir, 'the folder');
    expect(second).toMatchObject({ ok: false, error: { kind: 'folder-locked' } });
    if (!second.ok) expect(second.error.message).toContain(`in use by process ${process.pid}`);
    if (first.ok) first.value.release();
    expect(existsSync(lockFile())).toBe(false);
    expect(lockFolder(dir, 'the folder').ok).toBe(true);
  });

  it('refuses while another live process holds it', () => {
    const child = spawn('sleep', ['30']);
    try {
      writeFileSync(lockFile(), JSON.stringify({ pid: child.pid, started: startTimeOf(child.pid!) }));
      const r = lockFolder(dir, 'the rehearsal Vault folder');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(new RegExp(`in use by process ${child.pid}`));
    } finally {
      child.kill();
    }
  });

  it('takes over the lock of a process that has died, leaving no other file', () => {
    const dead = spawnSync('true');
    writeFileSync(lockFile(), JSON.stringify({ pid: dead.pid, started: '1' }));
    const r = lockFolder(dir, 'the folder');
    expect(r.ok).toBe(true);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({ pid: process.pid });
    expect(readdirSync(dir)).toEqual([FOLDER_LOCK_FILE]);
  });

  it('takes over a lock whose PID now names a process started later (a reused PID)', () => {
    writeFileSync(lockFile(), JSON.stringify({ pid: process.ppid, started: '1' }));
    expect(lockFolder(dir, 'the folder').ok).toBe(true);
  });

  it('takes over a damaged lock, and a symbolic link in its place without writing through it', () => {
    writeFileSync(lockFile(), '{"pi');
    expect(lockFolder(dir, 'the folder').ok).toBe(true);
    rmSync(lockFile());
    const target = join(dir, 'elsewhere');
    writeFileSync(target, 'untouched');
    symlinkSync(target, lockFile());
    expect(lockFolder(dir, 'the folder').ok).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('untouched');
  });

  it('refuses a missing folder with its reason', () => {
    const r = lockFolder(join(dir, 'missing'), 'the folder');
    expect(r).toMatchObject({ ok: false, error: { kind: 'lock-failed' } });
  });
});
