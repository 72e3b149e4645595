import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePackageLock, type PackageLock } from './package-lock';
import { projectSbom } from './project-sbom';
import { buildSbom, hashesOf, purl, type CycloneDxBom } from './sbom';

const root = join(import.meta.dirname, '..', '..', '..');
const lockText = readFileSync(join(root, 'package-lock.json'), 'utf8');
const realLock = (): PackageLock => {
  const lock = parsePackageLock(lockText);
  if (!lock.ok) throw new Error(lock.error.message);
  return lock.value;
};

async function projectBom(epoch = '1700000000'): Promise<{ text: string; bom: CycloneDxBom }> {
  const sbom = await projectSbom(root, { SOURCE_DATE_EPOCH: epoch });
  if (!sbom.ok) throw new Error(sbom.error.message);
  return { text: sbom.value, bom: JSON.parse(sbom.value) as CycloneDxBom };
}

// The lockfile's own verdict, independent of the generator's graph walk: every package npm did not
// mark dev-only.
const npmProduction = () =>
  Object.entries(realLock().packages)
    .filter(([path, entry]) => path !== '' && entry.dev !== true && entry.devOptional !== true)
    .map(([path, entry]) => ({
      path,
      name: path.slice(path.lastIndexOf('node_modules/') + 13),
      version: entry.version!,
      integrity: entry.integrity!,
    }));

