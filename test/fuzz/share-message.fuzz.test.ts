/**
 * `readShareMessage` (the PGP-encrypted share an officer pastes) against damaged copies of a real
 * Vault-style share message in every pasted form, armor cut or rearranged anywhere, and arbitrary
 * text. openpgp.js parses what gets through, so besides "never throws, declared kinds only" each
 * case must settle promptly: armor without its END line is the input on which openpgp.js would
 * wait forever, and share-input's armorIsComplete guard is what stops it.
 */
import fc from 'fast-check';
import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeStdBase64, encodeStdBase64 } from '../../shared/codecs/base64';
import { bytesToHex } from '../../shared/codecs/bytes';
import { generateOfficerKey } from '../../rehearsal-vault/officer-keys';
import { readShareMessage, type ShareMessageErrorKind } from '../../electron/services/pgp/share-message';
import { encryptShare, readRecipientKey } from '../../rehearsal-vault/vault-share-encryption';
import { anyText, FUZZ_RUNS, mutationsOf, settlesWithin, textOver } from './fuzz-support';

const KINDS: Record<ShareMessageErrorKind, true> = {
  empty: true,
  'too-large': true,
  'plaintext-share': true,
  incomplete: true,
  'not-pgp': true,
  'not-encrypted': true,
  unprotected: true,
};
/** Generous for one parse of at most a few kilobytes; a hang is caught, a slow machine is not failed. */
const SETTLE_MS = 5_000;

let base64: string;
let bytes: Uint8Array;
let armored: string;

beforeAll(async () => {
  const officer = await generateOfficerKey({ name: 'olu' });
  const recipient = await readRecipientKey(officer.publicKeyArmored, { allowArmored: true });
  if (!recipient.ok) throw new Error(recipient.error.message);
  const message = await encryptShare(new Uint8Array(33).fill(7), recipient.value);
  if (!message.ok) throw new Error(message.error.message);
  base64 = message.value.base64;
  const decoded = decodeStdBase64(base64);
  if (!decoded.ok) throw new Error(decoded.error.message);
  bytes = decoded.value;
  armored = openpgp.armor(openpgp.enums.armor.message, bytes);
});

function byteMutations(original: Uint8Array): fc.Arbitrary<Uint8Array> {
  const at = fc.integer({ min: 0, max: original.length - 1 });
  return fc.oneof(
    at.map((i) => original.slice(0, i)),
    fc.tuple(at, fc.integer({ min: 1, max: 255 })).map(([i, mask]) => {
      const copy = original.slice();
      copy[i]! ^= mask;
      return copy;
    }),
    fc
      .tuple(at, fc.uint8Array({ minLength: 1, maxLength: 8 }))
      .map(([i, extra]) => Uint8Array.of(...original.slice(0, i), ...extra, ...original.slice(i))),
    fc
      .tuple(at, fc.integer({ min: 1, max: 40 }))
      .map(([i, n]) => Uint8Array.of(...original.slice(0, i), ...original.slice(i + n))),
  );
}

/** Armor assembled from plausible and broken parts: headers, blank lines, body, checksum, END in any state. */
const armorParts = fc
  .record({
    begin: fc.constantFrom(
      '-----BEGIN PGP MESSAGE-----',
      '-----BEGIN PGP MESSAGE-----  ',
      '-----BEGIN PGP SIGNED MESSAGE-----',
      '-----BEGIN PGP MESSAGE',
    ),
    headers: fc.array(fc.constantFrom('Version: x', 'Comment: y', 'Hash: SHA256', 'nonsense', '-----'), {
      maxLength: 3,
    }),
    blank: fc.constantFrom('\n', '', '\r\n', ' \n'),
    body: fc.oneof(
      fc.constant(''),
      textOver('ABCDEFGHwcBMA0123456789+/=\n'),
      fc.uint8Array({ maxLength: 90 }).map(encodeStdBase64),
    ),
    checksum: fc.constantFrom('', '=abcd', '=', '==', '=AAAA'),
    end: fc.constantFrom(
      '-----END PGP MESSAGE-----',
      '-----END PGP MESSAGE-----\n',
      '-----END PGP SIGNATURE-----',
      '-----END PGP MESS',
      '',
      '-----END PGP MESSAGE-----\n-----BEGIN PGP MESSAGE-----',
    ),
    eol: fc.constantFrom('\n', '\r\n'),
  })
  .map(
    ({ begin, headers, blank, body, checksum, end, eol }) =>
      [begin, ...headers].join(eol) + eol + blank + body + eol + checksum + eol + end,
  );

const pasted = () =>
  fc.oneof(
    anyText(),
    textOver('0123456789abcdefABCDEF+/=\n\r -'),
    mutationsOf(base64),
    byteMutations(bytes).map(encodeStdBase64),
    byteMutations(bytes).map(bytesToHex),
    byteMutations(bytes).map((b) => openpgp.armor(openpgp.enums.armor.message, b)),
    mutationsOf(armored),
    armorParts,
    fc.constantFrom(base64, bytesToHex(bytes), armored),
  );

describe('readShareMessage under hostile input', () => {
  it(`settles promptly, never throws, keeps to its kinds and accepts only Vault-shaped messages (${FUZZ_RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constant(null).chain(pasted), async (text) => {
        const result = await settlesWithin(readShareMessage(text), SETTLE_MS, 'readShareMessage');
        if (!result.ok) {
          expect(Object.hasOwn(KINDS, result.error.kind), result.error.kind).toBe(true);
          expect(result.error.message.length).toBeGreaterThan(20);
          return;
        }
        expect(result.value.bytes[0]! & 0x80).toBe(0x80);
        expect(result.value.recipientKeyIds.length).toBeGreaterThan(0);
        for (const id of result.value.recipientKeyIds) expect(id).toMatch(/^[0-9a-f]{16}$/);
        expect(result.value.sha256).toMatch(/^[0-9a-f]{64}$/);
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, 240_000);

  it('refuses armor cut off at any point before its END line as incomplete, without waiting', async () => {
    const end = armored.indexOf('-----END PGP MESSAGE-----');
    const kinds = new Set<string>();
    for (let cut = '-----BEGIN PGP MESSAGE-----'.length; cut < end + '-----END PGP MESSAGE-----'.length - 1; cut++) {
      const result = await settlesWithin(readShareMessage(armored.slice(0, cut)), SETTLE_MS, `armor cut at ${cut}`);
      expect(result.ok, `accepted armor cut at ${cut}`).toBe(false);
      if (!result.ok) kinds.add(result.error.kind);
    }
    expect([...kinds]).toEqual(['incomplete']);
    expect(await readShareMessage(armored)).toMatchObject({ ok: true });
  });
});
