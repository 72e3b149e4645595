/**
 * Shamir's secret sharing byte-for-byte as Vault's shamir/shamir.go: one random polynomial
 * per secret byte over GF(2^8), each share laid out as `y_0 … y_{n-1} ‖ x`, x coordinates
 * distinct, random and non-zero, and Vault's own error texts (the rehearsal Vault returns
 * them inside "failed to compute root key: …"). Like Vault, combining fewer shares than the
 * threshold is not detected: it silently yields a different secret.
 */
import { randomFillSync, randomInt } from 'node:crypto';
import { wipe } from '../shared/codecs/bytes';
import { err, ok, type Result } from '../shared/result';
import { add, div, mult } from './gf256';

export type ShamirErrorKind = 'invalid-split' | 'invalid-parts';

/** A share is one byte (its x coordinate) longer than the secret. */
export const SHARE_OVERHEAD = 1;

export function split(secret: Uint8Array, parts: number, threshold: number): Result<Uint8Array[], ShamirErrorKind> {
  if (parts < threshold) return err('invalid-split', 'parts cannot be less than threshold');
  if (parts > 255) return err('invalid-split', 'parts cannot exceed 255');
  if (threshold < 2) return err('invalid-split', 'threshold must be at least 2');
  if (threshold > 255) return err('invalid-split', 'threshold cannot exceed 255');
  if (secret.length === 0) return err('invalid-split', 'cannot split an empty secret');

  const xs = shuffledXCoordinates();
  const out = Array.from({ length: parts }, (_, i) => {
    const share = new Uint8Array(secret.length + SHARE_OVERHEAD);
    share[secret.length] = xs[i]!;
    return share;
  });
  const coefficients = new Uint8Array(threshold);
  for (let idx = 0; idx < secret.length; idx++) {
    coefficients[0] = secret[idx]!;
    // The current Vault draws every higher coefficient from crypto randomness, zero allowed.
    randomFillSync(coefficients, 1);
    for (let i = 0; i < parts; i++) out[i]![idx] = evaluate(coefficients, xs[i]!);
  }
  wipe(coefficients);
  return ok(out);
}

export function combine(parts: readonly Uint8Array[]): Result<Uint8Array, ShamirErrorKind> {
  if (parts.length < 2) return err('invalid-parts', 'less than two parts cannot be used to reconstruct the secret');
  const partLength = parts[0]!.length;
  if (partLength < 2) return err('invalid-parts', 'parts must be at least two bytes');
  if (parts.some((p) => p.length !== partLength)) return err('invalid-parts', 'all parts must be the same length');

  const xs = new Uint8Array(parts.length);
  const seen = new Set<number>();
  for (const [i, part] of parts.entries()) {
    const x = part[partLength - 1]!;
    if (seen.has(x)) return err('invalid-parts', 'duplicate part detected');
    seen.add(x);
    xs[i] = x;
  }

  const secret = new Uint8Array(partLength - 1);
  const ys = new Uint8Array(parts.length);
  for (let idx = 0; idx < secret.length; idx++) {
    for (const [i, part] of parts.entries()) ys[i] = part[idx]!;
    secret[idx] = interpolateAtZero(xs, ys);
  }
  wipe(ys);
  return ok(secret);
}

/** Fisher–Yates over 1..255 with a CSPRNG, as the current Vault does (older ones used math/rand). */
function shuffledXCoordinates(): number[] {
  const xs = Array.from({ length: 255 }, (_, i) => i + 1);
  for (let i = xs.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** Horner's rule; x = 0 is the intercept. */
function evaluate(coefficients: Uint8Array, x: number): number {
  if (x === 0) return coefficients[0]!;
  let out = coefficients[coefficients.length - 1]!;
  for (let i = coefficients.length - 2; i >= 0; i--) out = add(mult(out, x), coefficients[i]!);
  return out;
}

/** Lagrange interpolation at x = 0, Vault's `interpolatePolynomial(xs, ys, 0)`. */
function interpolateAtZero(xs: Uint8Array, ys: Uint8Array): number {
  let result = 0;
  for (let i = 0; i < xs.length; i++) {
    let basis = 1;
    for (let j = 0; j < xs.length; j++) {
      if (i === j) continue;
      basis = mult(basis, div(xs[j]!, add(xs[i]!, xs[j]!)));
    }
    result = add(result, mult(ys[i]!, basis));
  }
  return result;
}
