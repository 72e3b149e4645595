/**
 * `parseShareInput` against what lands in the share field: arbitrary text, damaged hex and
 * base64 shares, PGP packets and armor cut anywhere. Never a throw, always a declared kind, a
 * plaintext share only when its length is one Vault accepts, and never the input quoted back.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeStdBase64 } from '../../shared/codecs/base64';
import { bytesToHex } from '../../shared/codecs/bytes';
import {
  MAX_SHARE_BYTES,
  MIN_SHARE_BYTES,
  parseShareInput,
  type ShareInputErrorKind,
} from '../../shared/codecs/share-input';
import { anyText, FUZZ_RUNS, mutationsOf, textOver } from './fuzz-support';

const KINDS: Record<ShareInputErrorKind, true> = {
  empty: true,
  'not-a-share': true,
  'wrong-length': true,
  'incomplete-message': true,
};

const share = fc.uint8Array({ minLength: 32, maxLength: 33 });
const pkeskLike = fc
  .tuple(fc.constantFrom(0x84, 0x85, 0xc1, 0x88, 0xc5, 0xc6, 0x99), fc.uint8Array({ maxLength: 120 }))
  .map(([tag, rest]) => Uint8Array.of(tag, ...rest));
const ARMOR = '-----BEGIN PGP MESSAGE-----\n\nhF4DAAAAAAAAAAASAQdAAAAA\n=abcd\n-----END PGP MESSAGE-----\n';

const input = fc.oneof(
  anyText(),
  textOver('0123456789abcdefABCDEF+/=\n\r \t-'),
  share.map(bytesToHex).chain(mutationsOf),
  share.map(encodeStdBase64).chain(mutationsOf),
  fc.uint8Array({ maxLength: 80 }).map(bytesToHex),
  fc.uint8Array({ maxLength: 80 }).map(encodeStdBase64),
  pkeskLike.map(encodeStdBase64),
  pkeskLike.map(bytesToHex),
  mutationsOf(ARMOR),
  fc.constantFrom(
    '-----BEGIN PGP SIGNATURE-----\n',
    '-----BEGIN PGP PRIVATE KEY BLOCK-----\n',
    '-----BEGIN PGP MESSAGE-----',
  ),
);

describe('parseShareInput under hostile input', () => {
  it(`never throws, keeps to its kinds and Vault's share lengths, and never quotes the input (${FUZZ_RUNS} cases)`, () => {
    fc.assert(
      fc.property(input, (text) => {
        const result = parseShareInput(text);
        if (!result.ok) {
          expect(Object.hasOwn(KINDS, result.error.kind), result.error.kind).toBe(true);
          if (text.trim().length >= 12) expect(result.error.message).not.toContain(text.trim().slice(0, 12));
          return;
        }
        const value = result.value;
        if (value.form !== 'pgp-message') {
          expect(value.share.length).toBeGreaterThanOrEqual(MIN_SHARE_BYTES);
          expect(value.share.length).toBeLessThanOrEqual(MAX_SHARE_BYTES);
        } else if (value.encoding === 'armored') {
          // Only complete armor goes on to openpgp.js, which would wait forever for a missing END line.
          expect(value.armored).toMatch(/\n-----END PGP MESSAGE-----\s*$/);
        } else {
          expect(value.message[0]! & 0x80).toBe(0x80);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
