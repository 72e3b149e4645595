/**
 * The people of a headless rehearsal from a cast file (`rehearse --cluster … --cast CAST.json`),
 * as the brief's Interfaces section defines it:
 *
 *   {"administrator":P,"witnesses":[P,…],"officers":[P,…]}
 *   P = {"name":"…","fingerprint":"40 hex","key":K}
 *   K = {"gpg":{"homedir":"PATH","pin_file":"PATH"}}
 *     | {"openpgp":{"private_key_file":"PATH","passphrase_file":"PATH"|null}}
 *
 * Paths are relative to CAST.json. A gpg person's key stays in their GnuPG home (maybe on a card):
 * every use goes through gpg, which checks the home and card hold the named key first
 * (../pgp/gpg-person.ts). An openpgp person's key file must hold the named key; its passphrase is
 * read here and kept in memory for the run. Nothing is used before every person is read.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import * as z from 'zod';
import { err, ok, type Result } from '../../../shared/result';
import { readSmallTextFile } from '../files/regular-file';
import { createGpgSigner } from '../pgp/gpg-signer';
import { openPgpKeySigner } from '../pgp/openpgp-signer';
import type { CastMember } from './rehearsal-cast';

const path = z.string().min(1, 'must be a path');
const person = z.strictObject({
  name: z.string().trim().min(1, 'must be a name').max(100),
  fingerprint: z
    .string()
    .regex(/^[0-9A-Fa-f]{40}$/, 'must be a 40-hex-digit OpenPGP v4 fingerprint')
    .transform((f) => f.toLowerCase()),
  key: z.union(
    [
      z.strictObject({ gpg: z.strictObject({ homedir: path, pin_file: path }) }),
      z.strictObject({ openpgp: z.strictObject({ private_key_file: path, passphrase_file: path.nullable() }) }),
    ],
    { error: 'must be {"gpg":{"homedir","pin_file"}} or {"openpgp":{"private_key_file","passphrase_file"}}' },
  ),
});
const castSchema = z.strictObject({
  administrator: person,
  witnesses: z.array(person),
  officers: z.array(person).min(1, 'must name at least one officer'),
});

export interface CastPeople {
  readonly administrator: CastMember;
  readonly witnesses: readonly CastMember[];
  /** Officers by name; their shares come from the rehearsal Vault. */
  readonly officers: readonly CastMember[];
}

export type CastFileErrorKind = 'cast-invalid';

export async function readCastFile(castJson: string): Promise<Result<CastPeople, CastFileErrorKind>> {
  const invalid = (why: string) => err('cast-invalid', `${castJson}: ${why}`);
  const text = await readSmallTextFile(castJson, 'the cast file');
  if (!text.ok) return err('cast-invalid', text.error.message);
  let data: unknown;
  try {
    data = JSON.parse(text.value);
  } catch {
    return invalid('it is not valid JSON');
  }
  const parsed = castSchema.safeParse(data);
  if (!parsed.success)
    return invalid(
      parsed.error.issues
        .map((i) => `${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')} ${i.message}`)
        .join('; '),
    );
  const { administrator, witnesses, officers } = parsed.data;
  const names = [administrator, ...witnesses, ...officers].map((p) => p.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) return invalid(`'${twice}' is named twice: one person, one role`);
  const at = (p: string) => (isAbsolute(p) ? p : join(dirname(resolve(castJson)), p));
  const members: CastMember[] = [];
  for (const p of [administrator, ...witnesses, ...officers]) {
    const member = await castMember(p, at);
    if (!member.ok) return invalid(member.error.message);
    members.push(member.value);
  }
  return ok({
    administrator: members[0]!,
    witnesses: members.slice(1, 1 + witnesses.length),
    officers: members.slice(1 + witnesses.length),
  });
}

/** One person, their key checked to be the named one; a gpg key only as far as its public half. */
async function castMember(
  p: z.infer<typeof person>,
  at: (path: string) => string,
): Promise<Result<CastMember, string>> {
  const { name, fingerprint } = p;
  if ('gpg' in p.key) {
    const gpg = { homedir: at(p.key.gpg.homedir), pinFile: at(p.key.gpg.pin_file) };
    const publicKey = await createGpgSigner({ name, fingerprint, ...gpg }).publicKey();
    if (!publicKey.ok) return err('cast-invalid', publicKey.error.message);
    return ok({
      name,
      fingerprint,
      publicKeyArmored: publicKey.value,
      privateKeyArmored: '',
      passphrase: undefined,
      gpg,
    });
  }
  const { private_key_file: keyFile, passphrase_file: passphraseFile } = p.key.openpgp;
  const key = await readSmallTextFile(at(keyFile), `${name}'s private key file`);
  if (!key.ok) return err('cast-invalid', key.error.message);
  let passphrase: string | undefined;
  if (passphraseFile !== null) {
    const read = await readSmallTextFile(at(passphraseFile), `${name}'s passphrase file`);
    if (!read.ok) return err('cast-invalid', read.error.message);
    passphrase = read.value.split(/\r?\n/)[0] ?? '';
  }
  const signer = await openPgpKeySigner({ armoredPrivateKey: key.value }, { name });
  if (!signer.ok) return err('cast-invalid', `${name}: ${signer.error.message}`);
  if (signer.value.fingerprint !== fingerprint)
    return err(
      'cast-invalid',
      `${at(keyFile)} holds key ${signer.value.fingerprint.toUpperCase()}, but the cast names ${fingerprint.toUpperCase()} for ${name}`,
    );
  const publicKey = await signer.value.publicKey();
  if (!publicKey.ok) return err('cast-invalid', publicKey.error.message);
  return ok({ name, fingerprint, publicKeyArmored: publicKey.value, privateKeyArmored: key.value, passphrase });
}
