// @tier integration
/**
 * The auditor's adversary on a failback over 3-node clusters: a laptop whose software writes what
 * Vault answered otherwise than it was, its journal re-chained and re-signed by the real people.
 * `verify --keyring` replays each result through the laptop's own action code (action-replay.ts)
 * over the answers recorded, leaders and settled clusters included, and must fail (exit 1) when an
 * answer to the demote or update-primary is not the one its result was made from, or a request
 * went to another node than the leader the record names. Without the replay (authorisations.ts's
 * actionMismatch) every one verifies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../shared/record/journal-event';
import { reauthorised, signedBundle } from '../support/doctored-bundle';
import { rehearseCeremony, verifyAnchored, type RehearsedPromotion } from '../support/rehearsed-promotion';

const root = mkdtempSync(join(tmpdir(), 'vc-failback-forgery-'));
let rehearsed: RehearsedPromotion;
let copies = 0;
type Mutable = Record<string, unknown>;

beforeAll(async () => {
  rehearsed = await rehearseCeremony(root, 'failback', 3);
}, 180_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `verify` of the bundle with `change` made to its journal, its authorisations signed afresh by the real people. */
async function verifyChanged(change: (list: JournalEvent[]) => void) {
  const dir = join(root, `doctored-${++copies}`);
  const list = rehearsed.events.map((e) => structuredClone(e));
  change(list);
  await signedBundle(dir, await reauthorised(list, rehearsed.people), rehearsed.people);
  return verifyAnchored(dir, rehearsed.keyring);
}

/** The details of the first entry of `type` at `step`, to doctor in place. */
const details = (list: JournalEvent[], type: string, step: string) =>
  list.find((e) => e.type === type && e.step === step)!.details as Mutable;

/** The answer at `step` turned into Vault refusing the call with HTTP 500. */
function refused(list: JournalEvent[], step: string) {
  const answer = details(list, 'vault-response', step);
  for (const field of ['data', 'request_id', 'warnings', 'status']) delete answer[field];
  Object.assign(answer, {
    ok: false,
    error: { kind: 'vault-error', message: 'refused', status: 500, errors: ['boom'] },
  });
}

describe('the rehearsed failback over 3-node clusters', () => {
  it('verifies re-signed with nothing changed, its leaders and settled clusters on the record', async () => {
    expect(rehearsed.events.some((e) => e.type === 'active-node')).toBe(true);
    expect(rehearsed.events.some((e) => e.type === 'cluster-settled')).toBe(true);
    expect((await verifyChanged(() => undefined)).code).toBe(0);
  });
});

describe("a failback whose results are not what the laptop makes of Vault's answers fails verify (exit 1)", () => {
  it.each<[string, (list: JournalEvent[]) => void, RegExp]>([
    [
      'the demote is answered with HTTP 500, and the demotion still recorded as made',
      (list) => refused(list, 'demote'),
      // The laptop reads the cluster's mode before it calls a failed demote made, not waits for it to settle.
      /\(service-result\) ends a run whose entries are not the laptop's: event \d+ \(cluster-settled\) is recorded with type "cluster-settled", where the laptop writes "vault-request"/,
    ],
    [
      'the update-primary is answered with HTTP 500, and the old primary still recorded as following',
      (list) => refused(list, 'update-primary'),
      /\(service-result\) is recorded where the laptop, given the Vault answers recorded before it, first records a 'vault-request' \(\{"method":"GET","node":"[^"]+","path":"sys\/replication\/dr\/status"/,
    ],
    [
      "the old primary's status read after the failback answers that it follows nobody",
      (list) => ((details(list, 'vault-response', 'check-failback').data as { dr: Mutable }).dr.primaries = []),
      /records the result \{"facts":\{"connectedTo":"[^"]+",.*but the laptop, given the Vault answers recorded before it, records \{"facts":\{"kind":"read-replication-status","mode":"secondary"\}/,
    ],
    [
      'the leader found before the OTP is generated is recorded as another node',
      (list) => (details(list, 'active-node', 'generate-otp').node = 'https://127.0.9.9:8200'),
      /ends a run whose entries are not the laptop's: event \d+ \(vault-request\) holds \{"method":"GET","node":"https:\/\/127\.0\.\d+\.1:\d+",.*where the laptop writes \{"method":"GET","node":"https:\/\/127\.0\.9\.9:8200"/,
    ],
  ])('when %s', async (_how, change, named) => {
    const r = await verifyChanged(change);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(named);
  });
});
