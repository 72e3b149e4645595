/**
 * What an auditor brings to anchor a bundle's signers (see ./verify.ts): keyring files and a
 * fingerprint list, one 40-hex-digit fingerprint a line (gpg's spaced groups allowed, blank lines
 * ignored). Read by `vault-ceremony verify` and the transcript viewer alike.
 *
 * None may be inside the bundle folder: what comes with a bundle anchors nothing (a forger ships
 * their own keys beside it), and `--keyring DIR/signers/…` made a forgery "anchored". Only the
 * plain mistake is caught (links resolved): keys copied out of the bundle cannot be told apart.
 */
import { realpath } from 'node:fs/promises';
import { relative, isAbsolute } from 'node:path';
import { err, ok, type Result } from '../../../shared/result';
import { readSmallTextFile } from '../files/regular-file';
import { readKeyrings, type KeyringErrorKind } from '../pgp/public-keys';
import type { Anchors } from './verify';

export type AnchorErrorKind =
  KeyringErrorKind | 'fingerprints-unreadable' | 'fingerprints-invalid' | 'anchors-in-bundle';

/** The anchors in these files, for the bundle in `bundleDir`; undefined when the auditor gave none. */
export async function readAnchors(
  bundleDir: string,
  keyrings: readonly string[],
  fingerprintList: string | undefined,
): Promise<Result<Anchors | undefined, AnchorErrorKind>> {
  if (keyrings.length === 0 && fingerprintList === undefined) return ok(undefined);
  const inside = await firstInside(bundleDir, [
    ...keyrings,
    ...(fingerprintList === undefined ? [] : [fingerprintList]),
  ]);
  if (inside !== undefined)
    return err(
      'anchors-in-bundle',
      `${inside} is inside the bundle folder ${bundleDir}: keys or fingerprints that come with a bundle anchor nothing, as a forger ships their own beside it. Give the signers' keys or fingerprints you obtained elsewhere (your key directory, the people themselves)`,
    );
  const keys = await readKeyrings(keyrings);
  if (!keys.ok) return keys;
  let fingerprints: string[] = [];
  if (fingerprintList !== undefined) {
    const read = await readSmallTextFile(fingerprintList, 'the fingerprint list');
    if (!read.ok) return err('fingerprints-unreadable', read.error.message);
    const text = read.value;
    const lines = text.split('\n').map((l) => l.replace(/\s+/g, ''));
    const bad = lines.findIndex((l) => l !== '' && !/^[0-9A-Fa-f]{40}$/.test(l));
    if (bad >= 0)
      return err(
        'fingerprints-invalid',
        `${fingerprintList} line ${bad + 1} is not a 40-hex-digit fingerprint: write one fingerprint a line`,
      );
    fingerprints = lines.filter((l) => l !== '').map((l) => l.toLowerCase());
  }
  return ok({ keys: keys.value.map((k) => k.key), fingerprints });
}

/** The first of `paths` inside `dir` once links are resolved; undefined when none is (or either cannot be resolved: reading them says why). */
async function firstInside(dir: string, paths: readonly string[]): Promise<string | undefined> {
  const folder = await realpath(dir).catch(() => undefined);
  if (folder === undefined) return undefined;
  for (const path of paths) {
    const real = await realpath(path).catch(() => undefined);
    const rel = real === undefined ? undefined : relative(folder, real);
    if (rel !== undefined && rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) return path;
  }
  return undefined;
}
