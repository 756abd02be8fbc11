/**
 * A file system error in a user's words (`no such file`, `permission denied`), for messages that already name the
 * file; an error without a known code keeps Node's own text.
 */
export function errnoReason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a part of its path is not a directory';
    default:
      return code ?? message;
  }
}
