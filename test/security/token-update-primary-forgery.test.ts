// @tier integration
/**
 * The auditor's adversary on an update-primary operation whose primary is the one its activation
 * token names (the plan names none): with that primary down, the call failed (the secondary could
 * not unwrap the token), and the retry once it was back updated the DR secondary. Whether a failed
 * call was made after all, the laptop decides by whether the cluster now follows the token's
 * primary, an address inside the secret token the record does not hold; so `verify` replays such a
 * run once for each primary the record leaves possible (action-replay.ts), and accepts it when one
 * of them gives what is recorded. Records the laptop could have written (the cluster following
 * another primary meanwhile) verify; a failed run whose answers were changed, its journal
 * re-chained and re-signed by the real people, fails (exit 1).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CastMember } from '../../electron/services/rehearsal/rehearsal-cast';
import { DR_SECONDARY_PROFILE } from '../../electron/services/rehearsal/rehearsal-target';
import type { JournalEvent } from '../../shared/record/journal-event';
import { operationRig, type OperationRig } from '../drills/operation-drill-support';
import { readJournal, reauthorised, signedBundle, writeKeyring } from '../support/doctored-bundle';
import { verifyAnchored } from '../support/rehearsed-promotion';

const UPDATE_PRIMARY = 'sys/replication/dr/secondary/update-primary';
const DR_STATUS = 'sys/replication/dr/status';
type Mutable = Record<string, unknown>;

let rig: OperationRig;
let people: CastMember[];
let keyring: string;
let events: JournalEvent[];
let copies = 0;

beforeAll(async () => {
  rig = await operationRig({ officers: 3, threshold: 2 });
  const primary = rig.vault.ha('primary');
  const down = { make: () => primary.stop(), clear: () => primary.start() };
  const activation = await rig.token('dc2-down');
  const update = { id: 'update-primary', replication: 'dr', method: 'token' } as const;
  const { dir } = await rig.operate('op-update-down', DR_SECONDARY_PROFILE, update, activation, down);
  people = [rig.signers.administrator, ...rig.signers.witnesses];
  keyring = writeKeyring(join(rig.root, 'auditor-keys.asc'), people);
  events = readJournal(join(dir, 'journal.jsonl'));
}, 180_000);
afterAll(() => rig?.close());

/** `verify` of the bundle with `change` made to its journal, its authorisations signed afresh by the real people. */
async function verifyChanged(change: (list: JournalEvent[]) => void) {
  const dir = join(rig.root, `doctored-${++copies}`);
  const list = events.map((e) => structuredClone(e));
  change(list);
  await signedBundle(dir, await reauthorised(list, people), people);
  return verifyAnchored(dir, keyring);
}

/** The answers to `path` at the operation's step, in order, to doctor in place. */
const answers = (list: JournalEvent[], path: string) =>
  list.filter((e) => e.type === 'vault-response' && e.step === 'perform-operation' && e.details.path === path);

/** The operation's results, in order. */
const results = (list: JournalEvent[]) =>
  list
    .filter((e) => e.type === 'service-result' && e.step === 'perform-operation')
    .map((e) => e.details.event as Mutable);

/** The status answer's DR block made to show the cluster following another primary, as someone else updated it to. */
function followingAnother(answer: JournalEvent) {
  const data = answer.details.data as Mutable;
  const primaries = data.primaries as Mutable[];
  expect(primaries).toHaveLength(1);
  Object.assign(data, { secondary_id: 'someone-else', primary_cluster_addr: 'https://10.9.9.9:8201' });
  primaries[0]!.api_address = 'https://10.9.9.9:8200';
}

describe('an update-primary on the activation token whose primary was down', () => {
  it('verifies, and re-signed with nothing changed: the failed call, then the retry that updated', async () => {
    expect(results(events).map((e) => e.outcome)).toEqual(['failed', 'ok']);
    expect(results(events)[0]!.reason).toMatch(/failed to unwrap activation token: .*connection refused/);
    expect(answers(events, UPDATE_PRIMARY).map((e) => e.details.ok)).toEqual([false, true]);
    expect((await verifyChanged(() => undefined)).code).toBe(0);
  });

  it.each<[string, (list: JournalEvent[]) => void]>([
    [
      'the status read after the failed call shows the cluster following another primary since',
      (list) => followingAnother(answers(list, DR_STATUS)[1]!),
    ],
    [
      'the status read before the retry shows it following another primary, and the retry updates it',
      (list) => followingAnother(answers(list, DR_STATUS)[2]!),
    ],
  ])('verifies when %s: the token named another', async (_how, change) => {
    const r = await verifyChanged(change);
    expect(r.output).not.toContain('FAILED');
    expect(r.code).toBe(0);
  });
});

describe('a failed update-primary on the activation token whose answers are not what its result was made from fails verify (exit 1)', () => {
  it.each<[string, (list: JournalEvent[]) => void, RegExp]>([
    [
      'the call is answered with HTTP 200, and still recorded as failed',
      (list) => {
        // The retry's answer, as the laptop records a success.
        const [refused, made] = answers(list, UPDATE_PRIMARY);
        list[list.indexOf(refused!)] = { ...refused!, details: structuredClone(made!.details) };
      },
      // Vault having made it, the laptop reads nothing more: it records the operation made.
      /\(service-result\) follows event \d+ \(vault-request: \{"method":"GET","path":"sys\/replication\/dr\/status".*, which the laptop, given the Vault answers recorded before it, does not record there/,
    ],
    [
      "the call's refusal is reworded",
      (list) => {
        const error = answers(list, UPDATE_PRIMARY)[0]!.details.error as Mutable;
        error.message = (error.message as string).replace('connection refused', 'no route to host');
      },
      /\(service-result\) records the result \{"outcome":"failed","reason":".*connection refused.*but the laptop, given the Vault answers recorded before it, records \{"outcome":"failed","reason":".*no route to host/,
    ],
    [
      'the status read after the call is left out',
      (list) => {
        const answer = answers(list, DR_STATUS)[1]!;
        list.splice(list.indexOf(answer) - 1, 2);
      },
      /\(service-result\) is recorded where the laptop, given the Vault answers recorded before it, first records a 'vault-request' \(\{"method":"GET",.*"path":"sys\/replication\/dr\/status"/,
    ],
  ])('when %s', async (_how, change, named) => {
    const r = await verifyChanged(change);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(named);
  });
});
