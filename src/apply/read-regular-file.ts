import { closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync, readSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';

/** Why a file of a checkout was not read. */
export type UnreadableCode = 'file-missing' | 'file-not-regular' | 'file-outside' | 'file-too-large' | 'file-unreadable';

export type RegularFileRead =
  | { readonly ok: true; readonly bytes: Uint8Array }
  /** `errno`: the system's code (`EACCES`) when the file system refused the stat or the open. */
  | { readonly ok: false; readonly code: UnreadableCode; readonly message: string; readonly errno?: string };

/** Open flags a platform may lack (Windows has none of these), though they are typed as always there. */
export const optionalFlags: Partial<typeof constants> = constants;

const OPEN_FLAGS = constants.O_RDONLY | (optionalFlags.O_NOFOLLOW ?? 0) | (optionalFlags.O_NONBLOCK ?? 0) | (optionalFlags.O_NOCTTY ?? 0);

/** What a non-regular directory entry is, in words. */
export function fileKind(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symlink';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/** `fileKind`, naming a symlink's target (`a symlink to /etc/shadow`); the target is never opened. */
export function describeEntry(full: string, stats: Stats): string {
  if (!stats.isSymbolicLink()) return fileKind(stats);
  try {
    return `a symlink to ${readlinkSync(full)}`;
  } catch {
    return 'a symlink';
  }
}

/**
 * The absolute path of `relative` under `root` after checking that no directory on the way is a
 * symlink (so the path cannot leave the tree), or an explanation why not.
 */
export function pathInsideTree(root: string, relative: string): { ok: true; full: string } | { ok: false; code: UnreadableCode; message: string } {
  const parts = relative.split(/[\\/]/).filter((part) => part !== '' && part !== '.');
  const name = parts[parts.length - 1];
  if (path.isAbsolute(relative) || name === undefined || parts.includes('..')) {
    return { ok: false, code: 'file-outside', message: 'path is not inside the tree' };
  }
  let directory = root;
  for (const part of parts.slice(0, -1)) {
    directory = path.join(directory, part);
    let stats: Stats;
    try {
      stats = lstatSync(directory);
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      return { ok: false, code: missing ? 'file-missing' : 'file-unreadable', message: (error as Error).message };
    }
    if (!stats.isDirectory()) return { ok: false, code: 'file-outside', message: `${path.relative(root, directory)} is ${fileKind(stats)}; not followed` };
  }
  return { ok: true, full: path.join(directory, name) };
}

/**
 * Reads a file of an untrusted checkout: only a regular file (by `lstat`, never through a symlink,
 * a FIFO or a device), only inside `root`, and only up to `maxBytes`, checked on the open descriptor
 * before reading and again while reading (a file that grows is not read past the cap).
 */
export function readRegularFile(root: string, relative: string, maxBytes: number): RegularFileRead {
  const located = pathInsideTree(root, relative);
  if (!located.ok) return located;
  return readRegularPath(located.full, maxBytes);
}

/**
 * `readRegularFile` for a path already known to be inside the tree. `followSymlinks` is for a path
 * the operator chose (`--config`, often a mounted ConfigMap, which is a symlink): the file it ends
 * at must still be a regular file. `head` reads only the file's first bytes, at most that many (the
 * whole file is still held to `maxBytes`).
 */
export function readRegularPath(full: string, maxBytes: number, options: { followSymlinks?: boolean; head?: number } = {}): RegularFileRead {
  let before: Stats;
  try {
    before = options.followSymlinks ? statSync(full) : lstatSync(full);
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    return { ok: false, code: errno === 'ENOENT' ? 'file-missing' : 'file-unreadable', message: (error as Error).message, ...(errno === undefined ? {} : { errno }) };
  }
  if (!before.isFile()) return { ok: false, code: 'file-not-regular', message: `${describeEntry(full, before)}; not read` };
  let fd: number;
  try {
    fd = openSync(full, options.followSymlinks ? OPEN_FLAGS & ~(optionalFlags.O_NOFOLLOW ?? 0) : OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { ok: false, code: 'file-not-regular', message: 'a symlink; not read' };
    return { ok: false, code: 'file-unreadable', message: (error as Error).message, ...(code === undefined ? {} : { errno: code }) };
  }
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile() || opened.ino !== before.ino || opened.dev !== before.dev) {
      return { ok: false, code: 'file-not-regular', message: `${fileKind(opened)} (replaced while opening); not read` };
    }
    if (opened.size > maxBytes) {
      return { ok: false, code: 'file-too-large', message: `${opened.size} bytes is over the ${maxBytes}-byte limit` };
    }
    if (options.head !== undefined && options.head <= opened.size) {
      const head = Buffer.allocUnsafe(options.head);
      let length = 0;
      for (let read = -1; read !== 0 && length < head.length; length += read) read = readSync(fd, head, length, head.length - length, null);
      return { ok: true, bytes: new Uint8Array(head.buffer, head.byteOffset, length) };
    }
    const buffer = Buffer.allocUnsafe(opened.size + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length === buffer.length) {
        return { ok: false, code: 'file-too-large', message: `grew past ${opened.size} bytes while being read; not read` };
      }
    }
    return { ok: true, bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, length) };
  } catch (error) {
    return { ok: false, code: 'file-unreadable', message: (error as Error).message };
  } finally {
    closeSync(fd);
  }
}
