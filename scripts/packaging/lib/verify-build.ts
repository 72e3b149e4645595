/**
 * Finds the apps a build left in its configuration's output folder and checks each one
 * (built-app.ts): what `npm run package:release` does after electron-builder, and what
 * `npm run package:verify-build` does for a build made elsewhere.
 */
import { join } from 'node:path';
import type { AppError } from '../../../shared/result';
import { loadBuilderConfig } from './builder-config';
import { checkBuiltApp, findBuiltApps, type BuiltApp } from './built-app';
import type { BuildFlavour } from './fuse-policy';
import { RELEASE_CONFIG, TEST_CONFIG } from './packaging-check';

export interface BuildVerification {
  readonly outputDir: string;
  readonly apps: readonly BuiltApp[];
  readonly problems: readonly AppError[];
}

export async function verifyBuild(
  projectDir: string,
  flavour: BuildFlavour,
  outputDir?: string,
): Promise<BuildVerification> {
  const config = await loadBuilderConfig(projectDir, flavour === 'release' ? RELEASE_CONFIG : TEST_CONFIG);
  if (!config.ok) return { outputDir: outputDir ?? '', apps: [], problems: [config.error] };
  const productName = config.value.productName ?? 'vault-ceremony';
  const output = outputDir ?? join(projectDir, config.value.directories?.output ?? 'dist');
  const apps = findBuiltApps(output, {
    productName,
    executableName: config.value.linux?.executableName ?? productName,
  });
  if (apps.length === 0)
    return {
      outputDir: output,
      apps,
      problems: [
        {
          kind: 'no-build',
          message: `no packaged app (linux-unpacked, win-unpacked or mac/${productName}.app) in ${output}: build one first`,
        },
      ],
    };
  const problems: AppError[] = [];
  for (const app of apps) problems.push(...(await checkBuiltApp(app, flavour)));
  return { outputDir: output, apps, problems };
}
