/**
 * npm's package-lock.json (lockfile v2/v3): what the release is built from, and the graph the SBOM
 * and the release-input rules walk. Dependencies resolve as Node resolves them: the nearest
 * `node_modules/NAME` from the dependent's folder up to the project root.
 */
import * as z from 'zod';
import { err, ok, type Result } from '../../../shared/result';

const lockEntry = z.object({
  name: z.string().optional(),
  version: z.string().optional(),
  resolved: z.string().optional(),
  integrity: z.string().optional(),
  license: z.string().optional(),
  link: z.boolean().optional(),
  dev: z.boolean().optional(),
  optional: z.boolean().optional(),
  devOptional: z.boolean().optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
  devDependencies: z.record(z.string(), z.string()).optional(),
  optionalDependencies: z.record(z.string(), z.string()).optional(),
  peerDependencies: z.record(z.string(), z.string()).optional(),
  peerDependenciesMeta: z.record(z.string(), z.object({ optional: z.boolean().optional() })).optional(),
});

const lockFile = z.object({
  name: z.string(),
  version: z.string(),
  lockfileVersion: z.number().int().min(2, 'lockfileVersion must be 2 or 3: regenerate it with npm 7 or later'),
  packages: z.record(z.string(), lockEntry),
});

export type LockEntry = z.infer<typeof lockEntry>;
export type PackageLock = z.infer<typeof lockFile>;

/** One installed copy of a package: its folder in the lockfile ("node_modules/a/node_modules/b"). */
export interface LockedPackage {
  readonly path: string;
  readonly name: string;
  readonly version: string;
  readonly integrity: string | undefined;
  readonly resolved: string | undefined;
  readonly license: string | undefined;
  /** npm marks it optional: installed only where its platform matches, or an optional dependency's own. */
  readonly optional: boolean;
  /** Folders of the packages it depends on at run time, as resolved. */
  readonly dependsOn: readonly string[];
}

export type PackageLockError = 'lockfile-invalid';

export function parsePackageLock(text: string): Result<PackageLock, PackageLockError> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return err(
      'lockfile-invalid',
      'package-lock.json is not JSON: regenerate it with `npm install --package-lock-only`',
    );
  }
  const parsed = lockFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return err(
      'lockfile-invalid',
      `package-lock.json is not an npm v2/v3 lockfile at ${issue.path.join('.') || 'top level'}: ${issue.message}`,
    );
  }
  if (parsed.data.packages[''] === undefined)
    return err(
      'lockfile-invalid',
      'package-lock.json has no root package entry (""): regenerate it with npm 7 or later',
    );
  return ok(parsed.data);
}

/** The folder `name` resolves to from the package in folder `from` ("" is the project root). */
export function resolveDependency(lock: PackageLock, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (lock.packages[candidate] !== undefined) return candidate;
    if (base === '') return undefined;
    const nested = base.lastIndexOf('/node_modules/');
    base = nested === -1 ? '' : base.slice(0, nested);
  }
}

/** The package's name: from its entry, or from its folder (the part after the last node_modules/). */
function packageName(path: string, entry: LockEntry): string {
  return entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/** The run-time dependencies of the package in `path` that the lockfile installs. */
function runtimeDependencies(lock: PackageLock, path: string): string[] {
  const entry = lock.packages[path]!;
  const optionalPeers = entry.peerDependenciesMeta ?? {};
  const names = [
    ...Object.keys(entry.dependencies ?? {}),
    ...Object.keys(entry.optionalDependencies ?? {}),
    ...Object.keys(entry.peerDependencies ?? {}).filter((name) => optionalPeers[name]?.optional !== true),
  ];
  const resolved = names.map((name) => resolveDependency(lock, path, name)).filter((p): p is string => p !== undefined);
  return [...new Set(resolved)].sort();
}

/**
 * Every package reachable from the root's `dependencies` and `optionalDependencies` (never
 * `devDependencies`): what production code can load. Sorted by folder.
 */
export function productionClosure(lock: PackageLock): LockedPackage[] {
  const seen = new Set<string>();
  const queue = rootDependencies(lock);
  while (queue.length > 0) {
    const path = queue.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    queue.push(...runtimeDependencies(lock, path));
  }
  return [...seen].sort().map((path) => locked(lock, path));
}

function rootDependencies(lock: PackageLock): string[] {
  const root = lock.packages['']!;
  return [...Object.keys(root.dependencies ?? {}), ...Object.keys(root.optionalDependencies ?? {})]
    .map((name) => resolveDependency(lock, '', name))
    .filter((p): p is string => p !== undefined);
}

function locked(lock: PackageLock, path: string): LockedPackage {
  const entry = lock.packages[path]!;
  return {
    path,
    name: packageName(path, entry),
    version: entry.version ?? '',
    integrity: entry.integrity,
    resolved: entry.resolved,
    license: entry.license,
    optional: entry.optional === true,
    dependsOn: runtimeDependencies(lock, path),
  };
}
