/**
 * What the laptop reads from Vault on resuming a ceremony (./ceremony-recovery.ts), on the record:
 * the resume event carries it, and `verify` replays it over the recorded answers to check that event.
 */
import type { AttemptStatus, CeremonyEvent } from '../../../shared/ceremony/ceremony-events';
import type { CeremonyState } from '../../../shared/ceremony/ceremony-machine';
import { ok, type Result } from '../../../shared/result';
import type { Journal } from '../journal/journal';
import type { VaultClient } from '../vault/client';
import { followsAPrimary } from '../vault/types';
import { recordedCall } from './recorded-call';

/** What the resume event carries of Vault's answers. */
export type ResumeReading = Pick<Extract<CeremonyEvent, { type: 'resume' }>, 'attemptStatus' | 'mode' | 'follows'>;

/**
 * What Vault says now, read on the record to resume `state`: the attempt (for plans that use
 * shares), the ceremony cluster's DR mode and, at a failback's update-primary, whether that DR
 * secondary follows a primary; nothing while an abort is under way. Unreadable means unknown.
 * `clients` are the plan's, by profile.
 */
export async function resumeReading(
  journal: Pick<Journal, 'append'>,
  clients: Readonly<Record<string, VaultClient>>,
  state: CeremonyState,
): Promise<Result<ResumeReading, 'journal-failed'>> {
  if (state.aborting) return ok({ attemptStatus: undefined, mode: undefined });
  const { plan, step } = state;
  const client = clients[plan.profile]!;
  const profile = client.profileName;
  let attemptStatus: AttemptStatus | undefined;
  if (plan.token_path !== 'batch-dr-token') {
    const path = 'sys/replication/dr/secondary/generate-operation-token/attempt';
    const r = await recordedCall(journal, step, { profile, method: 'GET', path }, () =>
      client.drOperationToken.status(),
    );
    if (!r.ok) return r;
    if (r.value.ok) {
      const { started, nonce, progress, required } = r.value.value.data;
      attemptStatus = { started, nonce, progress, required };
    }
  }
  const status = await recordedCall(journal, step, { profile, method: 'GET', path: 'sys/replication/status' }, () =>
    client.replicationStatus(),
  );
  if (!status.ok) return status;
  const dr = status.value.ok ? status.value.value.data.dr : undefined;
  // A failback stopped at update-primary: whether the demoted cluster now follows a primary says if it was made.
  const judged = plan.kind === 'failback' && step === 'update-primary' && dr?.mode === 'secondary';
  return ok({ attemptStatus, mode: dr?.mode, ...(judged ? { follows: followsAPrimary(dr) } : {}) });
}
