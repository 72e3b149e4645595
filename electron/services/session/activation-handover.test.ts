/**
 * The activation token's handover: shown only while the ceremony lends it, copied once, saved to a
 * new owner-only file and never over an existing one; the view carries its SHA-256, never the token.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActivationHandover } from './activation-handover';

const TOKEN = 'eyJhbGciOiJFUzUxMiJ9.activation-token-for-dc3';
let dir: string;
let lent: string | undefined;
let handover: ActivationHandover;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vc-handover-'));
  lent = TOKEN;
  handover = new ActivationHandover(() => lent);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ActivationHandover', () => {
  it('offers the token only while it is lent, and its view holds the SHA-256, not the token', () => {
    expect(handover.view()).toEqual({
      sha256: createHash('sha256').update(TOKEN).digest('hex'),
      copied: false,
      savedTo: null,
    });
    expect(JSON.stringify(handover.view())).not.toContain(TOKEN);
    expect(handover.reveal()).toEqual({ ok: true, value: TOKEN });
    lent = undefined;
    expect(handover.view()).toBeNull();
    expect(handover.reveal()).toMatchObject({ ok: false, error: { kind: 'no-activation-token' } });
  });

  it('copies to the clipboard once only', async () => {
    const clipboard: string[] = [];
    const write = async (t: string) => void clipboard.push(t);
    expect((await handover.copy(write)).ok).toBe(true);
    expect(await handover.copy(write)).toMatchObject({ ok: false, error: { kind: 'already-copied' } });
    expect(clipboard).toEqual([TOKEN]);
    expect(handover.view()?.copied).toBe(true);
  });

  it('a copy the clipboard refused does not count, and its error does not quote the token', async () => {
    const refused = await handover.copy(async (t) => Promise.reject(new Error(`cannot write ${t}`)));
    expect(refused).toMatchObject({ ok: false, error: { kind: 'copy-failed' } });
    expect(JSON.stringify(refused)).not.toContain(TOKEN);
    expect(handover.view()?.copied).toBe(false);
  });

  it('a new token (another ceremony) may be copied again', async () => {
    await handover.copy(async () => undefined);
    lent = `${TOKEN}-2`;
    expect(handover.view()?.copied).toBe(false);
    expect((await handover.copy(async () => undefined)).ok).toBe(true);
  });

  it('saves to a new file readable by its owner only, and never over an existing file', async () => {
    const path = join(dir, 'token.txt');
    expect(await handover.save(path)).toEqual({ ok: true, value: path });
    expect(readFileSync(path, 'utf8')).toBe(`${TOKEN}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(handover.view()?.savedTo).toBe(path);

    const existing = join(dir, 'existing.txt');
    writeFileSync(existing, 'keep me');
    const again = await handover.save(existing);
    expect(again).toMatchObject({ ok: false, error: { kind: 'save-failed' } });
    expect(readFileSync(existing, 'utf8')).toBe('keep me');
  });

  it('saves nothing when no token is lent', async () => {
    lent = undefined;
    expect(await handover.save(join(dir, 'none.txt'))).toMatchObject({
      ok: false,
      error: { kind: 'no-activation-token' },
    });
  });
});
