/**
 * What each file chooser asks for. The renderer names only the purpose; the main process owns
 * the wording and filters, so a page cannot dress a dialog up as something else.
 */
import type { FileChoicePurpose } from '../../../shared/ipc/ipc-contract';

export interface OpenFileDialogOptions {
  readonly title: string;
  readonly filters: ReadonlyArray<{ readonly name: string; readonly extensions: readonly string[] }>;
}

const PEM = { name: 'PEM files', extensions: ['pem', 'crt', 'cer', 'key'] };
const ANY = { name: 'All files', extensions: ['*'] };
const PLAN = { name: 'Ceremony plans', extensions: ['yaml', 'yml', 'json'] };
const PGP_KEYS = { name: 'OpenPGP keys', extensions: ['asc', 'gpg', 'pgp', 'key', 'pub'] };

export const OPEN_FILE_DIALOGS: Readonly<Record<FileChoicePurpose, OpenFileDialogOptions>> = {
  'ca-bundle': { title: 'Choose the CA certificate that signed the Vault server certificate', filters: [PEM, ANY] },
  'client-certificate': { title: 'Choose the client certificate for mutual TLS', filters: [PEM, ANY] },
  'client-key': { title: 'Choose the private key of the client certificate', filters: [PEM, ANY] },
  'ceremony-plan': { title: 'Choose the reviewed ceremony plan', filters: [PLAN, ANY] },
  'officer-public-keys': { title: "Choose the file with the officers' public keys", filters: [PGP_KEYS, ANY] },
  'person-public-key': { title: "Choose this person's public key file", filters: [PGP_KEYS, ANY] },
  'officer-private-key': { title: "Choose the officer's private key file", filters: [PGP_KEYS, ANY] },
  'signing-key': { title: 'Choose your private signing key file', filters: [PGP_KEYS, ANY] },
  'auditor-keyring': {
    title: "Choose the signers' public keys you obtained independently of the bundle",
    filters: [PGP_KEYS, ANY],
  },
  'auditor-fingerprints': {
    title: "Choose your list of the signers' fingerprints (one a line)",
    filters: [{ name: 'Text files', extensions: ['txt'] }, ANY],
  },
};
