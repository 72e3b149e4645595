/**
 * The one cluster a screen acts on: the session's targets (the rehearsal Vault's clusters, or the
 * saved profiles), the live profile chosen first, and the <select> that changes it.
 */
import { useEffect, useState } from 'react';
import type { AppInfo, ClusterTarget, Value } from '../../shared/ipc/ipc-contract';
import { invoke } from '../api';

export type TargetEntry = Value<'replication.targets'>['targets'][number];

export interface ClusterPicker {
  /** undefined while loading. */
  readonly targets: readonly TargetEntry[] | undefined;
  /** The chosen target's key (stable across reloads of equal targets), for effects to depend on. */
  readonly selected: string | undefined;
  readonly entry: TargetEntry | undefined;
  readonly select: (key: string) => void;
}

/** A target as a <select> value. */
const keyOf = (target: ClusterTarget) =>
  target.kind === 'profile' ? `profile:${target.name}` : `rehearsal:${target.cluster}`;

/** Loads the targets whenever the session changes; `onError` must be stable (a state setter). */
export function useClusterPicker(info: AppInfo | undefined, onError: (message: string) => void): ClusterPicker {
  const [targets, setTargets] = useState<readonly TargetEntry[]>();
  const [selected, setSelected] = useState<string>();

  useEffect(() => {
    if (info === undefined) return;
    setTargets(undefined);
    // In rehearsal this starts the built-in Vault the first time.
    void invoke('replication.targets', {}).then((result) => {
      if (!result.ok) return onError(result.error.message);
      const entries = result.value.targets;
      setTargets(entries);
      const preferred =
        info.mode === 'live' && info.profile
          ? entries.find((e) => e.target.kind === 'profile' && e.target.name === info.profile)
          : entries[0];
      setSelected(preferred ? keyOf(preferred.target) : undefined);
    });
  }, [info, onError]);

  return { targets, selected, entry: targets?.find((e) => keyOf(e.target) === selected), select: setSelected };
}

export function ClusterSelect({ id, picker, onSelect }: { id: string; picker: ClusterPicker; onSelect?: () => void }) {
  return (
    <div className="field">
      <label htmlFor={id}>Cluster</label>
      <select
        id={id}
        value={picker.selected ?? ''}
        onChange={(e) => (picker.select(e.target.value), onSelect?.())}
        disabled={picker.targets === undefined}
      >
        {(picker.targets ?? []).map((entry) => (
          <option key={keyOf(entry.target)} value={keyOf(entry.target)}>
            {entry.label} — {entry.address}
          </option>
        ))}
      </select>
    </div>
  );
}
