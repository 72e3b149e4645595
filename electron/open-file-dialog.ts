/**
 * What each file chooser asks for. The renderer names only the purpose; the main process owns
 * the wording and filters, so a page cannot dress a dialog up as something else.
 */
import type { FileChoicePurpose } from '../shared/ipc-contract';

export interface OpenFileDialogOptions {
  readonly title: string;
  readonly filters: ReadonlyArray<{ readonly name: string; readonly extensions: readonly string[] }>;
}

const PEM = { name: 'PEM files', extensions: ['pem', 'crt', 'cer', 'key'] };
const ANY = { name: 'All files', extensions: ['*'] };

export const OPEN_FILE_DIALOGS: Readonly<Record<FileChoicePurpose, OpenFileDialogOptions>> = {
  'ca-bundle': { title: 'Choose the CA certificate that signed the Vault server certificate', filters: [PEM, ANY] },
  'client-certificate': { title: 'Choose the client certificate for mutual TLS', filters: [PEM, ANY] },
  'client-key': { title: 'Choose the private key of the client certificate', filters: [PEM, ANY] },
};
