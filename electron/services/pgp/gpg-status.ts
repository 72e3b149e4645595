/**
 * What gpg's machine-readable status lines (`--status-fd`, GnuPG doc/DETAILS) say about one
 * `gpg --decrypt` or `gpg --clearsign`/`--detach-sign`. Status lines are stable across locales and versions, unlike stderr text.
 * Error values are libgpg-error codes: source in the top byte, code in the low 16 bits.
 */

export type GpgDecryptFailureKind =
  | 'no-secret-key'
  | 'bad-passphrase'
  | 'cancelled'
  | 'card-not-present'
  | 'card-error'
  | 'pinentry-failed'
  | 'timeout'
  | 'decryption-failed'
  | 'gpg-failed';

export interface GpgDecryptFailure {
  readonly kind: GpgDecryptFailureKind;
  /** The libgpg-error code (without source), when gpg reported one. */
  readonly code?: number;
}

/** libgpg-error codes (gpg-error.h) that decide what the officer is told. */
export const GPG_ERR = {
  BAD_PASSPHRASE: 11,
  NO_SECKEY: 17,
  TIMEOUT: 62,
  NO_PIN_ENTRY: 85,
  PIN_ENTRY: 86,
  BAD_PIN: 87,
  WRONG_CARD: 91,
  CANCELED: 99,
  CARD: 108,
  CARD_RESET: 109,
  CARD_REMOVED: 110,
  CARD_NOT_PRESENT: 112,
  NOT_CONFIRMED: 114,
  NO_SCDAEMON: 119,
  SCDAEMON: 120,
  PIN_BLOCKED: 130,
  USE_CONDITIONS: 131,
  FULLY_CANCELED: 198,
  ENODEV: (1 << 15) | 80,
} as const;

const KIND_BY_CODE = new Map<number, GpgDecryptFailureKind>([
  [GPG_ERR.BAD_PASSPHRASE, 'bad-passphrase'],
  [GPG_ERR.BAD_PIN, 'bad-passphrase'],
  [GPG_ERR.CANCELED, 'cancelled'],
  [GPG_ERR.FULLY_CANCELED, 'cancelled'],
  [GPG_ERR.NO_SECKEY, 'no-secret-key'],
  [GPG_ERR.CARD_NOT_PRESENT, 'card-not-present'],
  [GPG_ERR.CARD_REMOVED, 'card-not-present'],
  [GPG_ERR.NO_SCDAEMON, 'card-not-present'],
  [GPG_ERR.ENODEV, 'card-not-present'],
  [GPG_ERR.CARD, 'card-error'],
  [GPG_ERR.CARD_RESET, 'card-error'],
  [GPG_ERR.WRONG_CARD, 'card-error'],
  [GPG_ERR.SCDAEMON, 'card-error'],
  [GPG_ERR.PIN_BLOCKED, 'card-error'],
  [GPG_ERR.USE_CONDITIONS, 'card-error'],
  [GPG_ERR.NOT_CONFIRMED, 'card-error'],
  [GPG_ERR.NO_PIN_ENTRY, 'pinentry-failed'],
  [GPG_ERR.PIN_ENTRY, 'pinentry-failed'],
  [GPG_ERR.TIMEOUT, 'timeout'],
]);

/** Parsed status lines: keyword to the argument strings of each occurrence. */
export function parseStatus(text: string): Map<string, string[][]> {
  const lines = new Map<string, string[][]>();
  for (const line of text.split('\n')) {
    const m = /^\[GNUPG:\] ([A-Z_]+)(?: (.*))?$/.exec(line.trimEnd());
    if (!m) continue;
    const list = lines.get(m[1]!) ?? [];
    list.push((m[2] ?? '').split(' '));
    lines.set(m[1]!, list);
  }
  return lines;
}

