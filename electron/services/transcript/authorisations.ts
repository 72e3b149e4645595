/**
 * The signed authorisations in a bundle's journal (shared/ceremony/authorisation.ts), as `verify`
 * checks them. The journal's ceremony events are replayed through the ceremony machine, so an
 * irreversible call whose result is recorded without both authorisations of the statement then
 * current (administrator and a witness, the plan's keys, that nonce and head) breaks the replay;
 * each authorisation request must state the hash of the event before it as the journal head; and
 * each signature must be a good one, over exactly that statement, by the key the plan names for
 * the person (the key from signers/, or the auditor's copy, so it is anchored like the rest).
 */
import type * as openpgp from 'openpgp';
import { statementDigest, statementText } from '../../../shared/ceremony/authorisation';
import type { CeremonyEvent } from '../../../shared/ceremony/ceremony-events';
import { createCeremony, transition, type CeremonyState } from '../../../shared/ceremony/ceremony-machine';
import { recordedPlan } from '../../../shared/ceremony/recorded-plan';
import type { VerifiedChain } from '../../../shared/record/journal-event';
import { detachedSignatureProblem } from '../pgp/detached-signature';

export type AuthorisationProblemKind = 'authorisation-bad' | 'authorisation-missing';

/** One signed authorisation, as the bundle records it. */
export interface AuthorisationReport {
  readonly step: string;
  readonly signer: string;
  readonly role: string;
  readonly fingerprint: string;
  readonly statementSha256: string;
  readonly good: boolean;
}

type Problem = (kind: AuthorisationProblemKind, message: string) => void;

export async function checkAuthorisations(
  chain: VerifiedChain,
  keys: ReadonlyMap<string, openpgp.PublicKey>,
  problem: Problem,
): Promise<AuthorisationReport[]> {
  const plan = recordedPlan(chain);
  const startedAt = chain.events[1]?.details.started_at;
  // Without a plan nobody is known: verifyBundleContents reports that already.
  if (!plan.ok || typeof startedAt !== 'string') return [];
  let state: CeremonyState = createCeremony(plan.value, startedAt);
  const reports: AuthorisationReport[] = [];
  for (const [i, e] of chain.events.entries()) {
    const event = e.details.event as CeremonyEvent | undefined;
    if (event === undefined) continue;
    const at = `journal event ${e.seq} (${e.type})`;
    if (event.type === 'authorisationRequested' && event.head !== chain.events[i - 1]?.hash)
      problem(
        'authorisation-bad',
        `${at} asks for authorisation over journal head ${String(event.head)}, which is not the hash of the event before it`,
      );
    const next = transition(state, event);
    if (!next.ok) {
      problem(
        'authorisation-missing',
        `${at} breaks the ceremony's rules (${next.error.message}): an irreversible step may have been done without both signed authorisations`,
      );
      return reports;
    }
    if (event.type === 'authorise' && state.statement) {
      const digest = statementDigest(state.statement);
      const key = keys.get(event.fingerprint);
      const bad =
        e.details.statement_sha256 !== digest
          ? `it names statement ${JSON.stringify(e.details.statement_sha256)}, not the one signed (${digest})`
          : key
            ? await detachedSignatureProblem(event.signature, statementText(state.statement), key)
            : `signers/ holds no key ${event.fingerprint}`;
      if (bad !== undefined)
        problem(
          'authorisation-bad',
          `the ${event.role} '${event.actor}''s authorisation of '${event.step}' (${at}) is BAD: ${bad}`,
        );
      reports.push({
        step: event.step,
        signer: event.actor,
        role: event.role,
        fingerprint: event.fingerprint,
        statementSha256: digest,
        good: bad === undefined,
      });
    }
    state = next.value;
  }
  return reports;
}
