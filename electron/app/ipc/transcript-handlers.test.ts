/**
 * `transcript.open` through the real registry on a real signed bundle: the verdict, the signers
 * and the signed text of a good bundle; every problem, and still the text, of a tampered one;
 * a clear refusal for a path that is not a folder.
 */
import { appendFileSync, cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBundle, threeSigners, type TestBundle } from '../../../test/support/transcript-bundle';
import { verifyBundle } from '../../services/transcript/verify';
import { createHandlerRegistry, type HandlerRegistry } from './handler-registry';
import { transcriptHandlers } from './transcript-handlers';
import type { ChannelHandlers } from './handler-registry';

const APP = { url: 'app://vault-ceremony/index.html', isMainFrame: true };
let bundle: TestBundle;
let registry: HandlerRegistry;

const open = (dir: string) => registry.invoke('transcript.open', { dir }, APP);

beforeAll(async () => {
  bundle = await makeBundle(await threeSigners());
  // Only this channel is exercised; the rest of the registry is not reached.
  registry = createHandlerRegistry(transcriptHandlers() as ChannelHandlers, {
    allowedOrigins: ['app://vault-ceremony'],
  });
});
afterAll(() => bundle.dispose());

describe('transcript.open', () => {
  it('reports a good bundle as verifyBundle does, with each signer and the signed text', async () => {
    const expected = await verifyBundle(bundle.dir);
    const result = await open(bundle.dir);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const value = result.value as {
      valid: boolean;
      signatures: unknown[];
      transcript: string;
      ceremonyId: string;
      rehearsal: boolean;
      events: number;
      head: string;
      problems: unknown[];
    };
    expect(value).toMatchObject({
      valid: true,
      ceremonyId: 'dc2-2025-01-31',
      rehearsal: true,
      events: expected.events,
      head: expected.head,
      problems: [],
    });
    expect(value.signatures).toEqual(expected.signatures.map((s) => ({ ...s })));
    expect(value.signatures.map((s) => (s as { signer: string }).signer)).toEqual(['alice', 'bob', 'carol']);
    expect(value.transcript).toContain(expected.head!);
    expect(value.transcript).not.toContain('BEGIN PGP SIGNATURE');
  });

  it('lists every problem of a tampered bundle and still shows its text', async () => {
    const tampered = join(bundle.root, 'tampered');
    cpSync(bundle.dir, tampered, { recursive: true });
    appendFileSync(join(tampered, 'journal.jsonl'), '{"seq":99}\n');
    const result = await open(tampered);
    expect(result).toMatchObject({
      ok: true,
      value: { valid: false, problems: [expect.objectContaining({ kind: 'journal-invalid' })] },
    });
    expect(result.ok && (result.value as { transcript: string }).transcript).toContain('dc2-2025-01-31');
  });

  it('names a missing folder, a file and a relative path, instead of reporting an empty bundle', async () => {
    expect(await open(join(bundle.root, 'absent'))).toMatchObject({
      ok: false,
      error: { kind: 'not-a-folder', message: expect.stringContaining('does not exist') },
    });
    const file = join(bundle.root, 'a-file');
    writeFileSync(file, 'x');
    expect(await open(file)).toMatchObject({
      ok: false,
      error: {
        kind: 'not-a-folder',
        message: expect.stringContaining('choose the folder that holds transcript.txt.asc'),
      },
    });
    expect(await open('bundle')).toMatchObject({
      ok: false,
      error: { kind: 'bad-argument', message: expect.stringContaining('full path') },
    });
  });
});
