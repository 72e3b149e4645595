/**
 * Activation without an unwrap call to the primary (Vault 1.3+, `secondary_public_key`): the
 * secondary generates a key pair (`secondary/generate-public-key`), the primary encrypts the
 * activation token to its public key (`secondary-token` answers `data.token`), and only that
 * secondary can open it at `secondary/enable`. Vault's wire format is not public (UNCONFIRMED,
 * docs/vault-unconfirmed.md): here X25519 + HKDF-SHA256 + AES-256-GCM, base64 of a small JSON.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { err, ok, type Result } from '../shared/result';

const INFO = Buffer.from('vault-ceremony rehearsal secondary activation');

function aesKey(shared: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.alloc(0), INFO, 32));
}

export class SecondaryKeys {
  /** One pending private key per secondary cluster, replaced by each generate-public-key. */
  private readonly pending = new WeakMap<object, KeyObject>();

  /** Base64 of the SPKI (DER) public key the operator hands to the primary. */
  generate(secondary: object): string {
    const { publicKey, privateKey } = generateKeyPairSync('x25519');
    this.pending.set(secondary, privateKey);
    return publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  }

  /** A secondary's public key as generate-public-key gave it. */
  static readPublicKey(publicKeyBase64: string): Result<KeyObject, 'invalid-public-key'> {
    try {
      const key = createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
      if (key.asymmetricKeyType === 'x25519') return ok(key);
    } catch {
      // Falls through to the refusal.
    }
    return err('invalid-public-key', 'error parsing secondary public key');
  }

  /** The activation token encrypted to a secondary's public key, as `data.token`. */
  static seal(recipient: KeyObject, token: string): string {
    const eph = generateKeyPairSync('x25519');
    const iv = randomBytes(12);
    const cipher = createCipheriv(
      'aes-256-gcm',
      aesKey(diffieHellman({ privateKey: eph.privateKey, publicKey: recipient })),
      iv,
    );
    const ct = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    const sealed = {
      epk: eph.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      iv: iv.toString('base64'),
      ct: ct.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    };
    return Buffer.from(JSON.stringify(sealed)).toString('base64');
  }

  /** The activation token inside `sealed` if it was encrypted to this secondary's pending key; undefined otherwise. */
  open(secondary: object, sealed: string): string | undefined {
    const privateKey = this.pending.get(secondary);
    if (!privateKey) return undefined;
    try {
      const s = JSON.parse(Buffer.from(sealed, 'base64').toString('utf8')) as Record<string, string>;
      const epk = createPublicKey({ key: Buffer.from(s['epk']!, 'base64'), format: 'der', type: 'spki' });
      const decipher = createDecipheriv(
        'aes-256-gcm',
        aesKey(diffieHellman({ privateKey, publicKey: epk })),
        Buffer.from(s['iv']!, 'base64'),
      );
      decipher.setAuthTag(Buffer.from(s['tag']!, 'base64'));
      const token = Buffer.concat([decipher.update(Buffer.from(s['ct']!, 'base64')), decipher.final()]).toString(
        'utf8',
      );
      this.pending.delete(secondary);
      return token;
    } catch {
      return undefined;
    }
  }
}
