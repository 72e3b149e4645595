/**
 * What each folder chooser asks for. As with files (./open-file-dialog.ts), the renderer names
 * only the purpose and the main process owns the wording, so a page cannot dress a dialog up.
 */
import type { DirectoryChoicePurpose } from '../../../shared/ipc/ipc-contract';

export interface OpenDirectoryDialogOptions {
  readonly title: string;
  /** An export folder may be new; a bundle to read must exist. */
  readonly mayCreate: boolean;
}

export const OPEN_DIRECTORY_DIALOGS: Readonly<Record<DirectoryChoicePurpose, OpenDirectoryDialogOptions>> = {
  'transcript-bundle': { title: 'Choose the transcript bundle folder (it holds transcript.txt.asc)', mayCreate: false },
  'export-bundle': { title: 'Choose a new, empty folder for the signed transcript bundle', mayCreate: true },
  'gnupg-home': { title: 'Choose your GnuPG home (the folder holding your key or card stub)', mayCreate: false },
};
