// @tier integration
/**
 * Signed authorisations of aborting and of waiving a step (issue 12, item 3), as an auditor's
 * adversary attacks them. On one rehearsal Vault, two ceremonies run through the service and the
 * headless driver (the wizard's calls): one aborted at the roll call, one whose DR operation token
 * deletion fails (the client is made to refuse it) and is waived. Each abort and waiver is
 * authorised by the administrator's and a witness's keys over a statement that quotes the reason;
 * each ceremony's transcript is then signed by everyone (the aborted one too) and the app exports
 * its bundle, which verifies. Then the bundles' journals are doctored, and everything after redone
 * honestly (hash chain recomputed, transcript re-rendered and signed by the real people), as a
 * laptop whose software skipped or faked an authorisation would produce. `verify` must fail
 * (exit 1) when the signatures are missing, when either one is removed, when one is made by
 * another key, when the reason is changed after signing, when the record names another abort, or
 * when its closing event lists other loose ends, tokens, steps or outcome than its events show.
 *
 * The defences: electron/services/transcript/authorisations.ts (the replay, which refuses a step
 * completed past an unsigned waiver; the closing event's 'aborted' outcome, and every field of it,
 * against the replay;
 * each signature against the named person's key), and the reason in the statement's action
 * (shared/ceremony/ceremony-machine.ts, proposalWords).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { statementDigest, statementText, type AuthorisationStatement } from '../../shared/ceremony/authorisation';
import type { StepId } from '../../shared/ceremony/ceremony-steps';
import type { JournalEvent, JsonObject } from '../../shared/record/journal-event';
import { startRehearsalVault, type RehearsalVault } from '../../rehearsal-vault/rehearsal-cluster-set';
import { generateSigners, type CastMember, type Signers } from '../../electron/services/rehearsal/rehearsal-cast';
import { connectTarget, type RehearsalTarget } from '../../electron/services/rehearsal/rehearsal-target';
import type { VaultClient } from '../../electron/services/vault/client';
import { captureIo } from '../support/capture-io';
import { detachedBy, readJournal, rechained, signedBundle, writeKeyring } from '../support/doctored-bundle';
import { rehearsedBundle, type RehearsedCeremony } from '../support/rehearsed-bundle';

const OFFICERS = 'rehearsal officers';
const ABORT_REASON = 'the laptop tamper seal is broken';
const WAIVER_REASON = 'dc2 refuses the deletion';

const root = mkdtempSync(join(tmpdir(), 'vc-abort-waiver-'));
let vault: RehearsalVault;
let target: RehearsalTarget;
let cast: Signers;
let stranger: CastMember;
let keyring: string;
const journals: Record<Kind, JournalEvent[]> = { abort: [], waiver: [] };
/** The bundles the app exported, untouched. */
const exported: Record<Kind, string> = { abort: '', waiver: '' };
let copies = 0;

type Kind = 'abort' | 'waiver';
/** A journal event's JSON, to doctor in place. */
type Mutable = Record<string, unknown>;
const people = () => [cast.administrator, ...cast.witnesses];

/** The service's DR operation token deletion is refused before it reaches Vault, as an unreachable cluster would. */
const refusingDeletion = (client: VaultClient): VaultClient => ({
  ...client,
  drOperationToken: { ...client.drOperationToken, delete: () => client.drOperationToken.delete('') },
});

/** Runs one ceremony to `until`, where `act` happens, then to its end; returns its exported bundle's folder. */
const ceremony = (id: string, until: RehearsedCeremony['until'], act: RehearsedCeremony['act']) =>
  rehearsedBundle({ dir: join(root, id), id, target, cast, until, act, observe: refusingDeletion });

beforeAll(async () => {
  cast = await generateSigners(undefined);
  stranger = (await generateSigners(undefined)).administrator;
  const started = await startRehearsalVault({ officers: 3, threshold: 2, passphrase: OFFICERS });
  if (!started.ok) throw new Error(started.error.message);
  vault = started.value;
  const connected = await connectTarget({ kind: 'in-process', vault, officerPassphrase: OFFICERS });
  if (!connected.ok) throw new Error(connected.error.message);
  target = connected.value;
  const admin = cast.administrator.name;
  exported.abort = await ceremony(
    'rehearsal-abort',
    () => true,
    (s) => s.act({ type: 'abort', actor: admin, reason: ABORT_REASON }),
  );
  exported.waiver = await ceremony(
    'rehearsal-waiver',
    (s) => s.step === 'delete-operation-token' && s.input === 'retry',
    (s) => s.act({ type: 'deviation', kind: 'token-not-deleted', actor: admin, reason: WAIVER_REASON }),
  );
  for (const kind of ['abort', 'waiver'] as const) journals[kind] = readJournal(join(exported[kind], 'journal.jsonl'));
  keyring = writeKeyring(join(root, 'auditor-keys.asc'), people());
}, 180_000);
afterAll(async () => {
  target?.client.close();
  await vault?.close();
  rmSync(root, { recursive: true, force: true });
});

