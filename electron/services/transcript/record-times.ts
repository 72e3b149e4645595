/**
 * The times a bundle states that are odd but that an honest laptop can still produce, named as
 * warnings for the auditor to check (./verify.ts shows them; they never fail it).
 *
 * Every time in a bundle is the ceremony laptop's clock: the journal's event times and each
 * signature's creation time. An air-gapped laptop's clock can be wrong by any amount and can be
 * stepped by hand mid-ceremony, so a time alone proves nothing against an honest record:
 * - a record dated after this computer's clock (its laptop's clock was ahead, or this one's is
 *   behind) is warned of;
 * - a transcript signed before its record closed is warned of: the laptop signs the transcript
 *   only after writing the closing event, so its clock was set back in between;
 * - an authorisation signed before it was asked for, or after the laptop recorded it, is warned
 *   of: the laptop asks, the person signs, the laptop records, so its clock was stepped between.
 * What an honest laptop never writes fails instead, in ./authorisations.ts: an event dated
 * before the one it follows (the journal writer holds its time at the last event's when the
 * clock is set back, ../journal/journal.ts), so such times are a record reordered or redated.
 */
import type { VerifiedChain } from '../../../shared/record/journal-event';
import type { AuthorisationReport } from './authorisations';

/**
 * How far a time may be ahead of this computer's clock before it is named: two computers' clocks
 * set by hand are minutes apart.
 */
export const CLOCK_SKEW_MS = 10 * 60_000;
/** Signature times are whole seconds (OpenPGP), the journal's milliseconds. */
const SIGNATURE_RESOLUTION_MS = 1000;

export interface SignatureTime {
  readonly index: number;
  readonly signer: string;
  /** ISO 8601, or not a time when the signature states none. */
  readonly created: string;
}

const CHECK =
  "Times are the ceremony laptop's clock, which may be set wrong, so this alone does not fail the bundle: check the date against what you know of the ceremony (the people there, the change ticket, Vault's audit log)";

/** What is odd about the record's times, one sentence each. */
export function timeWarnings(
  chain: VerifiedChain,
  signatures: readonly SignatureTime[],
  authorisations: readonly AuthorisationReport[],
  now: Date,
): string[] {
  const warnings: string[] = [];
  const last = chain.events[chain.events.length - 1]!;
  const ahead = Date.parse(last.time) - now.getTime();
  if (ahead > CLOCK_SKEW_MS)
    warnings.push(
      `the journal's last event (${last.seq}, ${last.type}) is dated ${last.time}, ${span(ahead)} after this computer's clock: the ceremony laptop's clock was ahead, or this computer's is behind. ${CHECK}`,
    );
  for (const s of signatures) {
    const created = Date.parse(s.created);
    if (Number.isNaN(created)) continue;
    if (created - now.getTime() > CLOCK_SKEW_MS)
      warnings.push(
        `signature ${s.index}, by ${s.signer}, is dated ${s.created}, ${span(created - now.getTime())} after this computer's clock: the signing clock was ahead, or this computer's is behind. ${CHECK}`,
      );
    const early = Date.parse(last.time) - created;
    if (early >= SIGNATURE_RESOLUTION_MS)
      warnings.push(
        `signature ${s.index}, by ${s.signer}, is dated ${s.created}, ${span(early)} before the record it signs was closed (${last.time}): the laptop signs only after closing the record, so its clock was set back in between. ${CHECK}`,
      );
  }
  for (const a of authorisations) {
    const created = Date.parse(a.created);
    if (Number.isNaN(created)) continue;
    const signed = `the ${a.role} '${a.signer}''s authorisation of ${JSON.stringify(a.action)} at '${a.step}' is dated ${a.created}`;
    const early = a.requested === undefined ? 0 : Date.parse(a.requested) - created;
    if (early >= SIGNATURE_RESOLUTION_MS)
      warnings.push(
        `${signed}, ${span(early)} before the laptop asked for it (${a.requested}): the laptop asks, then the person signs, so its clock was set back in between. ${CHECK}`,
      );
    const late = created - Date.parse(a.recorded);
    if (late > 0)
      warnings.push(
        `${signed}, ${span(late)} after the laptop recorded it (${a.recorded}): the person signs, then the laptop records, so its clock was set back in between. ${CHECK}`,
      );
  }
  return warnings;
}

/** `3 days`, `5 hours`, `12 minutes`, `40 seconds`: how far apart two times are, to the nearest of its largest unit. */
function span(ms: number): string {
  const units: ReadonlyArray<readonly [string, number]> = [
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000],
    ['second', 1000],
  ];
  // A unit is used from just under one of it, so that a day less a second reads as a day.
  const [unit, size] = units.find(([, size]) => ms >= size * 0.99) ?? units[units.length - 1]!;
  const n = Math.round(ms / size);
  return `${n.toLocaleString('en-US')} ${unit}${n === 1 ? '' : 's'}`;
}
