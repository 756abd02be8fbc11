/** Manifests and blobs by tag or digest: each answer's bytes hashed and checked against every digest given. */
import { ArchpinError } from '../core/errors.js';
import { isDigest, sha256Digest } from '../core/digest.js';
import type { CachedManifest } from './manifest-cache.js';
import { bareMediaType, MANIFEST_ACCEPT, manifestMediaType } from './manifest-media-types.js';
import { readCappedBody } from './read-body.js';
import { mismatch, tooLargeAs, v2Url, type ImageLocation, type RegistryContext } from './registry-context.js';
import { RegistryError } from './registry-errors.js';

export interface ManifestHead {
  /** From `Docker-Content-Digest`; null when the registry did not send a usable one. */
  readonly digest: string | null;
  readonly mediaType: string | null;
  readonly size: number | null;
}

/** GETs a manifest (a pull on Docker Hub): its digest is the sha256 of the bytes, checked against the digest asked and the header. */
export async function fetchManifest(ctx: RegistryContext, image: ImageLocation, reference: string): Promise<CachedManifest> {
  const byDigest = reference.startsWith('sha256:');
  if (byDigest && !isDigest(reference)) throw new ArchpinError('usage', `not a sha256 digest: ${reference}`);
  const t = ctx.target(image);
  const what = `GET manifest ${image.registry}/${image.repository}${byDigest ? '@' : ':'}${reference}`;
  return ctx.send(image.registry, {
    kind: 'manifest-get',
    method: 'GET',
    url: v2Url(t, `manifests/${reference}`),
    target: t,
    headers: { accept: MANIFEST_ACCEPT },
    what,
    read: async (response) => {
      const bytes = await readCappedBody(response, tooLargeAs('manifest-too-large', ctx.maxManifestBytes, what));
      const digest = sha256Digest(bytes);
      if (byDigest && digest !== reference) throw mismatch(`${what}: received bytes hash to ${digest}`);
      const header = response.headers.get('docker-content-digest');
      if (header !== null && header.startsWith('sha256:') && header !== digest) {
        throw mismatch(`${what}: Docker-Content-Digest ${header} but received bytes hash to ${digest}`);
      }
      const mediaType = manifestMediaType(response.headers.get('content-type'), bytes, what);
      const lastModified = Date.parse(response.headers.get('last-modified') ?? '');
      return Number.isNaN(lastModified) ? { digest, mediaType, bytes } : { digest, mediaType, bytes, lastModified };
    },
  });
}

/** HEADs a manifest (free of Docker Hub's pull quota): digest, media type and length as the registry states them. */
export function headManifest(ctx: RegistryContext, image: ImageLocation, reference: string): Promise<ManifestHead> {
  const t = ctx.target(image);
  return ctx.send(image.registry, {
    kind: 'manifest-head',
    method: 'HEAD',
    url: v2Url(t, `manifests/${reference}`),
    target: t,
    headers: { accept: MANIFEST_ACCEPT },
    what: `HEAD manifest ${image.registry}/${image.repository}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`,
    read: async (response) => {
      await response.body?.cancel().catch(() => undefined);
      const digest = response.headers.get('docker-content-digest');
      const length = response.headers.get('content-length');
      return {
        digest: digest !== null && isDigest(digest) ? digest : null,
        mediaType: bareMediaType(response.headers.get('content-type')),
        size: length !== null && /^\d+$/.test(length) ? Number(length) : null,
      };
    },
  });
}

/** GETs a blob (image config), verified against its digest. */
export function fetchBlob(ctx: RegistryContext, image: ImageLocation, digest: string, maxBytes: number): Promise<Uint8Array> {
  if (!isDigest(digest)) throw new ArchpinError('usage', `not a sha256 digest: ${digest}`);
  const t = ctx.target(image);
  const what = `GET blob ${image.registry}/${image.repository}@${digest}`;
  return ctx.send(image.registry, {
    kind: 'blob',
    method: 'GET',
    url: v2Url(t, `blobs/${digest}`),
    target: t,
    what,
    read: async (response) => {
      const bytes = await readCappedBody(response, tooLargeAs('registry-bad-response', maxBytes, what));
      const actual = sha256Digest(bytes);
      if (actual !== digest) throw mismatch(`${what}: received bytes hash to ${actual}`);
      return bytes;
    },
  });
}

/** Whether the registry still has a blob (HEAD; false on 404). */
export async function blobExists(ctx: RegistryContext, image: ImageLocation, digest: string): Promise<boolean> {
  if (!isDigest(digest)) throw new ArchpinError('usage', `not a sha256 digest: ${digest}`);
  const t = ctx.target(image);
  try {
    return await ctx.send(image.registry, {
      kind: 'blob-head',
      method: 'HEAD',
      url: v2Url(t, `blobs/${digest}`),
      target: t,
      what: `HEAD blob ${image.registry}/${image.repository}@${digest}`,
      read: async (response) => {
        await response.body?.cancel().catch(() => undefined);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof RegistryError && error.code === 'registry-not-found') return false;
    throw error;
  }
}
