// @tier integration
/** Reads are of regular files only, and capped: a FIFO, folder, device, link (unless followed) or oversized file is refused promptly. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRegularFile, readSmallFile, readSmallTextFile } from './regular-file';

const dir = mkdtempSync(join(tmpdir(), 'vc-small-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readSmallTextFile', () => {
  it('reads a small text file', async () => {
    writeFileSync(join(dir, 'plan.yaml'), 'id: x\n');
    expect(await readSmallTextFile(join(dir, 'plan.yaml'), 'the plan')).toEqual({ ok: true, value: 'id: x\n' });
  });

  it.each([
    ['a FIFO', () => (execFileSync('mkfifo', [join(dir, 'fifo')]), join(dir, 'fifo')), /not a regular file/],
    ['a folder', () => dir, /is a folder, not a file/],
    ['a device', () => '/dev/zero', /not a regular file/],
    ['a missing file', () => join(dir, 'missing'), /does not exist/],
    [
      'a path through a file',
      () => (writeFileSync(join(dir, 'f'), ''), join(dir, 'f', 'x')),
      /a file is where a folder should be/,
    ],
  ])('refuses %s promptly, saying why', async (_, make, why) => {
    const r = await readSmallTextFile(make(), 'the plan');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(why);
  });

  it('refuses a file over the cap unread, and one that is not UTF-8', async () => {
    writeFileSync(join(dir, 'big'), Buffer.alloc(2048, 0x41));
    const big = await readSmallFile(join(dir, 'big'), 'the key', 1024);
    expect(big.ok).toBe(false);
    if (!big.ok) expect(big.error.message).toMatch(/2048 bytes \(at most 1024\), too large to be the key/);
    writeFileSync(join(dir, 'bad'), Buffer.from([0xff, 0xfe]));
    const bad = await readSmallTextFile(join(dir, 'bad'), 'the plan');
    if (!bad.ok) expect(bad.error.message).toMatch(/not text/);
    expect(bad.ok).toBe(false);
  });

  it('caps a /proc file, which states no size, and reads one under the cap whole', async () => {
    const r = await readSmallFile('/proc/self/status', 'the file', 16);
    expect(r.ok).toBe(false);
    const whole = await readSmallTextFile('/proc/self/status', 'the file');
    expect(whole.ok && whole.value).toMatch(/^Name:.*\n[\s\S]*VmRSS:/);
  });
});

describe('readRegularFile', () => {
  it('never follows a symlink unless asked, which files people name may be', async () => {
    writeFileSync(join(dir, 'target'), 'text');
    symlinkSync(join(dir, 'target'), join(dir, 'link'));
    expect(await readRegularFile(join(dir, 'link'), 100)).toMatchObject({
      ok: false,
      error: { kind: 'not-regular', message: 'it is a symbolic link, which is never followed' },
    });
    expect(await readSmallTextFile(join(dir, 'link'), 'the plan')).toEqual({ ok: true, value: 'text' });
  });

  it('names what it refused by kind, for a bundle report', async () => {
    expect(await readRegularFile(join(dir, 'nothing'), 100)).toMatchObject({ ok: false, error: { kind: 'missing' } });
    expect(await readRegularFile('/dev/zero', 100)).toMatchObject({
      ok: false,
      error: { kind: 'not-regular', message: 'it is a device, not a regular file' },
    });
    writeFileSync(join(dir, 'five'), '12345');
    expect(await readRegularFile(join(dir, 'five'), 4)).toMatchObject({ ok: false, error: { kind: 'too-large' } });
    expect(await readRegularFile(join(dir, 'five'), 5)).toMatchObject({ ok: true });
  });
});
