/**
 * The SBOM of the project in a folder: its package-lock.json, the licenses its installed packages
 * declare where the lockfile has none, the Electron release checksums its locked electron package
 * pins, and SOURCE_DATE_EPOCH for the timestamp.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok, type Result } from '../../../shared/result';
import { parsePackageLock, type PackageLockError } from './package-lock';
import { buildSbom, serializeSbom, type SbomError } from './sbom';
import { sourceDateEpoch, type SourceDateEpochError } from './source-date-epoch';

export type ProjectSbomError = PackageLockError | SbomError | SourceDateEpochError | 'no-lockfile';

/** The serialized CycloneDX JSON. */
export async function projectSbom(
  projectDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Result<string, ProjectSbomError>> {
  const timestamp = sourceDateEpoch(env);
  if (!timestamp.ok) return timestamp;
  const text = await readFile(join(projectDir, 'package-lock.json'), 'utf8').catch(() => undefined);
  if (text === undefined)
    return err(
      'no-lockfile',
      `${join(projectDir, 'package-lock.json')} is missing: the SBOM is made from the lockfile the release was built with`,
    );
  const lock = parsePackageLock(text);
  if (!lock.ok) return lock;
  const bom = buildSbom({
    lock: lock.value,
    installedLicense: (path) => {
      const license = readJson(join(projectDir, path, 'package.json'))?.['license'];
      return typeof license === 'string' ? license : undefined;
    },
    electronChecksums: readJson(join(projectDir, 'node_modules', 'electron', 'checksums.json')) as
      Record<string, string> | undefined,
    ...(timestamp.value ? { timestamp: timestamp.value } : {}),
  });
  return bom.ok ? ok(serializeSbom(bom.value)) : bom;
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
