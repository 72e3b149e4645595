import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  genesisHash,
  journalHeaderDetails,
  sealEvent,
  type JournalEvent,
  type JsonObject,
  type Role,
  type VerifiedChain,
} from './journal-event';
import { readTranscriptStatement, renderTranscript, TRANSCRIPT_FORMAT } from './transcript-format';
import { firstLineNotRendered } from './transcript-match';
import { visibleText } from './visible-text';

type Input = { actor: string; role: Role; step: string; type: string; details?: JsonObject };

function chain(rehearsal: boolean, inputs: Input[], ceremonyId = 'dc2-promotion-2025-01-31'): VerifiedChain {
  const events: JournalEvent[] = [];
  const all: Input[] = [
    {
      actor: 'vault-ceremony',
      role: 'system',
      step: 'journal',
      type: 'journal-created',
      details: journalHeaderDetails(ceremonyId, rehearsal),
    },
    ...inputs,
  ];
  for (const [i, input] of all.entries()) {
    events.push(
      sealEvent({
        seq: i + 1,
        time: new Date(Date.UTC(2025, 0, 31, 9, i)).toISOString(),
        ...input,
        details: input.details ?? {},
        prev: i === 0 ? genesisHash(ceremonyId) : events[i - 1]!.hash,
      }),
    );
  }
  return { events, ceremonyId, rehearsal, head: events[events.length - 1]!.hash };
}

const ceremony: Input[] = [
  { actor: 'alice', role: 'administrator', step: 'pre-checks', type: 'ceremony-started' },
  {
    actor: 'bob',
    role: 'witness',
    step: 'pre-checks',
    type: 'step-acknowledged',
    details: { attestation: 'primary fenced' },
  },
  { actor: 'alice', role: 'administrator', step: 'promote', type: 'deviation', details: { reason: 'force promotion' } },
  { actor: 'bob', role: 'witness', step: 'promote', type: 'deviation-witnessed' },
  {
    actor: 'alice',
    role: 'administrator',
    step: 'promote',
    type: 'vault-response',
    details: {
      status: 200,
      body: { warnings: ['This cluster is being promoted to a replication primary.'], data: null },
    },
  },
  {
    actor: 'alice',
    role: 'administrator',
    step: 'finish',
    type: 'ceremony-finished',
    details: { outcome: 'promoted' },
  },
];

const lines = (text: string) => text.split('\n');

