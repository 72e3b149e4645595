// @tier integration
/**
 * A laptop whose software writes a journal that misdescribes the ceremony, with a signer colluding
 * (issue 12, the auditor's adversary): the ceremony events replay, the signatures are good, but
 * the record around them says something else. A headless rehearsal promotes; then its journal is
 * doctored, chained afresh, its transcript rendered and signed by the real people, as that laptop
 * would have it signed. `verify --keyring` must fail (exit 1) when an entry names another person,
 * step or type than the ceremony event it records (the transcript names people from entries), or
 * holds more beside it than the laptop writes; when an entry of a ceremony event's type records
 * none; when an entry the replay cannot check (Vault's answer) names someone as a role the plan
 * does not give them; when a deviation the machine detected is left out, reworded or replaced by
 * an interruption, or a resume says the restarted laptop kept a secret (hiding a DR operation
 * token the restart lost, never deleted); when the record closes before the ceremony reached its
 * signing (hiding a DR operation token never deleted, or a share entry left open, as "promoted"
 * or "cancelled" with nothing left open), when its closing entry is not the laptop's, when
 * anything follows it or it is missing; when a service result is not what the laptop's action
 * code makes of the Vault answers recorded before it (an answer changed, a call added, dropped or
 * forced); and, without
 * crashing, when an entry's event is not an event at all, or one whose fields are not what the
 * machine reads (a resume's held secrets, a substitute's name).
 *
 * The defence: electron/services/transcript/authorisations.ts, checking each entry against what
 * ceremony-record.ts says the laptop writes for the replayed state (entryEnvelope, unwrittenDetails,
 * detectedDeviations, recordClosesAt), ceremony-actions.ts's performAction replayed over the recorded
 * answers (action-replay.ts), and the ceremony machine's own reading of an event's fields.
 * Without those checks every doctored bundle below verifies (exit 0), and the malformed events throw.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closingDetails,
  detectedDeviations,
  entryFor,
  INTERRUPTION,
  interruptionDetails,
  readRecord,
  SYSTEM,
  unrecordedDeviations,
} from '../../electron/services/ceremony/ceremony-record';
import type { Signers } from '../../electron/services/rehearsal/rehearsal-cast';
import type { CeremonyEvent } from '../../shared/ceremony/ceremony-events';
import { replay, transition, type CeremonyState } from '../../shared/ceremony/ceremony-machine';
import { genesisHash, serializeEvent, verifyJournalText, type JournalEvent } from '../../shared/record/journal-event';
import { reauthorised as reauthorisedBy, rechained, signedBundle } from '../support/doctored-bundle';
import { rehearsePromotion, verifyAnchored, type RehearsedPromotion } from '../support/rehearsed-promotion';

const root = mkdtempSync(join(tmpdir(), 'vc-record-replay-'));
let rehearsed: RehearsedPromotion;
let cast: Signers;
let events: JournalEvent[];
let copies = 0;
/** A journal event's JSON, to doctor in place. */
type Mutable = Record<string, unknown>;

