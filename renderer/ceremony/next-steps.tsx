/**
 * After the outcome, what the guides say comes next, so nobody closes the laptop thinking the
 * night is over: traffic, the old primary, tokens, and the failback plan, with Vault's own
 * warnings from the irreversible call. Only for a ceremony that got as far as that call.
 */
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';

export function NextSteps({ ceremony }: { ceremony: CeremonySnapshot }) {
  if (!ceremony.committed) return null;
  const cluster = `'${ceremony.plan.profile}'`;
  const steps =
    ceremony.plan.kind === 'promotion'
      ? [
          `Switch traffic: point clients, the load balancer or DNS at ${cluster}, the new primary. Vault was briefly unavailable while it changed mode; clients retrying now reach it.`,
          'Keep the old primary down or fenced. Before it ever runs again it must be demoted, so two primaries never serve at once.',
          'Tokens and leases created on the old primary after its last replicated write are gone: expect some clients to log in again. Batch tokens from the old primary keep working until their TTL ends.',
          `Plan the failback as its own ceremony: demote the old primary, generate a DR operation token on it, and point it at ${cluster} with a secondary activation token (vault-ceremony rehearse --kind failback to practise).`,
          'Export the signed bundle below for the auditors, and keep it with the incident record.',
        ]
      : [
          `${cluster} now follows the new primary as its DR secondary: check on the dashboard that it is connected and streaming.`,
          'Confirm clients reach only the new primary.',
          'Export the signed bundle below for the auditors, and keep it with the incident record.',
        ];
  return (
    <div data-testid="next-steps">
      <h3>What comes next</h3>
      <ol className="next-steps">
        {steps.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ol>
    </div>
  );
}
