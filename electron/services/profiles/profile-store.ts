/**
 * Connection profiles, saved as one JSON file in the app's data directory. A profile holds an
 * address and file paths, never key material or tokens (the schema has nowhere to put them).
 * Writes are atomic (temporary file, fsync, rename, fsync of the directory), so a crash leaves
 * the old list or the new one; a damaged file is reported and left alone, never overwritten.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import {
  connectionProfileSchema,
  parseConnectionProfile,
  type ConnectionProfile,
} from '../../../shared/profiles/connection-profile';
import { err, ok, type Result } from '../../../shared/result';
import { writeFileAtomically } from '../files/durable-write';

export type ProfileStoreErrorKind =
  'store-unreadable' | 'store-damaged' | 'store-unwritable' | 'no-such-profile' | 'profile-exists' | 'invalid-profile';

export interface ProfileStore {
  /** The file the profiles live in, for messages. */
  readonly path: string;
  list(): Promise<Result<readonly ConnectionProfile[], ProfileStoreErrorKind>>;
  get(name: string): Promise<Result<ConnectionProfile, ProfileStoreErrorKind>>;
  /** Adds a profile; replaces one of the same name only when `replace` says so. */
  save(
    profile: ConnectionProfile,
    options: { readonly replace: boolean },
  ): Promise<Result<ConnectionProfile, ProfileStoreErrorKind>>;
  remove(name: string): Promise<Result<void, ProfileStoreErrorKind>>;
}

const FILE_NAME = 'profiles.json';

const storeFile = z.strictObject({ version: z.literal(1), profiles: z.array(connectionProfileSchema) });

export function openProfileStore(dataDir: string): ProfileStore {
  const path = join(dataDir, FILE_NAME);
  // One change at a time, each reading what the previous one wrote.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(change: () => Promise<T>): Promise<T> => {
    const next = queue.then(change, change);
    queue = next.catch(() => undefined);
    return next;
  };

  async function load(): Promise<Result<ConnectionProfile[], ProfileStoreErrorKind>> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return ok([]);
      return err(
        'store-unreadable',
        `The profile file ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'I/O error'}); check its permissions.`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return damaged('it is not valid JSON');
    }
    const parsed = storeFile.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return damaged(
        issue ? `${issue.path.map(String).join('.') || 'top level'}: ${issue.message}` : 'unexpected content',
      );
    }
    const names = parsed.data.profiles.map((p) => p.name);
    if (new Set(names).size !== names.length) return damaged('two profiles share a name');
    return ok(parsed.data.profiles);
  }

  function damaged(why: string): Result<never, 'store-damaged'> {
    return err(
      'store-damaged',
      `The profile file ${path} is damaged (${why}). It was left untouched: move it aside, then add the profiles again or import them from VAULT_* variables.`,
    );
  }

  async function write(profiles: readonly ConnectionProfile[]): Promise<Result<void, ProfileStoreErrorKind>> {
    try {
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      await writeFileAtomically(path, `${JSON.stringify({ version: 1, profiles }, null, 2)}\n`, 0o600);
      return ok(undefined);
    } catch (e) {
      return err(
        'store-unwritable',
        `The profiles could not be saved to ${path} (${(e as NodeJS.ErrnoException).code ?? 'I/O error'}); check that the directory is writable and the disk is not full. Nothing was changed.`,
      );
    }
  }

  const missing = (name: string) => err('no-such-profile', `There is no connection profile named '${name}'.`);

  return {
    path,
    list: () => serially(load),
    get: (name) =>
      serially(async () => {
        const all = await load();
        if (!all.ok) return all;
        const found = all.value.find((p) => p.name === name);
        return found ? ok(found) : missing(name);
      }),
    save: (candidate, { replace }) =>
      serially(async () => {
        // The last gate before the disk: whatever the caller's type says, only a valid profile,
        // with no field the schema does not name, is written.
        const parsed = parseConnectionProfile(candidate);
        if (!parsed.ok) return parsed;
        const profile = parsed.value;
        const all = await load();
        if (!all.ok) return all;
        const index = all.value.findIndex((p) => p.name === profile.name);
        if (index >= 0 && !replace) {
          return err(
            'profile-exists',
            `A connection profile named '${profile.name}' already exists; choose another name, or edit that profile to change it.`,
          );
        }
        const next = index >= 0 ? all.value.map((p, i) => (i === index ? profile : p)) : [...all.value, profile];
        const written = await write(next);
        return written.ok ? ok(profile) : written;
      }),
    remove: (name) =>
      serially(async () => {
        const all = await load();
        if (!all.ok) return all;
        if (!all.value.some((p) => p.name === name)) return missing(name);
        return write(all.value.filter((p) => p.name !== name));
      }),
  };
}