describe('the project’s SBOM (CycloneDX 1.5)', () => {
  it('lists openpgp, react, react-dom, zod and every other production dependency in the lockfile, each with version, purl, hash and license', async () => {
    const { bom } = await projectBom();
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.specVersion).toBe('1.5');
    const byPurl = new Map(bom.components.map((c) => [c.purl, c]));
    const expected = npmProduction();
    expect(expected.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        'openpgp',
        'react',
        'react-dom',
        'zod',
        '@noble/hashes',
        '@peculiar/x509',
        'yaml',
        'scheduler',
      ]),
    );
    for (const p of expected) {
      const component = byPurl.get(purl(p.name, p.version));
      expect(component, p.path).toBeDefined();
      expect(component!.version).toBe(p.version);
      expect(component!.type).toBe('library');
      expect(component!.group ? `${component!.group}/${component!.name}` : component!.name).toBe(p.name);
      const [alg, b64] = [
        p.integrity.slice(0, p.integrity.indexOf('-')),
        p.integrity.slice(p.integrity.indexOf('-') + 1),
      ];
      expect(component!.hashes, p.path).toEqual([
        { alg: alg.toUpperCase().replace('SHA', 'SHA-'), content: Buffer.from(b64, 'base64').toString('hex') },
      ]);
      expect(component!.licenses?.length, p.path).toBe(1);
    }
    expect(byPurl.get('pkg:npm/openpgp@6.3.2')?.licenses).toEqual([{ expression: 'LGPL-3.0+' }]);
    expect(byPurl.get('pkg:npm/%40peculiar/x509@2.2.0')).toMatchObject({ group: '@peculiar', name: 'x509' });
  });

  it('lists Electron as the framework the app ships in, with the release archives its npm package pins', async () => {
    const { bom } = await projectBom();
    const electronVersion = realLock().packages['node_modules/electron']!.version!;
    const electron = bom.components.find((c) => c.name === 'electron')!;
    expect(electron).toMatchObject({
      type: 'framework',
      version: electronVersion,
      purl: `pkg:npm/electron@${electronVersion}`,
    });
    const checksums = JSON.parse(
      readFileSync(join(root, 'node_modules', 'electron', 'checksums.json'), 'utf8'),
    ) as Record<string, string>;
    const linux = electron.externalReferences!.find((r) =>
      r.url.endsWith(`/electron-v${electronVersion}-linux-x64.zip`),
    )!;
    expect(linux.hashes).toEqual([
      { alg: 'SHA-256', content: checksums[`electron-v${electronVersion}-linux-x64.zip`] },
    ]);
    expect(bom.dependencies.find((d) => d.ref === bom.metadata.component['bom-ref'])!.dependsOn).toContain(
      electron['bom-ref'],
    );
  });

  it('lists nothing that is only a development dependency', async () => {
    const { bom } = await projectBom();
    const names = new Set(bom.components.map((c) => (c.group ? `${c.group}/${c.name}` : c.name)));
    for (const dev of [
      'vitest',
      'typescript',
      'vite',
      'electron-builder',
      '@playwright/test',
      'fast-check',
      '@electron/fuses',
    ])
      expect(names.has(dev), dev).toBe(false);
    expect(bom.components).toHaveLength(npmProduction().length + 1);
  });

  it('is deterministic: the same bytes every time, its time from SOURCE_DATE_EPOCH and a serial number from its content', async () => {
    const [a, b, later] = await Promise.all([projectBom(), projectBom(), projectBom('1800000000')]);
    expect(a.text).toBe(b.text);
    expect(a.bom.metadata.timestamp).toBe('2023-11-14T22:13:20Z');
    expect(later.bom.metadata.timestamp).toBe('2027-01-15T08:00:00Z');
    expect(later.bom.serialNumber).not.toBe(a.bom.serialNumber);
    expect(a.bom.serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const refs = a.bom.components.map((c) => c['bom-ref']);
    expect(refs).toEqual([...refs].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    const unset = await projectSbom(root, {});
    expect(unset.ok && JSON.parse(unset.value).metadata.timestamp).toBeUndefined();
  });

  it('its dependency graph refers only to components it lists, and follows the lockfile', async () => {
    const { bom } = await projectBom();
    const refs = new Set([...bom.components.map((c) => c['bom-ref']), bom.metadata.component['bom-ref']]);
    for (const d of bom.dependencies) {
      expect(refs.has(d.ref), d.ref).toBe(true);
      for (const to of d.dependsOn) expect(refs.has(to), `${d.ref} -> ${to}`).toBe(true);
    }
    const reactDom = bom.dependencies.find((d) => d.ref === 'pkg:npm/react-dom@19.3.1')!;
    expect(reactDom.dependsOn).toEqual(expect.arrayContaining(['pkg:npm/scheduler@0.28.0', 'pkg:npm/react@19.3.1']));
  });

  it('keeps to the CycloneDX 1.5 shapes it uses (hash content, scopes, licence choices)', async () => {
    const { bom } = await projectBom();
    for (const c of [...bom.components, bom.metadata.component]) {
      for (const h of c.hashes ?? [])
        expect(h.content).toMatch(
          /^([a-fA-F0-9]{32}|[a-fA-F0-9]{40}|[a-fA-F0-9]{64}|[a-fA-F0-9]{96}|[a-fA-F0-9]{128})$/,
        );
      expect(['required', 'optional', undefined]).toContain(c.scope);
      for (const l of c.licenses ?? []) expect(Object.keys(l)).toHaveLength(1);
    }
    expect(new Set(bom.components.map((c) => c['bom-ref'])).size).toBe(bom.components.length);
  });

  it('refuses a bad SOURCE_DATE_EPOCH and a lockfile without Electron, saying what to do', async () => {
    const bad = await projectSbom(root, { SOURCE_DATE_EPOCH: 'yesterday' });
    expect(!bad.ok && bad.error.message).toMatch(/^SOURCE_DATE_EPOCH must be whole seconds since 1970/);
    const lock = realLock();
    delete lock.packages['node_modules/electron'];
    const noElectron = buildSbom({ lock });
    expect(!noElectron.ok && noElectron.error.kind).toBe('no-electron');
  });
});

describe('SBOM building blocks', () => {
  it('writes npm integrity strings as hex hashes, keeping every algorithm CycloneDX knows', () => {
    const data = Buffer.from('vault-ceremony');
    const sha512 = createHash('sha512').update(data).digest();
    const sha1 = createHash('sha1').update(data).digest();
    expect(hashesOf(`sha512-${sha512.toString('base64')} sha1-${sha1.toString('base64')} md4-AAAA`)).toEqual([
      { alg: 'SHA-512', content: sha512.toString('hex') },
      { alg: 'SHA-1', content: sha1.toString('hex') },
    ]);
  });

  it('writes package URLs with the scope’s @ encoded', () => {
    expect(purl('@peculiar/asn1-x509', '2.11.1')).toBe('pkg:npm/%40peculiar/asn1-x509@2.11.1');
    expect(purl('react', '19.3.1')).toBe('pkg:npm/react@19.3.1');
    expect(purl('x', '1.0.0+build.1')).toBe('pkg:npm/x@1.0.0%2Bbuild.1');
  });
});
