/**
 * The RSA step of share decryption, done by OpenSSL.
 *
 * Node ≥ 20.11 refuses PKCS#1 v1.5 decryption in node:crypto (CVE-2023-46809, the Marvin timing
 * attack), so openpgp.js falls back to its own BigInt RSA: about 100 ms for an RSA-4096 key, and
 * not constant-time. Here OpenSSL performs only the raw RSA operation (RSA_NO_PADDING: blinded,
 * constant-time CRT), and the checks openpgp.js makes on its result follow, in the same order and
 * with its error texts: the PKESK's algorithm matches the key, EME-PKCS1-v1_5 padding, the session
 * key checksum, a known cipher with a key of its size, and a cipher the key accepts. The padding
 * and checksum are judged without branching on secret bytes until one final verdict. The message
 * itself is then decrypted and integrity-checked by openpgp.js with that session key, as before.
 *
 * Only the case Vault produces takes this path: a v3 PKESK to an RSA (sub)key of a v4 key.
 */
import { constants, createPrivateKey, privateDecrypt } from 'node:crypto';
import * as openpgp from 'openpgp';
import { wipe } from '../../../shared/codecs/bytes';

const { publicKey: PK, symmetric: SYM, packet: PACKET } = openpgp.enums;

/** What openpgp.js reads from a PKESK packet (not in its type declarations). */
interface Pkesk {
  readonly version: number;
  readonly publicKeyID: openpgp.KeyID;
  readonly publicKeyAlgorithm: openpgp.enums.publicKey;
  readonly encrypted: { readonly c?: Uint8Array } | null;
}
interface RsaPrivateParams {
  readonly d: Uint8Array;
  readonly p: Uint8Array;
  readonly q: Uint8Array;
  readonly u: Uint8Array;
}

/** Ciphers a session key may name, with their key sizes (openpgp.js's getCipherKeySize). */
const KEY_SIZE: ReadonlyMap<number, number> = new Map([
  [SYM.aes128, 16],
  [SYM.blowfish, 16],
  [SYM.cast5, 16],
  [SYM.aes192, 24],
  [SYM.tripledes, 24],
  [SYM.aes256, 32],
  [SYM.twofish, 32],
]);
/** openpgp.js accepts these whatever the key prefers (its decryptSessionKeys fallbacks). */
const FALLBACK_CIPHERS = [SYM.aes256, SYM.aes128, SYM.tripledes, SYM.cast5];

const failure = (why: string) => new Error(`Error decrypting message: ${why}`);

/** True when `decryptRsaSessionKey` handles this message for this key; otherwise openpgp.js does it all. */
export function takesRsaPath(message: openpgp.Message<Uint8Array>, key: openpgp.PrivateKey, keyId: string): boolean {
  const target = key.getKeys().find((k) => k.getKeyID().toHex() === keyId)?.keyPacket;
  const pkesks = pkesksFor(message, keyId);
  return (
    key.keyPacket.version === 4 &&
    target !== undefined &&
    (target.algorithm === PK.rsaEncryptSign || target.algorithm === PK.rsaEncrypt) &&
    pkesks.length > 0 &&
    pkesks.every((p) => p.version === 3)
  );
}

/**
 * The session key of `message` for the unlocked RSA (sub)key `keyId` of `key` (check takesRsaPath
 * first). Throws what openpgp.decrypt would throw. The caller wipes the returned `data`.
 */
export async function decryptRsaSessionKey(
  message: openpgp.Message<Uint8Array>,
  key: openpgp.PrivateKey,
  keyId: string,
): Promise<openpgp.SessionKey> {
  const [pkesk] = pkesksFor(message, keyId);
  if (!pkesk) throw failure('No public key encrypted session key packet found.');
  let candidates: Array<openpgp.PrivateKey | openpgp.Subkey>;
  try {
    // As openpgp.js does: no expiry check, so an old share still decrypts.
    candidates = await key.getDecryptionKeys(pkesk.publicKeyID, null, undefined, openpgp.config);
  } catch (cause) {
    throw failure(cause instanceof Error ? cause.message : String(cause));
  }
  const accepted: number[] = [...FALLBACK_CIPHERS];
  try {
    accepted.push(...((await key.getPrimaryUser()).selfCertification.preferredSymmetricAlgorithms ?? []));
  } catch {
    // openpgp.js, too, keeps its fallbacks when the key states no usable preference.
  }
  let lastError: Error | undefined;
  for (const candidate of candidates) {
    const packet = candidate.keyPacket as openpgp.SecretKeyPacket | openpgp.SecretSubkeyPacket;
    try {
      if (!packet.isDecrypted()) throw new Error('Decryption key is not decrypted.');
      if (pkesk.publicKeyAlgorithm !== packet.algorithm) throw new Error('Decryption error');
      const sessionKey = sessionKeyFrom(rawRsaDecrypt(pkesk, packet));
      if (!accepted.includes(sessionKey.algorithm)) {
        wipe(sessionKey.data);
        throw new Error('A non-preferred symmetric algorithm was used.');
      }
      return {
        data: sessionKey.data,
        algorithm: openpgp.enums.read(SYM, sessionKey.algorithm),
      };
    } catch (cause) {
      lastError = cause instanceof Error ? cause : new Error(String(cause));
    }
  }
  throw failure(lastError?.message ?? 'Session key decryption failed.');
}

function pkesksFor(message: openpgp.Message<Uint8Array>, keyId: string): Pkesk[] {
  return (message.packets.filterByTag(PACKET.publicKeyEncryptedSessionKey) as unknown as Pkesk[]).filter(
    (p) => p.publicKeyID.toHex() === keyId,
  );
}

