/**
 * SOURCE_DATE_EPOCH (reproducible-builds.org): the one moment a release's files claim to be from,
 * usually the release commit's time, so two builds of the same commit are byte-identical.
 */
import { err, ok, type Result } from '../../../shared/result';

export type SourceDateEpochError = 'bad-source-date-epoch';

/** The time SOURCE_DATE_EPOCH names; undefined when it is unset. */
export function sourceDateEpoch(
  env: Readonly<Record<string, string | undefined>>,
): Result<Date | undefined, SourceDateEpochError> {
  const value = env['SOURCE_DATE_EPOCH'];
  if (value === undefined || value === '') return ok(undefined);
  const seconds = /^\d{1,12}$/.test(value) ? Number(value) : NaN;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime()))
    return err(
      'bad-source-date-epoch',
      `SOURCE_DATE_EPOCH must be whole seconds since 1970 (such as the output of \`git log -1 --format=%ct\`), not '${value}'`,
    );
  return ok(date);
}
