import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDigest, sha256Digest } from '../core/digest.js';

/**
 * Config blobs by digest are immutable: kept in memory, and on disk under `blobs/sha256/<hex>` when a directory
 * is given, forever. Bytes read back are hashed again and dropped (and removed) when they do not match their name.
 */
export interface BlobCache {
  get(digest: string): Promise<Uint8Array | null>;
  put(digest: string, bytes: Uint8Array): Promise<void>;
}

export function createBlobCache(options: { dir?: string | undefined } = {}): BlobCache {
  const memory = new Map<string, Uint8Array>();
  const dir = options.dir;
  const pathOf = (root: string, digest: string): string => join(root, 'blobs', 'sha256', digest.slice('sha256:'.length));
  return {
    async get(digest) {
      const hit = memory.get(digest);
      if (hit !== undefined) return hit;
      if (dir === undefined || !isDigest(digest)) return null;
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(pathOf(dir, digest)));
      } catch {
        return null;
      }
      if (sha256Digest(bytes) !== digest) {
        await rm(pathOf(dir, digest), { force: true });
        return null;
      }
      memory.set(digest, bytes);
      return bytes;
    },
    async put(digest, bytes) {
      if (!isDigest(digest) || sha256Digest(bytes) !== digest) return;
      memory.set(digest, bytes);
      if (dir === undefined) return;
      await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
      const temporary = `${pathOf(dir, digest)}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
      await writeFile(temporary, bytes);
      await rename(temporary, pathOf(dir, digest));
    },
  };
}
