import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDigest, sha256Digest } from '../core/digest.js';
import { isSupportedManifestType, type ManifestMediaType } from './manifest-media-types.js';

export interface CachedManifest {
  readonly digest: string;
  readonly mediaType: ManifestMediaType;
  readonly bytes: Uint8Array;
  /** The registry's `Last-Modified` for these bytes, epoch ms, when it sent one. */
  readonly lastModified?: number;
}

/** Manifests by digest are immutable: kept in memory, and on disk when a directory is given. */
export interface ManifestCache {
  get(digest: string): Promise<CachedManifest | null>;
  put(manifest: CachedManifest): Promise<void>;
}

/**
 * Disk layout: `manifests/sha256/<hex>` holds the bytes, `manifests/sha256/<hex>.json` `{ "mediaType": … }`.
 * Bytes read back are hashed again and ignored (and removed) when they do not match their name.
 */
export function createManifestCache(options: { dir?: string | undefined } = {}): ManifestCache {
  const memory = new Map<string, CachedManifest>();
  const dir = options.dir;

  return {
    async get(digest) {
      const hit = memory.get(digest);
      if (hit !== undefined) return hit;
      if (dir === undefined || !isDigest(digest)) return null;
      const fromDisk = await readEntry(dir, digest);
      if (fromDisk !== null) memory.set(digest, fromDisk);
      return fromDisk;
    },
    async put(manifest) {
      if (sha256Digest(manifest.bytes) !== manifest.digest) return;
      memory.set(manifest.digest, manifest);
      if (dir !== undefined) await writeEntry(dir, manifest);
    },
  };
}

function entryPath(dir: string, digest: string): string {
  return join(dir, 'manifests', 'sha256', digest.slice('sha256:'.length));
}

async function readEntry(dir: string, digest: string): Promise<CachedManifest | null> {
  const path = entryPath(dir, digest);
  let bytes: Uint8Array;
  let sidecar: unknown;
  try {
    bytes = new Uint8Array(await readFile(path));
    sidecar = JSON.parse(await readFile(`${path}.json`, 'utf8'));
  } catch {
    return null;
  }
  const mediaType = typeof sidecar === 'object' && sidecar !== null ? (sidecar as Record<string, unknown>)['mediaType'] : undefined;
  if (sha256Digest(bytes) !== digest || typeof mediaType !== 'string' || !isSupportedManifestType(mediaType)) {
    await Promise.all([rm(path, { force: true }), rm(`${path}.json`, { force: true })]);
    return null;
  }
  const lastModified = (sidecar as Record<string, unknown>)['lastModified'];
  return typeof lastModified === 'number' && Number.isFinite(lastModified) ? { digest, mediaType, bytes, lastModified } : { digest, mediaType, bytes };
}

async function writeEntry(dir: string, manifest: CachedManifest): Promise<void> {
  const path = entryPath(dir, manifest.digest);
  await mkdir(join(dir, 'manifests', 'sha256'), { recursive: true });
  const suffix = `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(`${path}.json${suffix}`, `${JSON.stringify({ mediaType: manifest.mediaType, ...(manifest.lastModified === undefined ? {} : { lastModified: manifest.lastModified }) })}\n`);
  await rename(`${path}.json${suffix}`, `${path}.json`);
  await writeFile(`${path}${suffix}`, manifest.bytes);
  await rename(`${path}${suffix}`, path);
}
