/** Plain-language descriptions of file-system failures, for messages that say what to fix. */

/** The `code` of a Node file-system error (`ENOSPC`, …), or 'UNKNOWN'. */
export function fsErrorCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'UNKNOWN';
}

/** The path a Node file-system error names, if any. */
export function fsErrorPath(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'path' in e && typeof e.path === 'string' ? e.path : undefined;
}

export function describeFsError(e: unknown): string {
  const code = fsErrorCode(e);
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (the file or its folder is read-only or immutable)';
    case 'EIO':
      return 'the disk reported an input/output error';
    case 'ENOENT':
      return 'the folder does not exist';
    case 'ENOTDIR':
      return 'a file is where a folder should be';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'ELOOP':
      return 'it is a symbolic link, which is not followed';
    case 'EEXIST':
      return 'something is already there';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'EFBIG':
      return 'the file is larger than the system allows';
    default:
      return `the operating system refused (${code})`;
  }
}
