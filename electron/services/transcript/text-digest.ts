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
 * Sets the digest of `text` on each v4 text-mode signature packet whose hash is a SHA-2, and
 * returns those packets: verify them with any text (openpgp.js does not read it again). Returns
 * an empty set, changing nothing, for a text that openpgp.js would first normalise.
 */
export function presetTextDigests(
  text: string,
  packets: readonly openpgp.SignaturePacket[],
): ReadonlySet<openpgp.SignaturePacket> {
  const eligible = packets.filter(
    (p) => p.version === 4 && p.signatureType === openpgp.enums.signature.text && NODE_HASH.has(p.hashAlgorithm ?? -1),
  );
  if (eligible.length === 0 || changedByCleartext(text)) return new Set();
  const signed = Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8');
  const states = new Map<number, Hash>();
  for (const packet of eligible) {
    const algorithm = packet.hashAlgorithm!;
    let state = states.get(algorithm);
    if (!state) states.set(algorithm, (state = createHash(NODE_HASH.get(algorithm)!).update(signed)));
    const fields = (packet as unknown as PrehashedPacket).signatureData;
    const trailer = Buffer.alloc(6);
    trailer[0] = 4;
    trailer[1] = 0xff;
    trailer.writeUInt32BE(fields.length, 2);
    (packet as unknown as PrehashedPacket).hashed = new Uint8Array(
      state.copy().update(fields).update(trailer).digest(),
    );
  }
  return new Set(eligible);
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
