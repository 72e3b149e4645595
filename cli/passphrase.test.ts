// @tier integration
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPassphraseFile } from './passphrase';

const dir = mkdtempSync(join(tmpdir(), 'vc-passphrase-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readPassphraseFile', () => {
  it('reads the line without its line end (LF or CRLF), keeping inner spaces', async () => {
    for (const [text, want] of [
      ['open sesame\n', 'open sesame'],
      ['open sesame\r\n', 'open sesame'],
      [' p ', ' p '],
      ['', ''],
    ]) {
      writeFileSync(join(dir, 'p'), text!);
      expect(await readPassphraseFile(join(dir, 'p'), '--passphrase-file')).toEqual({ ok: true, value: want });
    }
  });

  it('names the option and the file it cannot read', async () => {
    const missing = join(dir, 'missing');
    const read = await readPassphraseFile(missing, '--officer-passphrase-file');
    expect(read.ok).toBe(false);
    if (!read.ok) {
      expect(read.error.kind).toBe('passphrase-unreadable');
      expect(read.error.message).toMatch(
        new RegExp(`^cannot read --officer-passphrase-file ${missing}: the folder does not exist`),
      );
    }
  });

  it('refuses a FIFO or a huge file without hanging or holding it', async () => {
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect(await readPassphraseFile(join(dir, 'fifo'), '--passphrase-file')).toMatchObject({ ok: false });
    writeFileSync(join(dir, 'huge'), Buffer.alloc(1 << 20, 0x61));
    const huge = await readPassphraseFile(join(dir, 'huge'), '--passphrase-file');
    expect(huge.ok).toBe(false);
    if (!huge.ok) expect(huge.error.message).toMatch(/too large/);
  });
});
