/**
 * A person's signed authorisation of an irreversible step, an abort or a waiver: their Signer (openpgp.js key file and
 * passphrase, or gpg with a card PIN) signs the machine's current statement (detached, armored),
 * and the signature is checked against the public key the Signer reports for the key the plan
 * names, before anything is journaled. The machine then checks the rest (who, role, fingerprint,
 * nonce and head); `verify` checks the signature again from the bundle.
 */
import { utf8ToBytes } from '../../../shared/codecs/bytes';
import { statementDigest, statementText } from '../../../shared/ceremony/authorisation';
import type { CeremonyEvent } from '../../../shared/ceremony/ceremony-events';
import { authoriseRefusal, type CeremonyState } from '../../../shared/ceremony/ceremony-machine';
import { signers } from '../../../shared/ceremony/step-catalogue';
import { err, ok, type Result } from '../../../shared/result';
import { detachedSignatureProblem } from '../pgp/detached-signature';
import { parseKeys } from '../pgp/public-keys';
import type { Signer } from '../pgp/signer';

export type AuthorisationErrorKind = 'refused' | 'signing-failed';

export interface SignedAuthorisation {
  readonly event: Extract<CeremonyEvent, { type: 'authorise' }>;
  /** SHA-256 of the statement signed: how the journal and the transcript name it. */
  readonly statementSha256: string;
  /** The statement's action, which the journal records beside it for the transcript to show. */
  readonly action: string;
}

export async function signAuthorisation(
  state: CeremonyState,
  signer: Signer,
  at: () => string,
): Promise<Result<SignedAuthorisation, AuthorisationErrorKind>> {
  const refusal = authoriseRefusal(state, signer.name);
  if (refusal) return err('refused', refusal.message);
  const statement = state.statement;
  const person = signers(state.plan).find((p) => p.name === signer.name);
  if (!statement || !person) return err('refused', `'${signer.name}' cannot authorise this step`);
  if (signer.fingerprint !== person.fingerprint)
    return err(
      'refused',
      `the key given is ${signer.fingerprint.toUpperCase()}, but the plan names ${person.fingerprint.toUpperCase()} for '${person.name}': nothing was signed`,
    );
  const text = statementText(statement);
  const signature = await signer.detachSign(utf8ToBytes(text));
  if (!signature.ok) return err('signing-failed', signature.error.message);
  const publicKey = await signer.publicKey();
  if (!publicKey.ok) return err('signing-failed', publicKey.error.message);
  const key = (await parseKeys(utf8ToBytes(publicKey.value)))?.find((k) => k.getFingerprint() === person.fingerprint);
  const problem = key
    ? await detachedSignatureProblem(signature.value, text, key)
    : `the signer did not give the public key ${person.fingerprint.toUpperCase()}`;
  if (problem !== undefined)
    return err('signing-failed', `${person.name}'s authorisation did not check out (${problem}); nothing was recorded`);
  return ok({
    event: {
      type: 'authorise',
      step: statement.step,
      actor: person.name,
      role: person === state.plan.administrator ? 'administrator' : 'witness',
      fingerprint: person.fingerprint,
      nonce: statement.nonce,
      head: statement.head,
      signature: signature.value,
      at: at(),
    },
    statementSha256: statementDigest(statement),
    action: statement.action,
  });
}
