/**
 * Drills an in-app rehearsal on an HA cluster offers mid-ceremony: the active node steps down, or
 * is killed, on the cluster the ceremony acts on. Nothing here tells the ceremony: it must find the
 * leader change itself (sys/leader, the attempt gone from the new active node), as on the day.
 */
import type { RehearsalDrill } from '../../../shared/ceremony/ceremony-snapshot';
import { err, ok, type Result } from '../../../shared/result';
import type { ClusterRole } from '../../../rehearsal-vault/faults';
import type { RehearsalVault } from '../../../rehearsal-vault/rehearsal-cluster-set';

/** The cluster a drill acts on: the one the ceremony runs against. */
export interface DrillTarget {
  readonly vault: RehearsalVault;
  readonly role: ClusterRole;
}

const ALL: readonly RehearsalDrill[] = ['step-down', 'hard-kill'];

/** A leader change needs another node to take over: none on a lone node, nor once one node is left. */
export function drillsOffered(target: DrillTarget): readonly RehearsalDrill[] {
  const up = target.vault.ha(target.role).nodes.filter((n) => n.up);
  return up.length > 1 ? ALL : [];
}

/** Puts the drill on the cluster; says which node led before and which leads now. */
export async function runDrill(target: DrillTarget, drill: RehearsalDrill): Promise<Result<string>> {
  if (!drillsOffered(target).includes(drill))
    return err(
      'drill-unavailable',
      'this drill needs a rehearsal on a cluster with at least two running nodes: start the rehearsal with 3 or 5 nodes',
    );
  const ha = target.vault.ha(target.role);
  const before = ha.active;
  const after = drill === 'step-down' ? ha.stepDown() : await ha.hardKill();
  const what = drill === 'step-down' ? 'stepped down' : 'was killed';
  return ok(`${before?.id ?? 'the active node'} ${what}; ${after?.id ?? 'no node'} is active now`);
}
