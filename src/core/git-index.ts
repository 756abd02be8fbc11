/**
 * The paths a git index lists (`.git/index`, versions 2 to 4), read from its bytes: what git tracks.
 * Tracked files are never ignored by `.gitignore`, so a tree walk needs this list to treat a work tree
 * the way git does. Nothing is executed: the index is read as data.
 */

export type GitIndexRead = { readonly ok: true; readonly paths: readonly string[] } | { readonly ok: false; readonly reason: string };

/** Size of an entry's fixed part before the hash: ctime, mtime, dev, ino, mode, uid, gid, size. */
const STAT_BYTES = 40;

/**
 * Reads the entry paths of an index. `hashBytes` is 20 for SHA-1 repositories, 32 for SHA-256 ones.
 * A split index (`link` extension) lists only part of the tree: refused, so the caller can fall back.
 */
export function readGitIndex(bytes: Uint8Array, hashBytes = 20): GitIndexRead {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || view.getUint32(0) !== 0x44495243) return { ok: false, reason: 'not a git index (no DIRC signature)' };
  const version = view.getUint32(4);
  if (version < 2 || version > 4) return { ok: false, reason: `git index version ${version} is not supported` };
  const count = view.getUint32(8);
  const paths: string[] = [];
  const decoder = new TextDecoder('utf-8');
  let offset = 12;
  let previous: Uint8Array = new Uint8Array(0);
  for (let index = 0; index < count; index++) {
    const entryStart = offset;
    const flagsAt = entryStart + STAT_BYTES + hashBytes;
    if (flagsAt + 2 > bytes.length) return { ok: false, reason: 'git index is truncated' };
    const flags = view.getUint16(flagsAt);
    let pathAt = flagsAt + 2;
    if (version >= 3 && (flags & 0x4000) !== 0) pathAt += 2;
    let name: Uint8Array;
    if (version === 4) {
      // prefix compression: how many bytes of the previous path to drop, then the rest up to a NUL
      let cursor = pathAt;
      if (cursor >= bytes.length) return { ok: false, reason: 'git index is truncated' };
      let byte = view.getUint8(cursor++);
      let drop = byte & 0x7f;
      while ((byte & 0x80) !== 0) {
        if (cursor >= bytes.length) return { ok: false, reason: 'git index is truncated' };
        byte = view.getUint8(cursor++);
        drop = ((drop + 1) << 7) | (byte & 0x7f);
      }
      const end = bytes.indexOf(0, cursor);
      if (end < 0 || drop > previous.length) return { ok: false, reason: 'git index is truncated' };
      const kept = previous.subarray(0, previous.length - drop);
      name = new Uint8Array(kept.length + (end - cursor));
      name.set(kept, 0);
      name.set(bytes.subarray(cursor, end), kept.length);
      offset = end + 1;
    } else {
      const end = bytes.indexOf(0, pathAt);
      if (end < 0) return { ok: false, reason: 'git index is truncated' };
      name = bytes.subarray(pathAt, end);
      // entries are padded with 1 to 8 NULs to a multiple of 8 bytes
      offset = entryStart + ((pathAt - entryStart + name.length + 8) & ~7);
    }
    previous = name;
    paths.push(decoder.decode(name));
  }
  // extensions: a four-letter signature and a size each, up to the trailing checksum
  while (offset + 8 <= bytes.length - hashBytes) {
    const signature = String.fromCharCode(...bytes.subarray(offset, offset + 4));
    if (signature === 'link') return { ok: false, reason: 'split git index (core.splitIndex) is not read' };
    offset += 8 + view.getUint32(offset + 4);
  }
  return { ok: true, paths };
}
