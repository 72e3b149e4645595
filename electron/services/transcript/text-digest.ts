/**
 * Hashes a signed transcript's text once, for all its signatures.
 *
 * openpgp.js verifies each signature on a cleartext document by normalising the whole text again
 * (trailing whitespace, CRLF line ends), encoding it and hashing it: three times over for an
 * administrator and two witnesses, about 0.3 s on a 10,000-event transcript. A v4 signature's
 * digest is hash(text with CRLF line ends ‖ the packet's hashed fields ‖ 0x04 0xFF ‖ their length),
 * so the text can be hashed once per algorithm with node:crypto, the hash state copied for each
 * packet and finished with that packet's own fields. openpgp.js then verifies the packet against
 * that digest (its `hashed` member, which its one-pass streaming verification also fills): the
 * left-16-bit check, the public-key signature, creation and expiry times, hash and notation
 * policy and the signer's key validity all stay with openpgp.js.
 */
import { createHash, type Hash } from 'node:crypto';
import * as openpgp from 'openpgp';

/** The packet member openpgp.js's SignaturePacket.verify() uses instead of hashing the data. */
interface PrehashedPacket {
  hashed?: Uint8Array;
  readonly signatureData: Uint8Array;
}

/** Hash algorithms digested here; others (e.g. SHA-1, which openpgp.js rejects) take the usual path. */
const NODE_HASH: ReadonlyMap<number, string> = new Map([
  [openpgp.enums.hash.sha224, 'sha224'],
  [openpgp.enums.hash.sha256, 'sha256'],
  [openpgp.enums.hash.sha384, 'sha384'],
  [openpgp.enums.hash.sha512, 'sha512'],
]);

/**
 * Sets the digest of `text` (its UTF-8 bytes) on each v4 text-mode signature packet whose hash is
 * a SHA-2, and returns those packets: verify them with any text (openpgp.js does not read it
 * again). Returns an empty set, changing nothing, for a text that openpgp.js would first normalise.
 */
export function presetTextDigests(
  text: Uint8Array,
  packets: readonly openpgp.SignaturePacket[],
): ReadonlySet<openpgp.SignaturePacket> {
  const eligible = packets.filter(
    (p) => p.version === 4 && p.signatureType === openpgp.enums.signature.text && NODE_HASH.has(p.hashAlgorithm ?? -1),
  );
  if (eligible.length === 0) return new Set();
  // One state per algorithm, however many packets use it.
  const states = new Map<number, Hash>();
  for (const { hashAlgorithm } of eligible)
    if (!states.has(hashAlgorithm!)) states.set(hashAlgorithm!, createHash(NODE_HASH.get(hashAlgorithm!)!));
  if (!hashWithCrlf(text, [...states.values()])) return new Set();
  for (const packet of eligible) {
    const fields = (packet as unknown as PrehashedPacket).signatureData;
    const trailer = Buffer.alloc(6);
    trailer[0] = 4;
    trailer[1] = 0xff;
    trailer.writeUInt32BE(fields.length, 2);
    (packet as unknown as PrehashedPacket).hashed = new Uint8Array(
      states.get(packet.hashAlgorithm!)!.copy().update(fields).update(trailer).digest(),
    );
  }
  return new Set(eligible);
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Feeds each hash the UTF-8 text with every LF made CRLF, as openpgp.js signs it; feeds nothing and
 * returns false for a text openpgp.js would first normalise (changedByCleartext's rule, on bytes:
 * a CR anywhere, or a space or tab before a LF or at the end), as it signs other bytes than these.
 * One loop over the bytes into one buffer: on a 4.2 MB transcript, presetTextDigests
 * took ~20 ms CPU (cold, median of 9) where the string's regex replace, encoding and includes()
 * scans took ~36 ms; a 64 KB buffer hashed as it fills measured slower (~30 ms).
 */
function hashWithCrlf(text: Uint8Array, hashes: readonly Hash[]): boolean {
  // Room for every byte a LF, so it is never resized: its CRLF length is known only once counted.
  const signed = Buffer.allocUnsafe(text.length * 2);
  let length = 0;
  let previous = LF;
  let normalised = false;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i]!;
    if (byte === LF) {
      if (previous === SPACE || previous === TAB) normalised = true;
      signed[length++] = CR;
    } else if (byte === CR) normalised = true;
    signed[length++] = byte;
    previous = byte;
  }
  if (normalised || previous === SPACE || previous === TAB) return false;
  for (const hash of hashes) hash.update(signed.subarray(0, length));
  return true;
}

/**
 * True when openpgp.js signs or verifies other bytes than the text with LF turned into CRLF: a CR
 * anywhere (CleartextMessage or its hashing makes it a line end), or a line (split at LF, as
 * openpgp.js splits) ending in a space or tab, which CleartextMessage strips.
 */
export function changedByCleartext(text: string): boolean {
  return (
    text.includes('\r') || text.includes(' \n') || text.includes('\t\n') || text.endsWith(' ') || text.endsWith('\t')
  );
}
