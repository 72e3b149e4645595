import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { goDecodeFirstValue } from './go-json-decoder';

describe('goDecodeFirstValue (json.Decoder, as Vault reads request bodies)', () => {
  it.each([
    ['{"a":1,}', `invalid character '}' looking for beginning of object key string`],
    ['{a:1}', `invalid character 'a' looking for beginning of object key string`],
    ['{"a" 1}', `invalid character '1' after object key`],
    ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ['[1 2]', `invalid character '2' after array element`],
    ['{"a":tru}', `invalid character '}' in literal true (expecting 'e')`],
    ['{"a":nil}', `invalid character 'i' in literal null (expecting 'u')`],
    ['{"a":01}', `invalid character '1' after object key:value pair`],
    ['{"a":1.}', `invalid character '}' after decimal point in numeric literal`],
    ['{"a":-}', `invalid character '}' in numeric literal`],
    ['{"a":1e}', `invalid character '}' in exponent of numeric literal`],
    ['{"a":"\\x"}', `invalid character 'x' in string escape code`],
    ['{"a":"\\u12g4"}', `invalid character 'g' in \\u hexadecimal character escape`],
    ['{"a":"\t"}', `invalid character '\\t' in string literal`],
    ["'single'", `invalid character '\\'' looking for beginning of value`],
    ['x', `invalid character 'x' looking for beginning of value`],
    ['\u00e9', `invalid character 'Ã' looking for beginning of value`],
    ['{"a":', 'unexpected EOF'],
    ['{"a":"b', 'unexpected EOF'],
    ['nul', 'unexpected EOF'],
  ])('%j fails with encoding/json’s text', (body, message) => {
    expect(goDecodeFirstValue(body)).toEqual({ ok: false, error: { kind: 'syntax', message } });
  });

  it('reads only the first value, as a Decoder does, and answers EOF for white space', () => {
    expect(goDecodeFirstValue(' {"a":[1,2]} trailing')).toEqual({ ok: true, value: { a: [1, 2] } });
    expect(goDecodeFirstValue('123abc')).toEqual({ ok: true, value: 123 });
    expect(goDecodeFirstValue(' \n\t')).toEqual({ ok: false, error: { kind: 'eof', message: 'EOF' } });
  });

  it('reads every valid JSON text as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(goDecodeFirstValue(text)).toEqual({ ok: true, value: JSON.parse(text) });
      }),
      { numRuns: 500 },
    );
  });
});
