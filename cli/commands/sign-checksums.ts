/**
 * `vault-ceremony sign-checksums DIR (--key FILE [--passphrase-fd N] | --gpg-homedir H --pin-file F
 * --fingerprint FPR)`: the release officer's step that makes a release folder verifiable offline
 * with stock tools: DIR/SHA256SUMS over every file in DIR and DIR/SHA256SUMS.asc, its detached
 * signature by the release key, made by openpgp.js from a key file or by gpg (a key on a card).
 */
import { rm, stat, writeFile } from 'node:fs/promises';
import { readSmallTextFile } from '../../electron/services/files/regular-file';
import { join } from 'node:path';
import { signChecksums } from '../../scripts/packaging/lib/checksums-signature';
import { SIGNATURE_FILE, SUMS_FILE, sha256sums } from '../../scripts/packaging/lib/sha256sums';
import { createGpgSigner } from '../../electron/services/pgp/gpg-signer';
import { openPgpKeySigner, type OpenPgpKey } from '../../electron/services/pgp/openpgp-signer';
import { parseCommandLine, usageError, type CommandUsage } from '../command-line';
import { folderArgument } from '../folder-argument';
import { EXIT_FAILED, EXIT_OK, type CliIo, type Command } from '../io';
import { promptPassphrase, readPassphraseFd } from '../passphrase';

const USAGE = `usage: vault-ceremony sign-checksums DIR --key FILE [--passphrase-fd N]
       vault-ceremony sign-checksums DIR --gpg-homedir H --pin-file F --fingerprint FPR

Writes DIR/${SUMS_FILE} (the SHA-256 of every file in DIR, in sha256sum's format, sorted) and
DIR/${SIGNATURE_FILE}, a detached OpenPGP signature of it by the release key. Officers then check
the release with stock tools only:
  gpg --verify ${SIGNATURE_FILE} ${SUMS_FILE} && sha256sum -c ${SUMS_FILE}
  --key FILE          the release signing key: an armored OpenPGP (v4) private key
  --passphrase-fd N   read the key's passphrase from file descriptor N (its first line), such as
                      \`--passphrase-fd 0 < passphrase-file\` (npx passes on only descriptors
                      0-2); without it a protected key is unlocked at a terminal prompt
  --gpg-homedir H     sign with gpg and the release key in GnuPG home H (possibly on a smartcard)
  --pin-file F        the card PIN or key passphrase for --gpg-homedir, on F's first line
  --fingerprint FPR   the release key's 40-hex fingerprint, checked in H (and on the card) before use
The passphrase is never taken as an argument. Existing ${SUMS_FILE} files are never overwritten.
`;

const COMMAND: CommandUsage = { name: 'sign-checksums', usage: USAGE };

