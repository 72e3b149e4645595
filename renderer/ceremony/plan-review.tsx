/**
 * What the plan decides that the room must see, not only the plan file, the script and the
 * transcript: how the DR operation token is obtained (token_path) and, for a promotion, which
 * other clusters are asked before promoting (peer_profiles). As rows of a facts list, shown where
 * the ceremony starts (the roll call) and kept in the record details.
 */
import type { TokenPath } from '../../shared/ceremony/ceremony-plan';
import type { CeremonyView } from '../../shared/ceremony/ceremony-snapshot';
import { askedBeforePromoting } from './peer-check';

const TOKEN_PATH_MEANS: Record<TokenPath, (profile: string) => string> = {
  'operation-token-quorum': (profile) => `the officers' shares generate a DR operation token on '${profile}'.`,
  'primary-root-token': (profile) =>
    `the administrator enters the primary's root token, then the officers' shares generate a DR operation token on '${profile}'.`,
  'batch-dr-token': () => 'the administrator enters a batch DR operation token prepared on the primary; no shares.',
  'vault-token': () => 'the administrator enters their own Vault token; no shares.',
};

export function PlanRows({ plan }: { plan: CeremonyView['plan'] }) {
  return (
    <>
      <div>
        <dt>Token path</dt>
        <dd data-testid="plan-token-path">
          <span className="path">{plan.tokenPath}</span>: {TOKEN_PATH_MEANS[plan.tokenPath](plan.profile)}
        </dd>
      </div>
      {plan.kind === 'promotion' && (
        <div>
          <dt>Asked before promoting</dt>
          <dd data-testid="plan-peers">{askedBeforePromoting(plan)}</dd>
        </div>
      )}
    </>
  );
}

/** The plan's decisions at the roll call, where everyone present confirms the ceremony they take part in. */
export function PlanReview({ plan }: { plan: CeremonyView['plan'] }) {
  return (
    <section aria-labelledby="plan-review-heading" className="report" data-testid="plan-review">
      <h3 id="plan-review-heading">What the plan decides</h3>
      <dl className="facts">
        <PlanRows plan={plan} />
      </dl>
    </section>
  );
}
