/**
 * A Vault client that records what the ceremony read and sent over the wire (OTP lengths, OTPs,
 * shares, encoded and decoded DR operation tokens, secondary activation tokens), then does exactly
 * what the real client does: for tests that must see secrets the service never writes down.
 */
import type { VaultClient } from '../../electron/services/vault/client';

export interface Wire {
  /** `otp_length` of every attempt-status read (0 when the server sent none). */
  readonly otpLengths: number[];
  readonly otps: string[];
  readonly keys: string[];
  readonly encoded: string[];
  /** DR operation tokens sent with promote, and with operation-token/delete. */
  readonly promoted: string[];
  readonly deleted: string[];
  /** Every DR operation token sent, in order (promote, delete, update-primary). */
  readonly tokens: string[];
  /** Secondary activation tokens, as the primary handed them out and as update-primary sent them. */
  readonly activation: string[];
}

export function newWire(): Wire {
  return { otpLengths: [], otps: [], keys: [], encoded: [], promoted: [], deleted: [], tokens: [], activation: [] };
}

export function observing(client: VaultClient, wire: Wire): VaultClient {
  const dr = client.drOperationToken;
  return {
    ...client,
    drOperationToken: {
      ...dr,
      status: async () => {
        const r = await dr.status();
        if (r.ok) wire.otpLengths.push(r.value.data.otp_length);
        return r;
      },
      start: (init) => {
        if ('otp' in init && typeof init.otp === 'string') wire.otps.push(init.otp);
        return dr.start(init);
      },
      submitShare: async (share) => {
        wire.keys.push(share.key);
        const r = await dr.submitShare(share);
        if (r.ok && r.value.data.encoded_token) wire.encoded.push(r.value.data.encoded_token);
        return r;
      },
      delete: (token) => {
        wire.deleted.push(token);
        wire.tokens.push(token);
        return dr.delete(token);
      },
    },
    dr: {
      ...client.dr,
      primary: {
        ...client.dr.primary,
        secondaryToken: async (o) => {
          const r = await client.dr.primary.secondaryToken(o);
          if (r.ok) wire.activation.push(r.value.data.token);
          return r;
        },
      },
      secondary: {
        ...client.dr.secondary,
        promote: (o) => {
          wire.promoted.push(o.drOperationToken);
          wire.tokens.push(o.drOperationToken);
          return client.dr.secondary.promote(o);
        },
        updatePrimary: (o) => {
          wire.tokens.push(o.drOperationToken);
          if (o.token !== undefined) wire.activation.push(o.token);
          return client.dr.secondary.updatePrimary(o);
        },
      },
    },
  };
}
