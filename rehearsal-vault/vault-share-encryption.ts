/**
 * PGP encryption exactly as Vault does it (helper/pgpkeys `EncryptShares`, via ProtonMail
 * go-crypto with the default config): one unsigned, uncompressed binary OpenPGP message per
 * recipient, PKESK v3 + SEIPD v1 (never AEAD/SEIPDv2, which GnuPG 2.2 cannot read), handed
 * out as padded standard base64 with the recipient's lowercase hex v4 fingerprint.
 * - `vault operator init -pgp-keys`: the plaintext is the share's lowercase hex *text*.
 * - generate-root / DR operation token `pgp_key`: the plaintext is the raw token text.
 * Keys are read as Vault takes them (base64 of a binary public key) or, for convenience, as
 * armored text, which the `vault` CLI also accepts from a file.
 */
import * as openpgp from 'openpgp';
import { decodeStdBase64, encodeStdBase64 } from '../shared/codecs/base64';
import { bytesToHex, utf8ToBytes, wipe } from '../shared/codecs/bytes';
import { err, ok, type Result } from '../shared/result';

export type ShareEncryptionErrorKind =
  /** Not valid padded standard base64 (Vault: "error decoding given PGP key"). */
  | 'key-not-base64'
  /** Decodes, but is not an OpenPGP public key (Vault: "error parsing given PGP key"). */
  | 'key-unparseable'
  /** A key, but one Vault's ceremony cannot use: v6, or no usable encryption subkey. */
  | 'key-unusable'
  | 'encryption-failed';

export interface VaultPgpRecipient {
  readonly key: openpgp.PublicKey;
  /** Lowercase hex of the primary-key fingerprint (`fmt.Sprintf("%x", …)` in Vault). */
  readonly fingerprint: string;
}

export interface VaultPgpMessage {
  /** base64.StdEncoding of the binary OpenPGP message: what `base64 -d | gpg -dq` reads. */
  readonly base64: string;
  readonly fingerprint: string;
}

export interface ReadKeyOptions {
  /** Also accept ASCII-armored keys. Vault's API does not; the `vault` CLI does from a file. */
  readonly allowArmored?: boolean;
}

/** Reads one recipient key. Errors carry the underlying reason after the kind's meaning. */
export async function readRecipientKey(
  text: string,
  options: ReadKeyOptions = {},
): Promise<Result<VaultPgpRecipient, ShareEncryptionErrorKind>> {
  let key: openpgp.Key;
  if (options.allowArmored && text.trimStart().startsWith('-----BEGIN PGP')) {
    try {
      key = await openpgp.readKey({ armoredKey: text });
    } catch (e) {
      return err('key-unparseable', `the armored text is not an OpenPGP key: ${reason(e)}`);
    }
  } else {
    const decoded = decodeStdBase64(text);
    if (!decoded.ok)
      return err('key-not-base64', `the key is not base64 of a binary OpenPGP key: ${decoded.error.message}`);
    try {
      key = await openpgp.readKey({ binaryKey: decoded.value });
    } catch (e) {
      return err('key-unparseable', `the decoded bytes are not an OpenPGP key: ${reason(e)}`);
    }
  }
  const publicKey = key.toPublic();
  const fingerprint = publicKey.getFingerprint();
  if (publicKey.keyPacket.version !== 4) {
    return err(
      'key-unusable',
      `key ${fingerprint} is an OpenPGP v${publicKey.keyPacket.version} key; use a v4 key, which GnuPG 2.2 and Vault's ceremony tools read`,
    );
  }
  try {
    await publicKey.getEncryptionKey();
  } catch (e) {
    return err(
      'key-unusable',
      `key ${fingerprint} has no usable encryption subkey (${reason(e)}); add or renew one, or use another key`,
    );
  }
  return ok({ key: publicKey, fingerprint });
}

/**
 * What Vault answers for a `pgp_keys` / `pgp_key` entry `text` that readRecipientKey refused:
 * pgpkeys' "error decoding given PGP key" (Go's base64 error) or "error parsing given PGP key"
 * (the openpgp reader's error, as far as the first packet tells it; a key that parses but cannot
 * be used keeps our reason).
 */
export function vaultPgpKeyError(text: string, refusal: { kind: ShareEncryptionErrorKind; message: string }): string {
  const decoded = decodeStdBase64(text);
  if (!decoded.ok) return `error decoding given PGP key: illegal base64 data at input byte ${decoded.offset}`;
  const first = decoded.value[0];
  // The packet tag: new format in the low six bits, old format in bits 2–5.
  const tag = first === undefined ? undefined : first & 0x40 ? first & 0x3f : (first >> 2) & 0x0f;
  const reason =
    first === undefined
      ? 'EOF'
      : (first & 0x80) === 0
        ? 'openpgp: invalid data: tag byte does not have MSB set'
        : tag !== 5 && tag !== 6
          ? 'openpgp: invalid data: first packet was not a public/private key'
          : refusal.kind === 'key-unparseable'
            ? 'unexpected EOF'
            : refusal.message;
  return `error parsing given PGP key: ${reason}`;
}

/** Base64 of the binary key: what Vault's `pgp_keys` / `pgp_key` fields take. */
export function vaultKeyBase64(recipient: VaultPgpRecipient): string {
  return encodeStdBase64(recipient.key.write());
}

/** `vault operator init -pgp-keys`: encrypts the lowercase hex text of one share. */
export async function encryptShare(
  share: Uint8Array,
  recipient: VaultPgpRecipient,
): Promise<Result<VaultPgpMessage, ShareEncryptionErrorKind>> {
  const hexText = utf8ToBytes(bytesToHex(share));
  try {
    return await encryptForVault(hexText, recipient);
  } finally {
    wipe(hexText);
  }
}

/** generate-root / DR operation token with `pgp_key`: encrypts the token text itself. */
export async function encryptToken(
  token: string,
  recipient: VaultPgpRecipient,
): Promise<Result<VaultPgpMessage, ShareEncryptionErrorKind>> {
  const bytes = utf8ToBytes(token);
  try {
    return await encryptForVault(bytes, recipient);
  } finally {
    wipe(bytes);
  }
}

async function encryptForVault(
  plaintext: Uint8Array,
  recipient: VaultPgpRecipient,
): Promise<Result<VaultPgpMessage, ShareEncryptionErrorKind>> {
  let sessionKey: openpgp.SessionKey | undefined;
  try {
    sessionKey = await openpgp.generateSessionKey({ encryptionKeys: recipient.key });
    // Vault's go-crypto writes a text-format literal packet with no file name and time 0.
    const message = await openpgp.createMessage({ binary: plaintext, format: 'text', date: new Date(0) });
    // Passing the session key without its AEAD algorithm forces PKESK v3 + SEIPDv1 even when
    // the recipient advertises SEIPDv2, as Vault's default go-crypto config does.
    const encrypted = await openpgp.encrypt({
      message,
      encryptionKeys: recipient.key,
      sessionKey: { data: sessionKey.data, algorithm: sessionKey.algorithm },
      format: 'binary',
    });
    return ok({ base64: encodeStdBase64(encrypted), fingerprint: recipient.fingerprint });
  } catch (e) {
    return err('encryption-failed', `could not encrypt to key ${recipient.fingerprint}: ${reason(e)}`);
  } finally {
    wipe(sessionKey?.data);
  }
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
