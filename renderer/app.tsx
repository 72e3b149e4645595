/**
 * The app shell: what the session works against (rehearsal or a live profile) always in view,
 * display options, the navigation, and the current screen. Switching screens moves focus to
 * the new screen's heading, so keyboard and screen-reader users land where sighted users look.
 */
import { useEffect, useRef, useState } from 'react';
import type { AppInfo } from '../shared/ipc/ipc-contract';
import { invoke } from './api';
import { Notice } from './components/notice';
import { ScreenRestartedNotice } from './components/screen-restarted-notice';
import { applyDisplayPreferences, initialDisplayPreferences, type DisplayPreferences } from './display-preferences';
import { SCREENS, type ScreenId } from './navigation';
import { CeremonyScreen } from './screens/ceremony-screen';
import { DashboardScreen } from './screens/dashboard-screen';
import { OperationsScreen } from './screens/operations-screen';
import { ProfilesScreen } from './screens/profiles-screen';
import { StartScreen } from './screens/start-screen';
import { TranscriptScreen } from './screens/transcript-screen';

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
  const [screen, setScreen] = useState<ScreenId>('start');
  const [info, setInfo] = useState<AppInfo>();
  const [infoError, setInfoError] = useState<string>();
  const [display, setDisplay] = useState(initialDisplayPreferences);
  const heading = useRef<HTMLHeadingElement>(null);
  const navigated = useRef(false);
  // Per page load: the notice of a restart stays until the person has gone back to the ceremony.
  const [backAtCeremony, setBackAtCeremony] = useState(false);

  useEffect(() => applyDisplayPreferences(display), [display]);
  useEffect(() => {
    void invoke('app.info', {}).then((result) =>
      result.ok ? setInfo(result.value) : setInfoError(result.error.message),
    );
  }, []);
  useEffect(() => {
    // Not on first load: the page starts at its top, where the skip link is.
    if (navigated.current) heading.current?.focus();
    navigated.current = true;
    if (screen === 'ceremony') setBackAtCeremony(true);
  }, [screen]);

  const current = SCREENS.find((s) => s.id === screen)!;

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
          <h1 ref={heading} tabIndex={-1}>
            {current.label}
          </h1>
          {infoError && <Notice tone="error">{infoError}</Notice>}
          {info?.screenRestarted && !backAtCeremony && (
            <ScreenRestartedNotice restart={info.screenRestarted} onOpenCeremony={() => setScreen('ceremony')} />
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
