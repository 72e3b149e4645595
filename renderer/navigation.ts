/** The screens the navigation offers, in order; their labels are also the screens' headings. */
export type ScreenId = 'start' | 'profiles' | 'dashboard' | 'ceremony' | 'operations' | 'transcript';

export interface ScreenEntry {
  readonly id: ScreenId;
  readonly label: string;
}

export const SCREENS: readonly ScreenEntry[] = [
  { id: 'start', label: 'Start' },
  { id: 'profiles', label: 'Connection profiles' },
  { id: 'dashboard', label: 'Replication dashboard' },
  { id: 'ceremony', label: 'Promotion ceremony' },
  { id: 'operations', label: 'Failback and setup operations' },
  { id: 'transcript', label: 'Transcript viewer' },
];
