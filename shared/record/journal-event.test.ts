import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  eventHash,
  genesisHash,
  isUtcTime,
  journalHeaderDetails,
  sealEvent,
  serializeEvent,
  verifyJournalText,
  type JournalEvent,
  type JsonObject,
  type JsonValue,
} from './journal-event';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function chainOf(ceremonyId: string, count: number): JournalEvent[] {
  const events: JournalEvent[] = [];
  let prev = genesisHash(ceremonyId);
  for (let seq = 1; seq <= count; seq++) {
    const details: JsonObject = seq === 1 ? journalHeaderDetails(ceremonyId, true) : { n: seq, note: `step ${seq}` };
    const event = sealEvent({
      seq,
      time: new Date(Date.UTC(2025, 0, 31, 12, 0, seq)).toISOString(),
      actor: seq === 1 ? 'vault-ceremony' : 'alice',
      role: seq === 1 ? 'system' : 'administrator',
      step: seq === 1 ? 'journal' : 'pre-checks',
      type: seq === 1 ? 'journal-created' : 'step-acknowledged',
      details,
      prev,
    });
    events.push(event);
    prev = event.hash;
  }
  return events;
}

const textOf = (events: JournalEvent[]) => events.map((e) => serializeEvent(e) + '\n').join('');

describe('canonical JSON', () => {
  it('sorts keys at every depth and adds no whitespace', () => {
    expect(canonicalJson({ b: [1, { d: true, c: null }], a: 'x' })).toBe('{"a":"x","b":[1,{"c":null,"d":true}]}');
  });

  it('is a fixed point of parse + serialise, whatever the key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value as JsonValue);
        expect(canonicalJson(JSON.parse(text) as JsonValue)).toBe(text);
      }),
    );
  });
});

describe('canonical JSON, as the original key-sorting serialiser wrote it', () => {
  // The serialiser before the JSON.stringify fast path, kept here as the reference.
  const reference = (value: JsonValue): string => {
    if (value === null || typeof value !== 'object') return JSON.stringify(value);
    if (Array.isArray(value)) return `[${value.map((v: JsonValue) => reference(v)).join(',')}]`;
    const obj = value as JsonObject;
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${reference(obj[k]!)}`)
      .join(',')}}`;
  };
  const keys = fc.oneof(
    fc.string(),
    fc.constantFrom('0', '1', '10', '9', '01', '-1', '__proto__', 'toJSON', 'a', 'B', 'é', '\ud800'),
  );
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string(),
      tie('array'),
      tie('object'),
    ),
    array: fc.array(tie('value'), { maxLength: 4 }),
    object: fc.dictionary(keys, tie('value'), { maxKeys: 5 }),
  })).value;

  it('is unchanged, sorted or not, parsed or built', () => {
    fc.assert(
      fc.property(json, (value) => {
        const v = value as JsonValue;
        expect(canonicalJson(v)).toBe(reference(v));
        const parsed = JSON.parse(reference(v)) as JsonValue;
        expect(canonicalJson(parsed)).toBe(reference(parsed));
      }),
      { numRuns: 2000 },
    );
  });

  it('puts integer-like keys in string order, which JSON.stringify alone would not', () => {
    expect(canonicalJson(JSON.parse('{"10":1,"9":2}') as JsonValue)).toBe('{"10":1,"9":2}');
  });

  it('treats objects that are not plain JSON as the original did', () => {
    const date = new Date(0) as unknown as JsonValue;
    expect(canonicalJson({ at: date })).toBe('{"at":{}}');
    expect(canonicalJson({ a: Object.create(null, { z: { value: 1, enumerable: true } }) as JsonValue })).toBe(
      '{"a":{"z":1}}',
    );
    expect(() => canonicalJson({ n: Infinity })).toThrow(TypeError);
    expect(() => canonicalJson([1, Number.NaN])).toThrow(TypeError);
  });
});

