/**
 * Resuming a ceremony after a crash, a power cut or a restart: reopen its journal (which cuts a
 * torn last write), rebuild the state by replaying the journaled events, record an
 * `interruption` (after any deviation the machine detected in the last event that the crash kept
 * off the journal), read from Vault what the attempt and the cluster's mode are now (on the record),
 * and hand both to the machine's `resume` event. Secrets never survive a restart, so the machine
 * decides what the loss means: typically the attempt is cancelled (witnessed) and started again
 * with a fresh OTP and every share.
 *
 * A ceremony that had already ended is reopened as it is, without an interruption: there is
 * nothing to resume, only a bundle to export. An aborted ceremony still being signed is resumed
 * without reading Vault: an abort ends every call, reads included; only the signing goes on.
 *
 * A ceremony resumed during its signing (the record closed) reopens its record: the interruption
 * and what follows it come after the head signed so far, so the signatures over that head are
 * left behind, never loaded, and the machine asks everyone to sign again once the record closes
 * anew (with the restart and its witness on it).
 */
import { isEnded, replay } from '../../../shared/ceremony/ceremony-machine';
import type { CeremonyPlan } from '../../../shared/ceremony/ceremony-plan';
import { canonicalDataJson } from '../../../shared/record/journal-event';
import { err, ok, type Result } from '../../../shared/result';
import { renderTranscript } from '../../../shared/record/transcript-format';
import { Journal } from '../journal/journal';
import { interruptionDetails, INTERRUPTION, readRecord, SYSTEM, unrecordedDeviations } from './ceremony-record';
import {
  CeremonyService,
  checkOptions,
  type CeremonyServiceErrorKind,
  type CeremonyServiceOptions,
} from './ceremony-service';
import { resumeReading } from './resume-reading';
import { TranscriptSigning } from './transcript-signing';

export type RecoveryErrorKind =
  CeremonyServiceErrorKind | 'journal-unusable' | 'plan-mismatch' | 'replay-failed' | 'signatures-lost';

export interface ResumeOptions extends CeremonyServiceOptions {
  /** When given, it must be the plan the journal recorded (the journal's copy is used either way). */
  readonly plan?: CeremonyPlan;
}

export async function resumeCeremony(options: ResumeOptions): Promise<Result<CeremonyService, RecoveryErrorKind>> {
  const opened = await Journal.open(options.journalPath, options.clock ? { clock: options.clock } : {});
  if (!opened.ok) return err('journal-unusable', opened.error.message);
  const { journal, tornTail } = opened.value;
  const fail = async <K extends RecoveryErrorKind>(kind: K, message: string) => {
    await journal.close();
    return err(kind, message);
  };

  const chain = journal.chain;
  const record = readRecord(chain);
  if (!record.ok) return fail('journal-unusable', record.error.message);
  const { plan } = record.value;
  if (options.plan && canonicalDataJson(options.plan) !== canonicalDataJson(plan))
    return fail(
      'plan-mismatch',
      `the plan given is not the plan this journal recorded for ceremony '${plan.id}': resume with the journal's own plan`,
    );
  const state = replay(plan, record.value.startedAt, record.value.events);
  if (!state.ok) return fail('replay-failed', `the journal's events do not replay: ${state.error.message}`);
  const keys = checkOptions(plan, options);
  if (!keys.ok) return fail(keys.error.kind, keys.error.message);

  let signing: { signing: TranscriptSigning; sealedEvents: number } | undefined;
  const sealedEvents = record.value.sealedEvents;
  if (sealedEvents !== undefined && isEnded(state.value)) {
    const sealed = {
      ...chain,
      events: chain.events.slice(0, sealedEvents),
      head: chain.events[sealedEvents - 1]!.hash,
    };
    const path = options.signingPath ?? `${journal.path}.signing.json`;
    const loaded = await TranscriptSigning.load(renderTranscript(sealed), sealed.head, path, state.value.signed);
    if (!loaded.ok) return fail('signatures-lost', loaded.error.message);
    signing = { signing: loaded.value, sealedEvents };
  }
  const service = CeremonyService.attach(options, journal, state.value, keys.value, signing);
  if (isEnded(state.value)) return ok(service);

  for (const entry of unrecordedDeviations(chain, record.value, state.value)) {
    const recorded = await journal.append(entry);
    if (!recorded.ok) return fail('journal-failed', recorded.error.message);
  }
  const s = state.value;
  const last = chain.events[chain.events.length - 1]!;
  const interruption = await journal.append({
    ...SYSTEM,
    step: s.step,
    type: INTERRUPTION,
    details: interruptionDetails(s, last, sealedEvents !== undefined, tornTail),
  });
  if (!interruption.ok) return fail('journal-failed', interruption.error.message);

  const reading = await resumeReading(journal, options.clients, s);
  if (!reading.ok) return fail('journal-failed', reading.error.message);
  const resumed = await service.resume(reading.value);
  if (!resumed.ok) {
    await service.close();
    return err(resumed.error.kind, resumed.error.message);
  }
  return ok(service);
}
