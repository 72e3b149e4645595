/**
 * Start: choose what this session works against. Rehearsal is preselected when no profile
 * exists; when profiles exist nothing is preselected, so going live is always a deliberate
 * choice.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { ConnectionProfile } from '../../shared/profiles/connection-profile';
import type { AppInfo } from '../../shared/ipc/ipc-contract';
import { invoke } from '../api';
import { Notice } from '../components/notice';

const REHEARSAL = 'rehearsal';

export function StartScreen({
  info,
  onChosen,
  onAddProfile,
}: {
  info: AppInfo | undefined;
  onChosen: (info: AppInfo) => void;
  onAddProfile: () => void;
}) {
  const [profiles, setProfiles] = useState<readonly ConnectionProfile[]>();
  const [choice, setChoice] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void invoke('profiles.list', {}).then((result) => {
      if (!result.ok) return setError(result.error.message);
      setProfiles(result.value.profiles);
      setChoice((current) => current ?? (result.value.profiles.length === 0 ? REHEARSAL : undefined));
    });
  }, []);

  useEffect(() => {
    // A session that already chose keeps its choice selected when it comes back here.
    if (info?.mode === 'live' && info.profile) setChoice(info.profile);
  }, [info]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (choice === undefined) return setError('Choose rehearsal or a connection profile first.');
    setBusy(true);
    const result = await invoke(
      'app.selectMode',
      choice === REHEARSAL ? { mode: 'rehearsal' } : { mode: 'live', profile: choice },
    );
    setBusy(false);
    if (!result.ok) return setError(result.error.message);
    setError(undefined);
    onChosen(result.value);
  }

  return (
    <form onSubmit={(event) => void submit(event)} aria-describedby="start-intro">
      <p id="start-intro">
        Rehearse the whole ceremony against the built-in simulated Vault, or work against a real Vault DR secondary
        through one of your connection profiles.
      </p>
      {error && <Notice tone="error">{error}</Notice>}
      {profiles === undefined && !error && <p role="status">Loading connection profiles…</p>}
      {profiles !== undefined && (
        <fieldset className="choices">
          <legend>Work against</legend>
          <label className="choice">
            <input
              type="radio"
              name="target"
              value={REHEARSAL}
              checked={choice === REHEARSAL}
              onChange={() => setChoice(REHEARSAL)}
            />
            <span>
              <strong>Rehearsal</strong> — the built-in simulated Vault; transcripts are marked REHEARSAL
            </span>
          </label>
          {profiles.map((profile) => (
            <label className="choice" key={profile.name}>
              <input
                type="radio"
                name="target"
                value={profile.name}
                checked={choice === profile.name}
                onChange={() => setChoice(profile.name)}
              />
              <span>
                <strong>Live: {profile.name}</strong> — {profile.address}
              </span>
            </label>
          ))}
        </fieldset>
      )}
      {profiles?.length === 0 && <p>There is no connection profile yet, so rehearsal is selected.</p>}
      <div className="actions">
        <button type="submit" disabled={busy || profiles === undefined}>
          Continue
        </button>
        <button type="button" className="secondary" onClick={onAddProfile}>
          Add a connection profile
        </button>
      </div>
    </form>
  );
}
