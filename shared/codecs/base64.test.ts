import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRawStdBase64, decodeStdBase64, encodeRawStdBase64, encodeStdBase64 } from './base64';
import { utf8ToBytes } from './bytes';

/**
 * Independent oracle for what Go's default decoders accept: drop '\r' and '\n', then the text
 * must be whole 4-character groups (padded) or must not leave one lone character (raw).
 * Buffer then supplies the bytes (it also ignores trailing bits, as Go does).
 */
function goReference(text: string, padded: boolean): Uint8Array | undefined {
  const s = text.replace(/[\r\n]/g, '');
  const shape = padded ? /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/ : /^[A-Za-z0-9+/]*$/;
  if (!shape.test(s) || (!padded && s.length % 4 === 1)) return undefined;
  return new Uint8Array(Buffer.from(s, 'base64'));
}

const bytesOf = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

/** Any UTF-16 code units, lone surrogates included (fast-check's 'binary' unit is far slower). */
const anyText = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 64 })
  .map((codes) => String.fromCharCode(...codes));

describe('base64 (Go StdEncoding / RawStdEncoding)', () => {
  it('encodes as Node does, with and without padding', () => {
    for (const s of ['', 'A', 'AB', 'ABC', 'ABCD', 'hvs.0123456789abcdefghijklmn']) {
      const b = bytesOf(s);
      expect(encodeStdBase64(b)).toBe(Buffer.from(b).toString('base64'));
      expect(encodeRawStdBase64(b)).toBe(Buffer.from(b).toString('base64').replace(/=+$/, ''));
    }
  });

  it('decodes padded input and refuses what Go refuses', () => {
    expect(decodeStdBase64('')).toEqual({ ok: true, value: new Uint8Array() });
    expect(decodeStdBase64('QUJD')).toEqual({ ok: true, value: bytesOf('ABC') });
    expect(decodeStdBase64('QUI=')).toEqual({ ok: true, value: bytesOf('AB') });
    expect(decodeStdBase64('QQ==')).toEqual({ ok: true, value: bytesOf('A') });
    for (const bad of [
      'QQ',
      'QUI',
      'QQ=',
      'Q===',
      '=QQQ',
      'QQ==QQ==',
      'QUJD=',
      'QQ= =',
      ' QQ==',
      'QQ==\t',
      'QQ-_',
      'QUJ\u00e9',
    ]) {
      const r = decodeStdBase64(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.error.kind).toBe('invalid-base64');
    }
  });

  it('skips CR and LF anywhere, as Go does', () => {
    expect(decodeStdBase64('Q\nQ\r\n=\n=\n')).toEqual({ ok: true, value: bytesOf('A') });
    expect(decodeStdBase64('QUJD\nQUJD\n')).toEqual({ ok: true, value: bytesOf('ABCABC') });
    expect(decodeStdBase64('\n')).toEqual({ ok: true, value: new Uint8Array() });
  });

  it('ignores non-zero trailing bits, as Go’s non-strict default decoders do', () => {
    expect(decodeStdBase64('QR==')).toEqual({ ok: true, value: bytesOf('A') });
    expect(decodeStdBase64('AB==')).toEqual({ ok: true, value: Uint8Array.of(0) });
    expect(decodeRawStdBase64('QR')).toEqual({ ok: true, value: bytesOf('A') });
  });

  it('decodes raw input and refuses padding in it', () => {
    expect(decodeRawStdBase64('QQ')).toEqual({ ok: true, value: bytesOf('A') });
    expect(decodeRawStdBase64('QUI')).toEqual({ ok: true, value: bytesOf('AB') });
    expect(decodeRawStdBase64('QUJD')).toEqual({ ok: true, value: bytesOf('ABC') });
    for (const bad of ['Q', 'QUJDQ', 'QQ==', 'QUI=', 'QU I']) expect(decodeRawStdBase64(bad).ok, bad).toBe(false);
  });

  it('reads ASCII bytes the same as strings', () => {
    expect(decodeStdBase64(utf8ToBytes('QUI=\n'))).toEqual({ ok: true, value: bytesOf('AB') });
    expect(decodeRawStdBase64(utf8ToBytes('QUI'))).toEqual({ ok: true, value: bytesOf('AB') });
    expect(decodeStdBase64(Uint8Array.of(0x51, 0x51, 0x3d, 0xbd)).ok).toBe(false);
  });

  it('names the position, never the text, in its errors', () => {
    const r = decodeStdBase64('c2VjcmV0*');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toContain('character 8');
      expect(r.error.message).not.toContain('c2VjcmV0');
    }
  });

  it('reports the offset Go’s CorruptInputError gives (encoding/base64 TestDecodeCorrupt’s table)', () => {
    const table: [string, number][] = [
      ['!!!!', 0],
      ['====', 0],
      ['x===', 1],
      ['=AAA', 0],
      ['A=AA', 1],
      ['AA=A', 2],
      ['AA==A', 4],
      ['AAA=AAAA', 4],
      ['AAAAA', 4],
      ['AAAAAA', 4],
      ['A=', 1],
      ['A==', 1],
      ['AA=', 3],
      ['AAAAAA=', 7],
      ['YWJjZA=====', 8],
      ['A!\n', 1],
      ['A=\n', 1],
    ];
    for (const [text, offset] of table) expect(decodeStdBase64(text), JSON.stringify(text)).toMatchObject({ offset });
  });

  it('round-trips arbitrary bytes in both forms', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        expect(decodeStdBase64(encodeStdBase64(b))).toEqual({ ok: true, value: b });
        expect(decodeRawStdBase64(encodeRawStdBase64(b))).toEqual({ ok: true, value: b });
        expect(encodeStdBase64(b)).toBe(Buffer.from(b).toString('base64'));
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts exactly what the Go reference accepts, with the same bytes', () => {
    const text = fc.string({
      unit: fc.constantFrom(...'ABCDQRYZaz09+/=\n\r -_'.split('')),
      maxLength: 24,
    });
    fc.assert(
      fc.property(text, (s) => {
        for (const padded of [true, false]) {
          const got = padded ? decodeStdBase64(s) : decodeRawStdBase64(s);
          const want = goReference(s, padded);
          expect(got.ok ? got.value : undefined).toEqual(want);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        decodeStdBase64(s);
        decodeRawStdBase64(s);
      }),
      { numRuns: 1000 },
    );
  });
});