export const signChecksumsCommand: Command = async (argv, io) => {
  const parsed = parseCommandLine(
    argv,
    io,
    COMMAND,
    {
      key: { type: 'string' },
      'passphrase-fd': { type: 'string' },
      'gpg-homedir': { type: 'string' },
      'pin-file': { type: 'string' },
      fingerprint: { type: 'string' },
    },
    { allowPositionals: true },
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [given, ...extra] = positionals;
  if (extra.length > 0) return usageError(io, COMMAND, `one folder at a time (${extra.length} more given)`);
  const how = signingKeyOption(values);
  if (typeof how === 'string') return usageError(io, COMMAND, how);
  const fdText = values['passphrase-fd'];
  if (fdText !== undefined && !/^\d{1,4}$/.test(fdText))
    return usageError(io, COMMAND, `--passphrase-fd takes a file descriptor number, not '${fdText}'`);
  const folder = await folderArgument(given, 'the release folder DIR');
  if (!folder.ok) return usageError(io, COMMAND, folder.error.message);
  const dir = folder.value;
  for (const name of [SUMS_FILE, SIGNATURE_FILE]) {
    if (
      await stat(join(dir, name)).then(
        () => true,
        () => false,
      )
    )
      return usageError(
        io,
        COMMAND,
        `${join(dir, name)} already exists: sign a folder that holds only the release artefacts (remove an old ${name} first)`,
      );
  }
  const sums = await sha256sums(dir);
  if (!sums.ok) return usageError(io, COMMAND, sums.error.message);

  let signed;
  if (how.kind === 'gpg') {
    signed = await signChecksums(sums.value, createGpgSigner({ name: 'the release key', ...how.person }));
  } else {
    const read = await readSmallTextFile(how.keyFile, '--key');
    if (!read.ok) return usageError(io, COMMAND, read.error.message);
    const withKey = async (key: OpenPgpKey) => {
      const signer = await openPgpKeySigner(key);
      return signer.ok ? signChecksums(sums.value, signer.value) : signer;
    };
    const armoredPrivateKey = read.value;
    let key: OpenPgpKey = { armoredPrivateKey };
    if (fdText !== undefined) {
      const passphrase = await readPassphraseFd(Number(fdText));
      if (!passphrase.ok) return usageError(io, COMMAND, passphrase.error.message);
      key = { armoredPrivateKey, passphrase: passphrase.value };
    }
    signed = await withKey(key);
    if (!signed.ok && signed.error.kind === 'passphrase-needed' && fdText === undefined) {
      const passphrase = await promptPassphrase(`${signed.error.message}\nPassphrase: `);
      if (!passphrase.ok) return failed(io, passphrase.error.message);
      signed = await withKey({ armoredPrivateKey, passphrase: passphrase.value });
    }
  }
  if (!signed.ok) return failed(io, signed.error.message);

  // Exclusive creation: a second signer racing this one cannot have its files replaced.
  try {
    await writeFile(join(dir, SUMS_FILE), sums.value, { flag: 'wx', mode: 0o644 });
  } catch (e) {
    return failed(io, `cannot write ${join(dir, SUMS_FILE)} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    await writeFile(join(dir, SIGNATURE_FILE), signed.value.armored, { flag: 'wx', mode: 0o644 });
  } catch (e) {
    await rm(join(dir, SUMS_FILE), { force: true });
    return failed(
      io,
      `cannot write ${join(dir, SIGNATURE_FILE)} (${(e as NodeJS.ErrnoException).code ?? 'error'}); ${SUMS_FILE} was removed again`,
    );
  }
  const files = sums.value.split('\n').filter((line) => line !== '').length;
  const { fingerprint, userIds } = signed.value.signer;
  io.stdout(
    [
      `wrote ${join(dir, SUMS_FILE)} (${files} file${files === 1 ? '' : 's'}) and ${join(dir, SIGNATURE_FILE)}`,
      `signed by ${userIds.join(', ') || '(no user ID)'}`,
      `  fingerprint ${fingerprint.toUpperCase()}`,
      'compare it with the release key fingerprint published out of band; officers check the folder with:',
      `  gpg --verify ${SIGNATURE_FILE} ${SUMS_FILE} && sha256sum -c ${SUMS_FILE}`,
      '',
    ].join('\n'),
  );
  return EXIT_OK;
};

/** The release key: a key file for openpgp.js, or gpg with a home, PIN file and fingerprint; else what is wrong. */
function signingKeyOption(values: {
  readonly key?: string | undefined;
  readonly 'passphrase-fd'?: string | undefined;
  readonly 'gpg-homedir'?: string | undefined;
  readonly 'pin-file'?: string | undefined;
  readonly fingerprint?: string | undefined;
}):
  | { readonly kind: 'gpg'; readonly person: { homedir: string; pinFile: string; fingerprint: string } }
  | { readonly kind: 'file'; readonly keyFile: string }
  | string {
  const { key, fingerprint } = values;
  const homedir = values['gpg-homedir'];
  const pinFile = values['pin-file'];
  if (homedir === undefined) {
    if (pinFile !== undefined || fingerprint !== undefined) return '--pin-file and --fingerprint go with --gpg-homedir';
    return key === undefined
      ? 'give the release signing key with --key FILE, or --gpg-homedir H'
      : { kind: 'file', keyFile: key };
  }
  if (key !== undefined || values['passphrase-fd'] !== undefined)
    return '--gpg-homedir signs with gpg: give it without --key and --passphrase-fd';
  if (pinFile === undefined || fingerprint === undefined || !/^[0-9A-Fa-f]{40}$/.test(fingerprint))
    return '--gpg-homedir needs --pin-file F (the PIN or passphrase) and --fingerprint FPR (the release key, 40 hex digits)';
  return { kind: 'gpg', person: { homedir, pinFile, fingerprint } };
}

function failed(io: CliIo, message: string): number {
  io.stderr(`vault-ceremony sign-checksums: ${message}\n`);
  return EXIT_FAILED;
}
