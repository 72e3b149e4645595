/**
 * A CycloneDX 1.5 software bill of materials for a release, from package-lock.json: every package
 * production code can load (the app's bundles are built from them), and Electron, the runtime the
 * app ships in, as a framework. Output is deterministic: components and edges sorted, the
 * timestamp from SOURCE_DATE_EPOCH, the serial number derived from the content.
 */
import { createHash } from 'node:crypto';
import { err, ok, type Result } from '../../../shared/result';
import { productionClosure, resolveDependency, type LockedPackage, type PackageLock } from './package-lock';

export interface SbomInput {
  readonly lock: PackageLock;
  /** A package's license from its installed package.json, for lockfile entries without one. */
  readonly installedLicense?: (path: string) => string | undefined;
  /** node_modules/electron/checksums.json: SHA-256 of each file of Electron's GitHub release. */
  readonly electronChecksums?: Readonly<Record<string, string>>;
  /** When the release was made (SOURCE_DATE_EPOCH); without it the SBOM states no time. */
  readonly timestamp?: Date;
}

export type SbomError = 'no-electron';

interface Hash {
  readonly alg: string;
  readonly content: string;
}
interface Component {
  readonly type: 'application' | 'framework' | 'library';
  readonly 'bom-ref': string;
  readonly group?: string;
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly scope?: 'required' | 'optional';
  readonly hashes?: readonly Hash[];
  readonly licenses?: readonly License[];
  readonly purl: string;
  readonly externalReferences?: ReadonlyArray<{
    readonly type: 'distribution';
    readonly url: string;
    readonly hashes?: readonly Hash[];
  }>;
}
type License = { readonly expression: string } | { readonly license: { readonly name: string } };

export interface CycloneDxBom {
  readonly bomFormat: 'CycloneDX';
  readonly specVersion: '1.5';
  readonly serialNumber: string;
  readonly version: 1;
  readonly metadata: {
    readonly timestamp?: string;
    readonly tools: { readonly components: ReadonlyArray<Pick<Component, 'type' | 'name' | 'version'>> };
    readonly component: Component;
  };
  readonly components: readonly Component[];
  readonly dependencies: ReadonlyArray<{ readonly ref: string; readonly dependsOn: readonly string[] }>;
}

const ELECTRON = 'node_modules/electron';

export function buildSbom(input: SbomInput): Result<CycloneDxBom, SbomError> {
  const { lock } = input;
  const electronEntry = lock.packages[ELECTRON];
  if (electronEntry?.version === undefined)
    return err(
      'no-electron',
      'package-lock.json has no node_modules/electron: the Electron runtime the app ships in must be a locked devDependency',
    );

  const closure = productionClosure(lock);
  const refOf = new Map<string, string>(closure.map((p) => [p.path, purl(p.name, p.version)]));
  const components = new Map<string, Component>();
  for (const p of closure) components.set(refOf.get(p.path)!, library(p, input.installedLicense));

  const electronRef = purl('electron', electronEntry.version);
  components.set(electronRef, {
    ...component(
      'framework',
      'electron',
      electronEntry.version,
      electronEntry.integrity,
      electronEntry.license ?? input.installedLicense?.(ELECTRON),
    ),
    description: 'The Electron runtime (Chromium and Node.js) the app is packaged in',
    ...electronDistributions(electronEntry.version, input.electronChecksums),
  });

  const root = lock.packages['']!;
  const app = component('application', lock.name, lock.version, undefined, root.license);
  const edges = new Map<string, Set<string>>();
  const edge = (from: string, to: string) => edges.set(from, (edges.get(from) ?? new Set()).add(to));
  edges.set(app['bom-ref'], new Set([electronRef]));
  for (const name of Object.keys({ ...root.dependencies, ...root.optionalDependencies })) {
    const path = resolveDependency(lock, '', name);
    if (path !== undefined) edge(app['bom-ref'], refOf.get(path)!);
  }
  for (const p of closure) {
    const from = refOf.get(p.path)!;
    edges.set(from, edges.get(from) ?? new Set());
    for (const to of p.dependsOn) edge(from, refOf.get(to)!);
  }

  const body = {
    metadata: {
      ...(input.timestamp ? { timestamp: input.timestamp.toISOString().replace(/\.000Z$/, 'Z') } : {}),
      tools: {
        components: [
          {
            type: 'application' as const,
            name: 'vault-ceremony sbom (scripts/packaging/lib/sbom.ts)',
            version: lock.version,
          },
        ],
      },
      component: app,
    },
    components: [...components.values()].sort((a, b) => compare(a['bom-ref'], b['bom-ref'])),
    dependencies: [...edges.entries()]
      .map(([ref, to]) => ({ ref, dependsOn: [...to].sort(compare) }))
      .sort((a, b) => compare(a.ref, b.ref)),
  };
  return ok({ bomFormat: 'CycloneDX', specVersion: '1.5', serialNumber: serialNumberOf(body), version: 1, ...body });
}

