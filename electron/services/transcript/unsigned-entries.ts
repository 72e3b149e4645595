/**
 * What else a bundle folder holds besides the files `verify` checks: a README.txt or OUTCOME.txt
 * saying "Outcome: ABORTED", a notes/ folder, a copy tool's .DS_Store. No signature covers them,
 * yet an auditor browsing the folder reads them beside a verified record, so verify names them.
 * They do not fail it (copying a folder adds such files, and the verdict's exit codes are a fixed
 * interface); they are named, every time, as not signed and not checked. Extra files in signers/
 * fail verify already (./verify.ts), as signers/ holds nothing but the signers' keys.
 *
 * Only the top folder is listed, and only its first entries: a folder inside is named as a folder,
 * and a bundle of 200,000 files costs no more to look at than one of MAX_ENTRIES_LISTED.
 */
import { asciiText, visibleText } from '../../../shared/record/visible-text';
import { listSomeEntries, type DirectoryEntry } from '../files/regular-file';
import { BUNDLE_ENTRIES, BUNDLE_SIGNERS } from './bundle-layout';

/** What verify checks, in the order the warning names them. */
const CHECKED = BUNDLE_ENTRIES;
/** How many of the folder's entries are read; the rest are counted as "more". */
export const MAX_ENTRIES_LISTED = 1000;
/** How many unsigned entries are named before the rest are counted. */
export const UNSIGNED_NAMES_SHOWN = 5;

export type UnsignedEntries =
  | {
      /** The first few, by name. */
      readonly shown: readonly DirectoryEntry[];
      /** How many there are, or at least are, when `complete` is false. */
      readonly count: number;
      readonly complete: boolean;
    }
  /** Why the folder could not be listed, though its files may have been read. */
  | { readonly unlisted: string };

/**
 * The entries of the bundle folder that no signature covers; undefined when there is no folder
 * (then every file is missing, and verify fails). The folder the auditor named may be a link to it.
 * An export names `expected` the entries it leaves there knowingly (a rehearsal's working folder).
 */
export async function readUnsignedEntries(
  dir: string,
  expected: readonly string[] = [],
): Promise<UnsignedEntries | undefined> {
  const listed = await listSomeEntries(dir, MAX_ENTRIES_LISTED, { followLinks: true });
  if (!listed.ok) return listed.error.kind === 'missing' ? undefined : { unlisted: listed.error.message };
  const unsigned = listed.value.entries.filter((e) => !CHECKED.includes(e.name) && !expected.includes(e.name));
  return { shown: unsigned.slice(0, UNSIGNED_NAMES_SHOWN), count: unsigned.length, complete: listed.value.complete };
}

/**
 * The warning naming them, or undefined when there are none. Names are quoted as JSON writes them,
 * and spelled in ASCII where they hold more (they came with the bundle: show the message through
 * shared/record/visible-text.ts).
 */
export function unsignedEntriesWarning(entries: UnsignedEntries): string | undefined {
  if ('unlisted' in entries)
    return `the bundle folder could not be listed (${entries.unlisted}), so any files in it that no signature covers are not named: rely only on ${checkedList()}`;
  if (entries.count === 0 && entries.complete) return undefined;
  const names = entries.shown.map(describeEntry);
  const more = entries.complete ? entries.count - entries.shown.length : undefined;
  if (more === undefined)
    names.push(`and more: the folder holds over ${MAX_ENTRIES_LISTED.toLocaleString('en-US')} entries, not all listed`);
  else if (more > 0) names.push(`and ${more.toLocaleString('en-US')} more`);
  const count = `${entries.complete ? '' : 'at least '}${entries.count.toLocaleString('en-US')}`;
  const one = entries.count === 1 && entries.complete;
  return (
    `${count} ${one ? 'entry' : 'entries'} in the bundle folder ${one ? 'is' : 'are'} NOT signed and NOT checked: ${names.join(', ')}. ` +
    `No signature covers ${one ? 'it' : 'them'}, so whatever ${one ? 'it says' : 'they say'} is not part of the record: ` +
    `rely only on what verify checked (${checkedList()})`
  );
}

function checkedList(): string {
  return CHECKED.map((name) => (name === BUNDLE_SIGNERS ? `${name}/` : name)).join(', ');
}

function describeEntry({ name, kind }: DirectoryEntry): string {
  const quoted = quotedName(kind === 'folder' ? `${name}/` : name);
  switch (kind) {
    case 'file':
      return quoted;
    case 'folder':
      return `${quoted} (a folder: nothing in it is checked)`;
    case 'symbolic link':
      return `${quoted} (a symbolic link, not followed)`;
    case 'other':
      return `${quoted} (not a regular file)`;
  }
}

/**
 * `name` as JSON quotes it and, where it shows characters beyond printable ASCII, as spelled in
 * ASCII: `"trаnscript.txt" (spelled "tr\u0430nscript.txt")`. A look-alike of a checked file's name
 * (a Cyrillic а, a fullwidth full stop) then shows as the other name it is, not as an unsigned
 * transcript.txt beside the checked one. (Hidden characters the output filter escapes anyway.)
 */
function quotedName(name: string): string {
  const quoted = JSON.stringify(name);
  const spelled = asciiText(quoted);
  return spelled === visibleText(quoted) ? quoted : `${quoted} (spelled ${spelled})`;
}
