// @tier integration
/**
 * The auditor's adversary writing what the replay does not read: a rehearsed promotion's journal
 * doctored, re-chained, its authorisations asked for afresh and everything signed by the real
 * people. The transcript renders every field of every entry, so a field the laptop never writes
 * is text the signers vouch for and no check stands behind.
 *
 * `ceremony-started`'s start time is where the replay begins (createCeremony): one that is not a
 * time switched the whole replay off, so a record with its authorisations removed, or closing as
 * whatever it liked, verified anchored (exit 0). The defence: shared/ceremony/recorded-plan.ts
 * reads the start time with the plan, as the laptop writes it (a UTC time).
 *
 * A ceremony event's fields beyond those the machine reads were never looked at: an
 * acknowledgement, an authorisation or a result the replay cannot check (the token's decoding)
 * could carry any text, and an event any time. The defence: ceremony-record.ts's
 * eventShapeProblem, which verify holds every recorded event to (the fields of its type, outcome
 * and kind, and a UTC time).
 *
 * A refused key's note (`key-refused`) was checked for whom it names only where the plan names
 * administrators and witnesses: its details, and an officer or a step, were anyone's. The defence:
 * ceremony-record.ts's refusalProblem (the error's kind alone, for whoever the ceremony takes a
 * share or signature from at the step it is at).
 *
 * A share's commitment was checked for its officer and key only; the rest of it was anyone's. The
 * defence: authorisations.ts's isWrittenCommitment (the fields and forms openShare writes).
 *
 * A result of a person's input (a token entered) is not replayed, and the laptop records one
 * only once the input is given: a failed one was text nothing stood behind. The defence:
 * authorisations.ts refuses a failed result of an action that needs a person's input.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../shared/record/journal-event';
import {
  rehearseCeremony,
  rehearsePromotion,
  verifyChangedCopy,
  type RehearsedPromotion,
} from '../support/rehearsed-promotion';

const root = mkdtempSync(join(tmpdir(), 'vc-record-shape-'));
let rehearsed: RehearsedPromotion;
let copies = 0;
/** A journal event's JSON, to doctor in place. */
type Mutable = Record<string, unknown>;

