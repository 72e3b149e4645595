/**
 * electron-builder's own internals that the packaging checks reuse: its configuration loader and
 * schema, its logger, and the asar reader it packs with. electron-builder pins these exactly, so
 * they are resolved from it rather than from whatever happens to be hoisted into node_modules.
 */
import { createRequire } from 'node:module';
import type { Configuration } from 'electron-builder';

interface ConfigModule {
  getConfig(
    projectDir: string,
    configPath: string | null,
    configFromOptions: Configuration | null,
  ): Promise<Configuration>;
  validateConfiguration(config: Configuration, debugLogger: unknown): Promise<void>;
}
interface BuilderUtil {
  DebugLogger: new (isEnabled: boolean) => unknown;
  log: { stream: { write(text: string): unknown } };
}
/** An asar header entry: a folder, a symbolic link, or a file (possibly stored outside the archive). */
export interface AsarEntry {
  readonly files?: Readonly<Record<string, AsarEntry>>;
  readonly link?: string;
  readonly unpacked?: boolean;
}
interface AsarModule {
  getRawHeader(archivePath: string): { header: AsarEntry };
}

const fromBuilder = createRequire(createRequire(import.meta.url).resolve('electron-builder/package.json'));
const fromBuilderLib = createRequire(fromBuilder.resolve('app-builder-lib/package.json'));

export const builderConfigModule = fromBuilder('app-builder-lib/out/util/config/config') as ConfigModule;
export const builderUtil = fromBuilder('builder-util') as BuilderUtil;
export const asar = fromBuilderLib('@electron/asar') as AsarModule;