beforeAll(async () => {
  rehearsed = await rehearsePromotion(root);
  ({ cast, events } = rehearsed);
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const verify = (dir: string) => verifyAnchored(dir, rehearsed.keyring);

/** The bundle of the journal as `doctor` leaves it, chained, rendered and signed by the real people. */
async function doctored(doctor: (list: JournalEvent[]) => JournalEvent[] | Promise<JournalEvent[]>): Promise<string> {
  const dir = join(root, `doctored-${++copies}`);
  await signedBundle(dir, await doctor(events.map((e) => structuredClone(e))), rehearsed.people);
  return dir;
}

/** `list` with each authorisation asked for afresh and signed again by the real people. */
const reauthorised = (list: JournalEvent[]) => reauthorisedBy(list, rehearsed.people);

/** `verify` of the bundle with `change` made to its journal in place, its authorisations signed afresh when `resigned`. */
async function verifyChanged(change: (list: JournalEvent[]) => void, resigned = false) {
  return verify(
    await doctored((list) => {
      change(list);
      return resigned ? reauthorised(list) : list;
    }),
  );
}

/** The first entry of `type` at `step`, to doctor in place. */
const entry = (list: JournalEvent[], type: string, step: string) =>
  list.find((e) => e.type === type && e.step === step)! as unknown as Mutable;

/** The state the ceremony events of `list` replay to. */
function replayed(list: readonly JournalEvent[]): CeremonyState {
  const chain = verifyJournalText(rechained(list).map(serializeEvent).join('\n') + '\n');
  const record = chain.ok ? readRecord(chain.value) : undefined;
  if (!record?.ok) throw new Error('fixture');
  const state = replay(record.value.plan, record.value.startedAt, record.value.events);
  if (!state.ok) throw new Error(state.error.message);
  return state.value;
}

/** `list` closed afresh: its closing event's details as the laptop writes them for its events. */
function reclosed(list: JournalEvent[]): JournalEvent[] {
  return [...list.slice(0, -1), { ...list.at(-1)!, details: closingDetails(replayed(list.slice(0, -1))) }];
}

/** The journal cut after the entry at `step` of `type`, closed there as the laptop closes a record (closingDetails). */
function closedAfter(type: string, step: string) {
  return (list: JournalEvent[]) => {
    const kept = list.slice(0, list.indexOf(entry(list, type, step) as unknown as JournalEvent) + 1);
    return reclosed([...kept, list.at(-1)!]);
  };
}

/**
 * The journal with a restart after the DR operation token was deleted, before the record closed,
 * as the laptop records one: the interruption, the resume (nothing held, nothing lost), the
 * `resumed` deviation the machine detects in it, a witness confirming that; then the rest, closed
 * afresh. `hide` changes the detected entries.
 */
function restarted(
  hide: (detected: JournalEvent[]) => JournalEvent[] = (d) => d,
  misread: (reads: JournalEvent[]) => void = () => undefined,
) {
  return restartedAfter('delete-operation-token', (list, at) => restartEntries(list, at, false, hide, misread));
}

/**
 * The journal with `restart`'s entries after the last acknowledgement at `step`, then the rest
 * (or, `cut`, none of it), closed afresh.
 */
function restartedAfter(
  step: string,
  restart: (list: JournalEvent[], at: number) => { entries: JournalEvent[] },
  cut = false,
): (list: JournalEvent[]) => JournalEvent[] {
  return (list) => {
    const acknowledged = list.filter((e) => e.type === 'step-acknowledged' && e.step === step).at(-1)!;
    const at = list.indexOf(acknowledged) + 1;
    const rest = cut ? [list.at(-1)!] : list.slice(at);
    return reclosed([...list.slice(0, at), ...restart(list, at).entries, ...rest]);
  };
}

/**
 * The entries the laptop writes on restarting after `list[at - 1]` (its record closed or not): the
 * interruption, the reads on resuming (as Vault answered them before), the resume (holding nothing:
 * a restart wipes the laptop's memory, unless `kept` says otherwise), the `resumed` deviation
 * (changed by `hide`) and a witness confirming it; and the state after.
 */
function restartEntries(
  list: JournalEvent[],
  at: number,
  closed: boolean,
  hide: (detected: JournalEvent[]) => JournalEvent[] = (d) => d,
  misread: (reads: JournalEvent[]) => void = () => undefined,
  kept = false,
): { entries: JournalEvent[]; state: CeremonyState } {
  const last = list[at - 1]!;
  const before = replayed(list.slice(0, at));
  const time = last.time;
  // What resuming reads, on the record: the attempt (none open now) and the cluster's mode, as Vault answered before.
  const call = (step: string, path: string) => {
    const request = list.findIndex((e) => e.type === 'vault-request' && e.step === step && e.details.path === path);
    return list.slice(request, request + 2).map((e) => ({ ...structuredClone(e), step: before.step, time }));
  };
  const reads = [
    ...call('generate-otp', 'sys/replication/dr/secondary/generate-operation-token/attempt'),
    ...call('check-promoted', 'sys/replication/status'),
  ];
  const { started, nonce, progress, required } = reads[1]!.details.data as Mutable;
  misread(reads);
  const resume = {
    type: 'resume',
    attemptStatus: { started, nonce, progress, required },
    held: kept ? before.held : [],
    mode: 'primary',
    at: time,
  } as CeremonyEvent;
  const resumed = transition(before, resume);
  if (!resumed.ok) throw new Error(resumed.error.message);
  const witnessed: CeremonyEvent = {
    type: 'deviationWitnessed',
    id: resumed.value.deviations.length,
    actor: cast.witnesses[0]!.name,
    at: time,
  };
  const state = transition(resumed.value, witnessed);
  if (!state.ok) throw new Error(state.error.message);
  const entries = (inputs: ReturnType<typeof entryFor>[]) => inputs.map((input) => ({ ...last, ...input }));
  return {
    entries: [
      ...entries([
        {
          ...SYSTEM,
          step: before.step,
          type: INTERRUPTION,
          details: interruptionDetails(before, last, closed, undefined),
        },
      ]),
      ...reads,
      ...entries([entryFor(resume, before)]),
      ...hide(entries(detectedDeviations(before, resumed.value))),
      ...entries([entryFor(witnessed, resumed.value)]),
    ],
    state: state.value,
  };
}

/**
 * The entries the laptop writes as the administrator signs the record `list` closes: the
 * acknowledgement and the signing's result, numbered as chained after the closing event.
 */
function adminSigning(list: JournalEvent[]): JournalEvent[] {
  const closing = list.at(-1)!;
  const admin = cast.administrator;
  const acknowledge: CeremonyEvent = {
    type: 'acknowledge',
    step: 'sign-transcript',
    actor: admin.name,
    role: 'administrator',
    at: closing.time,
  };
  const signing = replayed(list);
  const acknowledged = transition(signing, acknowledge);
  if (!acknowledged.ok) throw new Error(acknowledged.error.message);
  const signed: CeremonyEvent = {
    type: 'serviceResult',
    step: 'sign-transcript',
    outcome: 'ok',
    facts: { kind: 'sign-transcript', signer: admin.name, fingerprint: admin.fingerprint },
    at: closing.time,
  };
  // Numbered as chained, since an interruption names the last of them.
  return [entryFor(acknowledge, signing), entryFor(signed, acknowledged.value)].map((input, i) => ({
    ...closing,
    ...input,
    seq: closing.seq + 1 + i,
  }));
}

/**
 * The journal as the laptop records a restart after the administrator signed: the record closed,
 * the administrator's signing (acknowledgement and result), the restart, and the record closed
 * again. `doctor` changes the entries after the first close.
 */
function restartedWhileSigning(doctor: (after: JournalEvent[]) => JournalEvent[] = (a) => a) {
  return (list: JournalEvent[]) => {
    const notes = adminSigning(list);
    const upToRestart = [...list, ...notes];
    const restart = restartEntries(upToRestart, upToRestart.length, true);
    const after = [...notes, ...restart.entries, { ...list.at(-1)!, details: closingDetails(restart.state) }];
    return [...list, ...doctor(after)];
  };
}

/**
 * The journal as the laptop records a witness's note after the administrator signed: the record
 * closed, the administrator's signing, the note, another witness confirming it, and the record
 * closed again. `doctor` changes the entries after the first close.
 */
function notedWhileSigning(doctor: (after: JournalEvent[]) => JournalEvent[] = (a) => a) {
  return (list: JournalEvent[]) => {
    const closing = list.at(-1)!;
    const signing = adminSigning(list);
    const noted = noteEntries(
      replayed([...list, ...signing]),
      closing,
      'the administrator read the transcript from a photo',
    );
    const after = [...signing, ...noted.entries, { ...closing, details: closingDetails(noted.state) }];
    return [...list, ...doctor(after)];
  };
}

/**
 * The entries of the second witness's note `reason` in `before` and the first witness confirming
 * it, dated and shaped as `template`; and the state after.
 */
function noteEntries(
  before: CeremonyState,
  template: JournalEvent,
  reason: string,
): { entries: JournalEvent[]; state: CeremonyState } {
  const [first, second] = cast.witnesses;
  const at = template.time;
  const note: CeremonyEvent = { type: 'deviation', kind: 'note', actor: second!.name, reason, at };
  const noted = transition(before, note);
  if (!noted.ok) throw new Error(noted.error.message);
  const id = noted.value.deviations.length;
  const witnessed: CeremonyEvent = { type: 'deviationWitnessed', id, actor: first!.name, at };
  const state = transition(noted.value, witnessed);
  if (!state.ok) throw new Error(state.error.message);
  const entries = [entryFor(note, before), entryFor(witnessed, noted.value)].map((input) => ({
    ...template,
    ...input,
  }));
  return { entries, state: state.value };
}

describe('the rehearsed promotion', () => {
  it('verifies as exported, and doctored with nothing changed', async () => {
    expect(events.at(-1)!.type).toBe('ceremony-finished');
    expect((await verify(rehearsed.out)).code).toBe(0);
    expect((await verify(await doctored((list) => list))).code).toBe(0);
  });
});

describe('an entry that misnames what its ceremony event records fails verify (exit 1)', () => {
  it("when the witness's signed authorisation of the promotion is recorded as another witness's", async () => {
    const [signer, other] = cast.witnesses;
    const r = await verify(
      await doctored((list) => {
        const authorised = list.find((e) => e.type === 'step-authorised' && e.role === 'witness')!;
        expect(authorised.actor).toBe(signer!.name);
        (authorised as unknown as Mutable).actor = other!.name;
        return list;
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toContain(
      `is recorded with actor ${JSON.stringify(other!.name)}, where the laptop writes ${JSON.stringify(signer!.name)}`,
    );
  });

  it.each<[string, Mutable]>([
    ["another witness's", { actor: 'witness-2' }],
    ["the administrator's role", { role: 'administrator' }],
    ['another step', { step: 'promote' }],
    ['a signed authorisation', { type: 'step-authorised' }],
  ])("when a witness's acknowledgement is recorded as %s", async (_as, change) => {
    const r = await verify(
      await doctored((list) => {
        const acknowledged = list.filter((e) => e.type === 'step-acknowledged' && e.step === 'check-promoted')[1]!;
        expect(acknowledged.actor).toBe('witness-1');
        Object.assign(acknowledged, change);
        return list;
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/journal event \d+ \(.*\) is recorded with (actor|role|step|type) /);
  });

  it('when a signed authorisation by the other witness is added with no ceremony event under it', async () => {
    const r = await verify(
      await doctored((list) => {
        const authorised = list.find((e) => e.type === 'step-authorised' && e.role === 'witness')!;
        const added = {
          ...structuredClone(authorised),
          actor: cast.witnesses[1]!.name,
          details: { action: 'promote' },
        };
        list.splice(list.indexOf(authorised) + 1, 0, added);
        return list;
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/\(step-authorised\) records no ceremony event/);
  });

  it("when a signed authorisation's entry says more beside its event than the laptop writes", async () => {
    const r = await verify(
      await doctored((list) => {
        const authorised = list.find((e) => e.type === 'step-authorised' && e.role === 'witness')!;
        (authorised.details as Mutable).note = `${cast.witnesses[1]!.name} approved this too`;
        return list;
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toContain('holds "note" beside its ceremony event, which the laptop never writes there');
  });

  it.each<[string, Mutable, RegExp]>([
    ['a witness the plan does not name', { actor: 'Mallory', role: 'witness' }, /names "Mallory" as witness/],
    ['the laptop, by a person', { actor: 'witness-1', role: 'system' }, /is recorded by "witness-1" as system/],
  ])("when an entry the replay does not check, Vault's answer, is recorded as by %s", async (_by, change, named) => {
    const r = await verify(
      await doctored((list) => {
        Object.assign(entry(list, 'vault-response', 'promote'), change);
        return list;
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(named);
  });

  it.each<[string, (list: JournalEvent[]) => void, string]>([
    [
      "an entry's ceremony event is null",
      (list) => ((entry(list, 'step-acknowledged', 'check-promoted').details as Mutable).event = null),
      'holds a ceremony event this version cannot read',
    ],
    [
      'a restart lists a number as the secrets still held',
      (list) => {
        const checked = entry(list, 'service-result', 'check-promoted') as unknown as JournalEvent;
        const event = { type: 'resume', held: 5, at: checked.time };
        list.splice(list.indexOf(checked) + 1, 0, { ...checked, type: 'ceremony-resumed', details: { event } });
      },
      'a resume lists the secrets the laptop still holds',
    ],
    [
      'an officer substitute is named by a number',
      (list) => {
        const first = entry(list, 'step-acknowledged', 'check-secondary') as unknown as JournalEvent;
        const event = { type: 'deviation', kind: 'officer-substituted', officer: 'officer-1', substitute: 5 };
        const raised = { ...event, actor: first.actor, reason: 'officer-1 is ill', at: first.time };
        list.splice(list.indexOf(first), 0, { ...first, type: 'deviation', details: { event: raised } });
      },
      'the substitute needs a name of 1 to 100 visible characters',
    ],
  ])('without crashing when %s', async (_what, doctor, named) => {
    const r = await verifyChanged(doctor);
    expect(r.code).toBe(1);
    expect(r.output).toContain(named);
  });
});

describe("a journal that does not begin as the laptop's fails verify (exit 1)", () => {
  it('(re-authorised with nothing changed, it verifies)', async () => {
    expect((await verify(await doctored(reauthorised))).code).toBe(0);
  });

  it.each<[string, (list: JournalEvent[]) => void, RegExp]>([
    [
      'its header says LIVE for the rehearsal its plan is',
      (list) => ((list[0]!.details as Mutable).rehearsal = false),
      /the plan recorded in this journal is the rehearsal '.*', but the journal says it is the live ceremony/,
    ],
    [
      'its header names another ceremony than its plan',
      (list) => {
        (list[0]!.details as Mutable).ceremony_id = 'dc2-2026-05-promotion';
        (list[0] as unknown as Mutable).prev = genesisHash('dc2-2026-05-promotion');
      },
      /but the journal says it is the rehearsal 'dc2-2026-05-promotion'/,
    ],
    [
      'its ceremony-started says more than the plan and the start time',
      (list) => ((list[1]!.details as Mutable).approved_by = 'the board, in advance'),
      /its second event is not the laptop's 'ceremony-started'/,
    ],
  ])('when %s', async (_how, doctor, named) => {
    const r = await verify(
      await doctored((list) => {
        doctor(list);
        return reauthorised(list);
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(named);
  });
});

describe('a deviation the machine detected', () => {
  it('is recorded right after the event it was detected in, and verifies', async () => {
    const list = restarted()(events.map((e) => structuredClone(e)));
    const detected = list.filter((e) => e.type === 'deviation');
    expect(detected.map((e) => e.details)).toEqual([
      expect.objectContaining({ detected: true, kind: 'resumed', reason: expect.stringMatching(/nothing was lost/) }),
    ]);
    expect(list.at(-1)!.details.deviations).toBe(1);
    expect((await verify(await doctored(restarted()))).code).toBe(0);
  });

  it.each<[string, (detected: JournalEvent[]) => JournalEvent[]]>([
    ['left out of the journal', () => []],
    [
      'recorded with another reason',
      (detected) =>
        detected.map((e) => ({ ...e, details: { ...e.details, reason: 'Resumed after a planned pause.' } })),
    ],
  ])('fails verify when %s', async (_how, hide) => {
    const r = await verify(await doctored(restarted(hide)));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/is not the deviation the replay detected there/);
  });

  it('fails verify when an interruption stands in its place, as if a crash had kept it off the journal', async () => {
    const interrupted = (detected: JournalEvent[]) => detected.map((e) => ({ ...e, type: INTERRUPTION, details: {} }));
    const r = await verify(await doctored(restarted(interrupted)));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/\(interruption\) is not the deviation the replay detected there/);
  });

  it('kept off the journal by a crash is written first on resuming, where verify looks for it', () => {
    const list = restarted()(events.map((e) => structuredClone(e)));
    const resumed = list.findIndex((e) => e.type === 'ceremony-resumed');
    const crashed = rechained(list.slice(0, resumed + 1));
    const chain = verifyJournalText(crashed.map(serializeEvent).join('\n') + '\n');
    const record = chain.ok ? readRecord(chain.value) : undefined;
    if (!chain.ok || !record?.ok) throw new Error('fixture');
    const written = unrecordedDeviations(chain.value, record.value, replayed(crashed));
    expect(written).toEqual([expect.objectContaining({ type: 'deviation', details: list[resumed + 1]!.details })]);
    // Once written, nothing is left to write.
    const whole = rechained(list.slice(0, resumed + 2));
    const again = verifyJournalText(whole.map(serializeEvent).join('\n') + '\n');
    const reread = again.ok ? readRecord(again.value) : undefined;
    if (!again.ok || !reread?.ok) throw new Error('fixture');
    expect(unrecordedDeviations(again.value, reread.value, replayed(whole))).toEqual([]);
  });
});

describe('a restart recorded otherwise than the laptop resumes fails verify (exit 1)', () => {
  it("when Vault's answer to the read on resuming is not the reading the resume records", async () => {
    const misread = (reads: JournalEvent[]) => ((reads[3]!.details.data as { dr: Mutable }).dr.mode = 'secondary');
    const r = await verify(await doctored(restarted(undefined, misread)));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /\(ceremony-resumed\) resumes with Vault's reading \{.*"mode":"primary"\}, but the laptop, given the Vault answers recorded before it, reads \{.*"mode":"secondary"\}/,
    );
  });

  it('when the reads on resuming are left out', async () => {
    const r = await verify(
      await doctored((list) => {
        const whole = restarted()(list);
        // The attempt's and the mode's reads, each a request and its answer.
        const from = whole.findIndex((e) => e.type === INTERRUPTION) + 1;
        return [...whole.slice(0, from), ...whole.slice(from + 4)];
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /\(ceremony-resumed\) is recorded where the laptop, given the Vault answers recorded before it, first records a 'vault-request'/,
    );
  });

  it.each<[string, Mutable]>([
    ['nothing lost, where the DR operation token was held', { secrets_lost: [] }],
    ['an attempt open, where none was', { attempt: { nonce: randomUUID(), progress: 1, required: 2 } }],
    ['another last event', { last_event: { seq: 3, time: '2026-01-01T00:00:00.000Z', type: 'step-acknowledged' } }],
  ])('when its interruption records %s', async (_what, change) => {
    const r = await verify(
      await doctored((list) => {
        // The restart loses the token the rest of the record deletes: the record ends there.
        const whole = restartedAfter('check-promoted', (l, at) => restartEntries(l, at, false), true)(list);
        const interruption = whole.find((e) => e.type === INTERRUPTION)!;
        expect(interruption.details.secrets_lost).toContain('operation-token');
        Object.assign(interruption.details, change);
        return whole;
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /\(interruption\) records \{.*\}, where the laptop, resuming the ceremony its events replay to, records \{.*"secrets_lost":\["operation-token"\]\}/,
    );
  });

  it('when an interruption is recorded where the ceremony went on without resuming', async () => {
    const r = await verifyChanged((list) => {
      const acknowledged = list.filter((e) => e.type === 'step-acknowledged' && e.step === 'check-promoted')[1]!;
      const details = { secrets_lost: [], attempt: null, record_closed: false };
      list.splice(list.indexOf(acknowledged), 0, { ...acknowledged, ...SYSTEM, type: INTERRUPTION, details });
    });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /\(step-acknowledged\) follows an interruption, but the laptop resumes the ceremony \(a 'ceremony-resumed' event\) before anything else happens in it/,
    );
  });

  it("when its interruption is recorded as the administrator's, or at another step than the ceremony is at", async () => {
    for (const change of [{ actor: 'administrator', role: 'administrator' }, { step: 'promote' }]) {
      const r = await verify(
        await doctored((list) => {
          const whole = restarted()(list);
          Object.assign(
            whole.find((e) => e.type === INTERRUPTION)!,
            change,
          );
          return whole;
        }),
      );
      expect(r.code).toBe(1);
      expect(r.output).toMatch(/journal event \d+ \(interruption\) is recorded with (actor|step)/);
    }
  });

  it('when its interruption records a torn write cut after an event long before its last', async () => {
    const torn = (after: (list: JournalEvent[]) => number) => (list: JournalEvent[]) => {
      const whole = restarted()(list);
      const interruption = whole.find((e) => e.type === INTERRUPTION)!;
      (interruption.details as Mutable).torn_tail = { bytes: 12, after_seq: after(whole) };
      return whole;
    };
    // The journal reopened with a partial line after the last whole event: the one before the interruption.
    const honest = await verify(
      await doctored(torn((list) => list[list.findIndex((e) => e.type === INTERRUPTION) - 1]!.seq)),
    );
    expect(honest.code, honest.output).toBe(0);
    const r = await verify(await doctored(torn(() => 3)));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /\(interruption\) records \{.*"torn_tail":\{"after_seq":3,"bytes":12\}\}, where the laptop, resuming the ceremony its events replay to, records \{.*"torn_tail":\{"after_seq":\d+,"bytes":12\}\}/,
    );
  });

  it('when its resume says the laptop kept the DR operation token through it, so none is left undeleted', async () => {
    const kept = restartedAfter('check-promoted', (list, at) =>
      restartEntries(list, at, false, undefined, undefined, true),
    );
    const r = await verify(
      await doctored((list) => {
        const whole = kept(list);
        expect(whole.at(-1)!.details.undeleted_operation_tokens).toBe(0);
        return whole;
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /journal event \d+ \(ceremony-resumed\) resumes holding \["operation-token"\], but a restarted laptop holds no secret/,
    );
  });

  it('when the restart is recorded without its interruption', async () => {
    const r = await verify(await doctored((list) => restarted()(list).filter((e) => e.type !== INTERRUPTION)));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/\(ceremony-resumed\) resumes the ceremony with no interruption recorded before it/);
  });
});

describe('an entry of a type the laptop never writes there fails verify (exit 1)', () => {
  it.each<[string, (before: JournalEvent) => JournalEvent]>([
    [
      'a second ceremony-started, with a plan of one share',
      (before) => {
        const started = structuredClone(events[1]!);
        (started.details.plan as Mutable).threshold = 1;
        return { ...started, step: before.step, time: before.time };
      },
    ],
    [
      "a note in the laptop's name",
      (before) => ({
        ...before,
        ...SYSTEM,
        type: 'note',
        details: { note: 'the primary was confirmed fenced by phone' },
      }),
    ],
    [
      "a bundle's export, before the record closed",
      (before) => ({ ...before, ...SYSTEM, type: 'bundle-exported', details: { dir: '/media/usb', events: 12 } }),
    ],
  ])('when %s is added', async (_what, added) => {
    const r = await verifyChanged((list) => {
      const acknowledged = list.filter((e) => e.type === 'step-acknowledged' && e.step === 'check-promoted')[1]!;
      const at = list.indexOf(acknowledged);
      list.splice(at, 0, added(list[at - 1]!));
    });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/journal event \d+ \([a-z-]+\) is of a type the laptop never writes there/);
  });
});

describe('an irreversible call recorded before its signed authorisations fails verify (exit 1)', () => {
  it('when the promote request and its answer are moved ahead of the authorisation request', async () => {
    const r = await verify(
      await doctored((list) => {
        const request = list.find((e) => e.type === 'vault-request' && e.step === 'promote')!;
        const call = list.slice(list.indexOf(request), list.indexOf(request) + 2);
        const rest = list.filter((e) => !call.includes(e));
        const asked = rest.indexOf(entry(rest, 'authorisation-requested', 'promote') as unknown as JournalEvent);
        // Dated where they now stand, so only their order gives them away.
        const moved = call.map((e) => ({ ...e, time: rest[asked - 1]!.time }));
        return reauthorised([...rest.slice(0, asked), ...moved, ...rest.slice(asked)]);
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /records a "POST" to "sys\/replication\/dr\/secondary\/promote" at 'promote' while the ceremony had nothing due there/,
    );
  });
});

describe('journal times that go back fail verify (exit 1)', () => {
  it("(a clock set back, whose time the journal holds at the last event's, verifies)", async () => {
    const r = await verify(
      await doctored((list) => {
        const held = list.findIndex((e) => e.type === 'vault-request' && e.step === 'check-promoted');
        return list.map((e, i) => (i > held ? { ...e, time: list[held]!.time } : e));
      }),
    );
    expect(r.code).toBe(0);
  });

  it("when a witness's acknowledgement is dated an hour before the event it follows", async () => {
    let seq = 0;
    const r = await verify(
      await doctored((list) => {
        const acknowledged = list.filter((e) => e.type === 'step-acknowledged' && e.step === 'check-promoted')[1]!;
        const before = list[list.indexOf(acknowledged) - 1]!;
        (acknowledged as unknown as Mutable).time = new Date(Date.parse(before.time) - 3_600_000).toISOString();
        seq = list.indexOf(acknowledged) + 1;
        return list;
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      new RegExp(`journal event ${seq} \\(step-acknowledged\\) is dated .*, earlier than event ${seq - 1} before it`),
    );
  });
});

describe("a share commitment that names another officer than the replay's fails verify (exit 1)", () => {
  const officers = () => (events[1]!.details.plan as { officers: { name: string; fingerprint: string }[] }).officers;

  it.each([
    ['another officer who entered a share too', 'officer-2'],
    ['a planned officer who entered none', 'officer-3'],
  ])("when officer-1's share is attributed to %s, with that officer's key", async (_whom, name) => {
    const other = officers().find((o) => o.name === name)!;
    const r = await verify(
      await doctored((list) => {
        const share = entry(list, 'service-result', 'share-entry').details as { share: Mutable };
        expect(share.share.officer).toBe('officer-1');
        Object.assign(share.share, { officer: other.name, fingerprint: other.fingerprint });
        return reauthorised(list);
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      new RegExp(
        `\\(service-result\\) attributes the share it records to "${name}", but the replay has "officer-1"'s share entered there`,
      ),
    );
  });

  it('when an accepted share is recorded without its commitment', async () => {
    const r = await verify(
      await doctored((list) => {
        delete (entry(list, 'service-result', 'share-entry').details as Mutable).share;
        return reauthorised(list);
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/\(service-result\) records "officer-1"'s share as accepted without its commitment/);
  });
});

describe('a Vault call recorded where the laptop does not make it fails verify (exit 1)', () => {
  /** The promote request and its answer, to doctor in place. */
  const promoteCall = (list: JournalEvent[]) => {
    const request = list.find((e) => e.type === 'vault-request' && e.step === 'promote')!;
    return [request, list[list.indexOf(request) + 1]!] as unknown as [Mutable, Mutable];
  };

  it.each<[string, (list: JournalEvent[]) => JournalEvent[], RegExp]>([
    [
      "the promote's answer is recorded as answering a read of the replication status",
      (list) => {
        Object.assign(promoteCall(list)[1].details as Mutable, { method: 'GET', path: 'sys/replication/status' });
        return list;
      },
      /\(vault-response\) records an answer to "GET" "sys\/replication\/status" at 'promote', but the event before it is not that request/,
    ],
    [
      "the promote's request is left out, its answer kept",
      (list) => list.filter((e) => e !== (promoteCall(list)[0] as unknown as JournalEvent)),
      /\(vault-response\) records an answer to "POST" "sys\/replication\/dr\/secondary\/promote" at 'promote', but the event before it is not that request/,
    ],
    [
      "the promote's answer is left out, with no interruption after its request",
      (list) => list.filter((e) => e !== (promoteCall(list)[1] as unknown as JournalEvent)),
      /\(service-result\) follows the "POST" to "sys\/replication\/dr\/secondary\/promote" of event \d+ without being its answer/,
    ],
    [
      'the promote call is recorded at the next step, which is not irreversible',
      (list) => {
        for (const e of promoteCall(list)) e.step = 'check-promoted';
        return list;
      },
      /\(vault-request\) records a "POST" to "sys\/replication\/dr\/secondary\/promote" at 'check-promoted' while the ceremony was at 'promote'/,
    ],
  ])('when %s', async (_how, doctor, named) => {
    const r = await verify(await doctored(doctor));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(named);
  });

  // Vault entries placed before the post-check's read, followed by a witnessed note instead of their result.
  const unended: Array<[string, (list: JournalEvent[], read: JournalEvent) => JournalEvent[], string]> = [
    [
      "a read answered 'secondary' after the promotion",
      (list, read) => {
        const at = list.indexOf(read);
        const call = list.slice(at, at + 2).map((e) => ({ ...structuredClone(e), time: read.time }));
        (call[1]!.details.data as { dr: Mutable }).dr.mode = 'secondary';
        return call;
      },
      'the status was read again',
    ],
    [
      'a second promote, forced, before the post-check',
      (list, read) => {
        const promote = list.find((e) => e.type === 'vault-request' && e.step === 'promote')!;
        const from = list.indexOf(promote);
        const call = list
          .slice(from, from + 2)
          .map((e) => ({ ...structuredClone(e), step: read.step, time: read.time }));
        (call[0]!.details.body as Mutable).force = true;
        return call;
      },
      'promoted again',
    ],
  ];
  it.each(unended)("when %s ends in a witness's note, not in a result", async (_, made, reason) => {
    const r = await verify(
      await doctored((list) => {
        const read = list.find((e) => e.type === 'vault-request' && e.step === 'check-promoted')!;
        const at = list.indexOf(read);
        const notes = noteEntries(replayed(list.slice(0, at)), read, reason).entries;
        return reclosed([...list.slice(0, at), ...made(list, read), ...notes, ...list.slice(at)]);
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /journal event \d+ \(deviation\) follows the laptop's Vault entries of events \d+ to \d+ without the result they lead to/,
    );
  });

  it('when a read is recorded while the promotion awaits its signatures', async () => {
    const r = await verify(
      await doctored((list) => {
        const read = list.find((e) => e.type === 'vault-request' && e.step === 'check-promoted')!;
        const call = list.slice(list.indexOf(read), list.indexOf(read) + 2).map((e) => ({ ...e, step: 'promote' }));
        const asked = list.indexOf(entry(list, 'authorisation-requested', 'promote') as unknown as JournalEvent);
        const times = (e: JournalEvent) => ({ ...e, time: list[asked]!.time });
        return reauthorised([...list.slice(0, asked + 1), ...call.map(times), ...list.slice(asked + 1)]);
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /\(vault-request\) records a "GET" to "sys\/replication\/status" at 'promote' while the ceremony had nothing due there/,
    );
  });
});

describe('a record closed where the laptop does not close it fails verify (exit 1)', () => {
  it.each([
    ['promoted, before the DR operation token was deleted', 'step-acknowledged', 'check-promoted', 'promoted'],
    ['cancelled, with a share entry under way and nobody cancelling', 'service-result', 'share-entry', 'cancelled'],
  ])('when it closes as %s', async (_how, type, step, outcome) => {
    const r = await verify(
      await doctored((list) => {
        const closed = closedAfter(type, step)(list);
        // Consistent with the replay: only where it closes gives it away.
        expect(closed.at(-1)!.details).toMatchObject({ outcome, loose_ends: [], undeleted_operation_tokens: 0 });
        return closed;
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /\(ceremony-finished\) closes the record at '[a-z-]+', before the ceremony reached its signing/,
    );
  });

  it.each<[string, Mutable]>([
    ['the administrator', { actor: 'administrator', role: 'administrator' }],
    ['another step', { step: 'finished' }],
  ])('when its closing entry is recorded as written by %s', async (_by, change) => {
    const r = await verify(
      await doctored((list) => {
        Object.assign(list.at(-1)!, change);
        return list;
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/\(ceremony-finished\) is recorded with (actor|step) /);
  });

  it('when an entry follows the closing event', async () => {
    const answered = (list: JournalEvent[]) => list.filter((e) => e.type === 'vault-response').at(-1)!;
    const r = await verify(await doctored((list) => [...list, structuredClone(answered(list))]));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/follows the record's closing event, which must be its last/);
  });

  it('when the record is never closed', async () => {
    const r = await verify(await doctored((list) => list.slice(0, -1)));
    expect(r.code).toBe(1);
    expect(r.output).toContain("the journal has no 'ceremony-finished' event: its record was never closed");
  });
});

describe('a restart during signing reopens the record, which must close again', () => {
  it('verifies as the laptop records it: the signing so far, the restart, and the record closed again', async () => {
    const r = await verify(await doctored(restartedWhileSigning()));
    expect(r.output).toMatch(/VERIFIED/);
    expect(r.code).toBe(0);
  });

  it.each<[string, (after: JournalEvent[]) => JournalEvent[], RegExp]>([
    [
      "the signing's notes follow the closing event, with no restart",
      (after) => after.slice(0, 2),
      /\(service-result\) follows the record's closing event, which must be its last/,
    ],
    [
      'the record closes twice with nothing between',
      (after) => after.slice(-1),
      /\(ceremony-finished\) follows the record's closing event, which must be its last/,
    ],
    [
      'the reopened record is never closed again',
      (after) => after.slice(0, -1),
      /an interruption or a note reopened its record, which was never closed again/,
    ],
    [
      'the interruption says the record was open',
      (after) =>
        after.map((e) => (e.type === INTERRUPTION ? { ...e, details: { ...e.details, record_closed: false } } : e)),
      /\(interruption\) records .*"record_closed":false.*, where the laptop, resuming the ceremony its events replay to, records/,
    ],
  ])('fails (exit 1) when %s', async (_when, doctor, problem) => {
    const r = await verify(await doctored(restartedWhileSigning(doctor)));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(problem);
  });
});

describe('a note raised during signing reopens the record, which must close again once it is witnessed', () => {
  it('verifies as the laptop records it: the signing so far, the note and its witness, and the record closed again', async () => {
    const r = await verify(await doctored(notedWhileSigning()));
    expect(r.output).toMatch(/VERIFIED/);
    expect(r.code).toBe(0);
  });

  it.each<[string, (after: JournalEvent[]) => JournalEvent[], RegExp]>([
    [
      'the note and its witness follow the closing event, and the record ends there',
      (after) => after.slice(0, -1),
      /a note reopened its record, which was never closed again/,
    ],
    [
      'the reopened record closes again before the note is witnessed',
      (after) => [...after.slice(0, -2), after.at(-1)!],
      /\(ceremony-finished\) closes the record while deviation #\d+ \(note\) awaits its witness/,
    ],
    [
      "the administrator's signature over the old head is kept: the witness signs next",
      (after) => {
        const [first] = cast.witnesses;
        const ack = after[0]! as unknown as Mutable;
        const carried = {
          ...structuredClone(after[0]!),
          actor: first!.name,
          role: 'witness',
          details: { event: { ...((ack.details as Mutable).event as Mutable), actor: first!.name, role: 'witness' } },
        } as JournalEvent;
        return [...after.slice(0, -1), carried, after.at(-1)!];
      },
      /breaks the ceremony's rules/,
    ],
    [
      'a failed signing follows the closing event',
      (after) => {
        const failed = structuredClone(after[1]!) as unknown as Mutable;
        failed.details = {
          event: {
            type: 'serviceResult',
            step: 'sign-transcript',
            outcome: 'failed',
            reason: 'the card was pulled',
            at: (after[1] as unknown as Mutable).time,
          },
        };
        return [failed as unknown as JournalEvent, ...after];
      },
      /\(service-result\) follows the record's closing event, which must be its last/,
    ],
  ])('fails (exit 1) when %s', async (_when, doctor, problem) => {
    const r = await verify(await doctored(notedWhileSigning(doctor)));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(problem);
  });
});

describe("a service result that is not what the laptop makes of Vault's recorded answers fails verify (exit 1)", () => {
  /** The first entry of `type` at `step`'s details, to doctor in place. */
  const details = (list: JournalEvent[], type: string, step: string, n = 0) =>
    list.filter((e) => e.type === type && e.step === step)[n]!.details as Mutable;
  /** The answer at `step` turned into Vault refusing the call with HTTP `status`. */
  const refused = (list: JournalEvent[], step: string, status: number, said: string) => {
    const answer = details(list, 'vault-response', step);
    for (const field of ['data', 'request_id', 'warnings', 'status']) delete answer[field];
    Object.assign(answer, { ok: false, error: { kind: 'vault-error', message: said, status, errors: [said] } });
  };
  const replayed = (result: string) =>
    new RegExp(
      `records the result .*, but the laptop, given the Vault answers recorded before it, records .*${result}`,
    );

  it.each<[string, (list: JournalEvent[]) => void, RegExp]>([
    [
      'the status read after the promotion answers that the cluster is still a DR secondary',
      (list) => ((details(list, 'vault-response', 'check-promoted').data as { dr: Mutable }).dr.mode = 'secondary'),
      /\(service-result\) records the result \{"facts":\{"kind":"read-replication-status","mode":"primary"\},"outcome":"ok"\}, but the laptop, given the Vault answers recorded before it, records \{"facts":\{"kind":"read-replication-status","mode":"secondary"\},"outcome":"ok"\}/,
    ],
    [
      'the status read after the promotion answers no mode at all (verify threw a TypeError)',
      (list) => delete (details(list, 'vault-response', 'check-promoted').data as { dr: Mutable }).dr.mode,
      /\(service-result\) records the result \{"facts":\{"kind":"read-replication-status","mode":"primary"\},"outcome":"ok"\}, but the laptop, given the Vault answers recorded before it, records \{"facts":\{"kind":"read-replication-status"\},"outcome":"ok"\}/,
    ],
    [
      'the status read after the promotion holds its mode only under a "__proto__" key, which the laptop never reads',
      (list) => {
        const { dr } = details(list, 'vault-response', 'check-promoted').data as { dr: Mutable };
        delete dr.mode;
        // As JSON.parse makes it: an own property named __proto__, not the object's prototype.
        Object.defineProperty(dr, '__proto__', { value: { mode: 'primary' }, enumerable: true, writable: true });
      },
      /\(service-result\) records the result \{"facts":\{"kind":"read-replication-status","mode":"primary"\},"outcome":"ok"\}, but the laptop, given the Vault answers recorded before it, records \{"facts":\{"kind":"read-replication-status"\},"outcome":"ok"\}/,
    ],
    [
      'the status read after the promotion is answered with a timeout',
      (list) => {
        const answer = details(list, 'vault-response', 'check-promoted');
        for (const field of ['data', 'request_id', 'warnings', 'status']) delete answer[field];
        Object.assign(answer, { ok: false, error: { kind: 'timeout', message: 'Vault did not answer in time' } });
      },
      replayed('"outcome":"failed","reason":"Vault did not answer in time"'),
    ],
    [
      "the promote is answered with Vault's HTTP 500, and the promotion still recorded as made",
      (list) => refused(list, 'promote', 500, 'internal error'),
      /\(service-result\) is recorded where the laptop, given the Vault answers recorded before it, first records a 'vault-request' \(\{"method":"GET","path":"sys\/replication\/dr\/status","profile":"[^"]+"\}\)/,
    ],
    [
      "the DR operation token's delete is refused, and the token still recorded as deleted",
      (list) => refused(list, 'delete-operation-token', 400, 'invalid operation token'),
      replayed('"outcome":"failed","reason":"invalid operation token"'),
    ],
    [
      "the DR operation token's delete is recorded as failed, though Vault answered that it was deleted, then made again",
      (list) => {
        const request = list.findIndex((e) => e.type === 'vault-request' && e.step === 'delete-operation-token');
        const [call, answer, result] = list.slice(request, request + 3).map((e) => structuredClone(e));
        const failed = result!.details.event as Mutable;
        delete failed.facts;
        Object.assign(failed, { outcome: 'failed', reason: 'Vault did not answer in time' });
        const again = [call!, answer!].map((e) => ({ ...e, time: result!.time }));
        list.splice(request + 2, 0, result!, ...again);
      },
      replayed('"facts":\\{"kind":"delete-operation-token"\\},"outcome":"ok"'),
    ],
    [
      'the status read after the promotion is left out, its result kept',
      (list) => {
        const read = list.findIndex((e) => e.type === 'vault-request' && e.step === 'check-promoted');
        list.splice(read, 2);
      },
      /\(service-result\) is recorded where the laptop, given the Vault answers recorded before it, first records a 'vault-request' \(\{"method":"GET","path":"sys\/replication\/status","profile":"[^"]+"\}\)/,
    ],
    [
      'the promote request is recorded as forced',
      (list) => ((details(list, 'vault-request', 'promote').body as Mutable).force = true),
      /\(service-result\) ends a run whose entries are not the laptop's: event \d+ \(vault-request\) holds \{"body":\{.*"force":true\},.*, where the laptop writes \{"body":\{.*"force":false\},/,
    ],
    [
      "the promote's answer says more than Vault's answer the laptop records",
      (list) => (details(list, 'vault-response', 'promote').note = 'the primary was confirmed fenced by phone'),
      /\(service-result\) ends a run whose entries are not the laptop's: event \d+ \(vault-response\) holds \{.*"note":"the primary was confirmed fenced by phone",.*, where the laptop writes \{"data":null,"method":"POST","ok":true,/,
    ],
  ])('when %s', async (_how, doctor, named) => {
    const r = await verifyChanged(doctor);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(named);
  });

  it.each<[string, (list: JournalEvent[]) => void, RegExp]>([
    [
      'the status read before the ceremony answers that the cluster is a DR primary',
      (list) => ((details(list, 'vault-response', 'check-secondary').data as { dr: Mutable }).dr.mode = 'primary'),
      replayed('"mode":"primary"'),
    ],
    [
      'the status read before the ceremony is recorded as connected to another primary than Vault answered',
      (list) => {
        const result = details(list, 'service-result', 'check-secondary').event as { facts: Mutable };
        result.facts.connectedTo = 'https://dr-primary.example:8200';
      },
      /records the result \{"facts":\{"connectedTo":"https:\/\/dr-primary\.example:8200",.*but the laptop, given the Vault answers recorded before it, records \{"facts":\{"connectedTo":"https:\/\/127\.0\.0\.1:/,
    ],
    [
      "the attempt's start is answered with another nonce",
      (list) => ((details(list, 'vault-response', 'start-attempt').data as Mutable).nonce = randomUUID()),
      replayed('"kind":"start-attempt"'),
    ],
    [
      "the first share's answer shows no progress",
      (list) => ((details(list, 'vault-response', 'share-entry', 1).data as Mutable).progress = 0),
      replayed('"progress":0,'),
    ],
    [
      'the laptop is recorded cancelling the attempt before the first share, and going on',
      (list) => {
        const read = list.findIndex((e) => e.type === 'vault-request' && e.step === 'share-entry');
        const [request, answer] = list.slice(read, read + 2).map((e) => structuredClone(e) as unknown as Mutable);
        const call = { method: 'DELETE', path: (request!.details as Mutable).path };
        Object.assign(request!.details as Mutable, call);
        Object.assign(answer!.details as Mutable, call, { data: null, status: 204 });
        list.splice(
          read,
          0,
          ...([request, answer] as unknown as JournalEvent[]).map((e) => ({ ...e, time: list[read - 1]!.time })),
        );
      },
      /ends a run whose entries are not the laptop's: event \d+ \(vault-request\) holds \{"method":"DELETE",.*where the laptop writes \{"method":"GET"/,
    ],
  ])('when %s (re-authorised)', async (_how, doctor, named) => {
    const r = await verifyChanged(doctor, true);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(named);
  });
});
