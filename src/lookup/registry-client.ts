import { ArchpinError } from '../core/errors.js';
import { isDigest, sha256Digest } from '../core/digest.js';
import type { RegistryCredentials } from './docker-config.js';
import { defaultSleep } from './http-retry.js';
import { nextPageUrl } from './link-header.js';
import { createManifestCache, type CachedManifest } from './manifest-cache.js';
import { bareMediaType, MANIFEST_ACCEPT, manifestMediaType } from './manifest-media-types.js';
import { readCappedBody } from './read-body.js';
import { createRegistryAuth, type AuthTarget } from './registry-auth.js';
import { registryBaseUrl } from './registry-endpoint.js';
import { RegistryError } from './registry-errors.js';
import { createTransport, type RegistryRequestEvent, type RequestKind } from './registry-transport.js';

export type { RegistryRequestEvent, RequestKind } from './registry-transport.js';
export type { ManifestMediaType } from './manifest-media-types.js';

export interface ImageLocation {
  readonly registry: string;
  readonly repository: string;
}

export interface ManifestHead {
  /** From `Docker-Content-Digest`; null when the registry did not send a usable one. */
  readonly digest: string | null;
  readonly mediaType: string | null;
  readonly size: number | null;
}

/** A manifest as received: its digest is the sha256 of `bytes`, checked against every digest we were told. */
export type FetchedManifest = CachedManifest;

export interface ResolvedManifest extends FetchedManifest {
  /** True when the bytes came from the cache and no manifest body was fetched. */
  readonly cached: boolean;
}

export interface RegistryClientOptions {
  /** Credentials for a registry name (or a mirror's host); null for anonymous. */
  readonly credentials?: (registry: string) => RegistryCredentials | null;
  /** Token realm hosts trusted with a registry's credentials, besides the registry's own host. */
  readonly trustedRealmHosts?: Readonly<Record<string, readonly string[]>>;
  readonly mirrors?: Readonly<Record<string, string>>;
  /** Non-loopback registries spoken to over plain HTTP. */
  readonly insecure?: readonly string[];
  /** Requests in flight per registry host (default 4). */
  readonly concurrency?: number;
  /** Per request, body included (default 15 s). */
  readonly timeoutMs?: number;
  /** Attempts per request, the first included (default 3). */
  readonly attempts?: number;
  readonly baseDelayMs?: number;
  /** Longest Retry-After honoured (default 30 s); a longer one fails at once. */
  readonly maxRetryAfterMs?: number;
  /** Largest manifest accepted (default 4 MiB). */
  readonly maxManifestBytes?: number;
  readonly maxTagPages?: number;
  readonly maxTags?: number;
  /** Directory for manifests by digest, shared between runs. */
  readonly cacheDir?: string;
  readonly onRequest?: (event: RegistryRequestEvent) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
  readonly userAgent?: string;
}

export interface RegistryClient {
  listTags(image: ImageLocation): Promise<string[]>;
  headManifest(image: ImageLocation, reference: string): Promise<ManifestHead>;
  getManifest(image: ImageLocation, reference: string): Promise<FetchedManifest>;
  /** HEADs the tag; returns the cached manifest when its digest is known, else GETs and stores it. */
  resolveManifest(image: ImageLocation, tag: string): Promise<ResolvedManifest>;
  getBlob(image: ImageLocation, digest: string, options: { maxBytes: number }): Promise<Uint8Array>;
  /** Requests sent so far, by kind. */
  requestCounts(): Readonly<Record<RequestKind, number>>;
}

const MIB = 1024 * 1024;
const MAX_TAG_PAGE_BYTES = 16 * MIB;

