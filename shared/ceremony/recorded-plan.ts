/**
 * The plan a ceremony journal records: the second event, `ceremony-started`, holds it whole. It
 * names the people, so whoever reads a journal (the ceremony resuming, `verify` checking who
 * signed) takes names and key fingerprints from here.
 */
import type { VerifiedChain } from '../record/journal-event';
import { err, ok, type Result } from '../result';
import { validatePlan, type CeremonyPlan } from './ceremony-plan';

export const CEREMONY_STARTED = 'ceremony-started';

export function recordedPlan(chain: VerifiedChain): Result<CeremonyPlan, 'not-a-ceremony-journal'> {
  const started = chain.events[1];
  if (started?.type !== CEREMONY_STARTED || started.role !== 'system')
    return err(
      'not-a-ceremony-journal',
      `this journal (ceremony '${chain.ceremonyId}') does not begin a ceremony: its second event is not '${CEREMONY_STARTED}'`,
    );
  const plan = validatePlan(started.details.plan);
  return plan.ok
    ? ok(plan.value)
    : err('not-a-ceremony-journal', `the plan recorded in this journal cannot be read: ${plan.error.message}`);
}
