/**
 * Checks an app electron-builder has packaged (the unpacked folder it builds every installer
 * from): the fuses really burned into its Electron binary, and an app.asar that holds only the
 * bundles and package.json, with nothing beside it that Electron could load instead.
 */
import { getCurrentFuseWire } from '@electron/fuses';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppError } from '../../../shared/result';
import { asar, type AsarEntry } from './builder-modules';
import { checkFuseWire, type BuildFlavour, type FuseWireProblem } from './fuse-policy';

export interface BuiltApp {
  /** The Electron binary (Linux, Windows) or the .app bundle (macOS). */
  readonly executable: string;
  /** The folder holding app.asar. */
  readonly resources: string;
}

export type BuiltAppProblem = FuseWireProblem | 'no-fuse-wire' | 'asar-contents' | 'outside-asar';

export async function checkBuiltApp(app: BuiltApp, flavour: BuildFlavour): Promise<AppError<BuiltAppProblem>[]> {
  const problems: AppError<BuiltAppProblem>[] = [];
  try {
    problems.push(...checkFuseWire(await getCurrentFuseWire(app.executable), flavour));
  } catch (e) {
    problems.push({
      kind: 'no-fuse-wire',
      message: `cannot read the fuses of ${app.executable} (${e instanceof Error ? e.message : String(e)}): is it an Electron binary of version 12 or later?`,
    });
  }
  problems.push(...checkAppArchive(join(app.resources, 'app.asar')));
  for (const name of ['app', 'app.asar.unpacked']) {
    if (existsSync(join(app.resources, name)))
      problems.push({
        kind: 'outside-asar',
        message: `${join(app.resources, name)} exists: app code outside app.asar escapes the integrity check; rebuild without asarUnpack or extra files`,
      });
  }
  return problems;
}

/** app.asar may hold package.json and dist/ (without source maps); nothing else, nothing unpacked, no links. */
export function checkAppArchive(archive: string): AppError<'asar-contents'>[] {
  let header: AsarEntry;
  try {
    header = asar.getRawHeader(archive).header;
  } catch (e) {
    return [
      {
        kind: 'asar-contents',
        message: `cannot read ${archive} (${e instanceof Error ? e.message : String(e)}): the app must be packaged with asar: true`,
      },
    ];
  }
  const problems: AppError<'asar-contents'>[] = [];
  const problem = (message: string) => problems.push({ kind: 'asar-contents', message: `${archive}: ${message}` });
  const all = entries(header, '');
  for (const [path, entry] of all) {
    if (entry.link !== undefined) problem(`${path} is a symbolic link: links can point outside the archive`);
    else if (entry.unpacked === true)
      problem(`${path} is stored outside the archive (unpacked), where the integrity check does not reach`);
    else if (path !== '/package.json' && !path.startsWith('/dist/'))
      problem(`${path} should not be packaged: app.asar holds only package.json and dist/`);
    else if (path.endsWith('.map')) problem(`${path} is a source map: maps are left out of releases`);
  }
  if (!all.some(([path]) => path === '/package.json'))
    problem('package.json is missing, so Electron cannot find the app’s main script');
  return problems;
}

/** Every file and link in an asar header, with its path from the archive root. */
function entries(entry: AsarEntry, prefix: string): Array<[string, AsarEntry]> {
  if (entry.files === undefined) return [[prefix, entry]];
  return Object.keys(entry.files)
    .sort()
    .flatMap((name) => entries(entry.files![name]!, `${prefix}/${name}`));
}

/** The unpacked apps electron-builder left in an output folder: linux-unpacked, win-unpacked, mac/NAME.app and their per-architecture siblings. */
export function findBuiltApps(
  outputDir: string,
  names: { readonly productName: string; readonly executableName: string },
): BuiltApp[] {
  if (!existsSync(outputDir)) return [];
  return readdirSync(outputDir)
    .sort()
    .flatMap((folder): BuiltApp[] => {
      const dir = join(outputDir, folder);
      if (/^linux(-[a-z0-9]+)?-unpacked$/.test(folder))
        return [{ executable: join(dir, names.executableName), resources: join(dir, 'resources') }];
      if (/^win(-[a-z0-9]+)?-unpacked$/.test(folder))
        return [{ executable: join(dir, `${names.productName}.exe`), resources: join(dir, 'resources') }];
      const bundle = join(dir, `${names.productName}.app`);
      if (/^mac(-[a-z0-9]+)?$/.test(folder) && existsSync(bundle))
        return [{ executable: bundle, resources: join(bundle, 'Contents', 'Resources') }];
      return [];
    });
}
