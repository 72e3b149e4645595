/**
 * Standard-alphabet base64 exactly as Go's encoding/base64 reads it, because whatever Vault
 * accepts (or refuses) is what we must accept (or refuse):
 * - `StdEncoding` (padded) and `RawStdEncoding` (unpadded); `=` is an error in the raw form and
 *   a missing or misplaced `=` is an error in the padded form.
 * - '\r' and '\n' anywhere are skipped (Go documents this); every other character outside
 *   `A–Z a–z 0–9 + /` is an error, including spaces.
 * - Non-zero trailing bits (e.g. `AB==`) are accepted and dropped: Go's default decoders are not
 *   `.Strict()`, and Vault uses the defaults.
 * Input may be a string or ASCII bytes, so secret text held in a wipeable buffer never has to
 * become a string. Error messages give positions only, never the input.
 */
import { err, ok } from '../result';
import { wipe } from './bytes';

export type Base64ErrorKind = 'invalid-base64';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 0x3d; // '='
const LF = 0x0a;
const CR = 0x0d;

const DECODE = new Int8Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Go's `base64.StdEncoding.EncodeToString`. */
export function encodeStdBase64(bytes: Uint8Array): string {
  return encode(bytes, true);
}

/** Go's `base64.RawStdEncoding.EncodeToString`. */
export function encodeRawStdBase64(bytes: Uint8Array): string {
  return encode(bytes, false);
}

/** Go's `base64.StdEncoding.DecodeString`. */
export function decodeStdBase64(input: string | Uint8Array): Base64Decoded {
  return decode(input, true);
}

/** Go's `base64.RawStdEncoding.DecodeString`. */
export function decodeRawStdBase64(input: string | Uint8Array): Base64Decoded {
  return decode(input, false);
}

function encode(bytes: Uint8Array, padded: boolean): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const rest = bytes.length - i;
    const v = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[v >>> 18]! + ALPHABET[(v >>> 12) & 63]!;
    if (rest > 1) out += ALPHABET[(v >>> 6) & 63]!;
    else if (padded) out += '=';
    if (rest > 2) out += ALPHABET[v & 63]!;
    else if (padded) out += '=';
  }
  return out;
}

/** On failure, `offset` is where Go's `CorruptInputError` points ("illegal base64 data at input byte N"). */
export type Base64Decoded =
  | { readonly ok: true; readonly value: Uint8Array }
  | (ReturnType<typeof err<Base64ErrorKind>> & { readonly offset: number });

/** A port of Go's `decodeQuantum` loop, so errors arise on the same inputs at the same offsets. */
function decode(input: string | Uint8Array, padded: boolean): Base64Decoded {
  const codeAt = typeof input === 'string' ? (i: number) => input.charCodeAt(i) : (i: number) => input[i]!;
  const len = input.length;
  const out = new Uint8Array(Math.floor(len / 4) * 3 + (padded ? 0 : Math.floor(((len % 4) * 6) / 8)));
  const q = [0, 0, 0, 0];
  const fail = (offset: number, message: string) => {
    wipe(out);
    q.fill(0);
    return { ...err('invalid-base64' as const, message), offset };
  };
  const skipNewlines = (i: number) => {
    while (i < len && (codeAt(i) === LF || codeAt(i) === CR)) i++;
    return i;
  };
  let n = 0;
  let si = 0;
  while (si < len) {
    let dlen = 4;
    let trailingAt = -1;
    for (let j = 0; j < 4; j++) {
      if (si === len) {
        if (j === 0) return finish(out, n);
        if (j === 1 || padded) {
          return fail(
            si - j,
            padded
              ? `the text ends in the middle of a 4-character group at character ${si - j}: padded base64 is a multiple of 4 characters, ending in = or == when needed`
              : `a single leftover character at character ${si - j} cannot encode a byte`,
          );
        }
        dlen = j;
        break;
      }
      const c = codeAt(si++);
      const v = c < 256 ? DECODE[c]! : -1;
      if (v >= 0) {
        q[j] = v;
        continue;
      }
      if (c === LF || c === CR) {
        j--;
        continue;
      }
      if (c !== PAD) return fail(si - 1, `character ${si - 1} is not in the base64 alphabet (A–Z, a–z, 0–9, +, /)`);
      if (!padded)
        return fail(si - 1, `character ${si - 1} is '=' padding, which unpadded (raw) base64 does not allow`);
      if (j < 2) return fail(si - 1, `padding '=' at character ${si - 1} comes too early in its 4-character group`);
      if (j === 2) {
        si = skipNewlines(si);
        if (si === len) return fail(len, `the text ends after a single '=' at character ${len}: this group needs '=='`);
        if (codeAt(si) !== PAD) return fail(si - 1, `character ${si - 1} should be the second '=' of '=='`);
        si++;
      }
      si = skipNewlines(si);
      if (si < len) trailingAt = si;
      dlen = j;
      break;
    }
    const v = (q[0]! << 18) | (q[1]! << 12) | (q[2]! << 6) | q[3]!;
    out[n++] = v >>> 16;
    if (dlen > 2) out[n++] = (v >>> 8) & 255;
    if (dlen > 3) out[n++] = v & 255;
    q.fill(0);
    if (trailingAt >= 0)
      return fail(trailingAt, `there is more text after the '=' padding, at character ${trailingAt}`);
  }
  return finish(out, n);
}

/** Returns exactly n bytes; the oversized scratch buffer (sized for the worst case) is wiped. */
function finish(out: Uint8Array, n: number): Base64Decoded {
  if (n === out.length) return ok(out);
  const exact = out.slice(0, n);
  wipe(out);
  return ok(exact);
}
