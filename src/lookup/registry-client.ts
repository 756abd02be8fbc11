import { ArchpinError } from '../core/errors.js';
import { isDigest, sha256Digest } from '../core/digest.js';
import type { RegistryCredentials } from './docker-config.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_FIRST_BYTE_TIMEOUT_MS, timedFetch } from './http-fetch.js';
import { defaultSleep } from './http-retry.js';
import { DEFAULT_HUB_API_URL, hubTagsUrl, parseHubTagsPage, type HubTag } from './hub-tags.js';
import { nextPageUrl } from './link-header.js';
import { createManifestCache, type CachedManifest } from './manifest-cache.js';
import { bareMediaType, MANIFEST_ACCEPT, manifestMediaType } from './manifest-media-types.js';
import { readCappedBody } from './read-body.js';
import { createRegistryAuth, type AuthTarget } from './registry-auth.js';
import { registryBaseUrl } from './registry-endpoint.js';
import { RegistryError } from './registry-errors.js';
import { kindFromAnswer, kindFromHost, registryProfile, type RegistryKind, type RegistryProfile } from './registry-profile.js';
import { createTransport, type RegistryRequestEvent, type RequestKind, type TransportRequest } from './registry-transport.js';

export type { RegistryRequestEvent, RequestKind } from './registry-transport.js';
export type { ManifestMediaType } from './manifest-media-types.js';
export type { HubTag } from './hub-tags.js';
export type { RegistryKind, RegistryProfile } from './registry-profile.js';

/** What one registry host cost and allowed this run. */
export interface RegistryHostStats {
  readonly host: string;
  readonly kind: RegistryKind;
  /** Manifest GETs answered (Docker Hub counts each as a pull; HEADs and blobs are free). */
  readonly pulls: number;
  readonly requests: number;
  /** From `RateLimit-Limit` / `RateLimit-Remaining` on the last answer that carried them. */
  readonly rateLimit: { readonly limit: number; readonly remaining: number } | null;
  /** The host answered 429 `toomanyrequests`; no request went to it afterwards. */
  readonly stopped: boolean;
}

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
  /** Credentials for a registry name (or a mirror's host); null for anonymous. May run a credential helper. */
  readonly credentials?: (registry: string) => RegistryCredentials | null | Promise<RegistryCredentials | null>;
  /** `registries.<host>.kind`: the registry's kind, instead of guessing it from the host and its answers. */
  readonly kinds?: Readonly<Record<string, RegistryKind>>;
  /** Docker Hub's API (tags with platforms and push times), default https://hub.docker.com. */
  readonly hubApiUrl?: string;
  /** Token realm hosts trusted with a registry's credentials, besides the registry's own host. */
  readonly trustedRealmHosts?: Readonly<Record<string, readonly string[]>>;
  readonly mirrors?: Readonly<Record<string, string>>;
  /** Non-loopback registries spoken to over plain HTTP. */
  readonly insecure?: readonly string[];
  /** Requests in flight per registry host (default 4). */
  readonly concurrency?: number;
  /** Per request, body included (default 15 s). */
  readonly timeoutMs?: number;
  /** To connect to a host (default 5 s); a host that cannot be reached fails every request to it at once afterwards. */
  readonly connectTimeoutMs?: number;
  /** From request to response headers (default 10 s); a host that never answered and stays silent this long is unreachable. */
  readonly firstByteTimeoutMs?: number;
  /** Called as each request leaves, with its URL (progress). */
  readonly onRequestStart?: (url: URL) => void;
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
  /** Whether the registry still has a blob (HEAD; false on 404). */
  blobExists(image: ImageLocation, digest: string): Promise<boolean>;
  /** Requests sent so far, by kind. */
  requestCounts(): Readonly<Record<RequestKind, number>>;
  /** The profile the client uses for a registry (configured, detected from its answers, or from its name). */
  profile(registry: string): RegistryProfile;
  /** Docker Hub's tags API for the image, by tag name (memoised); null for other registries or when the API cannot answer. */
  hubTags(image: ImageLocation): Promise<ReadonlyMap<string, HubTag> | null>;
  /** A manifest already held by digest (memory or disk cache), without any request. */
  cachedManifest(digest: string): Promise<FetchedManifest | null>;
  /** Pulls, requests, quota and stops per registry host contacted. */
  hostStats(): readonly RegistryHostStats[];
}

