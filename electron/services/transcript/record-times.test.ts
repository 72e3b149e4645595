import { describe, expect, it } from 'vitest';
import type { JournalEvent, VerifiedChain } from '../../../shared/record/journal-event';
import type { AuthorisationReport } from './authorisations';
import { timeWarnings } from './record-times';

const CLOSED = '2026-03-01T12:00:00.500Z';
const closedAt = Date.parse(CLOSED);
const chain = {
  events: [{ seq: 1, type: 'ceremony-finished', time: CLOSED } as JournalEvent],
  ceremonyId: 'c',
  rehearsal: true,
  head: '0',
} satisfies VerifiedChain;
const iso = (ms: number) => new Date(ms).toISOString();
const signed = (ms: number) => [{ index: 1, signer: 'alice', created: iso(Math.floor(ms / 1000) * 1000) }];
const authorised = (created: number, requested: number, recorded: number): AuthorisationReport[] => [
  {
    step: 'promote',
    action: 'promote',
    signer: 'alice',
    role: 'administrator',
    fingerprint: 'f',
    statementSha256: 's',
    good: true,
    since: [],
    created: iso(Math.floor(created / 1000) * 1000),
    requested: iso(requested),
    recorded: iso(recorded),
  },
];

describe('timeWarnings', () => {
  it('a record signed as the laptop writes it, verified soon after: nothing to say', () => {
    const now = new Date(closedAt + 60_000);
    expect(
      timeWarnings(chain, signed(closedAt + 200), authorised(closedAt - 900, closedAt - 990, closedAt - 10), now),
    ).toEqual([]);
  });

  it('names a record and signatures dated more than 10 minutes after this computer’s clock, and not less', () => {
    const justAhead = new Date(closedAt - 9 * 60_000);
    expect(timeWarnings(chain, signed(closedAt + 200), [], justAhead)).toEqual([]);
    const behind = new Date(closedAt - 2 * 3_600_000);
    expect(timeWarnings(chain, signed(closedAt + 200), [], behind)).toEqual([
      expect.stringMatching(
        /^the journal's last event \(1, ceremony-finished\) is dated \S+, 2 hours after this computer's clock: /,
      ),
      expect.stringMatching(/^signature 1, by alice, is dated \S+, 2 hours after this computer's clock: /),
    ]);
  });

  it('names a transcript signed a second or more before the record closed, as the clock read whole seconds', () => {
    const now = new Date(closedAt + 60_000);
    expect(timeWarnings(chain, signed(closedAt - 400), [], now)).toEqual([]);
    expect(timeWarnings(chain, signed(closedAt - 5 * 60_000), [], now)).toEqual([
      expect.stringMatching(/^signature 1, by alice, is dated \S+, 5 minutes before the record it signs was closed /),
    ]);
  });

  it('names an authorisation signed before it was asked for, or after it was recorded', () => {
    const now = new Date(closedAt + 60_000);
    const [asked, recorded] = [closedAt - 60_000, closedAt - 30_000];
    expect(timeWarnings(chain, [], authorised(asked - 3_600_000, asked, recorded), now)).toEqual([
      expect.stringMatching(/, 1 hour before the laptop asked for it \(/),
    ]);
    expect(timeWarnings(chain, [], authorised(recorded + 2000, asked, recorded), now)).toEqual([
      expect.stringMatching(/, 2 seconds after the laptop recorded it \(/),
    ]);
  });
});
