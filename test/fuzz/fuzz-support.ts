/**
 * What the fuzz suites share: the case count the issue asks for, the generators of hostile
 * text, and a watchdog, because "no crash" includes "no hang" (openpgp.js waits forever on some
 * unfinished input, and a promise that never settles would otherwise pass silently).
 */
import fc from 'fast-check';

/** Cases per property, unless a suite documents (with its measurement) why it runs fewer. */
export const FUZZ_RUNS = 10_000;

/** Any UTF-16 code units, lone surrogates and controls included (fast-check's 'binary' unit is far slower). */
export const anyText = (maxLength = 96): fc.Arbitrary<string> =>
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength }).map((codes) => String.fromCharCode(...codes));

/** Text over a small alphabet, so the parsers' interesting paths (hex, base64, armor) are hit often. */
export const textOver = (alphabet: string, maxLength = 96): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...alphabet.split('')), maxLength });

/** Edits of a known-good text: cut, insert, delete, replace, duplicate a slice; the bread and butter of copy-paste damage. */
export function mutationsOf(original: string): fc.Arbitrary<string> {
  const at = fc.integer({ min: 0, max: original.length });
  return fc.oneof(
    at.map((i) => original.slice(0, i)),
    at.map((i) => original.slice(i)),
    fc.tuple(at, anyText(8)).map(([i, s]) => original.slice(0, i) + s + original.slice(i)),
    fc.tuple(at, fc.integer({ min: 1, max: 16 })).map(([i, n]) => original.slice(0, i) + original.slice(i + n)),
    fc
      .tuple(at, fc.integer({ min: 0, max: 0xffff }))
      .map(([i, c]) => original.slice(0, i) + String.fromCharCode(c) + original.slice(i + 1)),
    fc.tuple(at, at).map(([i, j]) => original + original.slice(Math.min(i, j), Math.max(i, j))),
  );
}

/** Rejects when `promise` has not settled after `ms`: a hang is a failure, not a slow pass. */
export function settlesWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, watchdog]).finally(() => clearTimeout(timer));
}
