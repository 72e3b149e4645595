/** A CommonJS bundle run through the code cache its build wrote, and never through one made for other source. */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeCachePath, requireCodeCached, writeCodeCache } from './code-cache';

let dir: string;
let bundle: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'code-cache-'));
  bundle = join(dir, 'bundle.cjs');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Writes SOURCE's cache as the build does, but elsewhere, then moves both here: V8 keeps what this
 * process compiled by source and file name, and would hand that back without reading the cache.
 */
async function build(source: string, exercise = async (_exports: unknown) => {}): Promise<void> {
  const built = join(mkdtempSync(join(dir, 'build-')), 'bundle.cjs');
  writeFileSync(built, source);
  await writeCodeCache(built, exercise);
  writeFileSync(bundle, source);
  copyFileSync(codeCachePath(built), codeCachePath(bundle));
}

const SOURCE = `const { basename } = require('node:path');
const table = Array.from({ length: 4 }, (_, i) => i * i);
module.exports = { squares: () => table, file: basename(__filename), dir: __dirname, same: module.exports === exports };
`;

describe('requireCodeCached', () => {
  it('runs the bundle from the cache the build wrote, as Node runs a CommonJS file', async () => {
    await build(SOURCE);
    const { exports, cache } = requireCodeCached(bundle);
    expect(cache).toBe('used');
    expect(exports).toMatchObject({ file: 'bundle.cjs', dir, same: true });
    expect((exports as { squares(): number[] }).squares()).toEqual([0, 1, 4, 9]);
  });

  it('caches the functions the build ran beyond the top level, so a start does not compile them', async () => {
    const source = `module.exports = { work: (n) => [n, n * 2].map((x) => x + 1) };\n`;
    await build(source);
    const unexercised = statSync(codeCachePath(bundle)).size;
    await build(source, async (exports) => void (exports as { work(n: number): number[] }).work(1));
    expect(statSync(codeCachePath(bundle)).size).toBeGreaterThan(unexercised);
    expect(requireCodeCached(bundle).cache).toBe('used');
  });

  it('compiles the bundle when no cache was written', () => {
    writeFileSync(bundle, SOURCE);
    const { exports, cache } = requireCodeCached(bundle);
    expect(cache).toBe('none');
    expect((exports as { squares(): number[] }).squares()).toEqual([0, 1, 4, 9]);
  });

  it('never runs a cache made for other source of the same length (V8 checks only the length)', async () => {
    const [before, after] = ['module.exports = "before the edit";\n', 'module.exports = "after the edit!";\n'];
    expect(after.length).toBe(before.length);
    await build(before);
    writeFileSync(bundle, after);
    expect(requireCodeCached(bundle)).toEqual({ exports: 'after the edit!', cache: 'none' });
  });

  it('never runs a damaged cache (a release V8 skips its own checksum)', async () => {
    await build(SOURCE);
    const file = readFileSync(codeCachePath(bundle));
    file.fill(0x5a, file.length - 64);
    writeFileSync(codeCachePath(bundle), file);
    const { exports, cache } = requireCodeCached(bundle);
    expect(cache).toBe('none');
    expect((exports as { squares(): number[] }).squares()).toEqual([0, 1, 4, 9]);
  });

  it('compiles the bundle when V8 refuses the cache (made by another V8)', async () => {
    await build(SOURCE);
    // The cache file's layout: SHA-256 over the source and V8's cache, then V8's cache, whose
    // second 32-bit word is the hash of the V8 version that made it.
    const cachedData = readFileSync(codeCachePath(bundle)).subarray(32);
    cachedData.writeUInt32LE(cachedData.readUInt32LE(4) ^ 1, 4);
    const digest = createHash('sha256').update(readFileSync(bundle)).update(cachedData).digest();
    writeFileSync(codeCachePath(bundle), Buffer.concat([digest, cachedData]));
    const { exports, cache } = requireCodeCached(bundle);
    expect(cache).toBe('refused by V8');
    expect((exports as { squares(): number[] }).squares()).toEqual([0, 1, 4, 9]);
  });
});
