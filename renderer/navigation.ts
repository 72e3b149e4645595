/** The screens the navigation offers, in order; their labels are also the screens' headings. */
export type ScreenId = 'start' | 'profiles' | 'dashboard';

export interface ScreenEntry {
  readonly id: ScreenId;
  readonly label: string;
}

// The promotion ceremony, the failback operations and the transcript viewer join this list
// when the ceremony service provides them; nothing stands in for them until then.
export const SCREENS: readonly ScreenEntry[] = [
  { id: 'start', label: 'Start' },
  { id: 'profiles', label: 'Connection profiles' },
  { id: 'dashboard', label: 'Replication dashboard' },
];
