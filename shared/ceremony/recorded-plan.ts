/**
 * The plan a ceremony journal records: the second event, `ceremony-started`, holds it whole, with
 * the time the ceremony started, where replaying its events begins. It names the people, so
 * whoever reads a journal (the ceremony resuming, `verify` checking who signed) takes names and
 * key fingerprints from here.
 */
import { isUtcTime, JOURNAL_ACTOR, type VerifiedChain } from '../record/journal-event';
import { err, ok, type Result } from '../result';
import { validatePlan, type CeremonyPlan } from './ceremony-plan';

export const CEREMONY_STARTED = 'ceremony-started';
/** The step `ceremony-started` is recorded at: every ceremony begins with the roll call. */
export const CEREMONY_STARTED_STEP = 'roll-call';

export function recordedPlan(chain: VerifiedChain): Result<CeremonyPlan, 'not-a-ceremony-journal'> {
  const started = chain.events[1];
  if (
    started?.type !== CEREMONY_STARTED ||
    started.role !== 'system' ||
    started.actor !== JOURNAL_ACTOR ||
    started.step !== CEREMONY_STARTED_STEP ||
    Object.keys(started.details).sort().join() !== 'plan,started_at'
  )
    return err(
      'not-a-ceremony-journal',
      `this journal (ceremony '${chain.ceremonyId}') does not begin a ceremony: its second event is not the laptop's '${CEREMONY_STARTED}' (at '${CEREMONY_STARTED_STEP}', with the plan and the start time only)`,
    );
  // `verify` replayed nothing from a start time that was not a string, so such a record verified whatever it said.
  const startedAt = started.details.started_at;
  if (typeof startedAt !== 'string' || !isUtcTime(startedAt))
    return err(
      'not-a-ceremony-journal',
      `journal event 2 (${CEREMONY_STARTED}) gives no start time as the laptop writes it (started_at, a UTC time like 2025-01-31T12:00:00.000Z), so this journal's ceremony cannot be replayed`,
    );
  const plan = validatePlan(started.details.plan);
  if (!plan.ok)
    return err('not-a-ceremony-journal', `the plan recorded in this journal cannot be read: ${plan.error.message}`);
  // The journal is created for the plan: its header, which the transcript's Ceremony and Mode lines show, says the same.
  if (plan.value.id !== chain.ceremonyId || plan.value.rehearsal !== chain.rehearsal)
    return err(
      'not-a-ceremony-journal',
      `the plan recorded in this journal is ${plan.value.rehearsal ? 'the rehearsal' : 'the live ceremony'} '${plan.value.id}', but the journal says it is ${chain.rehearsal ? 'the rehearsal' : 'the live ceremony'} '${chain.ceremonyId}'`,
    );
  return ok(plan.value);
}
