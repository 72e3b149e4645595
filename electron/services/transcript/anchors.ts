/**
 * What an auditor brings to anchor a bundle's signers (see ./verify.ts): keyring files and a
 * fingerprint list, one 40-hex-digit fingerprint a line (gpg's spaced groups allowed, blank lines
 * ignored). Read by `vault-ceremony verify` and the transcript viewer alike.
 */
import { err, ok, type Result } from '../../../shared/result';
import { readSmallTextFile } from '../files/regular-file';
import { readKeyrings, type KeyringErrorKind } from '../pgp/public-keys';
import type { Anchors } from './verify';

export type AnchorErrorKind = KeyringErrorKind | 'fingerprints-unreadable' | 'fingerprints-invalid';

/** The anchors in these files; undefined when the auditor gave none. */
export async function readAnchors(
  keyrings: readonly string[],
  fingerprintList: string | undefined,
): Promise<Result<Anchors | undefined, AnchorErrorKind>> {
  if (keyrings.length === 0 && fingerprintList === undefined) return ok(undefined);
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
