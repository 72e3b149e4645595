/**
 * High contrast and large type, for a laptop read at arm's length in a bright or dim room.
 * Applied as attributes on <html>, so the style sheet does the rest; the system's own
 * "more contrast" setting is the starting point.
 */
export interface DisplayPreferences {
  readonly highContrast: boolean;
  readonly largeText: boolean;
}

export function initialDisplayPreferences(): DisplayPreferences {
  const prefersContrast =
    window.matchMedia('(prefers-contrast: more)').matches || window.matchMedia('(forced-colors: active)').matches;
  return { highContrast: prefersContrast, largeText: false };
}

export function applyDisplayPreferences(preferences: DisplayPreferences): void {
  const root = document.documentElement;
  root.dataset['contrast'] = preferences.highContrast ? 'high' : 'normal';
  root.dataset['text'] = preferences.largeText ? 'large' : 'normal';
}
