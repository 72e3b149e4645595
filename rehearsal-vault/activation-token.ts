/**
 * Secondary activation tokens: like Vault Enterprise's, a wrapping token in JWT form (ES512)
 * whose claims carry the primary's API address (`addr`), so `secondary/enable` knows where to
 * unwrap it. Single use and short-lived; the registry stands in for the primary's wrapping
 * store.
 */
import { generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { err, ok, type Result } from '../shared/result';
import type { Cluster } from './cluster';
import type { ReplicationKind } from './replication-state';

export interface ActivationGrant {
  readonly primary: Cluster;
  readonly kind: ReplicationKind;
  readonly secondaryId: string;
}

export interface IssuedActivationToken {
  readonly token: string;
  readonly accessor: string;
  readonly ttl: number;
  readonly creationTime: string;
}

export type ActivationErrorKind = 'invalid-activation-token';

/** Vault's text for an unknown, used or expired wrapping token. */
const NOT_VALID = 'wrapping token is not valid or does not exist';

export class ActivationTokens {
  private readonly keys: { publicKey: KeyObject; privateKey: KeyObject } = generateKeyPairSync('ec', {
    namedCurve: 'P-521',
  });
  private readonly grants = new Map<string, ActivationGrant & { expiresAt: number }>();

  issue(grant: ActivationGrant, ttlSeconds: number, now = Date.now()): IssuedActivationToken {
    const jti = randomUUID();
    // The wrapping token's own accessor, in wrap_info and in the JWT's claims (a UUID, as Vault's wrap_info shows it).
    const accessor = randomUUID();
    const iat = Math.floor(now / 1000);
    const header = b64url({ alg: 'ES512', typ: 'JWT' });
    const claims = b64url({
      accessor,
      addr: grant.primary.apiAddr,
      exp: iat + ttlSeconds,
      iat,
      jti,
      nbf: iat - 5,
      type: 'wrapping',
    });
    const signature = sign('sha512', Buffer.from(`${header}.${claims}`), {
      key: this.keys.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    this.grants.set(jti, { ...grant, expiresAt: now + ttlSeconds * 1000 });
    return {
      token: `${header}.${claims}.${signature.toString('base64url')}`,
      accessor,
      ttl: ttlSeconds,
      creationTime: new Date(now).toISOString(),
    };
  }

  /** The primary API address a token names in its claims (`addr`), without checking it. */
  static address(token: string): string {
    try {
      const claims = JSON.parse(Buffer.from(token.trim().split('.')[1] ?? '', 'base64url').toString('utf8')) as {
        addr?: unknown;
      };
      return typeof claims.addr === 'string' ? claims.addr : '';
    } catch {
      return '';
    }
  }

  /**
   * Unwraps (and so uses up) a token for `kind` at cluster `at` (undefined: no unwrap call, as
   * with a token sealed to the secondary's key); only its issuing primary's wrapping store knows it.
   */
  redeem(
    token: string,
    kind: ReplicationKind,
    at: Cluster | undefined,
    now = Date.now(),
  ): Result<ActivationGrant, ActivationErrorKind> {
    const parts = token.trim().split('.');
    if (parts.length !== 3) return err('invalid-activation-token', NOT_VALID);
    const [header, claims, signature] = parts as [string, string, string];
    const signed = verify(
      'sha512',
      Buffer.from(`${header}.${claims}`),
      { key: this.keys.publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    if (!signed) return err('invalid-activation-token', NOT_VALID);
    let jti: unknown;
    try {
      jti = (JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { jti?: unknown }).jti;
    } catch {
      return err('invalid-activation-token', NOT_VALID);
    }
    const grant = typeof jti === 'string' ? this.grants.get(jti) : undefined;
    if (!grant || grant.expiresAt <= now || grant.kind !== kind || (at && at !== grant.primary))
      return err('invalid-activation-token', NOT_VALID);
    this.grants.delete(jti as string);
    return ok({ primary: grant.primary, kind: grant.kind, secondaryId: grant.secondaryId });
  }

  /** Forgets unredeemed tokens for one secondary ID (revoke-secondary). */
  revokeFor(primary: Cluster, kind: ReplicationKind, secondaryId: string): void {
    for (const [jti, g] of this.grants)
      if (g.primary === primary && g.kind === kind && g.secondaryId === secondaryId) this.grants.delete(jti);
  }
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
