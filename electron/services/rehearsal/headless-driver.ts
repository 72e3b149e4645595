/**
 * Plays every role of a ceremony without people, for rehearsals and benchmarks: the roll call,
 * each acknowledgement, witnessing each deviation (and, after a restart lost the DR operation
 * token, the administrator proposing to waive its deletion, which they and a witness then sign), each officer entering their PGP-encrypted
 * share (shown whose it is first, then decrypted with openpgp.js, or with gpg for a person whose
 * key is in a GnuPG home or on a smartcard), each signed authorisation of an irreversible step,
 * and each signature (after a signed abort too: an aborted ceremony's transcript is signed like any
 * other's), through the same backends. It uses
 * only the service's public calls, exactly as the wizard does. A failed Vault action ends the
 * run: a headless rehearsal does not retry on its own.
 */
import type { ServiceStatus } from '../../../shared/ceremony/ceremony-snapshot';
import { isTerminalStep } from '../../../shared/ceremony/step-catalogue';
import type { CeremonyService, ShareUnlock } from '../ceremony/ceremony-service';
import { createGpgSigner } from '../pgp/gpg-signer';
import { openPgpKeySigner } from '../pgp/openpgp-signer';
import type { Signer } from '../pgp/signer';
import { err, ok, type Result } from '../../../shared/result';
import type { CastMember, RehearsalCast } from './rehearsal-cast';

export interface DriverOptions {
  readonly log: (line: string) => void;
  /** Milliseconds to wait before each person's step, so people can follow along (default 0). */
  readonly pace?: number;
  /** Stops playing (successfully) as soon as this holds, before the next move. */
  readonly until?: (status: ServiceStatus) => boolean;
}

export type DriverErrorKind = 'ceremony-failed';

/** Far more moves than any ceremony needs; beyond it something loops. */
const MAX_MOVES = 5_000;