/**
 * Undefined when gpg decrypted and verified the message (exit 0, DECRYPTION_OKAY, no failure or
 * bad-MDC line); otherwise why not. The first ERROR with a known code wins, because it names the
 * root cause (e.g. a cancelled pinentry) while DECRYPTION_FAILED only says that it failed.
 */
export function gpgDecryptFailure(statusText: string, exitCode: number | null): GpgDecryptFailure | undefined {
  const status = parseStatus(statusText);
  const failed =
    status.has('DECRYPTION_FAILED') || status.has('BADMDC') || status.has('ERROR') || status.has('FAILURE');
  if (exitCode === 0 && status.has('DECRYPTION_OKAY') && !failed) return undefined;

  const known = failureFromCodes(status);
  if (known) return known;
  if (status.has('BAD_PASSPHRASE')) return { kind: 'bad-passphrase', code: GPG_ERR.BAD_PASSPHRASE };
  if (status.has('NO_SECKEY') && !status.has('DECRYPTION_KEY'))
    return { kind: 'no-secret-key', code: GPG_ERR.NO_SECKEY };
  if (failed || status.has('BEGIN_DECRYPTION')) return { kind: 'decryption-failed' };
  return { kind: 'gpg-failed' };
}

/** The first ERROR or FAILURE line (`<location> <code>`) whose code names a known cause. */
function failureFromCodes(status: Map<string, string[][]>): GpgDecryptFailure | undefined {
  for (const args of [...(status.get('ERROR') ?? []), ...(status.get('FAILURE') ?? [])]) {
    const code = Number(args[1]) & 0xffff;
    const kind = KIND_BY_CODE.get(code);
    if (kind) return { kind, code };
  }
  return undefined;
}

export type GpgSignFailureKind = Exclude<GpgDecryptFailureKind, 'decryption-failed'> | 'key-expired' | 'key-revoked';

export interface GpgSignFailure {
  readonly kind: GpgSignFailureKind;
  readonly code?: number;
}

/** INV_SGNR reasons (DETAILS, INV_RECP) that name the signer's problem. */
const INV_SGNR_KIND = new Map<string, GpgSignFailureKind>([
  ['1', 'no-secret-key'],
  ['4', 'key-revoked'],
  ['5', 'key-expired'],
  ['9', 'no-secret-key'],
]);

/**
 * Undefined when gpg made the signature (exit 0, SIG_CREATED, no FAILURE); otherwise why not.
 * Key state (expired, revoked, no secret) is named before card codes: it is the cause, and
 * retrying with another PIN cannot fix it.
 */
export function gpgSignFailure(statusText: string, exitCode: number | null): GpgSignFailure | undefined {
  const status = parseStatus(statusText);
  const failed = status.has('FAILURE') || status.has('ERROR') || status.has('INV_SGNR');
  if (exitCode === 0 && status.has('SIG_CREATED') && !failed) return undefined;
  for (const [reason] of status.get('INV_SGNR') ?? []) {
    const kind = INV_SGNR_KIND.get(reason ?? '');
    if (kind) return { kind };
  }
  if (status.has('KEYREVOKED')) return { kind: 'key-revoked' };
  if (status.has('KEYEXPIRED') || status.has('EXPKEYSIG')) return { kind: 'key-expired' };
  // SC_OP_FAILURE 2: the card said "Bad PIN"; CARDCTRL 4/5: no card, no reader.
  if (status.get('SC_OP_FAILURE')?.some(([code]) => code === '2'))
    return { kind: 'bad-passphrase', code: GPG_ERR.BAD_PIN };
  const known = failureFromCodes(status);
  if (known) return known as GpgSignFailure;
  if (status.get('CARDCTRL')?.some(([code]) => code === '4' || code === '5')) return { kind: 'card-not-present' };
  if (status.has('BAD_PASSPHRASE')) return { kind: 'bad-passphrase', code: GPG_ERR.BAD_PASSPHRASE };
  return { kind: 'gpg-failed' };
}
