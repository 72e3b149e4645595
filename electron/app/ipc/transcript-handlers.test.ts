// @tier integration
/**
 * `transcript.open` through the real registry on a real signed bundle: the verdict, the signers
 * and the signed text of a good bundle, unanchored alone and anchored by the auditor's keyring or
 * fingerprint list; every problem, and still the text, of a tampered one; a clear refusal for a
 * path that is not a folder or an anchor file that cannot be read.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeBundle,
  makeSigner,
  threeSigners,
  type TestBundle,
  type TestSigner,
} from '../../../test/support/transcript-bundle';
import { MAX_KEYRING_BYTES } from '../../services/pgp/public-keys';
import { verifyBundle } from '../../services/transcript/verify';
import { builtBundleVerifier } from '../../../test/support/built-programs';
import { createHandlerRegistry, type HandlerRegistry } from './handler-registry';
import { transcriptHandlers } from './transcript-handlers';
import type { ChannelHandlers } from './handler-registry';

const APP = { url: 'app://vault-ceremony/index.html', isMainFrame: true };
let signers: TestSigner[];
let bundle: TestBundle;
let registry: HandlerRegistry;

const open = (dir: string, anchors: { keyrings?: string[]; fingerprints?: string } = {}) =>
  registry.invoke('transcript.open', { dir, ...anchors }, APP);
const verdictOf = (result: Awaited<ReturnType<typeof open>>) =>
  result.ok ? (result.value as { verdict: string }).verdict : result.error.kind;

beforeAll(async () => {
  signers = await threeSigners();
  bundle = await makeBundle(signers);
  // Only this channel is exercised; the rest of the registry is not reached.
  registry = createHandlerRegistry(transcriptHandlers(builtBundleVerifier()) as ChannelHandlers, {
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
      verdict: 'unanchored',
      valid: true,
      ceremonyId: 'dc2-2025-01-31',
      rehearsal: true,
      events: expected.events,
      head: expected.head,
      outcome: 'cancelled',
      authorisations: [],
      problems: [],
    });
    expect(value.signatures).toEqual(expected.signatures.map((s) => ({ ...s })));
    expect(value.signatures.map((s) => (s as { signer: string }).signer)).toEqual(['alice', 'bob', 'carol']);
    expect(value.transcript).toContain(expected.head!);
    expect(value.transcript).not.toContain('BEGIN PGP SIGNATURE');
  });

  it('is anchored by the auditor’s keyring or fingerprint list, and fails on one that misses a signer', async () => {
    const ring = join(bundle.root, 'ring.asc');
    writeFileSync(ring, signers.map((s) => s.publicKey).join(''));
    expect(verdictOf(await open(bundle.dir, { keyrings: [ring] }))).toBe('anchored');
    const list = join(bundle.root, 'list.txt');
    writeFileSync(list, signers.map((s) => s.fingerprint).join('\n'));
    expect(verdictOf(await open(bundle.dir, { fingerprints: list }))).toBe('anchored');
    const short = join(bundle.root, 'short.txt');
    writeFileSync(short, signers[0]!.fingerprint);
    expect(verdictOf(await open(bundle.dir, { fingerprints: short }))).toBe('failed');
    expect(verdictOf(await open(bundle.dir, { fingerprints: join(bundle.root, 'none.txt') }))).toBe(
      'anchors-unreadable',
    );
  });

  it('refuses a FIFO journal at once instead of waiting for a writer', async () => {
    const fifo = join(bundle.root, 'fifo');
    cpSync(bundle.dir, fifo, { recursive: true, filter: (src) => !src.endsWith('journal.jsonl') });
    execFileSync('mkfifo', [join(fifo, 'journal.jsonl')]);
    const result = await open(fifo);
    expect(result).toMatchObject({
      ok: true,
      value: { verdict: 'failed', problems: [expect.objectContaining({ kind: 'bundle-file-refused' })] },
    });
  });

  it('refuses at once a keyring or fingerprint list that is a FIFO, a device, a folder, too large or private', async () => {
    const path = (name: string) => join(bundle.root, name);
    execFileSync('mkfifo', [path('fifo.asc')]);
    symlinkSync('/dev/zero', path('zero.asc'));
    mkdirSync(path('folder.asc'));
    writeFileSync(path('huge.asc'), Buffer.alloc(MAX_KEYRING_BYTES + 1, 0x41));
    writeFileSync(path('private.asc'), (signers[0]!.key as { armoredPrivateKey: string }).armoredPrivateKey);
    const refusal = async (anchors: { keyrings?: string[]; fingerprints?: string }) => {
      const result = await open(bundle.dir, anchors);
      return !result.ok && result.error.kind === 'anchors-unreadable' ? result.error.message : 'not refused';
    };
    expect(await refusal({ keyrings: [path('fifo.asc')] })).toContain('it is a FIFO (named pipe), not a regular file');
    expect(await refusal({ fingerprints: path('fifo.asc') })).toContain(
      'it is a FIFO (named pipe), not a regular file',
    );
    expect(await refusal({ keyrings: [path('zero.asc')] })).toContain('it is a device, not a regular file');
    expect(await refusal({ fingerprints: '/dev/zero' })).toContain('it is a device, not a regular file');
    expect(await refusal({ keyrings: [path('folder.asc')] })).toContain('it is a folder, not a file');
    expect(await refusal({ keyrings: [path('huge.asc')] })).toContain('too large to be the keyring');
    expect(await refusal({ keyrings: [path('private.asc')] })).toContain('holds a private key: pass public keys only');
  });

  it('refuses, before reading anything, arguments of the wrong type or size', async () => {
    for (const arg of [
      { dir: bundle.dir, keyrings: join(bundle.root, 'ring.asc') },
      { dir: bundle.dir, keyrings: Array.from({ length: 17 }, () => join(bundle.root, 'ring.asc')) },
      { dir: `/${'a'.repeat(5000)}` },
      { dir: `${bundle.dir}\0` },
      { dir: 5 },
      { dir: bundle.dir, fingerprints: ['/list.txt'] },
      { dir: bundle.dir, anchored: true },
    ])
      expect(await registry.invoke('transcript.open', arg, APP)).toMatchObject({
        ok: false,
        error: { kind: 'bad-argument' },
      });
  });

  it('reads a keyring of many armored blocks about as fast as its keys in one, and never on the main process', async () => {
    // `cat *.asc > ring.asc` makes one armored block per key. Parsed all at once, 15 MB of them
    // took 2.8 to 4.6 times as long as the same keys in one block (4.5 to 18 s), and held the main
    // process's event loop all that time before the keyring was read in the verifier's worker.
    const filler = await openpgp.readKey({ armoredKey: (await makeSigner('filler')).publicKey });
    const count = Math.floor((15 * 1024 * 1024) / filler.armor().length);
    const ring = (name: string, text: string) => {
      const path = join(bundle.root, name);
      writeFileSync(path, signers.map((s) => s.publicKey).join('') + text);
      return path;
    };
    const blocks = ring('blocks.asc', filler.armor().repeat(count));
    const binary = filler.write();
    const all = new Uint8Array(binary.length * count);
    for (let i = 0; i < count; i++) all.set(binary, i * binary.length);
    const oneBlock = ring('one-block.asc', openpgp.armor(openpgp.enums.armor.publicKey, all));
    /** How long the open took, and the longest the main process's event loop was held meanwhile. */
    const timed = async (keyring: string) => {
      const start = performance.now();
      let last = start;
      let longest = 0;
      const tick = setInterval(() => {
        longest = Math.max(longest, performance.now() - last);
        last = performance.now();
      }, 10);
      expect(verdictOf(await open(bundle.dir, { keyrings: [keyring] }))).toBe('anchored');
      clearInterval(tick);
      return { took: performance.now() - start, held: Math.max(longest, performance.now() - last) };
    };
    const inOne = await timed(oneBlock);
    const inBlocks = await timed(blocks);
    expect(inBlocks.took).toBeLessThan(2 * inOne.took);
    // Seconds of parsing, and the event loop never held for more than a small part of them.
    for (const run of [inOne, inBlocks]) expect(run.held).toBeLessThan(run.took / 4);
  }, 120_000);

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