/** c^d mod n by OpenSSL: the k-byte EME-PKCS1-v1_5 block, still unchecked. */
function rawRsaDecrypt(pkesk: Pkesk, packet: openpgp.SecretKeyPacket | openpgp.SecretSubkeyPacket): Uint8Array {
  const { n, e } = packet.publicParams as { n: Uint8Array; e: Uint8Array };
  const c = pkesk.encrypted?.c;
  if (!c) throw new Error('Decryption error');
  const digits = significant(c);
  if (!below(digits, significant(n))) throw new Error('Data too large.');
  const der = rsaPrivateKeyDer(n, e, packet.privateParams as RsaPrivateParams);
  const padded = new Uint8Array(n.length);
  padded.set(digits, n.length - digits.length);
  try {
    const privateKey = createPrivateKey({
      key: Buffer.from(der.buffer, der.byteOffset, der.length),
      format: 'der',
      type: 'pkcs1',
    });
    return privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, padded); // wiped by sessionKeyFrom
  } catch {
    // A key OpenSSL rejects is one openpgp.js's arithmetic would decrypt to garbage.
    throw new Error('Decryption error');
  } finally {
    wipe(der);
  }
}

/** A big-endian unsigned integer without its leading zero bytes. */
function significant(bytes: Uint8Array): Uint8Array {
  const first = bytes.findIndex((b) => b !== 0);
  return bytes.subarray(first < 0 ? bytes.length : first);
}

/** a < b for big-endian integers without leading zeros (public values: no need for constant time). */
function below(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return a.length < b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/**
 * EME-PKCS1-v1_5 decoding and the v3 session key format: 0x00 0x02 PS(≥ 8 non-zero) 0x00, then
 * cipher id, key, 16-bit checksum of the key. Wipes `block`.
 */
function sessionKeyFrom(block: Uint8Array): { data: Uint8Array; algorithm: number } {
  try {
    let offset = 2;
    let inPadding = 1;
    for (let i = 2; i < block.length; i++) {
      inPadding &= block[i] !== 0 ? 1 : 0;
      offset += inPadding;
    }
    const payload = block.subarray(offset + 1);
    // openpgp.js sums from `length % 8` of cipher id + key: the key alone for every real key size.
    const keyed = payload.subarray(0, Math.max(0, payload.length - 2));
    const sum = keyed.subarray(keyed.length % 8).reduce((s, b) => (s + b) & 0xffff, 0);
    const stated = ((payload[payload.length - 2] ?? 0) << 8) | (payload[payload.length - 1] ?? 0);
    const valid =
      (block[0] === 0 ? 1 : 0) &
      (block[1] === 2 ? 1 : 0) &
      (offset - 2 >= 8 ? 1 : 0) &
      (inPadding ^ 1) &
      (payload.length >= 3 ? 1 : 0) &
      (sum === stated ? 1 : 0);
    const algorithm = payload[0] ?? 0;
    if (!valid) throw new Error('Decryption error');
    openpgp.enums.read(SYM, algorithm); // throws openpgp.js's own error for an unknown cipher id
    const size = KEY_SIZE.get(algorithm);
    if (size === undefined) throw new Error('Unsupported cipher');
    if (payload.length - 3 !== size) throw new Error('Unexpected session key size');
    return { data: Uint8Array.from(payload.subarray(1, payload.length - 2)), algorithm }; // a copy: `block` is wiped
  } finally {
    wipe(block);
  }
}

/**
 * PKCS#1 RSAPrivateKey DER for OpenSSL, in a buffer the caller wipes (a JWK would leave the key
 * in immutable strings). OpenPGP keeps p < q and u = p⁻¹ mod q, so PKCS#1's (p, q, qInv) are
 * OpenPGP's (q, p, u). The CRT exponents are computed with BigInt, as openpgp.js itself does.
 */
function rsaPrivateKeyDer(n: Uint8Array, e: Uint8Array, { d, p, q, u }: RsaPrivateParams): Uint8Array {
  const dn = toBigInt(d);
  const dq = fromBigInt(dn % (toBigInt(q) - 1n));
  const dp = fromBigInt(dn % (toBigInt(p) - 1n));
  const body = [new Uint8Array([0]), n, e, d, q, p, dq, dp, u].map(derInteger);
  const der = derSequence(body);
  wipe(dq, dp, ...body);
  return der;
}

function toBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

function fromBigInt(value: bigint): Uint8Array {
  const out: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) out.push(Number(v & 0xffn));
  const bytes = Uint8Array.from(out.reverse());
  out.fill(0);
  return bytes;
}

function derInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const digits = magnitude.subarray(start);
  const pad = digits.length === 0 || digits[0]! & 0x80 ? 1 : 0;
  return derTlv(0x02, [new Uint8Array(pad), digits]);
}

function derSequence(parts: readonly Uint8Array[]): Uint8Array {
  return derTlv(0x30, parts);
}

function derTlv(tag: number, parts: readonly Uint8Array[]): Uint8Array {
  const length = parts.reduce((sum, p) => sum + p.length, 0);
  const lengthBytes: number[] = [];
  for (let l = length; l > 0; l = Math.floor(l / 256)) lengthBytes.unshift(l & 0xff);
  if (length >= 0x80) lengthBytes.unshift(0x80 | lengthBytes.length);
  else lengthBytes.splice(0, lengthBytes.length, length);
  const out = new Uint8Array(1 + lengthBytes.length + length);
  out[0] = tag;
  out.set(lengthBytes, 1);
  let at = 1 + lengthBytes.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