const MIB = 1024 * 1024;
const MAX_TAG_PAGE_BYTES = 16 * MIB;

export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  const now = options.now ?? Date.now;
  const maxManifestBytes = options.maxManifestBytes ?? 4 * MIB;
  const maxTagPages = options.maxTagPages ?? 100;
  const maxTags = options.maxTags ?? 50_000;
  const cache = createManifestCache({ dir: options.cacheDir });
  const learnedKinds = new Map<string, RegistryKind>();
  const registryOfHost = new Map<string, string>();
  const stats = new Map<string, { pulls: number; requests: number; rateLimit: { limit: number; remaining: number } | null; stopped: RegistryError | null }>();
  const statsOf = (registry: string) => {
    let entry = stats.get(registry);
    if (entry === undefined) {
      entry = { pulls: 0, requests: 0, rateLimit: null, stopped: null };
      stats.set(registry, entry);
    }
    return entry;
  };
  const profileOf = (registry: string): RegistryProfile => registryProfile(options.kinds?.[registry] ?? learnedKinds.get(registry) ?? kindFromHost(registry));
  const firstByteMs = options.firstByteTimeoutMs ?? DEFAULT_FIRST_BYTE_TIMEOUT_MS;
  const transport = createTransport({
    fetch: options.fetch ?? timedFetch({ connectMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, firstByteMs }),
    concurrency: options.concurrency ?? 4,
    timeoutMs: options.timeoutMs ?? 15_000,
    firstByteMs,
    onStart: options.onRequestStart,
    userAgent: options.userAgent ?? 'archpin',
    onRequest: options.onRequest,
    onAnswer: (kind, url, response) => {
      const registry = registryOfHost.get(url.host);
      if (registry === undefined) return;
      const entry = statsOf(registry);
      entry.requests += 1;
      if (kind === 'manifest-get' && response.ok) entry.pulls += 1;
      const limit = rateLimitValue(response.headers.get('ratelimit-limit'));
      const remaining = rateLimitValue(response.headers.get('ratelimit-remaining'));
      if (limit !== null && remaining !== null) entry.rateLimit = { limit, remaining };
      if (options.kinds?.[registry] === undefined && !learnedKinds.has(registry) && kindFromHost(registry) === 'distribution') {
        const learned = kindFromAnswer(response.headers, null);
        if (learned !== null) learnedKinds.set(registry, learned);
      }
    },
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
    registryOfHost.set(new URL(baseUrl).host, image.registry);
    return { registry: image.registry, baseUrl, credentialKey: mirrored ? new URL(baseUrl).host : image.registry, repository: image.repository };
  }

  /** Sends through the transport unless the registry already refused with `toomanyrequests`; learns kinds from challenges. */
  async function send<T>(registry: string, request: TransportRequest<T>): Promise<T> {
    const stopped = stats.get(registry)?.stopped ?? null;
    if (stopped !== null) {
      throw new RegistryError('registry-rate-limited', `${request.what}: not sent, ${registry} refused earlier with 429 toomanyrequests (pull quota exhausted)`, {
        status: 429,
        quotaExhausted: true,
      });
    }
    try {
      return await transport.send(request, auth);
    } catch (error) {
      // Docker Hub's toomanyrequests (or any registry's without a Retry-After): no more requests to that host.
      if (error instanceof RegistryError && error.quotaExhausted && (error.retryAfterMs === null || profileOf(registry).kind === 'dockerhub')) {
        statsOf(registry).stopped = error;
      }
      throw error;
    } finally {
      if (request.target !== null && options.kinds?.[registry] === undefined && !learnedKinds.has(registry) && kindFromHost(registry) === 'distribution') {
        const learned = kindFromAnswer({ get: () => null }, auth.realmOf(request.target.baseUrl));
        if (learned !== null) learnedKinds.set(registry, learned);
      }
    }
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
    const manifest = await send(image.registry, {
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
        const mediaType = manifestMediaType(response.headers.get('content-type'), bytes, what);
        const lastModified = Date.parse(response.headers.get('last-modified') ?? '');
        return Number.isNaN(lastModified) ? { digest, mediaType, bytes } : { digest, mediaType, bytes, lastModified };
      },
    });
    await cache.put(manifest).catch(() => undefined);
    return manifest;
  }

  async function headManifest(image: ImageLocation, reference: string): Promise<ManifestHead> {
    const t = target(image);
    return send(image.registry, {
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
    });
  }

  /** The URL of the page after `pageUrl`, as the profile finds it; null at the end or when it points elsewhere. */
  function nextTagsPage(profile: RegistryProfile, pageUrl: URL, link: string | null, body: unknown): URL | null {
    if (profile.pagination === 'none') return null;
    let next = nextPageUrl(link, pageUrl.href);
    if (next === null && profile.pagination === 'next-page-token') {
      const token = isRecord(body) && typeof body['next_page'] === 'string' && body['next_page'] !== '' ? body['next_page'] : null;
      if (token === null) return null;
      next = new URL(pageUrl.href);
      next.searchParams.set('next_page', token);
    }
    if (next === null) return null;
    // A Link to another origin is never followed: the credentials for this registry would go with it.
    if (next.origin !== pageUrl.origin) return null;
    if (profile.linkQueryOnly && next.pathname !== pageUrl.pathname) return new URL(`${pageUrl.pathname}${next.search}`, pageUrl);
    return next;
  }

  /** Registries that refused a page size once: later tag lists of the run go without `n`. */
  const refusedPageSize = new Set<string>();

  async function listTags(image: ImageLocation): Promise<string[]> {
    const t = target(image);
    const tags: string[] = [];
    const seen = new Set<string>();
    const first = profileOf(image.registry);
    let url: URL | null = v2(t, first.pageSize === null || refusedPageSize.has(image.registry) ? 'tags/list' : `tags/list?n=${first.pageSize}`);
    let withoutPageSize = first.pageSize === null || refusedPageSize.has(image.registry);
    const what = `GET tags ${image.registry}/${image.repository}`;
    let page = 0;
    for (; url !== null && page < maxTagPages && !seen.has(url.href); page++) {
      seen.add(url.href);
      const pageUrl: URL = url;
      let result: { body: unknown; link: string | null };
      try {
        result = await send(image.registry, {
          kind: 'tags',
          method: 'GET',
          url: pageUrl,
          target: t,
          what,
          read: async (response) => ({
            body: parseJson(await readCappedBody(response, tooLargeAs('registry-bad-response', MAX_TAG_PAGE_BYTES, what)), what),
            link: response.headers.get('link'),
          }),
        });
      } catch (error) {
        // Some registries (ECR behind proxies among them) refuse a large `n` instead of capping it.
        const refused = error instanceof RegistryError && (error.status === 405 || error.status === 400);
        if (page === 0 && !withoutPageSize && refused && profileOf(image.registry).retryWithoutPageSize) {
          withoutPageSize = true;
          refusedPageSize.add(image.registry);
          url = v2(t, 'tags/list');
          page = -1;
          continue;
        }
        throw error;
      }
      for (const tag of tagsOf(result.body, what)) tags.push(tag);
      url = nextTagsPage(profileOf(image.registry), pageUrl, result.link, result.body);
    }
    const profile = profileOf(image.registry);
    if (url !== null && page >= maxTagPages && profile.oldestFirst) {
      // Oldest first: the pages not read hold the newest tags, so the list cannot answer "what is newer".
      throw new RegistryError('registry-bad-response', `${what}: more than ${maxTagPages} pages of tags, listed oldest first; the newest are unknown`);
    }
    const unique = [...new Set(tags)];
    if (unique.length <= maxTags) return unique;
    return profile.oldestFirst ? unique.slice(unique.length - maxTags) : unique.slice(0, maxTags);
  }

  const hubMemo = new Map<string, Promise<ReadonlyMap<string, HubTag> | null>>();

  /** Reads every page of the Hub tags API; null when it cannot answer (the registry's tag list is used instead). */
  async function readHubTags(image: ImageLocation): Promise<ReadonlyMap<string, HubTag> | null> {
    let url = hubTagsUrl(options.hubApiUrl ?? DEFAULT_HUB_API_URL, image.repository);
    if (url === null) return null;
    const origin = url.origin;
    registryOfHost.set(url.host, image.registry);
    const byName = new Map<string, HubTag>();
    const what = `GET Hub tags ${image.registry}/${image.repository}`;
    const seen = new Set<string>();
    try {
      for (let page = 0; url !== null && page < maxTagPages && byName.size < maxTags && !seen.has(url.href); page++) {
        seen.add(url.href);
        const pageUrl: URL = url;
        const body = await transport.send(
          {
            kind: 'hub-tags',
            method: 'GET',
            url: pageUrl,
            target: null,
            what,
            read: async (response) => parseJson(await readCappedBody(response, tooLargeAs('registry-bad-response', MAX_TAG_PAGE_BYTES, what)), what),
          },
          null,
        );
        const parsed = parseHubTagsPage(body, what);
        for (const tag of parsed.tags) if (!byName.has(tag.name)) byName.set(tag.name, tag);
        let next: URL | null = null;
        if (parsed.next !== null) {
          try {
            next = new URL(parsed.next, pageUrl);
          } catch {
            next = null;
          }
        }
        url = next !== null && next.origin === origin ? next : null;
      }
    } catch (error) {
      // The Hub API is an optimisation: private repositories (401/404), its own rate limit or an outage
      // send the lookup back to the registry's tag list and manifests.
      if (error instanceof RegistryError || error instanceof ArchpinError) return null;
      throw error;
    }
    return byName;
  }

  return {
    getManifest,
    headManifest,
    listTags,

    async resolveManifest(image, tag) {
      const head = await headManifest(image, tag);
      if (head.digest !== null) {
        const hit = await cache.get(head.digest);
        if (hit !== null) return { ...hit, cached: true };
      }
      return { ...(await getManifest(image, tag)), cached: false };
    },

    async getBlob(image, digest, { maxBytes }) {
      if (!isDigest(digest)) throw new ArchpinError('usage', `not a sha256 digest: ${digest}`);
      const t = target(image);
      const what = `GET blob ${image.registry}/${image.repository}@${digest}`;
      return send(image.registry, {
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
      });
    },

    async blobExists(image, digest) {
      if (!isDigest(digest)) throw new ArchpinError('usage', `not a sha256 digest: ${digest}`);
      const t = target(image);
      try {
        return await send(image.registry, {
          kind: 'blob-head',
          method: 'HEAD',
          url: v2(t, `blobs/${digest}`),
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
    },

    requestCounts: () => transport.counts(),

    profile: profileOf,

    hubTags(image) {
      if (!profileOf(image.registry).hubTagsApi) return Promise.resolve(null);
      const key = `${image.registry}/${image.repository}`;
      let memo = hubMemo.get(key);
      if (memo === undefined) {
        memo = readHubTags(image);
        hubMemo.set(key, memo);
      }
      return memo;
    },

    cachedManifest: (digest) => (isDigest(digest) ? cache.get(digest) : Promise.resolve(null)),

    hostStats: () =>
      [...stats.entries()]
        .filter(([, entry]) => entry.requests > 0 || entry.stopped !== null)
        .map(([host, entry]) => ({ host, kind: profileOf(host).kind, pulls: entry.pulls, requests: entry.requests, rateLimit: entry.rateLimit, stopped: entry.stopped !== null }))
        .sort((a, b) => a.host.localeCompare(b.host)),
  };
}

/** `100;w=21600` → 100; null when absent or not a number. */
function rateLimitValue(header: string | null): number | null {
  const match = header === null ? null : /^\s*(\d+)/.exec(header);
  return match ? Number(match[1]) : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
