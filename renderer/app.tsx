/**
 * The app shell: what the session works against (rehearsal or a live profile) always in view,
 * display options, the navigation, and the current screen. Switching screens moves focus to
 * the new screen's heading, so keyboard and screen-reader users land where sighted users look.
 * The page opens on Start, or, when main reloaded it after its renderer process died, at the
 * ceremony main still holds, saying why the screen started over.
 */
import { useEffect, useRef, useState } from 'react';
import type { AppInfo, IpcResult, ScreenRestart } from '../shared/ipc/ipc-contract';
import { invoke } from './api';
import { Notice } from './components/notice';
import { ScreenRestartedNotice, type CeremonyOnRestart } from './components/screen-restarted-notice';
import { applyDisplayPreferences, initialDisplayPreferences, type DisplayPreferences } from './display-preferences';
import { SCREENS, type ScreenId } from './navigation';
import { CeremonyScreen } from './screens/ceremony-screen';
import { DashboardScreen } from './screens/dashboard-screen';
import { OperationsScreen } from './screens/operations-screen';
import { ProfilesScreen } from './screens/profiles-screen';
import { StartScreen } from './screens/start-screen';
import { TranscriptScreen } from './screens/transcript-screen';

/** A restart to tell of, and what the reloaded page found of the ceremony. */
type Restarted = { restart: ScreenRestart; ceremony: CeremonyOnRestart };

/**
 * Where the page opens. After main reloaded it because its renderer process died, at the
 * ceremony main still holds (the officer lands back on its step); otherwise on Start.
 */
async function opening(): Promise<{
  info: IpcResult<AppInfo>;
  screen: ScreenId;
  restarted?: Restarted;
}> {
  const info = await invoke('app.info', {});
  const restart = info.ok ? info.value.screenRestarted : undefined;
  if (restart === undefined) return { info, screen: 'start' };
  const status = await invoke('ceremony.status', {});
  const ceremony: CeremonyOnRestart = !status.ok ? 'unknown' : status.value.ceremony ? 'opened' : 'none';
  return { info, screen: ceremony === 'opened' ? 'ceremony' : 'start', restarted: { restart, ceremony } };
}

function ModeBadge({ info }: { info: AppInfo | undefined }) {
  if (info === undefined) return null;
  return info.mode === 'rehearsal' ? (
    <p className="mode mode-rehearsal" data-testid="mode">
      REHEARSAL <span className="mode-detail">simulated Vault, nothing real is touched</span>
    </p>
  ) : (
    <p className="mode mode-live" data-testid="mode">
      LIVE <span className="mode-detail">profile {info.profile}</span>
    </p>
  );
}

function DisplayOptions({
  value,
  onChange,
}: {
  value: DisplayPreferences;
  onChange: (next: DisplayPreferences) => void;
}) {
  return (
    <fieldset className="display-options">
      <legend>Display</legend>
      <label>
        <input
          type="checkbox"
          checked={value.highContrast}
          onChange={(e) => onChange({ ...value, highContrast: e.target.checked })}
        />
        High contrast
      </label>
      <label>
        <input
          type="checkbox"
          checked={value.largeText}
          onChange={(e) => onChange({ ...value, largeText: e.target.checked })}
        />
        Large text
      </label>
    </fieldset>
  );
}

export function App() {
  // Undefined until the page knows where it opens: Start, or the ceremony after a restart.
  const [screen, setScreen] = useState<ScreenId>();
  const [info, setInfo] = useState<AppInfo>();
  const [infoError, setInfoError] = useState<string>();
  const [display, setDisplay] = useState(initialDisplayPreferences);
  const heading = useRef<HTMLHeadingElement>(null);
  const opened = useRef(false);
  // Shown on the screen the page opened on, until the person moves to another.
  const [restarted, setRestarted] = useState<Restarted>();

  useEffect(() => applyDisplayPreferences(display), [display]);
  useEffect(() => {
    void opening().then((open) => {
      if (open.info.ok) setInfo(open.info.value);
      else setInfoError(open.info.error.message);
      setRestarted(open.restarted);
      // A person who already chose a screen keeps it.
      setScreen((chosen) => chosen ?? open.screen);
    });
  }, []);
  useEffect(() => {
    if (screen === undefined) return;
    // Not where the page opens: it starts at its top, where the skip link is.
    if (opened.current) {
      heading.current?.focus();
      setRestarted(undefined);
    }
    opened.current = true;
  }, [screen]);

  const current = SCREENS.find((s) => s.id === screen);

  return (
    <>
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <header className="app-header">
        <p className="app-title">vault-ceremony</p>
        <ModeBadge info={info} />
        <DisplayOptions value={display} onChange={setDisplay} />
      </header>
      <div className="layout">
        <nav aria-label="Screens" className="app-nav">
          <ul>
            {SCREENS.map((entry) => (
              <li key={entry.id}>
                <button
                  type="button"
                  aria-current={entry.id === screen ? 'page' : undefined}
                  onClick={() => setScreen(entry.id)}
                >
                  {entry.label}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <main id="content" tabIndex={-1}>
          {current ? (
            <h1 ref={heading} tabIndex={-1}>
              {current.label}
            </h1>
          ) : (
            <p role="status">Opening…</p>
          )}
          {infoError && <Notice tone="error">{infoError}</Notice>}
          {restarted && (
            <ScreenRestartedNotice
              restart={restarted.restart}
              ceremony={restarted.ceremony}
              onOpenCeremony={() => setScreen('ceremony')}
            />
          )}
          {screen === 'start' && (
            <StartScreen
              info={info}
              onChosen={(next) => {
                setInfo(next);
                setScreen('dashboard');
              }}
              onAddProfile={() => setScreen('profiles')}
            />
          )}
          {screen === 'profiles' && <ProfilesScreen />}
          {screen === 'dashboard' && <DashboardScreen info={info} onChooseTarget={() => setScreen('start')} />}
          {screen === 'ceremony' && <CeremonyScreen info={info} />}
          {screen === 'operations' && <OperationsScreen info={info} onStarted={() => setScreen('ceremony')} />}
          {screen === 'transcript' && <TranscriptScreen />}
        </main>
      </div>
    </>
  );
}
