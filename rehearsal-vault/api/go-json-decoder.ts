/**
 * The first JSON value of a request body, read as Go's json.Decoder reads it (Vault's
 * jsonutil.DecodeJSONFromReader): leading white space skipped, the value scanned with
 * encoding/json's scanner states, anything after it ignored. Errors carry the scanner's own texts
 * ("invalid character 'x' looking for beginning of value", "unexpected EOF"); the character is
 * quoted as Go's quoteChar does and nothing else of the input is repeated.
 */
import { err, ok, type Result } from '../../shared/result';

export type GoJsonErrorKind = 'eof' | 'syntax';

type Frame = 'object-key' | 'object-value' | 'array';

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

/** 'eof' for a body of white space only (io.EOF); otherwise the value or Go's error text. */
export function goDecodeFirstValue(body: string): Result<unknown, GoJsonErrorKind> {
  const bytes = Buffer.from(body, 'utf8');
  const end = scanFirstValue(bytes);
  if (typeof end !== 'number') return end;
  return ok(JSON.parse(bytes.subarray(0, end).toString('utf8')));
}

/** The offset just past the first value, or the error. */
function scanFirstValue(b: Buffer): number | Result<never, GoJsonErrorKind> {
  const stack: Frame[] = [];
  let i = 0;
  while (i < b.length && WHITESPACE.has(b[i]!)) i++;
  if (i === b.length) return err('eof', 'EOF');
  const unexpectedEof = err('syntax', 'unexpected EOF');
  const bad = (at: number, context: string) => err('syntax', `invalid character ${quoteChar(b[at]!)} ${context}`);

  // One value at i; returns the offset after it (scalars) or after its opening bracket (containers).
  const value = (): number | Result<never, GoJsonErrorKind> => {
    while (i < b.length && WHITESPACE.has(b[i]!)) i++;
    if (i === b.length) return unexpectedEof;
    const c = b[i]!;
    if (c === 0x7b || c === 0x5b) {
      i++;
      while (i < b.length && WHITESPACE.has(b[i]!)) i++;
      if (i === b.length) return unexpectedEof;
      if (c === 0x7b) {
        if (b[i] === 0x7d) return ++i;
        if (b[i] !== 0x22) return bad(i, 'looking for beginning of object key string');
        stack.push('object-key');
        return string();
      }
      if (b[i] === 0x5d) return ++i;
      stack.push('array');
      return value();
    }
    if (c === 0x22) return string();
    if (c === 0x2d || isDigit(c)) return number();
    for (const word of ['true', 'false', 'null']) {
      if (c !== word.charCodeAt(0)) continue;
      for (let k = 1; k < word.length; k++) {
        if (i + k === b.length) return unexpectedEof;
        if (b[i + k] !== word.charCodeAt(k))
          return bad(i + k, `in literal ${word} (expecting ${quoteChar(word.charCodeAt(k))})`);
      }
      return (i += word.length);
    }
    return bad(i, 'looking for beginning of value');
  };

  const string = (): number | Result<never, GoJsonErrorKind> => {
    for (i++; i < b.length; i++) {
      const c = b[i]!;
      if (c === 0x22) return ++i;
      if (c < 0x20) return bad(i, 'in string literal');
      if (c !== 0x5c) continue;
      i++;
      if (i === b.length) return unexpectedEof;
      const e = b[i]!;
      if (e === 0x75) {
        for (let k = 1; k <= 4; k++) {
          if (i + k === b.length) return unexpectedEof;
          if (!isHex(b[i + k]!)) return bad(i + k, 'in \\u hexadecimal character escape');
        }
        i += 4;
      } else if (!'bfnrt\\/"'.includes(String.fromCharCode(e))) return bad(i, 'in string escape code');
    }
    return unexpectedEof;
  };

  // A number ends at the first byte that cannot continue it; at the very end Go's Decoder sees EOF and accepts it.
  const number = (): number | Result<never, GoJsonErrorKind> => {
    if (b[i] === 0x2d) {
      i++;
      if (i === b.length) return unexpectedEof;
      if (!isDigit(b[i]!)) return bad(i, 'in numeric literal');
    }
    if (b[i] === 0x30) i++;
    else while (i < b.length && isDigit(b[i]!)) i++;
    if (b[i] === 0x2e) {
      i++;
      if (i === b.length) return unexpectedEof;
      if (!isDigit(b[i]!)) return bad(i, 'after decimal point in numeric literal');
      while (i < b.length && isDigit(b[i]!)) i++;
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) i++;
      if (i === b.length) return unexpectedEof;
      if (!isDigit(b[i]!)) return bad(i, 'in exponent of numeric literal');
      while (i < b.length && isDigit(b[i]!)) i++;
    }
    return i;
  };

  let r = value();
  for (;;) {
    if (typeof r !== 'number') return r;
    const frame = stack.at(-1);
    if (frame === undefined) return r;
    while (i < b.length && WHITESPACE.has(b[i]!)) i++;
    if (i === b.length) return unexpectedEof;
    const c = b[i]!;
    if (frame === 'object-key') {
      if (c !== 0x3a) return bad(i, 'after object key');
      i++;
      stack[stack.length - 1] = 'object-value';
      r = value();
    } else if (frame === 'object-value') {
      if (c === 0x7d) {
        stack.pop();
        r = ++i;
      } else if (c === 0x2c) {
        i++;
        while (i < b.length && WHITESPACE.has(b[i]!)) i++;
        if (i === b.length) return unexpectedEof;
        if (b[i] !== 0x22) return bad(i, 'looking for beginning of object key string');
        stack[stack.length - 1] = 'object-key';
        r = string();
      } else return bad(i, 'after object key:value pair');
    } else if (c === 0x5d) {
      stack.pop();
      r = ++i;
    } else if (c === 0x2c) {
      i++;
      r = value();
    } else return bad(i, 'after array element');
  }
}

/** encoding/json's quoteChar: the byte in single quotes, escaped as strconv.Quote would. */
function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const named: Record<number, string> = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r', 0x5c: '\\' };
  if (named[c] !== undefined) return `'\\${named[c]}'`;
  const hex = c.toString(16).padStart(2, '0');
  if (c < 0x20 || c === 0x7f) return `'\\x${hex}'`;
  // A byte above 0x7f is the rune U+0080–U+00FF to Go: printable ones as they are, the rest \u00XX.
  if ((c >= 0x80 && c < 0xa0) || c === 0xad) return `'\\u00${hex}'`;
  return `'${String.fromCharCode(c)}'`;
}