async function verify(dir: string, anchors = ['--keyring', keyring]) {
  const { io, stdout, stderr } = captureIo();
  const code = await main(['verify', dir, ...anchors], io);
  return { code, output: stdout() + stderr() };
}

/** The bundle of `kind`'s journal as `doctor` leaves it, signed by the real people. */
async function bundle(kind: Kind, doctor: (events: JournalEvent[]) => JournalEvent[] = (e) => e): Promise<string> {
  const dir = join(root, `bundle-${++copies}`);
  await signedBundle(dir, doctor(journals[kind].map((e) => structuredClone(e))), people());
  return dir;
}

const STEP: Record<Kind, StepId> = { abort: 'roll-call', waiver: 'delete-operation-token' };
const ACTION: Record<Kind, (reason: string) => string> = {
  abort: (reason) => `abort: ${JSON.stringify(reason)}`,
  waiver: (reason) => `waive delete-operation-token: ${JSON.stringify(reason)}`,
};
const REASON: Record<Kind, string> = { abort: ABORT_REASON, waiver: WAIVER_REASON };

/** The abort's or waiver's signed authorisations (a promotion's are at another step). */
const signatures = (kind: Kind, list: readonly JournalEvent[]) =>
  list.filter((e) => e.type === 'step-authorised' && e.step === STEP[kind]);
const eventOf = (e: JournalEvent) =>
  e.details.event as JsonObject as { signature: string; nonce: string; head: string };

/** The statement the administrator and the witness signed, from the journal. */
function statementOf(kind: Kind): AuthorisationStatement {
  const requested = journals[kind].find((e) => e.type === 'authorisation-requested' && e.step === STEP[kind])!;
  const { nonce, head } = requested.details.event as { nonce: string; head: string };
  const plan = journals[kind][1]!.details.plan as { id: string; profile: string };
  return {
    ceremony: plan.id,
    step: STEP[kind],
    action: ACTION[kind](REASON[kind]),
    cluster: plan.profile,
    nonce,
    head,
  };
}

