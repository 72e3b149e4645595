// Where the Electron binary is, and how `npm start` gets it once on a networked machine: with
// electron's own install.js (the same download, checksums and cache `npm install` would use).
// Nothing here downloads on import: an air-gapped laptop only ever sees a refusal in one sentence.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

function electronPackageDir() {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

/** The executable's absolute path, or undefined when it is not installed. */
export function findElectronBinary() {
  const packageDir = electronPackageDir();
  if (packageDir === undefined) return undefined;
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const executable = readFileSync(pathFile, 'utf8').trim();
  const full = join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(packageDir, 'dist'), executable);
  return existsSync(full) ? full : undefined;
}

/**
 * Runs electron's install.js (it shows its own progress bar on a slow download). Answers the
 * binary's path, or why it could not be fetched (offline, a proxy, no electron package).
 */
export function fetchElectronBinary() {
  const packageDir = electronPackageDir();
  if (packageDir === undefined) return { ok: false, reason: 'the electron package is not installed (run npm ci)' };
  const run = spawnSync(process.execPath, [join(packageDir, 'install.js')], {
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
  const path = run.status === 0 ? findElectronBinary() : undefined;
  if (path !== undefined) return { ok: true, path };
  const said = (run.stderr ?? '').split('\n').find((line) => line.trim() !== '');
  return { ok: false, reason: said?.trim() ?? run.error?.message ?? `install.js exited with ${run.status}` };
}