/** The SBOM as written to disk: two-space JSON with a final newline, byte-identical for equal input. */
export function serializeSbom(bom: CycloneDxBom): string {
  return `${JSON.stringify(bom, null, 2)}\n`;
}

function library(p: LockedPackage, installedLicense: SbomInput['installedLicense']): Component {
  const base = component('library', p.name, p.version, p.integrity, p.license ?? installedLicense?.(p.path));
  return {
    ...base,
    scope: p.optional ? 'optional' : 'required',
    ...(p.resolved ? { externalReferences: [{ type: 'distribution' as const, url: p.resolved }] } : {}),
  };
}

function component(
  type: Component['type'],
  fullName: string,
  version: string,
  integrity: string | undefined,
  license: string | undefined,
): Component {
  const slash = fullName.startsWith('@') ? fullName.indexOf('/') : -1;
  const ref = purl(fullName, version);
  const hashes = integrity === undefined ? [] : hashesOf(integrity);
  return {
    type,
    'bom-ref': ref,
    ...(slash > 0 ? { group: fullName.slice(0, slash), name: fullName.slice(slash + 1) } : { name: fullName }),
    version,
    ...(hashes.length > 0 ? { hashes } : {}),
    ...(license ? { licenses: [licenseOf(license)] } : {}),
    purl: ref,
  };
}

/** Package URL: `pkg:npm/%40scope/name@version` (the @ of a scope is percent-encoded). */
export function purl(fullName: string, version: string): string {
  return `pkg:npm/${fullName.split('/').map(encodeURIComponent).join('/')}@${encodeURIComponent(version)}`;
}

const ALGORITHMS: Readonly<Record<string, string>> = {
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};

/** npm's Subresource-Integrity strings ("sha512-<base64> …") as CycloneDX hex hashes. */
export function hashesOf(integrity: string): Hash[] {
  return integrity
    .trim()
    .split(/\s+/)
    .flatMap((item) => {
      const dash = item.indexOf('-');
      const alg = ALGORITHMS[item.slice(0, dash)];
      const content = Buffer.from(item.slice(dash + 1), 'base64').toString('hex');
      return dash > 0 && alg !== undefined && content.length > 0 ? [{ alg, content }] : [];
    });
}

/** An SPDX expression (a single identifier is one) when it looks like one; a plain name otherwise. */
function licenseOf(text: string): License {
  return /^[A-Za-z0-9.+\-:() ]+$/.test(text) && (!/ /.test(text) || / (AND|OR|WITH) /.test(text))
    ? { expression: text }
    : { license: { name: text } };
}

/** Electron's release archives, each with the SHA-256 its locked npm package pins. */
function electronDistributions(
  version: string,
  checksums: SbomInput['electronChecksums'],
): Pick<Component, 'externalReferences'> {
  const archive = new RegExp(
    `^electron-v${version.replace(/\./g, '\\.')}-(linux|darwin|win32)-(x64|arm64|ia32|armv7l)\\.zip$`,
  );
  const references = Object.entries(checksums ?? {})
    .filter(([file, sha256]) => archive.test(file) && /^[0-9a-f]{64}$/.test(sha256))
    .sort(([a], [b]) => compare(a, b))
    .map(([file, sha256]) => ({
      type: 'distribution' as const,
      url: `https://github.com/electron/electron/releases/download/v${version}/${file}`,
      hashes: [{ alg: 'SHA-256', content: sha256 }],
    }));
  return references.length > 0 ? { externalReferences: references } : {};
}

/**
 * A name-based (version 5) UUID of the SBOM's content, so the same release always gets the same
 * serial number and a different one never does.
 */
function serialNumberOf(body: unknown): string {
  const URL_NAMESPACE = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');
  const digest = createHash('sha1').update(URL_NAMESPACE).update(JSON.stringify(body)).digest();
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Byte order (as `LC_ALL=C sort`), never locale order, so output does not depend on the machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
