/**
 * What stock GnuPG 2.2 checks a signature with, which auditors run (`gpg --verify
 * transcript.txt.sig transcript.txt`) and officers have: a v4 signature by RSA, DSA, ECDSA or EdDSA
 * as GnuPG makes it (RFC 9580's Ed25519 and Ed448, which openpgp.js makes for 'curve25519' and
 * 'curve448', it does not know), over a SHA-2 hash (not SHA-3; openpgp.js itself refuses MD5 and
 * SHA-1). Measured with gpg 2.2.40: it reports each other signature ERRSIG and checks none.
 */
import * as openpgp from 'openpgp';

/** Public-key algorithms GnuPG 2.2 verifies signatures of. */
export const GNUPG_SIGNING_ALGORITHMS: ReadonlySet<number> = new Set([
  openpgp.enums.publicKey.rsaEncryptSign,
  openpgp.enums.publicKey.rsaSign,
  openpgp.enums.publicKey.dsa,
  openpgp.enums.publicKey.ecdsa,
  openpgp.enums.publicKey.eddsaLegacy,
]);

const GNUPG_HASHES: ReadonlySet<number> = new Set([
  openpgp.enums.hash.sha224,
  openpgp.enums.hash.sha256,
  openpgp.enums.hash.sha384,
  openpgp.enums.hash.sha512,
]);

/** What of a signature GnuPG 2.2 cannot check it with (`public-key algorithm ed25519 (27)`); undefined when it can. */
export function beyondGnupg(packet: openpgp.SignaturePacket): string | undefined {
  if (packet.version !== 4) return `OpenPGP signature version ${packet.version}`;
  const algorithm = packet.publicKeyAlgorithm ?? -1;
  if (!GNUPG_SIGNING_ALGORITHMS.has(algorithm)) return `public-key algorithm ${publicKeyAlgorithmName(algorithm)}`;
  const hash = packet.hashAlgorithm ?? -1;
  if (!GNUPG_HASHES.has(hash)) return `hash ${algorithmName(hash, (id) => openpgp.enums.read(openpgp.enums.hash, id))}`;
  return undefined;
}

/** `ed25519 (27)`: a public-key algorithm id as openpgp.js names it. */
export function publicKeyAlgorithmName(id: number): string {
  return algorithmName(id, (id) => openpgp.enums.read(openpgp.enums.publicKey, id));
}

/** `name (id)` of an OpenPGP algorithm id as `read` names it, or the id alone where it has no name (read throws). */
function algorithmName(id: number, read: (id: number) => string): string {
  try {
    return `${read(id)} (${id})`;
  } catch {
    return String(id);
  }
}
