/**
 * The split-brain check before promoting, as the plan decides it: the clusters its peer_profiles
 * name are asked, right before the promote is sent, whether they still report DR primary, and one
 * that does stops the promotion. Shown on the promote step, and after it while the answers are
 * in view: each peer, and what it answered when the laptop asked. A plan that names none says
 * plainly that nothing asks.
 */
import type { CeremonySnapshot, CeremonyView, VaultAnswer } from '../../shared/ceremony/ceremony-snapshot';
import { clock } from './step-report';

/** The call the laptop makes to each peer (ceremony-actions' stillPrimary). */
const PEER_READ = 'GET sys/replication/dr/status';

/** Who is asked before promoting, in one sentence for the plan's review. */
export function askedBeforePromoting(plan: CeremonyView['plan']): string {
  if (plan.peerProfiles.length === 0) return NO_PEERS;
  return (
    `${plan.peerProfiles.map((p) => `'${p}'`).join(', ')}: right before promoting, the laptop asks ` +
    `${plan.peerProfiles.length === 1 ? 'it' : 'each'} whether it still reports DR primary, and stops if one does.`
  );
}

const NO_PEERS =
  'No other cluster will be asked: the plan names no peer_profiles, so nothing checks for a second DR primary ' +
  'before promoting. Only the attestation that the old primary is down or fenced stands against two primaries.';

export function PeerCheck({ ceremony }: { ceremony: CeremonySnapshot }) {
  const { plan } = ceremony;
  if (plan.kind !== 'promotion') return null;
  const answers = peerAnswers(ceremony);
  if (ceremony.step !== 'promote' && answers.size === 0) return null;
  return (
    <section aria-labelledby="peer-check-heading" className="report" data-testid="peer-check">
      <h3 id="peer-check-heading">Other clusters asked before promoting</h3>
      {plan.peerProfiles.length === 0 ? (
        <p>{NO_PEERS}</p>
      ) : (
        <ul>
          {plan.peerProfiles.map((peer) => {
            const answer = answers.get(peer);
            return (
              <li key={peer} data-testid="peer-answer" className={stops(answer) ? 'report-warning' : undefined}>
                <strong>{peer}</strong>: {answer ? answered(answer) : NOT_YET}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

const NOT_YET = 'not asked yet; the laptop asks when the promotion is authorised, right before it promotes.';

/** Each peer's latest answer to the read before promoting (retries ask again). */
function peerAnswers(ceremony: CeremonySnapshot): Map<string, VaultAnswer> {
  const last = new Map<string, VaultAnswer>();
  for (const a of ceremony.reported)
    if (
      a.step === 'promote' &&
      a.call === PEER_READ &&
      a.profile !== null &&
      ceremony.plan.peerProfiles.includes(a.profile)
    )
      last.set(a.profile, a);
  return last;
}

function stops(answer: VaultAnswer | undefined): boolean {
  return answer?.ok === true && answer.replication?.mode === 'primary';
}

function answered(a: VaultAnswer): string {
  const at = clock(a.time);
  // As the laptop judges it: only an answer of DR mode 'primary' stops the promotion.
  if (!a.ok)
    return `could not be asked at ${at} (${a.error ?? (a.status === null ? 'no HTTP answer' : `HTTP ${a.status}`)}); a cluster that does not answer does not stop the promotion.`;
  const mode = a.replication?.mode;
  if (mode === undefined) return `answered at ${at} without a DR mode; not a primary.`;
  return stops(a)
    ? `answered at ${at}: DR mode primary. Promoting beside it makes two primaries, so the laptop stops unless a witnessed 'two-primaries' deviation accepts it.`
    : `answered at ${at}: DR mode ${mode}; not a primary.`;
}
