import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from '../journal/journal';
import { forbidEverywhere, SecretStore } from './secret-store';

const OTP = 'kZ8bq2YtLmN4pQ7rS1uV3wX5yA9c';
const TOKEN = 'hvs.CAESIJ1aKq2bF3cL4dM5eN6f';

let dir: string;
let journal: Journal;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vc-secrets-'));
  const created = await Journal.create(join(dir, 'j.jsonl'), { ceremonyId: 'secrets', rehearsal: true });
  if (!created.ok) throw new Error(created.error.message);
  journal = created.value;
});

afterEach(async () => {
  await journal.close();
  rmSync(dir, { recursive: true, force: true });
});

const note = (text: string) =>
  journal.append({ actor: 'test', role: 'system', step: 's', type: 'note', details: { note: text } });

describe('SecretStore', () => {
  it('makes the journal refuse the value and its hex, base64 and base64url forms', async () => {
    const store = new SecretStore(journal);
    store.put('otp', OTP);
    const bytes = Buffer.from(OTP);
    for (const form of [
      OTP,
      bytes.toString('hex'),
      bytes.toString('base64'),
      bytes.toString('base64').replace(/=+$/, ''),
      bytes.toString('base64url'),
    ]) {
      const r = await note(`value ${form} here`);
      expect(r.ok || r.error.kind).toBe('forbidden-secret');
    }
    expect((await note('nothing secret')).ok).toBe(true);
  });

  it('lends a held value and forgets whatever the machine no longer holds', () => {
    const store = new SecretStore(journal);
    store.put('otp', OTP);
    store.put('operation-token', TOKEN);
    expect(store.text('otp')).toBe(OTP);
    store.retain(['operation-token']);
    expect(store.names()).toEqual(['operation-token']);
    expect(store.text('otp')).toBeUndefined();
    expect(store.text('operation-token')).toBe(TOKEN);
    store.clear();
    expect(store.names()).toEqual([]);
  });

  it('refuses values that are not printable ASCII (a caller bug)', () => {
    expect(() => new SecretStore(journal).put('root-token', 'hvs.with space')).toThrow(TypeError);
  });
});

describe('forbidEverywhere', () => {
  it('guards the encodings of raw bytes, such as a share', async () => {
    const share = Uint8Array.from({ length: 33 }, (_, i) => (i * 37 + 11) & 255);
    forbidEverywhere(journal, undefined, share);
    const r = await note(Buffer.from(share).toString('base64'));
    expect(r.ok || r.error.kind).toBe('forbidden-secret');
    const hex = await note(Buffer.from(share).toString('hex'));
    expect(hex.ok || hex.error.kind).toBe('forbidden-secret');
  });
});
