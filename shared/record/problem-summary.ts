/**
 * The problems of a failed verification as a person reads them (the `verify` command and the
 * viewer): the first few of each kind, in the order found, then how many more of that kind there
 * are. A journal of 40,000 misplaced entries gave 40,000 lines, which scrolled the verdict and
 * every other kind of problem out of sight; every kind stays in sight this way.
 */
import type { AppError } from '../result';

/** How many problems of one kind are shown before the rest are counted. */
export const PROBLEMS_SHOWN_PER_KIND = 10;

export interface ProblemSummary {
  /** At most PROBLEMS_SHOWN_PER_KIND of each kind, in the order found. */
  readonly shown: readonly AppError[];
  /** For each kind with more, how many were not shown, in the order the kinds were first found. */
  readonly unshown: ReadonlyArray<{ readonly kind: string; readonly count: number }>;
}

export function summariseProblems(problems: readonly AppError[]): ProblemSummary {
  const seen = new Map<string, number>();
  const shown: AppError[] = [];
  for (const p of problems) {
    const count = (seen.get(p.kind) ?? 0) + 1;
    seen.set(p.kind, count);
    if (count <= PROBLEMS_SHOWN_PER_KIND) shown.push(p);
  }
  const unshown = [...seen]
    .filter(([, count]) => count > PROBLEMS_SHOWN_PER_KIND)
    .map(([kind, count]) => ({ kind, count: count - PROBLEMS_SHOWN_PER_KIND }));
  return { shown, unshown };
}

/** `… and 39,990 more 'record-inconsistent' problems besides the 10 shown`. */
export function unshownLine({ kind, count }: ProblemSummary['unshown'][number]): string {
  const problems = count === 1 ? 'problem' : 'problems';
  return `… and ${count.toLocaleString('en-US')} more '${kind}' ${problems} besides the ${PROBLEMS_SHOWN_PER_KIND} shown`;
}