export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  const now = options.now ?? Date.now;
  const maxManifestBytes = options.maxManifestBytes ?? 4 * MIB;
  const maxTagPages = options.maxTagPages ?? 100;
  const maxTags = options.maxTags ?? 50_000;
  const cache = createManifestCache({ dir: options.cacheDir });
  const transport = createTransport({
    fetch: options.fetch ?? globalThis.fetch,
    concurrency: options.concurrency ?? 4,
    timeoutMs: options.timeoutMs ?? 15_000,
    userAgent: options.userAgent ?? 'archpin',
    onRequest: options.onRequest,
    retry: {
      attempts: options.attempts ?? 3,
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxRetryAfterMs ?? 30_000,
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
      now,
    },
  });
  const auth = createRegistryAuth({
    credentials: options.credentials ?? (() => null),
    trustedRealmHosts: options.trustedRealmHosts ?? {},
    now,
    fetchToken: (url, authorization) =>
      transport.send(
        {
          kind: 'token',
          method: 'GET',
          url,
          target: null,
          authorization,
          what: `GET token ${url.host}`,
          read: async (response) => parseJson(await readCappedBody(response, tooLargeAs('registry-bad-response', MIB, `token ${url.host}`)), `token ${url.host}`),
        },
        null,
      ),
  });

  function target(image: ImageLocation): AuthTarget {
    const baseUrl = registryBaseUrl(image.registry, options);
    const mirrored = options.mirrors?.[image.registry] !== undefined;
    return { registry: image.registry, baseUrl, credentialKey: mirrored ? new URL(baseUrl).host : image.registry, repository: image.repository };
  }

  function v2(t: AuthTarget, path: string): URL {
    return new URL(`${t.baseUrl}/v2/${t.repository}/${path}`);
  }

  async function getManifest(image: ImageLocation, reference: string): Promise<FetchedManifest> {
    const byDigest = reference.startsWith('sha256:');
    if (byDigest) {
      if (!isDigest(reference)) throw new ArchpinError('usage', `not a sha256 digest: ${reference}`);
      const hit = await cache.get(reference);
      if (hit !== null) return hit;
    }
    const t = target(image);
    const what = `GET manifest ${image.registry}/${image.repository}${byDigest ? '@' : ':'}${reference}`;
    const manifest = await transport.send(
      {
        kind: 'manifest-get',
        method: 'GET',
        url: v2(t, `manifests/${reference}`),
        target: t,
        headers: { accept: MANIFEST_ACCEPT },
        what,
        read: async (response) => {
          const bytes = await readCappedBody(response, tooLargeAs('manifest-too-large', maxManifestBytes, what));
          const digest = sha256Digest(bytes);
          if (byDigest && digest !== reference) throw mismatch(`${what}: received bytes hash to ${digest}`);
          const header = response.headers.get('docker-content-digest');
          if (header !== null && header.startsWith('sha256:') && header !== digest) {
            throw mismatch(`${what}: Docker-Content-Digest ${header} but received bytes hash to ${digest}`);
          }
          return { digest, mediaType: manifestMediaType(response.headers.get('content-type'), bytes, what), bytes };
        },
      },
      auth,
    );
    await cache.put(manifest).catch(() => undefined);
    return manifest;
  }

  async function headManifest(image: ImageLocation, reference: string): Promise<ManifestHead> {
    const t = target(image);
    return transport.send(
      {
        kind: 'manifest-head',
        method: 'HEAD',
        url: v2(t, `manifests/${reference}`),
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
      },
      auth,
    );
  }

  return {
    getManifest,
    headManifest,

    async resolveManifest(image, tag) {
      const head = await headManifest(image, tag);
      if (head.digest !== null) {
        const hit = await cache.get(head.digest);
        if (hit !== null) return { ...hit, cached: true };
      }
      return { ...(await getManifest(image, tag)), cached: false };
    },

    async listTags(image) {
      const t = target(image);
      const tags = new Set<string>();
      const seen = new Set<string>();
      let url: URL | null = v2(t, 'tags/list?n=1000');
      for (let page = 0; url !== null && page < maxTagPages && tags.size < maxTags && !seen.has(url.href); page++) {
        seen.add(url.href);
        const pageUrl: URL = url;
        const what = `GET tags ${image.registry}/${image.repository}`;
        const result = await transport.send(
          {
            kind: 'tags',
            method: 'GET',
            url: pageUrl,
            target: t,
            what,
            read: async (response) => ({
              body: parseJson(await readCappedBody(response, tooLargeAs('registry-bad-response', MAX_TAG_PAGE_BYTES, what)), what),
              link: response.headers.get('link'),
            }),
          },
          auth,
        );
        for (const tag of tagsOf(result.body, what)) {
          if (tags.size >= maxTags) break;
          tags.add(tag);
        }
        const next = nextPageUrl(result.link, pageUrl.href);
        url = next !== null && next.origin === pageUrl.origin ? next : null;
      }
      return [...tags];
    },

    async getBlob(image, digest, { maxBytes }) {
      if (!isDigest(digest)) throw new ArchpinError('usage', `not a sha256 digest: ${digest}`);
      const t = target(image);
      const what = `GET blob ${image.registry}/${image.repository}@${digest}`;
      return transport.send(
        {
          kind: 'blob',
          method: 'GET',
          url: v2(t, `blobs/${digest}`),
          target: t,
          what,
          read: async (response) => {
            const bytes = await readCappedBody(response, tooLargeAs('registry-bad-response', maxBytes, what));
            const actual = sha256Digest(bytes);
            if (actual !== digest) throw mismatch(`${what}: received bytes hash to ${actual}`);
            return bytes;
          },
        },
        auth,
      );
    },

    requestCounts: () => transport.counts(),
  };
}

function tooLargeAs(code: 'manifest-too-large' | 'registry-bad-response', maxBytes: number, what: string) {
  return { maxBytes, what, tooLarge: (detail: string) => new RegistryError(code, detail) };
}

function mismatch(message: string): RegistryError {
  return new RegistryError('digest-mismatch', message);
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new RegistryError('registry-bad-response', `${what}: answer is not JSON`, { cause: error });
  }
}

function tagsOf(body: unknown, what: string): string[] {
  const tags = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['tags'] : undefined;
  if (tags === null || tags === undefined) return [];
  if (!Array.isArray(tags)) throw new RegistryError('registry-bad-response', `${what}: "tags" is not a list`);
  return tags.filter((tag): tag is string => typeof tag === 'string');
}