describe('isUtcTime', () => {
  it('agrees with parsing the text and printing it again, over calendar edges of many years', () => {
    const byDate = (t: string) => {
      const ms = Date.parse(t);
      return (
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(t) && !Number.isNaN(ms) && new Date(ms).toISOString() === t
      );
    };
    const pad = (x: number, w: number) => String(x).padStart(w, '0');
    const disagree: string[] = [];
    for (const y of [0, 1, 4, 100, 1900, 2000, 2023, 2024, 2100, 9999])
      for (let m = 0; m <= 13; m++)
        for (let d = 0; d <= 32; d++)
          for (const [h, mi, sec] of [
            [0, 0, 0],
            [23, 59, 59],
            [24, 0, 0],
            [12, 60, 0],
            [12, 0, 60],
          ] as const) {
            const t = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(sec, 2)}.123Z`;
            if (isUtcTime(t) !== byDate(t)) disagree.push(t);
          }
    expect(disagree).toEqual([]);
    expect(isUtcTime('2024-02-29T12:00:00.000Z')).toBe(true);
    expect(isUtcTime('2023-02-29T12:00:00.000Z')).toBe(false);
    expect(isUtcTime('2024-02-29 12:00:00.000Z')).toBe(false);
  });
});

describe('hashes', () => {
  it('are domain-separated SHA-256 over the canonical JSON, checkable with any SHA-256 tool', () => {
    const [first, second] = chainOf('c-1', 2) as [JournalEvent, JournalEvent];
    expect(first.prev).toBe(sha256('vault-ceremony journal v1 genesis\nc-1'));
    const { hash, ...body } = second;
    expect(hash).toBe(sha256('vault-ceremony journal v1 event\n' + canonicalJson(body)));
    expect(hash).not.toBe(sha256(canonicalJson(body)));
    expect(eventHash(body)).toBe(hash);
  });

  it('equal canonicalJson of the event, for any contents', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        fc.dictionary(fc.string(), fc.jsonValue()),
        (actor, step, details) => {
          const body = {
            seq: 7,
            time: '2025-01-31T12:00:00.000Z',
            actor,
            role: 'witness' as const,
            step,
            type: 'note',
            details: details as JsonObject,
            prev: 'a'.repeat(64),
          };
          const event = sealEvent(body);
          expect(event.hash).toBe(sha256('vault-ceremony journal v1 event\n' + canonicalJson(body)));
          expect(serializeEvent(event)).toBe(canonicalJson(event as unknown as JsonObject));
        },
      ),
    );
  });

  it('bind the chain to its ceremony', () => {
    expect(genesisHash('c-1')).not.toBe(genesisHash('c-2'));
  });
});

describe('verifyJournalText', () => {
  it('accepts an intact chain and reports its ceremony, events and head', () => {
    const events = chainOf('c-1', 5);
    const result = verifyJournalText(textOf(events));
    expect(result).toEqual({ ok: true, value: { events, ceremonyId: 'c-1', rehearsal: true, head: events[4]!.hash } });
  });

  it('names the first altered event by seq and line', () => {
    const lines = textOf(chainOf('c-1', 5)).split('\n');
    lines[2] = lines[2]!.replace('step 3', 'step X');
    const result = verifyJournalText(lines.join('\n'));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.kind).toBe('chain-broken');
      expect(result.error.message).toContain('event seq 3 (line 3)');
    }
  });

  it('catches an altered event whose own hash was recomputed, at the next event', () => {
    const events = chainOf('c-1', 4);
    events[1] = sealEvent({ ...events[1]!, details: { n: 2, note: 'rewritten' } });
    const result = verifyJournalText(textOf(events));
    expect(!result.ok && result.error.message).toMatch(
      /event seq 3 \(line 3\): prev does not equal the hash of event seq 2/,
    );
  });

  it('refuses removed, reordered and duplicated events', () => {
    const lines = textOf(chainOf('c-1', 4)).trimEnd().split('\n');
    const variants = [
      [lines[0], lines[2], lines[3]],
      [lines[0], lines[2], lines[1], lines[3]],
      [lines[0], lines[1], lines[1], lines[2]],
    ];
    for (const v of variants) {
      const result = verifyJournalText(v.join('\n') + '\n');
      expect(result.ok && 'accepted').toBe(false);
      expect(!result.ok && result.error.kind).toBe('sequence-broken');
    }
  });

  it('refuses a journal spliced from another ceremony', () => {
    const mine = chainOf('c-1', 3);
    const theirs = chainOf('c-2', 3);
    const header = sealEvent({ ...theirs[0]!, details: journalHeaderDetails('c-1', true) });
    expect(verifyJournalText(textOf([header, ...theirs.slice(1)])).ok).toBe(false);
    expect(verifyJournalText(textOf([mine[0]!, ...theirs.slice(1)])).ok).toBe(false);
  });

  it('refuses non-canonical spellings of a valid event', () => {
    const line = serializeEvent(chainOf('c-1', 1)[0]!);
    for (const variant of [
      line.replace('{"actor"', '{ "actor"'),
      line.replace('"system"', '"\\u0073ystem"'),
      JSON.stringify(JSON.parse(line)), // JSON.stringify keeps insertion order: not sorted
      line + ' ',
    ]) {
      if (variant === line) continue;
      const result = verifyJournalText(variant + '\n');
      expect(!result.ok && result.error.kind).toMatch(/not-canonical|malformed-event/);
    }
  });

  it('refuses an incomplete last line, an empty journal and a first event that is not the header', () => {
    const text = textOf(chainOf('c-1', 2));
    expect(verifyJournalText(text.slice(0, -1)).ok).toBe(false);
    expect(verifyJournalText('').ok).toBe(false);
    const second = chainOf('c-1', 2)[1]!;
    const headless = sealEvent({ ...second, seq: 1, prev: genesisHash('c-1') });
    expect(!verifyJournalText(textOf([headless])).ok && 'refused').toBe('refused');
  });

  it('refuses a long line nested past the depth limit before parsing it, and no line that is not', () => {
    // Megabytes of `[`: JSON.parse would build a million arrays before any check saw them.
    const nested = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    const refused = verifyJournalText(`${nested}\n`);
    expect(!refused.ok && refused.error.message).toBe(
      'event seq 1 (line 1): the line nests arrays or objects more than 32 deep',
    );
    // Brackets in strings are text; an event 32 deep (itself, its details and 30 arrays) is as deep as one goes.
    const deep: JsonValue = Array.from({ length: 29 }).reduce<JsonValue>((inner) => [inner], ['['.repeat(70_000)]);
    const [header, second] = chainOf('c-1', 2);
    const long = sealEvent({ ...second!, prev: header!.hash, details: { deep } });
    expect(serializeEvent(long).length).toBeGreaterThan(70_000);
    expect(verifyJournalText(textOf([header!, long])).ok).toBe(true);
  });

  it.each<[string, Partial<JournalEvent>]>([
    ['holds a detail the journal never writes', { details: { ...journalHeaderDetails('c-1', true), note: 'live' } }],
    ['is by someone else', { actor: 'alice' }],
    ['is at a ceremony step', { step: 'roll-call' }],
  ])('refuses a header that %s: the transcript shows it', (_what, change) => {
    const [header, second] = chainOf('c-1', 2);
    const changed = sealEvent({ ...header!, ...change });
    const rest = sealEvent({ ...second!, prev: changed.hash });
    const refused = verifyJournalText(textOf([changed, rest]));
    expect(!refused.ok && refused.error.kind).toBe('bad-genesis');
  });
});
