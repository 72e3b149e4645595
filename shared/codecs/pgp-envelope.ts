/**
 * Recognises, without decrypting, the OpenPGP forms an officer may paste instead of a plain share
 * or an OTP-encoded token. Vault encrypts with `openpgp.Encrypt` to one recipient, so its
 * messages begin with a public-key encrypted session key packet (RFC 9580 §5.1, tag 1).
 */

const PKESK_TAG = 1;

/** Names for the packets people paste by mistake, for messages that say what was pasted. */
const PACKET_NAMES: Record<number, string> = {
  1: 'encrypted message',
  2: 'signature',
  3: 'password-encrypted message',
  5: 'secret (private) key',
  6: 'public key',
  8: 'compressed message',
};

/** The tag of the packet a binary OpenPGP stream starts with; undefined when it cannot be one (bit 0x80 clear). */
export function firstPacketTag(bytes: Uint8Array): number | undefined {
  const b = bytes[0];
  if (b === undefined || (b & 0x80) === 0) return undefined;
  return b & 0x40 ? b & 0x3f : (b >> 2) & 0x0f;
}

/** What a packet tag is, in words, e.g. "public key". */
export function packetName(tag: number): string {
  return PACKET_NAMES[tag] ?? `packet of type ${tag}`;
}

/**
 * True when the bytes start with a well-formed PKESK packet header (old or new format) whose
 * declared body fits in the bytes and starts with version 3 or 6. The checks beyond the first
 * byte keep 16–33 random share bytes from being mistaken for a message.
 */
export function isPgpEncryptedMessage(bytes: Uint8Array): boolean {
  if (firstPacketTag(bytes) !== PKESK_TAG) return false;
  const header = packetHeader(bytes);
  if (!header) return false;
  const version = bytes[header.bodyStart];
  return header.bodyStart + header.bodyLength <= bytes.length && (version === 3 || version === 6);
}

/** Header length and body length; undefined for indeterminate or partial lengths, which a PKESK never uses. */
function packetHeader(bytes: Uint8Array): { bodyStart: number; bodyLength: number } | undefined {
  const first = bytes[0]!;
  const at = (i: number) => bytes[i] ?? 0;
  if (first & 0x40) {
    const l1 = bytes[1];
    if (l1 === undefined) return undefined;
    if (l1 < 192) return { bodyStart: 2, bodyLength: l1 };
    if (l1 < 224) return { bodyStart: 3, bodyLength: ((l1 - 192) << 8) + at(2) + 192 };
    if (l1 === 255) return { bodyStart: 6, bodyLength: at(2) * 2 ** 24 + ((at(3) << 16) | (at(4) << 8) | at(5)) };
    return undefined;
  }
  switch (first & 3) {
    case 0:
      return { bodyStart: 2, bodyLength: at(1) };
    case 1:
      return { bodyStart: 3, bodyLength: (at(1) << 8) | at(2) };
    case 2:
      return { bodyStart: 5, bodyLength: at(1) * 2 ** 24 + ((at(2) << 16) | (at(3) << 8) | at(4)) };
    default:
      return undefined;
  }
}

/** The block type of ASCII armor, e.g. "PGP MESSAGE" or "PGP PUBLIC KEY BLOCK"; undefined when the text is not armored. */
export function armorType(text: string): string | undefined {
  return /^-----BEGIN (PGP [A-Z ,/0-9]+)-----/.exec(text)?.[1];
}

/** True when armored text also carries its closing line, i.e. nothing was cut off when copying. */
export function armorIsComplete(text: string, type: string): boolean {
  return new RegExp(`\\n-----END ${type}-----\\s*$`).test(text);
}
