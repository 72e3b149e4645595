/**
 * The one filter for outside text: every character that cannot be seen, or that changes how what
 * follows is seen, comes out as its `\uXXXX` escape; everything else is left alone.
 */
import { describe, expect, it } from 'vitest';
import { drawnLines, drawnText, HIDDEN_ANY, visibleLines, visibleText } from './visible-text';

/**
 * Told by Unicode's own properties, independently of the filter's fixed list: controls, format
 * characters (bidi, zero-width, tags), private use, lone surrogates, line and paragraph separators,
 * spaces other than U+0020, and default-ignorable code points (which browsers draw as nothing).
 */
const UNSEEN = /^(?:[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]|[^\P{Zs} ])$/u;

describe('visibleText', () => {
  it('escapes every control, format, invisible and private-use code point Unicode names', () => {
    const missed: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      const ch = String.fromCodePoint(cp);
      if (UNSEEN.test(ch) && !HIDDEN_ANY.test(ch)) missed.push(cp.toString(16));
    }
    expect(missed).toEqual([]);
  });

  it('shows a name that ends in an invisible character differently from the name without it', () => {
    expect(visibleText('carol\u{1d173}')).toBe('carol\\ud834\\udd73');
    expect(visibleText('carol\u{e01f0}')).toBe('carol\\udb40\\uddf0');
    // U+FFFC, the object replacement character, is a symbol to Unicode, but Chromium draws it as nothing.
    expect(visibleText('carol\ufffc')).toBe('carol\\ufffc');
    expect(visibleText('\u001b[32mverified\u202e')).toBe('\\u001b[32mverified\\u202e');
  });

  it('leaves printable text as it is, and line breaks to visibleLines', () => {
    const printable = 'Zoë Ødegård 山田 ✔ — “quoted” Δ';
    expect(visibleText(printable)).toBe(printable);
    expect(visibleLines('one\ntwo\tthree')).toBe('one\ntwo\\u0009three');
  });
});

describe('drawnText', () => {
  it('draws at most 30 combining marks in a row, and escapes the rest, so a renderer never shapes millions', () => {
    const marks = (n: number) => '\u0344'.repeat(n);
    expect(drawnText(`a${marks(30)}`)).toBe(`a${marks(30)}`);
    expect(drawnText(`a${marks(32)}b${marks(31)}`)).toBe(`a${marks(30)}\\u0344\\u0344b${marks(30)}\\u0344`);
    expect(drawnLines(`\u202e${marks(31)}\n`)).toEqual([`\\u202e${marks(30)}\\u0344`, '']);
    // 4 million: a regular expression matching the whole run overflowed V8's stack.
    expect(drawnText(`a${marks(4_000_000)}`).length).toBe(31 + 6 * (4_000_000 - 30));
  });
});

describe('drawnLines', () => {
  it('gives the lines, each longer than 1,000 characters in pieces, so a renderer never lays out millions of direction changes at once', () => {
    expect(drawnLines('one\n\ntwo\u0009')).toEqual(['one', '', 'two\\u0009']);
    expect(drawnLines(`${'x'.repeat(1000)}\n${'\u05d0'.repeat(2001)}`)).toEqual([
      'x'.repeat(1000),
      '\u05d0'.repeat(1000),
      '\u05d0'.repeat(1000),
      '\u05d0',
    ]);
    expect(drawnLines('\u{1f600}'.repeat(1001)).map((line) => [...line].length)).toEqual([1000, 1]);
  });
});
