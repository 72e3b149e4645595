/**
 * What a release is built from besides the builder configuration: package.json and its lockfile.
 * Versions are pinned exactly and locked with integrity hashes (so `npm ci` reproduces the same
 * tree), the lockfile agrees with package.json, and nothing production code can load updates the
 * app or reports on its users.
 */
import type { AppError } from '../../../shared/result';
import { productionClosure, resolveDependency, type PackageLock } from './package-lock';

export type ReleaseInputRule = 'package-json' | 'unpinned' | 'lockfile' | 'phones-home';

export interface PackageJson {
  readonly name?: unknown;
  readonly version?: unknown;
  readonly main?: unknown;
  readonly build?: unknown;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
}

/** Auto-updaters and telemetry/crash-reporting SDKs: none may be loadable by the app. */
const PHONES_HOME =
  /^(electron-updater|update-electron-app|electron-simple-updater|@sentry\/.*|@bugsnag\/.*|@datadog\/.*|@segment\/.*|@amplitude\/.*|@newrelic\/.*|newrelic|posthog-.*|mixpanel.*|applicationinsights|@microsoft\/applicationinsights-.*|electron-google-analytics.*|universal-analytics|electron-crash-reporter.*)$/;

const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

export function checkReleaseInputs(pkg: PackageJson, lock: PackageLock): AppError<ReleaseInputRule>[] {
  const problems: AppError<ReleaseInputRule>[] = [];
  const problem = (kind: ReleaseInputRule, message: string) => problems.push({ kind, message });

  if (pkg.build !== undefined)
    problem(
      'package-json',
      'package.json must have no "build" field: electron-builder would read it instead of electron-builder.yml whenever --config is left out, and it is not checked',
    );
  if (typeof pkg.main !== 'string' || !pkg.main.startsWith('dist/'))
    problem(
      'package-json',
      `package.json "main" must point into dist/ (it is ${JSON.stringify(pkg.main)}): only dist/** is packaged`,
    );

  const root = lock.packages['']!;
  if (lock.name !== pkg.name || lock.version !== pkg.version)
    problem(
      'lockfile',
      `package-lock.json is for ${lock.name}@${lock.version} but package.json is ${String(pkg.name)}@${String(pkg.version)}: run \`npm install --package-lock-only\` and commit the result`,
    );
  for (const field of DEPENDENCY_FIELDS) {
    const declared = pkg[field] ?? {};
    for (const [name, spec] of Object.entries(declared)) {
      if (!EXACT_VERSION.test(spec))
        problem(
          'unpinned',
          `${field}.${name} is '${spec}': pin an exact version (such as '1.2.3'), so every release build resolves the same package`,
        );
      const locked = resolveDependency(lock, '', name);
      const version = locked === undefined ? undefined : lock.packages[locked]!.version;
      if (version !== spec)
        problem(
          'lockfile',
          `package-lock.json has ${name} ${version ?? 'missing'} but package.json pins ${spec}: run \`npm install\` and commit package-lock.json`,
        );
    }
    const lockedNames = Object.keys(root[field] ?? {}).sort();
    if (JSON.stringify(lockedNames) !== JSON.stringify(Object.keys(declared).sort()))
      problem(
        'lockfile',
        `package-lock.json's ${field} differ from package.json's: run \`npm install\` and commit package-lock.json`,
      );
  }
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path !== '' && entry.link !== true && entry.integrity === undefined)
      problem(
        'lockfile',
        `package-lock.json has no integrity hash for ${path}: \`npm ci\` could not tell a tampered download from the real one; reinstall it from the registry`,
      );
  }

  for (const p of productionClosure(lock)) {
    if (PHONES_HOME.test(p.name))
      problem(
        'phones-home',
        `${p.name} (${p.path}) is an auto-updater or telemetry package and production code could load it: the app must never contact anything but the Vault it is given`,
      );
  }
  return problems;
}
