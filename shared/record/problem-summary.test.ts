import { describe, expect, it } from 'vitest';
import { PROBLEMS_SHOWN_PER_KIND, summariseProblems, unshownLine } from './problem-summary';

const problem = (kind: string, n: number) => ({ kind, message: `${kind} ${n}` });

describe('summariseProblems', () => {
  it('shows every problem while no kind has more than the limit', () => {
    const problems = [problem('a', 1), problem('b', 1), problem('a', 2)];
    expect(summariseProblems(problems)).toEqual({ shown: problems, unshown: [] });
  });

  it('shows the first of each kind in the order found and counts the rest, so no kind is crowded out', () => {
    const flood = Array.from({ length: 40_000 }, (_, n) => problem('record-inconsistent', n));
    const problems = [problem('journal-invalid', 0), ...flood, problem('authorisation-bad', 0)];
    const { shown, unshown } = summariseProblems(problems);
    expect(shown).toEqual([
      problem('journal-invalid', 0),
      ...flood.slice(0, PROBLEMS_SHOWN_PER_KIND),
      problem('authorisation-bad', 0),
    ]);
    expect(unshown).toEqual([{ kind: 'record-inconsistent', count: 40_000 - PROBLEMS_SHOWN_PER_KIND }]);
    expect(unshownLine(unshown[0]!)).toBe("… and 39,990 more 'record-inconsistent' problems besides the 10 shown");
    expect(unshownLine({ kind: 'signature-bad', count: 1 })).toBe(
      "… and 1 more 'signature-bad' problem besides the 10 shown",
    );
  });
});