describe('renderTranscript', () => {
  it('is deterministic and states the ceremony, event count and head', () => {
    const c = chain(false, ceremony);
    const text = renderTranscript(c);
    expect(renderTranscript(chain(false, ceremony))).toBe(text);
    expect(readTranscriptStatement(text)).toEqual({
      format: TRANSCRIPT_FORMAT,
      ceremony: 'dc2-promotion-2025-01-31',
      events: 7,
      head: c.head,
    });
    expect(text).toContain('Outcome:        promoted');
    expect(text).toContain('Deviations:     2');
    expect(text).toContain('[3] 2025-01-31T09:02:00.000Z  pre-checks  step-acknowledged  by bob (witness)');
    expect(text).toContain('      body.warnings[0]: "This cluster is being promoted to a replication primary."');
    expect(text).not.toContain('REHEARSAL');
  });

  it('summarises the signed authorisations: step, signer, the action signed (reason included) and the key', () => {
    expect(renderTranscript(chain(false, ceremony))).toContain('\nSigned authorisations (each by its signer');
    expect(renderTranscript(chain(false, ceremony))).toMatch(/Signed authorisations .*\n {2}none recorded\n/);
    const text = renderTranscript(
      chain(false, [
        ...ceremony.slice(0, 2),
        {
          actor: 'bob',
          role: 'witness',
          step: 'share-entry',
          type: 'step-authorised',
          details: {
            action: 'abort: "seal \\"broken\\""',
            statement_sha256: 'ab'.repeat(32),
            event: { type: 'authorise', fingerprint: 'cd'.repeat(20) },
          },
        },
      ]),
    );
    const section = text.slice(text.indexOf('Signed authorisations'), text.indexOf('Events, in journal order'));
    expect(section).toContain('  share-entry: signed by bob (witness) at 2025-01-31T09:03:00.000Z, event [4]\n');
    expect(section).toContain(`      action: "abort: \\"seal \\\\\\"broken\\\\\\"\\""\n`);
    expect(section).toContain(`      key: "${'cd'.repeat(20)}"\n`);
    expect(section).toContain(`      statement_sha256: "${'ab'.repeat(32)}"\n`);
  });

  it('marks a rehearsal in large letters at the top and the bottom', () => {
    const text = renderTranscript(chain(true, ceremony));
    const all = lines(text);
    const big = all.filter((l) => l.startsWith('    ####   #####  #   #'));
    expect(big.length).toBe(2);
    expect(all.indexOf(big[0]!)).toBeLessThan(3);
    expect(all.lastIndexOf(big[1]!)).toBeGreaterThan(all.length - 12);
    expect(text.endsWith(`Nothing real was promoted.\n${'='.repeat(72)}\n`)).toBe(true);
    expect(text).toContain('Mode:           REHEARSAL');
  });

  it('names a failback or an operation by its kind, not as a promotion', () => {
    const started = (kind: string): Input => ({
      actor: 'vault-ceremony',
      role: 'system',
      step: 'roll-call',
      type: 'ceremony-started',
      details: { plan: { kind } },
    });
    const failback = renderTranscript(chain(true, [started('failback')]));
    expect(failback).toContain('VAULT DR FAILBACK CEREMONY: TRANSCRIPT');
    expect(failback).toContain('Nothing real was demoted or failed back.');
    expect(failback).not.toMatch(/PROMOTION|promoted/);
    const operation = renderTranscript(chain(true, [started('operation')]));
    expect(operation).toContain('VAULT REPLICATION OPERATION CEREMONY: TRANSCRIPT');
    expect(operation).toContain('No real cluster was changed.');
    expect(operation).not.toMatch(/PROMOTION|promoted/);
    expect(renderTranscript(chain(true, [started('promotion')]))).toContain(
      'VAULT DR SECONDARY PROMOTION CEREMONY: TRANSCRIPT',
    );
  });

  it('puts an abort at the top: ABORTED, where, why, who authorised it and what it left behind', () => {
    const aborted = renderTranscript(
      chain(true, [
        ...ceremony.slice(0, -1),
        {
          actor: 'vault-ceremony',
          role: 'system',
          step: 'sign-transcript',
          type: 'ceremony-finished',
          details: {
            outcome: 'aborted',
            abort: { step: 'share-entry', reason: 'seal broken', raised_by: 'bob', authorised_by: ['alice', 'bob'] },
            loose_ends: ['An attempt may still be open.'],
          },
        },
      ]),
    );
    const top = aborted.slice(0, aborted.indexOf('Deviations:'));
    expect(top).toMatch(/\nOutcome: {8}ABORTED\n/);
    for (const line of [
      '      abort.authorised_by[0]: "alice"',
      '      abort.authorised_by[1]: "bob"',
      '      abort.raised_by: "bob"',
      '      abort.reason: "seal broken"',
      '      abort.step: "share-entry"',
      '      loose_ends[0]: "An attempt may still be open."',
    ])
      expect(top).toContain(`${line}\n`);
    // Other outcomes keep their one line.
    expect(renderTranscript(chain(false, ceremony))).toMatch(/\nOutcome: {8}promoted\nDeviations:/);
  });

  it('says so when the ceremony did not finish', () => {
    expect(renderTranscript(chain(false, ceremony.slice(0, 2)))).toContain('Outcome:        NOT FINISHED');
  });

  it('writes only lines that survive cleartext signing, whatever the events hold', () => {
    const hostile = fc.string({ unit: 'binary', maxLength: 300 });
    fc.assert(
      fc.property(hostile, hostile, hostile, (actor, value, key) => {
        const text = renderTranscript(
          chain(true, [
            {
              actor: actor || 'x',
              role: 'witness',
              step: value || 's',
              type: 'deviation',
              details: { [key]: value, n: [value] },
            },
          ]),
        );
        for (const line of lines(text)) {
          expect(line).not.toMatch(/[ \t\r]$/);
          expect(line).not.toMatch(/^-/);
          expect(line).not.toMatch(/[\p{Cc}\u2028\u2029\u202e\ufeff]/u);
          expect(line.length).toBeLessThan(400);
        }
        expect(readTranscriptStatement(text)).toBeDefined();
      }),
    );
  });

  it('cannot be made to state a different head by event text', () => {
    const forged = `x\nJournal head:   ${'0'.repeat(64)}\nJournal events: 1\nFormat:         vault-ceremony-transcript/1`;
    const c = chain(false, [
      { actor: forged, role: 'witness', step: forged, type: 'deviation', details: { note: forged } },
    ]);
    expect(readTranscriptStatement(renderTranscript(c))).toEqual({
      format: TRANSCRIPT_FORMAT,
      ceremony: 'dc2-promotion-2025-01-31',
      events: 2,
      head: c.head,
    });
  });

  it('shows hidden characters escaped and wraps long values so the pieces join back', () => {
    const long = 'A long Vault error text with spaces '.repeat(20) + 'é\u202e✓😀';
    const text = renderTranscript(
      chain(false, [
        { actor: 'eve\u202egnp', role: 'witness', step: 's', type: 'deviation', details: { message: long } },
      ]),
    );
    expect(text).toContain('by "eve\\u202egnp" (witness)');
    const start = lines(text).findIndex((l) => l.startsWith('      message: '));
    const pieces: string[] = [];
    for (let i = start; i < lines(text).length && (i === start || lines(text)[i]!.startsWith('        ')); i++)
      pieces.push(lines(text)[i]!);
    expect(pieces.length).toBeGreaterThan(5);
    const joined = pieces.map((p, i) => (i === 0 ? p.slice('      message: '.length) : p.trimStart())).join('');
    expect(JSON.parse(joined)).toBe(long);
  });

  it("escapes exactly what its format escapes, whatever the screen's filter escapes since (U+FFFC)", () => {
    // A bundle an earlier build of format 6 wrote holds U+FFFC as it is: it must render the same.
    const text = renderTranscript(
      chain(false, [{ actor: 'eve', role: 'witness', step: 's', type: 'deviation', details: { message: 'a\ufffcb' } }]),
    );
    expect(text).toContain('message: "a\ufffcb"\n');
    expect(visibleText('a\ufffcb')).toBe('a\\ufffcb');
  });
});

