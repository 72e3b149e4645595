/**
 * The statement the administrator and a witness each sign, with their own key, before what cannot
 * be undone: the step catalogue's irreversible calls (promote, with or without force, demote,
 * update-primary, a destructive operation's call), aborting the ceremony, and waiving a step's
 * action. A click never authorises these; a detached OpenPGP signature over this exact text does.
 * An abort's or a waiver's action line carries the reason typed, JSON-quoted, so the signature
 * covers why as well as what; its step is the step the ceremony was at.
 *
 * The statement binds the ceremony, the step and what it does, the cluster, a fresh random nonce
 * and the journal head (the hash of the last event before the laptop asked for authorisation), so
 * a signature cannot be replayed in another ceremony, on another step or cluster, for an earlier
 * request, or over a journal that said something else. The service asks afresh (new nonce, new
 * head) whenever the authorisation lapses: a failed call, force approved, a restart.
 */
import { sha256Text } from '../record/journal-event';
import type { StepId } from './ceremony-steps';

/**
 * The statement's layout. Aborts and waivers added values (any step; an action with a quoted
 * reason), not lines, so statements signed before them read the same and keep this version.
 */
export const STATEMENT_FORMAT = 'vault-ceremony-authorisation/1';

export interface AuthorisationStatement {
  readonly ceremony: string;
  readonly step: StepId;
  /**
   * What is authorised, in words: `promote`, `promote with force`, `demote`, `update-primary`, the
   * operation's title, `abort: "<reason>"` or `waive <step>: "<reason>"`.
   */
  readonly action: string;
  /** The plan's profile for the cluster the call changes. */
  readonly cluster: string;
  /** Random, lowercase hex, chosen by the laptop when it asks. */
  readonly nonce: string;
  /** SHA-256 (hex) of the last journal event before the request. */
  readonly head: string;
}

/** The exact text signed, one field a line; the same fields always give the same bytes. */
export function statementText(s: AuthorisationStatement): string {
  return [
    STATEMENT_FORMAT,
    `Ceremony: ${JSON.stringify(s.ceremony)}`,
    `Step: ${s.step}`,
    `Action: ${s.action}`,
    `Cluster: ${JSON.stringify(s.cluster)}`,
    `Nonce: ${s.nonce}`,
    `Journal head: ${s.head}`,
    '',
  ].join('\n');
}

/** SHA-256 (hex) of the statement text: how the journal and the transcript name what was signed. */
export function statementDigest(s: AuthorisationStatement): string {
  return sha256Text(statementText(s));
}

export function isStatementNonce(text: unknown): text is string {
  return typeof text === 'string' && /^[0-9a-f]{32,64}$/.test(text);
}

export function isJournalHead(text: unknown): text is string {
  return typeof text === 'string' && /^[0-9a-f]{64}$/.test(text);
}

/** An armored detached signature, bounded: the machine records it, the service and `verify` check it. */
export function isArmoredSignature(text: unknown): text is string {
  return (
    typeof text === 'string' &&
    text.length <= 8192 &&
    text.startsWith('-----BEGIN PGP SIGNATURE-----\n') &&
    text.trimEnd().endsWith('-----END PGP SIGNATURE-----')
  );
}
