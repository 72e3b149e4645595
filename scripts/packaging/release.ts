// `npm run package:release [-- --linux] [--mac] [--win]`: builds the release artefacts on a machine
// that can reach Electron's downloads (or has them in electron-builder's cache), checks them, and
// stages what goes on the removable media in <output>/media for the release officer to sign with
// `vault-ceremony sign-checksums`. `npm run package:test` (--test) builds the unpacked test app that
// Playwright drives, from build/electron-builder.test.yml.
//
// Reproducible: the working tree must be a clean commit, dependencies come from `npm ci`,
// SOURCE_DATE_EPOCH defaults to the commit's time (for the packaging tools that honour it, such as
// fpm and mksquashfs, and the SBOM), and Electron is checked against the checksums its locked npm
// package ships.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { build, Platform, type Configuration } from 'electron-builder';
import { checkPackaging, RELEASE_CONFIG, TEST_CONFIG } from './lib/packaging-check';
import { projectSbom } from './lib/project-sbom';
import { sourceDateEpoch } from './lib/source-date-epoch';
import { verifyBuild } from './lib/verify-build';

function fail(message: string): never {
  console.error(`package:release: ${message}`);
  process.exit(1);
}

let options: { test?: boolean; linux?: boolean; mac?: boolean; win?: boolean };
try {
  ({ values: options } = parseArgs({
    options: {
      test: { type: 'boolean' },
      linux: { type: 'boolean' },
      mac: { type: 'boolean' },
      win: { type: 'boolean' },
    },
    strict: true,
  }));
} catch (e) {
  console.error(
    `package:release: ${e instanceof Error ? e.message : String(e)}\nusage: npm run package:release [-- --linux] [--mac] [--win] [--test]`,
  );
  process.exit(2);
}
const projectDir = process.cwd();
const flavour = options.test ? 'test' : 'release';

const report = await checkPackaging(projectDir);
for (const v of report.violations) console.error(`✗ ${v.file} [${v.kind}] ${v.message}`);
if (report.violations.length > 0) fail('the packaging rules do not hold (see above); nothing was built');

const git = (...args: string[]) => spawnSync('git', args, { cwd: projectDir, encoding: 'utf8' });
if (flavour === 'release') {
  const status = git('status', '--porcelain');
  if (status.status !== 0) fail('a release is built from a git checkout, and git cannot read this one');
  if (status.stdout.trim() !== '')
    fail(
      'the working tree has uncommitted changes: commit or stash them, so the release can be rebuilt from its commit and compared',
    );
}
const epoch = sourceDateEpoch(process.env);
if (!epoch.ok) fail(epoch.error.message);
if (epoch.value === undefined) {
  const commitTime = git('log', '-1', '--format=%ct').stdout.trim();
  if (!/^\d+$/.test(commitTime))
    fail('set SOURCE_DATE_EPOCH (whole seconds since 1970): there is no commit to take the time from');
  process.env['SOURCE_DATE_EPOCH'] = commitTime;
}
console.log(`package:release: ${flavour} build, SOURCE_DATE_EPOCH=${process.env['SOURCE_DATE_EPOCH']}`);

const bundled = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: projectDir, stdio: 'inherit' });
if (bundled.status !== 0) fail('scripts/build.mjs failed (see above)');

// The Electron archive is checked against checksums that arrived inside the locked, integrity-checked
// npm package, not against a checksum file fetched alongside the archive.
const checksums = JSON.parse(
  readFileSync(join(projectDir, 'node_modules', 'electron', 'checksums.json'), 'utf8'),
) as Record<string, string>;
const requested = [
  options.linux && Platform.LINUX,
  options.mac && Platform.MAC,
  options.win && Platform.WINDOWS,
].filter((p): p is Platform => p instanceof Platform);
const platforms = requested.length > 0 ? requested : [Platform.current()];
const targets = new Map(
  platforms.flatMap((platform) => [...platform.createTarget(flavour === 'test' ? 'dir' : null).entries()]),
);
const artifacts = await build({
  projectDir,
  targets,
  publish: 'never',
  config: {
    extends: flavour === 'release' ? RELEASE_CONFIG : TEST_CONFIG,
    electronDownload: { checksums },
  } as Configuration,
});

const verification = await verifyBuild(projectDir, flavour);
for (const problem of verification.problems) console.error(`✗ [${problem.kind}] ${problem.message}`);
if (verification.problems.length > 0)
  fail(`the ${flavour} build in ${verification.outputDir} is not fit to ship; do not publish it`);
for (const app of verification.apps)
  console.log(`✓ ${app.executable}: ${flavour} fuses burned, app.asar holds only the bundles`);
if (flavour === 'test') process.exit(0);

// What goes on the removable media: the installers, the SBOM and the install procedure.
const media = join(verification.outputDir, 'media');
rmSync(media, { recursive: true, force: true });
mkdirSync(media, { recursive: true });
const installers = artifacts.filter((path) => !/\.(blockmap|ya?ml)$/.test(path) && statSync(path).isFile());
for (const path of installers) copyFileSync(path, join(media, basename(path)));
const sbom = await projectSbom(projectDir, process.env);
if (!sbom.ok) fail(sbom.error.message);
const version = (JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8')) as { version: string }).version;
writeFileSync(join(media, `vault-ceremony-${version}.cdx.json`), sbom.value);
copyFileSync(join(projectDir, 'docs', 'INSTALL-OFFLINE.md'), join(media, 'INSTALL-OFFLINE.md'));
console.log(
  `package:release: staged ${installers.map((p) => basename(p)).join(', ')}, the SBOM and INSTALL-OFFLINE.md in ${media}`,
);
console.log(`next, on the offline signing machine: npx vault-ceremony sign-checksums ${media} --key RELEASE-KEY.asc`);
