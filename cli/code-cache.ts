/**
 * A CommonJS bundle run through the V8 code cache the build wrote beside it, so a start
 * deserialises compiled code instead of compiling the source (Node 20 takes no code cache for an
 * ES module; a vm.Script takes one). The cache file is a SHA-256 over the source it was made from
 * and the V8 cache that follows it. V8 checks only the source's length (and its own version and
 * flags), so a cache made for other source of that length would run the other source's code, and
 * a release build of V8 skips its cache's checksum, so a damaged cache would run as compiled code:
 * the digest rules both out. A cache that is missing, not this source's, damaged or refused by V8
 * (another Node, other V8 flags) costs the compile and changes nothing else.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/** Whether a run compiled its bundle from the cache: `none` when there was no intact cache made from this source. */
export type CacheUse = 'used' | 'refused by V8' | 'none';

const DIGEST_BYTES = 32;

/** Where the build writes a bundle's cache. */
export function codeCachePath(bundle: string): string {
  return `${bundle}.v8-cache`;
}

/** Loads BUNDLE (an absolute path) as Node loads a CommonJS file, compiled from its cache when there is one for it. */
export function requireCodeCached(bundle: string): { exports: unknown; cache: CacheUse } {
  const { source, bytes } = readSource(bundle);
  const cachedData = cacheFor(bundle, bytes);
  const script = compile(bundle, source, cachedData);
  const exports = evaluate(script, bundle);
  return { exports, cache: cachedData === undefined ? 'none' : script.cachedDataRejected ? 'refused by V8' : 'used' };
}

/**
 * At build time: evaluates BUNDLE, runs EXERCISE over its exports, and writes the cache, which then
 * holds all V8 compiled on the way: the functions the bundle's top level ran and those EXERCISE
 * reached, which a start would otherwise compile as it first calls them (a cache taken before
 * evaluating holds little more than the outermost function).
 */
export async function writeCodeCache(bundle: string, exercise: (exports: unknown) => Promise<void>): Promise<void> {
  const { source, bytes } = readSource(bundle);
  const script = compile(bundle, source);
  await exercise(evaluate(script, bundle));
  const cachedData = script.createCachedData();
  writeFileSync(codeCachePath(bundle), Buffer.concat([digest(bytes, cachedData), cachedData]));
}

function readSource(bundle: string): { source: string; bytes: Buffer } {
  const bytes = readFileSync(bundle);
  return { source: bytes.toString('utf8'), bytes };
}

function digest(source: Buffer, cachedData: Buffer): Buffer {
  return createHash('sha256').update(source).update(cachedData).digest();
}

/** The cache the build made from SOURCE, intact; none when it is not (unreadable is the same as absent). */
function cacheFor(bundle: string, source: Buffer): Buffer | undefined {
  let file: Buffer;
  try {
    file = readFileSync(codeCachePath(bundle));
  } catch {
    return undefined;
  }
  const cachedData = file.subarray(DIGEST_BYTES);
  return file.subarray(0, DIGEST_BYTES).equals(digest(source, cachedData)) ? cachedData : undefined;
}

/** The source inside the function Node wraps every CommonJS file in, so it runs as `require` would run it. */
function compile(bundle: string, source: string, cachedData?: Buffer): Script {
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  return new Script(wrapped, { filename: bundle, cachedData });
}

function evaluate(script: Script, bundle: string): unknown {
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return module.exports;
}