beforeAll(async () => {
  rehearsed = await rehearsePromotion(root);
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `verify --keyring` of the bundle with `change` made to its journal, re-signed by the real people. */
function verifyChanged(change: (list: JournalEvent[]) => JournalEvent[] | void) {
  return verifyChangedCopy(join(root, `doctored-${++copies}`), rehearsed, (list) => {
    const changed = change(list);
    if (changed) list.splice(0, list.length, ...changed);
  });
}

const startedDetails = (list: JournalEvent[]) => list[1]!.details as Mutable;

describe("a ceremony-started whose start time is not the laptop's fails verify (exit 1)", () => {
  it('(re-signed with nothing changed, it verifies)', async () => {
    const r = await verifyChanged(() => undefined);
    expect(r.code, r.output).toBe(0);
  });

  it.each<[string, (list: JournalEvent[]) => JournalEvent[] | void]>([
    [
      'null, the promotion recorded without its signed authorisations',
      (list) => {
        startedDetails(list).started_at = null;
        return list.filter((e) => e.type !== 'authorisation-requested' && e.type !== 'step-authorised');
      },
    ],
    [
      'a number, the record closing as promoted elsewhere',
      (list) => {
        startedDetails(list).started_at = 0;
        (list.at(-1)!.details as Mutable).outcome = 'promoted on prod-west';
      },
    ],
    ['words, with nothing else changed', (list) => void (startedDetails(list).started_at = 'promoted on prod-west')],
  ])('when it is %s', async (_how, doctor) => {
    const r = await verifyChanged(doctor);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/journal event 2 \(ceremony-started\) gives no start time as the laptop writes it/);
  });
});

/** The ceremony event of the first entry of `type` at `step`, to doctor in place. */
const eventOf = (list: JournalEvent[], type: string, step: string) =>
  list.find((e) => e.type === type && e.step === step)!.details.event as Mutable;

describe('a ceremony event holding what the laptop never writes in it fails verify (exit 1)', () => {
  it.each<[string, (list: JournalEvent[]) => void, RegExp]>([
    [
      "the administrator's acknowledgement of the post-check, with a comment",
      (list) => void (eventOf(list, 'step-acknowledged', 'check-promoted').comment = 'promoted on prod-west'),
      /journal event \d+ \(step-acknowledged\) holds event\.comment in its 'acknowledge' event/,
    ],
    [
      "the witness's signed authorisation of the promotion, naming a cluster",
      (list) => void (eventOf(list, 'step-authorised', 'promote').cluster = 'prod-west'),
      /journal event \d+ \(step-authorised\) holds event\.cluster in its 'authorise' event/,
    ],
    [
      'the request for that authorisation, naming a cluster',
      (list) => void (eventOf(list, 'authorisation-requested', 'promote').cluster = 'prod-west'),
      /journal event \d+ \(authorisation-requested\) holds event\.cluster in its 'authorisationRequested' event/,
    ],
    [
      "the token's decoding (a result the replay cannot check), with a fact more",
      (list) =>
        void ((eventOf(list, 'service-result', 'decode-token').facts as Mutable).promoted_cluster = 'prod-west'),
      /journal event \d+ \(service-result\) holds event\.facts\.promoted_cluster in its 'serviceResult' event/,
    ],
    [
      "the administrator's acknowledgement, with a '__proto__' field (JSON's, an ordinary key)",
      (list) =>
        void Object.defineProperty(eventOf(list, 'step-acknowledged', 'check-promoted'), '__proto__', {
          value: { role: 'witness' },
          enumerable: true,
          writable: true,
          configurable: true,
        }),
      /journal event \d+ \(step-acknowledged\) holds event\.__proto__ in its 'acknowledge' event/,
    ],
    [
      "the administrator's acknowledgement, dated in words",
      (list) => void (eventOf(list, 'step-acknowledged', 'check-promoted').at = 'promoted on prod-west'),
      /journal event \d+ \(step-acknowledged\) is not dated as the laptop stamps its events/,
    ],
  ])('in %s', async (_how, doctor, named) => {
    const r = await verifyChanged(doctor);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(named);
  });
});

/**
 * `list` with a `key-refused` entry, as `refusal` gives it, before the first entry of `type` at
 * `step` by `actor`, dated as it is.
 */
function refusedBefore(type: string, step: string, actor: string, refusal: Partial<JournalEvent>) {
  return (list: JournalEvent[]) => {
    const at = list.findIndex((e) => e.type === type && e.step === step && e.actor === actor);
    const before = list[at]!;
    const entry = { ...before, type: 'key-refused', details: { kind: 'bad-passphrase' }, ...refusal };
    list.splice(at, 0, entry);
  };
}

describe('a refused key noted otherwise than the laptop notes one fails verify (exit 1)', () => {
  it("(officer-2's passphrase refused before their share is entered, as the laptop notes it, verifies)", async () => {
    const r = await verifyChanged(refusedBefore('step-acknowledged', 'share-entry', 'officer-2', {}));
    expect(r.code, r.output).toBe(0);
  });

  it.each<[string, (list: JournalEvent[]) => void, RegExp]>([
    [
      'with words for its kind',
      refusedBefore('step-acknowledged', 'share-entry', 'officer-2', {
        details: { kind: 'officer-2 saw the promotion made on prod-west' },
      }),
      /journal event \d+ \(key-refused\) holds other details than the laptop writes there/,
    ],
    [
      'with more than its kind',
      refusedBefore('step-acknowledged', 'share-entry', 'officer-2', {
        details: { kind: 'bad-passphrase', outcome: 'promoted on prod-west' },
      }),
      /journal event \d+ \(key-refused\) holds other details than the laptop writes there/,
    ],
    [
      'for an officer the plan does not name',
      refusedBefore('step-acknowledged', 'share-entry', 'officer-2', { actor: 'Mallory' }),
      /journal event \d+ \(key-refused\) records "Mallory" \(officer\) refused at 'share-entry'/,
    ],
    [
      "for a witness at the post-check, where nobody's key is asked for",
      refusedBefore('step-acknowledged', 'check-promoted', 'witness-1', {}),
      /journal event \d+ \(key-refused\) records "witness-1" \(witness\) refused at 'check-promoted'/,
    ],
  ])('%s', async (_how, doctor, named) => {
    const r = await verifyChanged(doctor);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(named);
  });
});

/** The first share commitment the journal records (officer-1's), to doctor in place. */
const commitment = (list: JournalEvent[]) => list.find((e) => e.details.share !== undefined)!.details.share as Mutable;

describe("a share's commitment in other terms than the laptop writes fails verify (exit 1)", () => {
  it.each<[string, (list: JournalEvent[]) => void]>([
    ['with a field more', (list) => void (commitment(list).note = 'promoted on prod-west')],
    ['of a form the laptop has none of', (list) => void (commitment(list).form = 'read aloud by prod-west')],
    ["with words for the encrypted share's digest", (list) => void (commitment(list).sha256 = 'promoted on prod-west')],
    ['as a plaintext share with a key', (list) => void (commitment(list).form = 'plaintext')],
  ])('%s', async (_how, doctor) => {
    const r = await verifyChanged(doctor);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /journal event \d+ \(service-result\) commits to "officer-1"'s share in other terms than the laptop writes/,
    );
  });
});

describe("a failure of a person's input, which the laptop never records, fails verify (exit 1)", () => {
  let failback: RehearsedPromotion;
  beforeAll(async () => {
    failback = await rehearseCeremony(mkdtempSync(join(root, 'failback-')), 'failback', 1);
  }, 120_000);

  it("the administrator's Vault token recorded as refused, the step authorised again, then entered", async () => {
    const r = await verifyChangedCopy(join(root, 'failback-doctored'), failback, (list) => {
      const entered = list.findIndex((e) => e.type === 'service-result' && e.step === 'enter-vault-token');
      const acks = list
        .slice(0, entered)
        .filter((e) => e.type === 'step-acknowledged' && e.step === 'enter-vault-token');
      const time = list[entered - 1]!.time;
      const dated = (e: JournalEvent) => ({
        ...e,
        time,
        details: { event: { ...(e.details.event as Mutable), at: time } },
      });
      const refused = dated({
        ...list[entered]!,
        details: {
          event: {
            type: 'serviceResult',
            step: 'enter-vault-token',
            outcome: 'failed',
            reason: "the token entered was the primary's root token",
          },
        },
      });
      list.splice(entered, 0, refused, ...acks.map(dated));
    });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /journal event \d+ \(service-result\) records 'collect-vault-token' as failed, but the laptop records a person's input only once it is given/,
    );
  });
});
