/**
 * Docker Hub's tags API (`GET {hubApiUrl}/v2/namespaces/{namespace}/repositories/{repository}/tags`): per tag,
 * the index digest, each platform's digest and `tag_last_pushed`. It costs no pull, unlike a manifest GET.
 * What it says is a preview: the candidate about to be proposed is still fetched by digest and verified.
 */
import { isDigest } from '../core/digest.js';
import { IMAGE_MEDIA_TYPES, INDEX_MEDIA_TYPES, OCI_INDEX, OCI_MANIFEST, type IndexEntry, type IndexManifest } from '../core/manifest.js';
import { normalizePlatform } from '../core/platform.js';
import { RegistryError } from './registry-errors.js';

export interface HubTag {
  readonly name: string;
  /** The tag's manifest digest (an index for multi-platform tags); null when the API gave none. */
  readonly digest: string | null;
  /** The tag's manifest media type as the API reports it; null when absent. */
  readonly mediaType: string | null;
  /** `tag_last_pushed` (else `last_updated`), epoch ms; null when absent. */
  readonly pushedAt: number | null;
  readonly images: readonly IndexEntry[];
  /** Every image the API listed was read (digest and platform given): the record describes the whole tag. */
  readonly complete: boolean;
}

/** Page size asked for; the API allows up to 100. */
export const HUB_PAGE_SIZE = 100;

/** `library/docker` → `{hubApiUrl}/v2/namespaces/library/repositories/docker/tags?page_size=100`; null for paths the Hub cannot have. */
export function hubTagsUrl(hubApiUrl: string, repository: string): URL | null {
  const parts = repository.split('/');
  if (parts.length !== 2) return null;
  const [namespace = '', name = ''] = parts;
  const base = hubApiUrl.replace(/\/+$/, '');
  return new URL(`${base}/v2/namespaces/${encodeURIComponent(namespace)}/repositories/${encodeURIComponent(name)}/tags?page_size=${HUB_PAGE_SIZE}`);
}

/** One page of the API: its tags and the absolute `next` URL (null on the last page). */
export function parseHubTagsPage(body: unknown, what: string): { tags: HubTag[]; next: string | null } {
  if (!isRecord(body) || !Array.isArray(body['results'])) throw new RegistryError('registry-bad-response', `${what}: no "results" list`);
  const tags: HubTag[] = [];
  for (const item of body['results']) {
    if (!isRecord(item) || typeof item['name'] !== 'string') continue;
    const digest = typeof item['digest'] === 'string' && isDigest(item['digest']) ? item['digest'] : null;
    const mediaType = typeof item['media_type'] === 'string' ? item['media_type'] : null;
    const pushed = timeOf(item['tag_last_pushed']) ?? timeOf(item['last_updated']);
    const listed: readonly unknown[] = Array.isArray(item['images']) ? item['images'] : [];
    const images = listed.flatMap((image) => entryOf(image));
    const complete = Array.isArray(item['images']) && images.length === listed.length;
    tags.push({ name: item['name'], digest, mediaType, pushedAt: pushed, images, complete });
  }
  const next = typeof body['next'] === 'string' && body['next'] !== '' ? body['next'] : null;
  return { tags, next };
}

/**
 * The index the API describes, for the gate to judge before anything is pulled; null when the API does not
 * describe a multi-platform index well enough (no digest, a single-image tag, an image without a digest).
 */
export function previewIndex(tag: HubTag): IndexManifest | null {
  if (tag.digest === null) return null;
  if (tag.mediaType !== null && !INDEX_MEDIA_TYPES.has(tag.mediaType)) return null;
  if (tag.mediaType === null && tag.images.length <= 1) return null;
  return { kind: 'index', mediaType: tag.mediaType ?? OCI_INDEX, entries: tag.images };
}

function entryOf(image: unknown): IndexEntry[] {
  if (!isRecord(image)) return [];
  const digest = image['digest'];
  const os = image['os'];
  const architecture = image['architecture'];
  if (typeof digest !== 'string' || !isDigest(digest)) return [];
  if (typeof os !== 'string' || os === '' || typeof architecture !== 'string' || architecture === '') return [];
  const variant = typeof image['variant'] === 'string' && image['variant'] !== '' ? image['variant'] : null;
  const platform = normalizePlatform({ os, architecture, variant });
  // The API lists build attestations as `unknown/unknown` images.
  const attestation = platform.os === 'unknown' && platform.architecture === 'unknown';
  const size = typeof image['size'] === 'number' && image['size'] >= 0 ? image['size'] : 0;
  const mediaType = IMAGE_MEDIA_TYPES.has(String(image['media_type'])) ? String(image['media_type']) : OCI_MANIFEST;
  return [{ mediaType, digest, size, platform, annotations: {}, attestation }];
}

function timeOf(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const time = Date.parse(value);
  return Number.isNaN(time) || time <= 0 ? null : time;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
