import { describe, expect, it } from 'vitest';
import { personEventSchema } from './ceremony-events';

describe('personEventSchema', () => {
  it("accepts each kind of person's event", () => {
    const events = [
      { type: 'acknowledge', step: 'roll-call', actor: 'Ann', role: 'administrator' },
      { type: 'deviation', kind: 'note', actor: 'Wes', reason: 'break' },
      { type: 'deviation', kind: 'officer-absent', officer: 'Quy', actor: 'Ann', reason: 'ill' },
      {
        type: 'deviation',
        kind: 'officer-substituted',
        officer: 'Olu',
        substitute: 'Sam',
        actor: 'Ann',
        reason: 'deputy',
      },
      { type: 'deviationWitnessed', id: 3, actor: 'Wes' },
      { type: 'cancel', actor: 'Ann', reason: 'primary is back' },
      { type: 'abort', actor: 'Wes', reason: 'tamper seal broken' },
      { type: 'withdraw', id: 4, actor: 'Wes' },
    ];
    for (const e of events) expect(personEventSchema.safeParse(e).success, JSON.stringify(e)).toBe(true);
  });

  it('refuses what only the service may send, unknown fields, unknown steps and empty reasons', () => {
    const refused = [
      { type: 'serviceResult', step: 'promote', outcome: 'ok', facts: { kind: 'promote' } },
      { type: 'resume', attemptStatus: undefined, held: [], mode: 'primary' },
      { type: 'acknowledge', step: 'roll-call', actor: 'Ann', role: 'administrator', at: '2026-01-01T00:00:00Z' },
      { type: 'acknowledge', step: 'launch', actor: 'Ann', role: 'administrator' },
      { type: 'acknowledge', step: 'roll-call', actor: 'Ann', role: 'auditor' },
      { type: 'deviation', kind: 'note', actor: 'Wes', reason: '   ' },
      { type: 'deviation', kind: 'officer-absent', actor: 'Ann', reason: 'no officer named' },
      { type: 'deviationWitnessed', id: 0, actor: 'Wes' },
      { type: 'cancel', actor: 'x'.repeat(101), reason: 'r' },
      { type: 'withdraw', id: 4, actor: 'Wes', reason: 'a withdrawal needs none' },
      // A signed authorisation comes only through ceremony.authorise, which signs it in the main process.
      { type: 'authorise', step: 'promote', actor: 'Ann', role: 'administrator', signature: 'x' },
    ];
    for (const e of refused) expect(personEventSchema.safeParse(e).success, JSON.stringify(e)).toBe(false);
  });
});
