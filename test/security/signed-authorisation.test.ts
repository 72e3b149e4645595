// @tier integration
/**
 * Signed authorisations of irreversible steps (issue 12, item 3), as an auditor's adversary
 * attacks them. A headless rehearsal promotes with the generated administrator and witnesses
 * signing the promotion's statement; then the journal is doctored and everything after it redone
 * honestly (hash chain recomputed, transcript re-rendered and re-signed by the real people), as a
 * laptop whose software skipped or faked an authorisation would produce. `verify` must still fail
 * (exit 1) when an authorisation is removed, made by another key, or bound to another statement.
 *
 * The defence: electron/services/transcript/authorisations.ts, called from verifyBundleContents.
 * With that call removed, every doctored bundle below verifies (exit 0) and these cases fail.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementText, type AuthorisationStatement } from '../../shared/ceremony/authorisation';
import type { JournalEvent, JsonObject } from '../../shared/record/journal-event';
import { generateSigners, type CastMember, type Signers } from '../../electron/services/rehearsal/rehearsal-cast';
import { detachedBy, signedBundle } from '../support/doctored-bundle';
import { rehearsePromotion, verifyAnchored, type RehearsedPromotion } from '../support/rehearsed-promotion';

const root = mkdtempSync(join(tmpdir(), 'vc-authorisation-'));
let rehearsed: RehearsedPromotion;
let out: string;
let cast: Signers;
let stranger: CastMember;
let events: JournalEvent[];
let copies = 0;

beforeAll(async () => {
  rehearsed = await rehearsePromotion(root);
  ({ out, cast, events } = rehearsed);
  stranger = (await generateSigners(undefined)).administrator;
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const people = () => rehearsed.people;
const verify = (dir: string) => verifyAnchored(dir, rehearsed.keyring);

type Authorisation = {
  actor: string;
  role: string;
  fingerprint: string;
  nonce: string;
  head: string;
  signature: string;
};
const authorisations = (of: readonly JournalEvent[]) => of.filter((e) => e.type === 'step-authorised');
const eventOf = (e: JournalEvent) => e.details.event as unknown as Authorisation;

/** The bundle with `doctor`'s journal, chained, rendered and signed by the real people again. */
async function doctored(doctor: (events: JournalEvent[]) => JournalEvent[]): Promise<string> {
  const dir = join(root, `doctored-${++copies}`);
  await signedBundle(dir, doctor(events.map((e) => structuredClone(e))), people());
  return dir;
}

/** The statement the administrator signed, from the promotion's authorisation request. */
function promotionStatement(): AuthorisationStatement {
  const requested = events.find((e) => e.type === 'authorisation-requested')!;
  const e = requested.details.event as unknown as { nonce: string; head: string };
  const plan = events[1]!.details.plan as unknown as { id: string; profile: string };
  return { ceremony: plan.id, step: 'promote', action: 'promote', cluster: plan.profile, nonce: e.nonce, head: e.head };
}

/** Replaces the administrator's authorisation signature with `signature`. */
function withAdministratorSignature(signature: string) {
  return (list: JournalEvent[]) => {
    const admin = authorisations(list).find((e) => e.role === 'administrator')!;
    (admin.details.event as JsonObject as { signature: string }).signature = signature;
    return list;
  };
}

describe('the journal of a rehearsed promotion', () => {
  it("holds the administrator's and a witness's signatures over the promotion's statement, and verifies", async () => {
    const signed = authorisations(events);
    expect(signed.map((e) => [e.step, e.role, e.actor])).toEqual([
      ['promote', 'administrator', cast.administrator.name],
      ['promote', 'witness', cast.witnesses[0]!.name],
    ]);
    for (const e of signed) {
      expect(eventOf(e).fingerprint).toBe(people().find((p) => p.name === e.actor)!.fingerprint);
      expect(eventOf(e).signature).toMatch(/^-----BEGIN PGP SIGNATURE-----\n/);
      expect(e.details.statement_sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const transcript = readFileSync(join(out, 'transcript.txt'), 'utf8');
    expect(transcript).toContain(`step-authorised  by ${cast.administrator.name} (administrator)`);
    expect(transcript).toContain(`statement_sha256: "${signed[0]!.details.statement_sha256 as string}"`);
    const verified = await verify(out);
    expect(verified.code).toBe(0);
    expect(verified.output).toContain("authorisations: 2 signed, each checked against the named person's key\n");
    expect(verified.output).toMatch(
      new RegExp(`  good  anchored    promote {16}administrator {1}${cast.administrator.name} +promote\n`),
    );
    // Doctored with nothing changed, the bundle still verifies: the cases below fail for what they change.
    expect((await verify(await doctored((list) => list))).code).toBe(0);
  });
});

describe('a doctored authorisation fails verify (exit 1)', () => {
  it.each(['administrator', 'witness'])("when the %s's authorisation is removed", async (role) => {
    const dir = await doctored((list) => list.filter((e) => !(e.type === 'step-authorised' && e.role === role)));
    const r = await verify(dir);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/without both signed authorisations/);
  });

  it("when the administrator's authorisation is signed by a stranger's key", async () => {
    const r = await verify(
      await doctored(withAdministratorSignature(await detachedBy(stranger, statementText(promotionStatement())))),
    );
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/authorisation of "promote" at 'promote' .* is BAD/);
  });

  it("when the administrator's authorisation is signed by a witness's key", async () => {
    const sig = await detachedBy(cast.witnesses[1]!, statementText(promotionStatement()));
    expect((await verify(await doctored(withAdministratorSignature(sig)))).code).toBe(1);
  });

  it.each([
    ['another journal head', { head: '0'.repeat(64) }],
    ['another nonce', { nonce: 'f'.repeat(32) }],
    ['another step', { step: 'demote' as const }],
    ['another cluster', { cluster: 'dc1' }],
  ])('when the administrator signed a statement with %s', async (_what, change) => {
    const sig = await detachedBy(cast.administrator, statementText({ ...promotionStatement(), ...change }));
    const r = await verify(await doctored(withAdministratorSignature(sig)));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/is BAD/);
  });

  it("when the authorisation request does not state the journal's head", async () => {
    const dir = await doctored((list) => {
      const requested = list.find((e) => e.type === 'authorisation-requested')!;
      const event = requested.details.event as JsonObject as { head: string };
      event.head = list[list.indexOf(requested) - 2]!.hash;
      return list;
    });
    expect((await verify(dir)).code).toBe(1);
  });
});
