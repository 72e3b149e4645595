/**
 * The wizard's hold on the ceremony: the main process's snapshot, and one way to act on it.
 * Every call answers with the ceremony as it now stands; after a refusal the snapshot is read
 * again, so the screen never shows a state the main process does not hold. One call at a time:
 * the service refuses overlapping requests, so the wizard never sends them.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';
import type { ArgIn, ChannelName, Value } from '../../shared/ipc/ipc-contract';
import { invoke } from '../api';

type CeremonyAnswer = { ceremony: CeremonySnapshot | null };
type SnapshotChannel = { [C in ChannelName]: Value<C> extends CeremonyAnswer ? C : never }[ChannelName];

export interface CeremonyHandle {
  readonly ceremony: CeremonySnapshot | null | undefined;
  readonly busy: boolean;
  /** The last refusal of a person's request, with what to do; cleared by the next success. */
  readonly error: { readonly kind: string; readonly message: string } | undefined;
  /** Sends a request; true when the main process accepted it. */
  send<C extends SnapshotChannel>(channel: C, arg: ArgIn<C>): Promise<boolean>;
  /** Any other ceremony call (inspect, transcript, export), with the same busy handling. */
  call<C extends ChannelName>(channel: C, arg: ArgIn<C>): Promise<Value<C> | undefined>;
  clearError(): void;
}

export function useCeremony(): CeremonyHandle {
  const [ceremony, setCeremony] = useState<CeremonySnapshot | null>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ kind: string; message: string }>();
  const inFlight = useRef(false);

  const refresh = useCallback(async () => {
    const status = await invoke('ceremony.status', {});
    if (status.ok) setCeremony(status.value.ceremony);
    else setError(status.error);
  }, []);
  useEffect(() => void refresh(), [refresh]);

  /** One request at a time; what it changes is on screen before the wizard is usable again. */
  const request = useCallback(
    async <C extends ChannelName>(
      channel: C,
      arg: ArgIn<C>,
      accepted: (value: Value<C>) => void,
    ): Promise<Value<C> | undefined> => {
      if (inFlight.current) return undefined;
      inFlight.current = true;
      setBusy(true);
      try {
        const result = await invoke(channel, arg);
        if (result.ok) {
          setError(undefined);
          accepted(result.value);
          return result.value;
        }
        setError(result.error);
        await refresh();
        return undefined;
      } finally {
        inFlight.current = false;
        setBusy(false);
      }
    },
    [refresh],
  );

  const call = useCallback(
    <C extends ChannelName>(channel: C, arg: ArgIn<C>) => request(channel, arg, () => undefined),
    [request],
  );

  const send = useCallback(
    async <C extends SnapshotChannel>(channel: C, arg: ArgIn<C>): Promise<boolean> =>
      (await request(channel, arg, (value) => setCeremony(value.ceremony))) !== undefined,
    [request],
  );

  return { ceremony, busy, error, send, call, clearError: () => setError(undefined) };
}
