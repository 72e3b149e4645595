import { describe, expect, it } from 'vitest';
import { GPG_ERR, gpgDecryptFailure } from './gpg-status';

// Status output as GnuPG 2.2.40 wrote it for each case (see the interop tests for live runs).
const status = (...lines: string[]) => lines.map((l) => `[GNUPG:] ${l}\n`).join('');
const ENC_TO = 'ENC_TO 3981E77DB70C2784 18 0';
const KEY = 'KEY_CONSIDERED CD91BE43272E43D030F62251A7078924D45B28B4 0';

describe('gpgDecryptFailure', () => {
  it('accepts only exit 0 with DECRYPTION_OKAY and no failure line', () => {
    const okay = status(
      ENC_TO,
      KEY,
      'DECRYPTION_KEY A2888091433717F364F36C333981E77DB70C2784 CD91BE43272E43D030F62251A7078924D45B28B4 u',
      'BEGIN_DECRYPTION',
      'DECRYPTION_INFO 2 9 0',
      'PLAINTEXT 62 1795457491 share.txt',
      'PLAINTEXT_LENGTH 66',
      'DECRYPTION_OKAY',
      'GOODMDC',
      'END_DECRYPTION',
    );
    expect(gpgDecryptFailure(okay, 0)).toBeUndefined();
    expect(gpgDecryptFailure(okay, 2)?.kind).toBe('decryption-failed');
    expect(gpgDecryptFailure(okay + status('BADMDC'), 0)?.kind).toBe('decryption-failed');
    expect(gpgDecryptFailure(status(ENC_TO, 'BEGIN_DECRYPTION', 'END_DECRYPTION'), 0)?.kind).toBe('decryption-failed');
  });

  it("names a wrong passphrase and a cancelled pinentry from the agent's error code", () => {
    const failed = (code: number) =>
      status(
        ENC_TO,
        KEY,
        'PINENTRY_LAUNCHED 3   ',
        KEY,
        `ERROR pkdecrypt_failed ${code}`,
        'BEGIN_DECRYPTION',
        'DECRYPTION_FAILED',
        'END_DECRYPTION',
      );
    expect(gpgDecryptFailure(failed(67108875), 2)).toEqual({ kind: 'bad-passphrase', code: GPG_ERR.BAD_PASSPHRASE });
    expect(gpgDecryptFailure(failed(83886179), 2)).toEqual({ kind: 'cancelled', code: GPG_ERR.CANCELED });
  });

  it('names smartcard trouble', () => {
    const failed = (source: number, code: number) =>
      status(
        ENC_TO,
        KEY,
        `ERROR pkdecrypt_failed ${(source << 24) | code}`,
        'BEGIN_DECRYPTION',
        'DECRYPTION_FAILED',
        'END_DECRYPTION',
      );
    expect(gpgDecryptFailure(failed(4, GPG_ERR.NO_SCDAEMON), 2)).toEqual({
      kind: 'card-not-present',
      code: GPG_ERR.NO_SCDAEMON,
    });
    expect(gpgDecryptFailure(failed(6, GPG_ERR.CARD_NOT_PRESENT), 2)?.kind).toBe('card-not-present');
    expect(gpgDecryptFailure(failed(6, GPG_ERR.CARD_REMOVED), 2)?.kind).toBe('card-not-present');
    expect(gpgDecryptFailure(failed(6, GPG_ERR.ENODEV), 2)?.kind).toBe('card-not-present');
    expect(gpgDecryptFailure(failed(6, GPG_ERR.PIN_BLOCKED), 2)).toEqual({
      kind: 'card-error',
      code: GPG_ERR.PIN_BLOCKED,
    });
    expect(gpgDecryptFailure(failed(6, GPG_ERR.BAD_PIN), 2)).toEqual({ kind: 'bad-passphrase', code: GPG_ERR.BAD_PIN });
    expect(gpgDecryptFailure(failed(4, GPG_ERR.NO_PIN_ENTRY), 2)?.kind).toBe('pinentry-failed');
    expect(gpgDecryptFailure(failed(5, GPG_ERR.TIMEOUT), 2)?.kind).toBe('timeout');
  });

  it('reports a missing secret key only when no key decrypted', () => {
    const none = status(
      'ENC_TO 94FBBFDEA314681E 18 0',
      'NO_SECKEY 94FBBFDEA314681E',
      'BEGIN_DECRYPTION',
      'DECRYPTION_FAILED',
      'END_DECRYPTION',
    );
    expect(gpgDecryptFailure(none, 2)?.kind).toBe('no-secret-key');
    const another = status(
      'ENC_TO 94FBBFDEA314681E 18 0',
      ENC_TO,
      'NO_SECKEY 94FBBFDEA314681E',
      'DECRYPTION_KEY A2888091433717F364F36C333981E77DB70C2784 CD91BE43272E43D030F62251A7078924D45B28B4 u',
      'BEGIN_DECRYPTION',
      'DECRYPTION_OKAY',
      'GOODMDC',
      'END_DECRYPTION',
    );
    expect(gpgDecryptFailure(another, 0)).toBeUndefined();
  });

  it('calls a damaged message a decryption failure, and silence a gpg failure', () => {
    const corrupt = status(
      ENC_TO,
      KEY,
      'DECRYPTION_KEY A2888091433717F364F36C333981E77DB70C2784 CD91BE43272E43D030F62251A7078924D45B28B4 u',
      'BEGIN_DECRYPTION',
      'DECRYPTION_INFO 2 9 0',
    );
    expect(gpgDecryptFailure(corrupt, 2)?.kind).toBe('decryption-failed');
    expect(gpgDecryptFailure('', 2)?.kind).toBe('gpg-failed');
    expect(gpgDecryptFailure('not a status line\n', 0)?.kind).toBe('gpg-failed');
  });
});