export async function playCeremony(
  service: CeremonyService,
  cast: RehearsalCast,
  options: DriverOptions,
): Promise<Result<ServiceStatus, DriverErrorKind>> {
  const fail = (why: string) => err('ceremony-failed', why);
  let lastFailure: { readonly step: string; readonly message: string } | undefined;
  for (let move = 0; move < MAX_MOVES; move++) {
    const status = service.status();
    const v = status;
    if (status.stopped) return fail(status.lastError?.message ?? 'the ceremony stopped');
    if (isTerminalStep(v.step) || options.until?.(status)) return ok(status);
    if (options.pace) await new Promise((resolve) => setTimeout(resolve, options.pace));

    const open = v.openDeviations[0];
    const request = v.acknowledgements[0]?.anyOf[0];
    let moved: Awaited<ReturnType<CeremonyService['act']>>;
    // An abort or a waiver is an open deviation too, but one that is signed, not witnessed.
    if (open && !v.proposal) {
      const witness = cast.witnesses.find((w) => w.name !== open.raisedBy) ?? cast.administrator;
      options.log(`  ${witness.name} witnesses deviation #${open.id} (${open.kind})`);
      moved = await service.act({ type: 'deviationWitnessed', id: open.id, actor: witness.name });
    } else if (status.input === 'share' && request) {
      const officer = member(cast.officers, request.name);
      if (!officer) return fail(`no key material for officer '${request.name}'`);
      const inspected = await service.inspectShare(officer.encryptedShare);
      if (!inspected.ok) return fail(inspected.error.message);
      options.log(`  ${officer.name} enters a share for ${inspected.value.officer}, key ${inspected.value.keyId}`);
      moved = await service.submitShare({
        officer: officer.name,
        pasted: officer.encryptedShare,
        unlock: unlockOf(officer),
      });
    } else if (status.input === 'signature' && request) {
      const signer = member([cast.administrator, ...cast.witnesses], request.name);
      if (!signer) return fail(`no signing key for '${request.name}'`);
      const key = await castSigner(signer);
      if (!key.ok) return fail(key.error.message);
      options.log(`  ${signer.name} signs the transcript${signer.gpg ? ' with GnuPG' : ''}`);
      moved = await service.sign({ signer: signer.name, key: key.value });
    } else if (status.input === 'authorisation' && request) {
      const person = member([cast.administrator, ...cast.witnesses], request.name);
      if (!person) return fail(`no signing key for '${request.name}'`);
      const key = await castSigner(person);
      if (!key.ok) return fail(key.error.message);
      const what = v.proposal
        ? `${v.proposal.kind === 'abort' ? 'aborting' : 'waiving'} at '${v.title}'`
        : `'${v.title}'`;
      options.log(
        `  ${person.name} signs the authorisation of ${what}${person.gpg ? ' with GnuPG' : ''} (${status.authorisation?.sha256 ?? '?'})`,
      );
      moved = await service.authorise(key.value);
    } else if (status.input === 'root-token' && cast.primaryRootToken !== undefined) {
      options.log(`  ${cast.administrator.name} enters the primary's root token`);
      moved = await service.provideToken(cast.primaryRootToken);
    } else if (status.input === 'vault-token' && cast.primaryRootToken !== undefined) {
      // The rehearsal's root token stands in for the administrator's own sudo token.
      options.log(`  ${cast.administrator.name} enters a Vault token with sudo (the rehearsal's root token)`);
      moved = await service.provideToken(cast.primaryRootToken);
    } else if (status.input === 'retry') {
      return fail(status.lastError?.message ?? v.lastResult ?? 'an action failed');
    } else if (request) {
      moved = await service.act({ type: 'acknowledge', step: v.step, actor: request.name, role: request.role });
    } else if (v.step === 'delete-operation-token' && !v.action) {
      // A restart lost the token before it was deleted; the machine waits for the administrator to
      // propose waiving the deletion, which they and a witness then authorise by signature.
      options.log(
        `  ${cast.administrator.name} records that the DR operation token was lost before it could be deleted`,
      );
      moved = await service.act({
        type: 'deviation',
        kind: 'token-not-deleted',
        actor: cast.administrator.name,
        reason: 'the restart lost the DR operation token before it was deleted',
      });
    } else {
      return fail(`the ceremony waits at '${v.title}' for something a headless rehearsal cannot give (${v.awaiting})`);
    }
    if (!moved.ok) return fail(moved.error.message);
    // A failed action is often followed by a deviation the machine raises (a lost attempt, a changed
    // nonce) and the ceremony moves on; but the same failure again at the same step (an unreachable
    // server; promote refused, re-authorised in between, which clears lastError) would otherwise be
    // offered again for thousands of moves: stop and say why.
    const after = service.status();
    const failed = after.lastError?.message;
    if (lastFailure?.step !== after.step) lastFailure = undefined;
    if (failed === undefined) continue;
    if (failed === lastFailure?.message) return fail(failed);
    lastFailure = { step: after.step, message: failed };
  }
  return fail(`the ceremony did not end within ${MAX_MOVES} moves`);
}

function member<T extends CastMember>(people: readonly T[], name: string): T | undefined {
  return people.find((p) => p.name === name);
}

function unlockOf(officer: CastMember): ShareUnlock {
  if (officer.gpg) return { kind: 'gpg', gnupgHome: officer.gpg.homedir, pinFile: officer.gpg.pinFile };
  return {
    kind: 'openpgp',
    privateKeyArmored: officer.privateKeyArmored,
    ...(officer.passphrase ? { passphrase: officer.passphrase } : {}),
  };
}

/** The signer's own backend: gpg with their home and PIN file, or openpgp.js with their key. */
export async function castSigner(person: CastMember): Promise<Result<Signer, string>> {
  if (person.gpg)
    return ok(
      createGpgSigner({
        name: person.name,
        fingerprint: person.fingerprint,
        homedir: person.gpg.homedir,
        pinFile: person.gpg.pinFile,
      }),
    );
  return openPgpKeySigner(
    {
      armoredPrivateKey: person.privateKeyArmored,
      ...(person.passphrase ? { passphrase: person.passphrase } : {}),
    },
    { name: person.name },
  );
}
