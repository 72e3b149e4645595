/**
 * What each save dialog asks for. As with the open dialogs, the renderer names only the purpose and
 * the main process owns the wording, so a page cannot dress a dialog up or choose where a secret goes.
 */

export type SaveFilePurpose = 'activation-token';

export interface SaveFileDialogOptions {
  readonly title: string;
  readonly defaultName: string;
}

export const SAVE_FILE_DIALOGS: Readonly<Record<SaveFilePurpose, SaveFileDialogOptions>> = {
  'activation-token': {
    title: 'Save the secondary activation token to a new file (only you can read it)',
    defaultName: 'activation-token.txt',
  },
};