describe.each(['abort', 'waiver'] as const)('a signed %s', (kind) => {
  it("holds the administrator's and a witness's signatures over a statement quoting the reason, and verifies", async () => {
    const signed = signatures(kind, journals[kind]);
    expect(signed.map((e) => e.role)).toEqual(['administrator', 'witness']);
    for (const e of signed) expect(e.details.action).toBe(ACTION[kind](REASON[kind]));
    const finished = journals[kind].at(-1)!;
    expect(finished.type).toBe('ceremony-finished');
    expect(finished.details.outcome).toBe(kind === 'abort' ? 'aborted' : 'promoted');
    // The bundle as the app exported it, signed by everyone: the aborted ceremony's too.
    const dir = exported[kind];
    const r = await verify(dir);
    expect(r.code).toBe(0);
    expect(r.output).toContain(`\noutcome:     ${kind === 'abort' ? 'aborted' : 'promoted'}\n`);
    expect(r.output).toContain(
      `  good  anchored    ${STEP[kind].padEnd(22)} administrator ${cast.administrator.name.padEnd(16)} ${ACTION[kind](REASON[kind])}\n`,
    );
    expect(r.output).toMatch(new RegExp(`  good  anchored    ${STEP[kind]} +witness +witness-\\d +`));
    // Without the auditor's keys the same signatures are good but vouch only for themselves.
    const unanchored = await verify(dir, []);
    expect(unanchored.code).toBe(3);
    expect(unanchored.output).toMatch(new RegExp(`  good  UNANCHORED  ${STEP[kind]} +administrator `));
  });

  it('fails verify when it was carried out without signatures', async () => {
    const r = await verify(await bundle(kind, (list) => list.filter((e) => !signatures(kind, [e]).length)));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/closes the record while an? (abort|waiver) \(deviation #\d+\) still awaits/);
  });

  it.each(['administrator', 'witness'])("fails verify when the %s's signature is removed", async (role) => {
    const r = await verify(
      await bundle(kind, (list) => list.filter((e) => !(signatures(kind, [e]).length && e.role === role))),
    );
    expect(r.code).toBe(1);
  });

  it.each([
    ['a stranger', () => stranger],
    ['a witness', () => cast.witnesses[1]!],
  ])("fails verify when the administrator's signature is made by %s's key", async (_who, by) => {
    const signature = await detachedBy(by(), statementText(statementOf(kind)));
    const r = await verify(
      await bundle(kind, (list) => {
        eventOf(signatures(kind, list).find((e) => e.role === 'administrator')!).signature = signature;
        return list;
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/authorisation of .* is BAD: /);
  });

  it('fails verify when the reason is changed after signing, the request and the record made to match', async () => {
    const changed = 'a routine test, nothing wrong';
    const r = await verify(
      await bundle(kind, (list) => {
        const raised = list.find(
          (e) => e.type === 'deviation' && e.details.event !== undefined && e.step === STEP[kind],
        )!;
        (raised.details.event as Mutable).reason = changed;
        // The laptop's software re-points the request at the new journal and records the statement it now makes.
        const chained = rechained(list);
        const asked = list.findIndex((e) => e.type === 'authorisation-requested' && e.step === STEP[kind]);
        const head = chained[asked - 1]!.hash;
        (list[asked]!.details.event as Mutable).head = head;
        const statement = { ...statementOf(kind), action: ACTION[kind](changed), head };
        for (const e of signatures(kind, list)) {
          (e.details as Mutable).action = statement.action;
          (e.details as Mutable).statement_sha256 = statementDigest(statement);
          (e.details.event as Mutable).head = head;
        }
        return list;
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/is BAD: /);
    expect(r.output).not.toMatch(/names statement|not the hash of the event before it/);
    expect(r.output).toContain(ACTION[kind](changed));
  });
});

describe('a signed abort', () => {
  it('fails verify when the record names another reason or another authoriser than the events', async () => {
    for (const abort of [
      { reason: 'a routine test, nothing wrong' },
      { authorised_by: [cast.administrator.name, cast.witnesses[1]!.name] },
    ]) {
      const r = await verify(
        await bundle('abort', (list) => {
          const finished = list.at(-1)!;
          Object.assign(finished.details.abort as Mutable, abort);
          return list;
        }),
      );
      expect(r.code).toBe(1);
      expect(r.output).toMatch(/gives abort as .*, but the ceremony's events give /);
    }
  });

  it('fails verify when the record of a ceremony that was not aborted closes as aborted', async () => {
    const r = await verify(
      await bundle('waiver', (list) => {
        (list.at(-1)!.details as Mutable).outcome = 'aborted';
        return list;
      }),
    );
    expect(r.code).toBe(1);
    expect(r.output).toContain("closes the record as aborted, but the ceremony's events do not abort it");
  });
});

describe("a waived step's closing event", () => {
  /** The waiver bundle whose closing event's details `doctor` changed, signed by the real people. */
  const closedAs = (doctor: (details: Mutable) => void) =>
    bundle('waiver', (list) => {
      doctor(list.at(-1)!.details);
      return list;
    });

  it('lists what the waiver left open, as the events show, and verifies', async () => {
    const { details } = journals.waiver.at(-1)!;
    expect(details.undeleted_operation_tokens).toBe(1);
    expect(details.loose_ends).toEqual([expect.stringMatching(/^1 DR operation token\(s\) .* could not be deleted/)]);
    expect(details.completed_steps).toContain('delete-operation-token');
    // Re-signed untouched, the record is consistent: what the cases below change is all that fails.
    expect((await verify(await closedAs(() => undefined))).code).toBe(0);
  });

  it.each<[string, (details: Mutable) => void, RegExp]>([
    [
      'says nothing was left open',
      (d) => (d.loose_ends = []),
      /gives loose_ends as \[\], but the ceremony's events give \["1 DR operation token/,
    ],
    [
      'leaves its loose ends out',
      (d) => delete d.loose_ends,
      /gives loose_ends as nothing, but the ceremony's events give \["1 DR/,
    ],
    [
      'counts no undeleted token',
      (d) => (d.undeleted_operation_tokens = 0),
      /gives undeleted_operation_tokens as 0, but the ceremony's events give 1/,
    ],
    [
      'drops a completed step',
      (d) => (d.completed_steps = (d.completed_steps as string[]).filter((step) => step !== 'delete-operation-token')),
      /gives completed_steps as \[.*\], but the ceremony's events give \[.*"delete-operation-token".*\]/,
    ],
    ['counts no deviation', (d) => (d.deviations = 0), /gives deviations as 0, but the ceremony's events give [1-9]/],
    [
      'closes as cancelled',
      (d) => (d.outcome = 'cancelled'),
      /gives outcome as "cancelled", but the ceremony's events give "promoted"/,
    ],
    [
      'adds a field of its own',
      (d) => (d.all_clear = true),
      /gives all_clear as true, but the ceremony's events give nothing/,
    ],
  ])('fails verify, naming the field, when it %s', async (_how, doctor, named) => {
    const r = await verify(await closedAs(doctor));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(named);
  });
});
