import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fchownSync, fstatSync, fsyncSync, lstatSync, openSync, readdirSync, renameSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import path from 'node:path';
import { describeEntry, optionalFlags, pathInsideTree } from './read-regular-file.js';

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (optionalFlags.O_NOFOLLOW ?? 0);

export class ReplaceFileError extends Error {}

/** The name of a fresh temp file next to `target`: unpredictable, hidden, and recognisably archpin's. */
function tempPath(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.archpin-${randomBytes(8).toString('hex')}.tmp`);
}

/** A temp file this old is left over from a write that was killed (a live write takes milliseconds). */
const STALE_TEMP_MS = 10 * 60_000;

/**
 * Removes what a killed earlier write of `target` left behind: only names of exactly archpin's
 * pattern for this file (`.name.archpin-<16 hex>.tmp`), only regular files (never a symlink,
 * directory or other entry; unlink never follows a link), only ones owned by this user and older
 * than a live write could be. Returns the names removed.
 */
export function removeStaleTemps(target: string, now = Date.now()): string[] {
  const directory = path.dirname(target);
  const prefix = `.${path.basename(target)}.archpin-`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return removed;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    if (!name.startsWith(prefix) || !/^[0-9a-f]{16}\.tmp$/.test(name.slice(prefix.length))) continue;
    const full = path.join(directory, name);
    try {
      const stats = lstatSync(full);
      if (!stats.isFile() || (uid !== undefined && stats.uid !== uid) || now - stats.mtimeMs < STALE_TEMP_MS) continue;
      unlinkSync(full);
      removed.push(name);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return removed;
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.ino === b.ino && a.dev === b.dev;
}

/**
 * The write is synchronous from open to rename, so no signal handler can run in the middle of it;
 * only a kill -9 there can leave a temp file, hidden (`.name.archpin-<random>.tmp`) and never
 * scanned; the next write of the same file removes it (removeStaleTemps).
 *
 * Replaces a regular file inside `root` with `bytes`, atomically and without ever writing through
 * a symlink: the target and every directory above it must be real (lstat), the temp file is created
 * exclusively (O_CREAT|O_EXCL|O_NOFOLLOW, random name, same directory), gets the target's mode and
 * owner, is fsynced and renamed over the target, and is removed on every failure.
 * Throws ReplaceFileError with the reason when it refuses or fails; the target is then untouched.
 */
export function replaceFile(root: string, relative: string, bytes: Uint8Array): void {
  const located = pathInsideTree(root, relative);
  if (!located.ok) throw new ReplaceFileError(`${relative}: ${located.message}; not written`);
  const target = located.full;
  let before: Stats;
  try {
    before = lstatSync(target);
  } catch (error) {
    throw new ReplaceFileError(`${relative}: ${(error as Error).message}`);
  }
  if (!before.isFile()) throw new ReplaceFileError(`${relative}: ${describeEntry(target, before)}; not written`);
  removeStaleTemps(target);

  const temporary = tempPath(target);
  let fd: number | null = null;
  let created = false;
  let renamed = false;
  try {
    fd = openSync(temporary, CREATE_FLAGS, 0o600);
    created = true;
    for (let written = 0; written < bytes.length;) written += writeSync(fd, bytes, written, bytes.length - written);
    const owner = fstatSync(fd);
    if (owner.uid !== before.uid || owner.gid !== before.gid) {
      try {
        fchownSync(fd, before.uid, before.gid);
      } catch (error) {
        throw new ReplaceFileError(`${relative}: cannot keep its owner ${before.uid}:${before.gid} (${(error as Error).message}); not written`);
      }
    }
    fchmodSync(fd, before.mode & 0o7777);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    const now = lstatSync(target);
    if (!now.isFile() || !sameFile(now, before)) throw new ReplaceFileError(`${relative}: replaced while being written; not written`);
    renameSync(temporary, target);
    renamed = true;
    syncDirectory(path.dirname(target));
  } catch (error) {
    if (error instanceof ReplaceFileError) throw error;
    throw new ReplaceFileError(`${relative}: ${(error as Error).message}`);
  } finally {
    if (fd !== null) closeSync(fd);
    if (!renamed && created) {
      try {
        unlinkSync(temporary);
      } catch {
        // already gone
      }
    }
  }
}

/** Makes the rename durable; a directory that cannot be opened for syncing (some file systems) is not an error. */
function syncDirectory(directory: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(directory, constants.O_RDONLY | (optionalFlags.O_DIRECTORY ?? 0));
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
