/**
 * The rehearsal kit: what people take part with in an in-app rehearsal, as files they choose
 * in the wizard's file dialogs, laid out like `vault-ceremony rehearsal-vault` does:
 *
 *   KIT/plan.yaml                      the generated plan, for review
 *   KIT/shares/NAME.b64                each officer's share as Vault handed it out (PGP-encrypted)
 *   KIT/officers/NAME.pub.asc, .key.asc   officers' keys (.key.asc only for generated keys)
 *   KIT/signers/NAME.pub.asc, .key.asc    the administrator's and witnesses' signing keys
 *   KIT/ceremony/journal.jsonl         the ceremony's journal (written by the service)
 *
 * Rehearsal keys are throwaway and say "rehearsal" in their user IDs; private keys are written
 * 0600 in a 0700 folder, protected by the passphrase chosen for the rehearsal, if any.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { CeremonyPlan } from '../../../shared/ceremony/ceremony-plan';
import { err, ok, type Result } from '../../../shared/result';
import type { CastMember } from './rehearsal-cast';
import { describeFsError } from '../files/fs-error';
import type { RehearsalOfficer } from '../../../rehearsal-vault/rehearsal-cluster-set';

export const KIT_JOURNAL = join('ceremony', 'journal.jsonl');

/** Where a kit keeps a signer's private key (generated for a rehearsal), under `kitDir`. */
export function signingKeyIn(kitDir: string, signer: string): string {
  return join(kitDir, 'signers', `${signer}.key.asc`);
}

export async function writeRehearsalKit(
  dir: string,
  kit: {
    readonly plan: CeremonyPlan;
    readonly officers: readonly RehearsalOfficer[];
    readonly signers: readonly CastMember[];
  },
): Promise<Result<void, 'kit-unwritable'>> {
  const files: Array<[path: string, text: string, secret: boolean]> = [
    ['plan.yaml', stringify(kit.plan), false],
    ...kit.officers.flatMap((o): Array<[string, string, boolean]> => [
      [join('shares', `${o.name}.b64`), `${o.encryptedShare}\n`, false],
      ...(o.publicKeyArmored
        ? [[join('officers', `${o.name}.pub.asc`), o.publicKeyArmored, false] as [string, string, boolean]]
        : []),
      ...(o.privateKeyArmored
        ? [[join('officers', `${o.name}.key.asc`), o.privateKeyArmored, true] as [string, string, boolean]]
        : []),
    ]),
    ...kit.signers.flatMap((s): Array<[string, string, boolean]> => [
      [join('signers', `${s.name}.pub.asc`), s.publicKeyArmored, false],
      [signingKeyIn('', s.name), s.privateKeyArmored, true],
    ]),
  ];
  try {
    for (const sub of ['', 'shares', 'officers', 'signers', 'ceremony'])
      await mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
    for (const [path, text, secret] of files)
      await writeFile(join(dir, path), text, { flag: 'wx', mode: secret ? 0o600 : 0o644 });
  } catch (e) {
    return err('kit-unwritable', `cannot write the rehearsal kit in ${dir}: ${describeFsError(e)}`);
  }
  return ok(undefined);
}
