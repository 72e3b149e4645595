/** Byte helpers shared by every layer. Pure: no Buffer, no TextEncoder. */

const HEX = '0123456789abcdef';

/** Lowercase hex, as Vault prints shares and fingerprints. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX[b >> 4]! + HEX[b & 15]!;
  return out;
}

/** Strict hex (either case, even length, nothing else); undefined when it is not hex. */
export function hexToBytes(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * UTF-8 encoding without relying on TextEncoder (absent from the pure ES library). A lone
 * surrogate is encoded as its own three bytes (as TextEncoder would not); Node's encoder agrees on
 * every well-formed string. No intermediate array: the bytes may be a secret the caller wipes.
 */
export function utf8ToBytes(text: string): Uint8Array {
  // ASCII first: journal lines, hex, tokens. One byte per code unit, one pass.
  const ascii = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      ascii.fill(0);
      return utf8ToBytesSlow(text);
    }
    ascii[i] = c;
  }
  return ascii;
}

function utf8ToBytesSlow(text: string): Uint8Array {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i)!;
    length += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (c >= 0x10000) i++;
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i)!;
    if (c < 0x80) out[at++] = c;
    else if (c < 0x800) {
      out[at++] = 0xc0 | (c >> 6);
      out[at++] = 0x80 | (c & 63);
    } else if (c < 0x10000) {
      out[at++] = 0xe0 | (c >> 12);
      out[at++] = 0x80 | ((c >> 6) & 63);
      out[at++] = 0x80 | (c & 63);
    } else {
      out[at++] = 0xf0 | (c >> 18);
      out[at++] = 0x80 | ((c >> 12) & 63);
      out[at++] = 0x80 | ((c >> 6) & 63);
      out[at++] = 0x80 | (c & 63);
      i++;
    }
  }
  return out;
}

/** Bytes to a string of the same code units (Latin-1); exact for the ASCII tokens Vault uses. */
export function bytesToLatin1(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

/** Zero-fills buffers that held secrets, so a later heap dump finds nothing. */
export function wipe(...buffers: Array<Uint8Array | undefined>): void {
  for (const b of buffers) b?.fill(0);
}

/** Compares without an early exit, so timing does not reveal where two values differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
