/**
 * Loads an electron-builder configuration exactly as electron-builder itself does, with its own
 * loader (YAML parsing, `extends` merging, whose arrays are unions) and its own JSON schema, so the
 * packaging rules judge what a build would really use. Nothing is downloaded.
 */
import type { Configuration } from 'electron-builder';
import { err, ok, type Result } from '../../../shared/result';
import { builderConfigModule, builderUtil } from './builder-modules';

export type BuilderConfigError = 'config-unreadable' | 'config-invalid';

/** `configFile` is relative to `projectDir`, as electron-builder's `--config` is. */
export async function loadBuilderConfig(
  projectDir: string,
  configFile: string,
): Promise<Result<Configuration, BuilderConfigError>> {
  // electron-builder logs "loaded configuration" lines; a checker's output is its verdict only.
  const stream = builderUtil.log.stream;
  builderUtil.log.stream = { write: () => true };
  try {
    let config: Configuration;
    try {
      config = await builderConfigModule.getConfig(projectDir, configFile, null);
    } catch (e) {
      return err(
        'config-unreadable',
        `${configFile} cannot be read as an electron-builder configuration: ${firstLine(e)}`,
      );
    }
    try {
      await builderConfigModule.validateConfiguration(config, new builderUtil.DebugLogger(false));
    } catch (e) {
      return err('config-invalid', `${configFile} does not match electron-builder's schema: ${schemaProblems(e)}`);
    }
    return ok(config);
  } finally {
    builderUtil.log.stream = stream;
  }
}

/** electron-builder's errors end in generic "How to fix" advice; the first line names the problem. */
function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return (
    text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? 'unknown error'
  );
}

/** The schema's findings (" - configuration has an unknown property 'x'" …), without the advice after each. */
function schemaProblems(e: unknown): string {
  const problems: string[] = [];
  let advice = false;
  for (const line of (e instanceof Error ? e.message : String(e)).split('\n')) {
    if (line.startsWith(' - ')) {
      problems.push(line.slice(3).trim());
      advice = false;
    } else if (/^\s*How to fix:/.test(line)) advice = true;
    else if (!advice && problems.length > 0 && line.trim() !== '') problems[problems.length - 1] += ` ${line.trim()}`;
  }
  return problems.length > 0 ? problems.join('; ') : firstLine(e);
}
