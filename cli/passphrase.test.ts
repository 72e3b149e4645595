import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPassphraseFile } from './passphrase';

const dir = mkdtempSync(join(tmpdir(), 'vc-passphrase-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readPassphraseFile', () => {
  it('reads the line without its line end (LF or CRLF), keeping inner spaces', () => {
    for (const [text, want] of [
      ['open sesame\n', 'open sesame'],
      ['open sesame\r\n', 'open sesame'],
      [' p ', ' p '],
      ['', ''],
    ]) {
      writeFileSync(join(dir, 'p'), text!);
      expect(readPassphraseFile(join(dir, 'p'), '--passphrase-file')).toEqual({ ok: true, value: want });
    }
  });

  it('names the option and the file it cannot read', () => {
    const missing = join(dir, 'missing');
    const read = readPassphraseFile(missing, '--officer-passphrase-file');
    expect(read.ok).toBe(false);
    if (!read.ok) {
      expect(read.error.kind).toBe('passphrase-unreadable');
      expect(read.error.message).toMatch(new RegExp(`^cannot read --officer-passphrase-file ${missing}: ENOENT`));
    }
  });
});
