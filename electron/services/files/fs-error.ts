/** Plain-language descriptions of file-system failures, for messages that say what to fix. */

/** The `code` of a Node file-system error (`ENOSPC`, …), or 'UNKNOWN'. */
export function fsErrorCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'UNKNOWN';
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
    case 'ENOTDIR':
      return 'the folder does not exist';
    case 'EFBIG':
      return 'the file is larger than the system allows';
    default:
      return `the operating system refused (${code})`;
  }
}