describe('firstLineNotRendered', () => {
  // The last long enough (over 100 KB) to be compared in several batches.
  const long = Array.from({ length: 120 }, () => ceremony).flat();
  const texts = [chain(false, ceremony), chain(true, ceremony), chain(true, long)].map((c) => ({
    c,
    text: renderTranscript(c),
  }));

  it('accepts exactly the rendered text', () => {
    for (const { c, text } of texts) {
      expect(firstLineNotRendered(c, text)).toBeUndefined();
      for (const other of [
        text + '\n',
        text.slice(0, -1),
        text + ' ',
        `\n${text}`,
        text.replace('\n', '\r\n'),
        text.replace('\n', ' '),
        text.replace(/\n/g, ''),
        '',
      ])
        expect(firstLineNotRendered(c, other)).toBeDefined();
    }
  });

  it('names the first line that differs from renderTranscript(chain), for any change to the text', () => {
    const change = fc.record({
      at: fc.nat(),
      cut: fc.nat({ max: 200 }),
      insert: fc.oneof(fc.constantFrom('', '\n', ' ', '=', '\n\n'), fc.string({ unit: 'binary', maxLength: 5 })),
      which: fc.nat({ max: 2 }),
    });
    fc.assert(
      fc.property(change, ({ at, cut, insert, which }) => {
        const { c, text } = texts[which]!;
        const i = at % (text.length + 1);
        const changed = text.slice(0, i) + insert + text.slice(i + cut);
        expect(firstLineNotRendered(c, changed)).toBe(changed === text ? undefined : firstDifferentLine(text, changed));
      }),
    );
  });

  it('stops rendering at the first line that differs: an event that renders to 10 GB is answered at once', () => {
    // Each array item is a line naming the whole path: 100,000 lines of a 100,000-character key.
    const withEvent = (key: string, items: number) =>
      chain(true, [...ceremony, { ...ceremony[0]!, details: { [key]: Array<number>(items).fill(0) } }]);
    const { text } = texts[1]!;
    const started = Date.now();
    const line = firstLineNotRendered(withEvent('k'.repeat(100_000), 100_000), text);
    expect(Date.now() - started).toBeLessThan(2_000);
    // Where the same event, small, first differs from the text: the line that introduces it.
    expect(line).toBe(firstDifferentLine(text, renderTranscript(withEvent('k', 1))));
  });
});

/** 1-based number of the first line where two texts differ, comparing them split into lines. */
function firstDifferentLine(a: string, b: string): number {
  const la = a.split('\n');
  const lb = b.split('\n');
  let i = 0;
  while (i < la.length && i < lb.length && la[i] === lb[i]) i++;
  return i + 1;
}
