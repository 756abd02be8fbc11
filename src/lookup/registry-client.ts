import { isDigest } from '../core/digest.js';
import type { RegistryCredentials } from './docker-config.js';
import { timedFetch } from './http-fetch.js';
import { DEFAULT_HUB_API_URL, REGISTRY_TIMEOUTS_MS } from '../core/registry-defaults.js';
import { defaultSleep } from './http-retry.js';
import { createHubLogin } from './hub-login.js';
import { createHubTagsReader } from './hub-tags-reader.js';
import type { HubTag } from './hub-tags.js';
import { createManifestCache, type CachedManifest } from './manifest-cache.js';
import { readCappedBody } from './read-body.js';
import { createRegistryAuth, type RegistryAuth } from './registry-auth.js';
import { MIB } from '../core/budgets.js';
import { MAX_MANIFEST_BYTES } from '../core/manifest.js';
import { parseJson, tooLargeAs, type ImageLocation, type RegistryContext } from './registry-context.js';
import { registryBaseUrl } from './registry-endpoint.js';
import { RegistryError } from './registry-errors.js';
import { createHostStats, type HostStats, type RegistryHostStats } from './registry-host-stats.js';
import { createKindLearner, type KindLearner } from './registry-kind-learner.js';
import type { RegistryKind, RegistryProfile } from './registry-profile.js';
import { blobExists, fetchBlob, fetchManifest, headManifest, type ManifestHead } from './registry-requests.js';
import { createTagLister } from './registry-tag-list.js';
import { createTokenCache, type TokenCache } from './token-cache.js';
import { createTransport, type RegistryRequestEvent, type RequestKind, type Transport } from './registry-transport.js';

export type { ImageLocation } from './registry-context.js';
export type { ManifestHead } from './registry-requests.js';
export type { RegistryHostStats } from './registry-host-stats.js';

export type { RegistryRequestEvent, RequestKind } from './registry-transport.js';
export type { HubTag } from './hub-tags.js';
export type { RegistryKind, RegistryProfile } from './registry-profile.js';

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
  /** Bearer tokens (and Hub API logins), shared with the other clients of the process (serve's sessions); default: this client's own. */
  readonly tokens?: TokenCache;
  /** Something the user should know that does not stop the run (a Docker Hub login that failed). */
  readonly onWarning?: (message: string) => void;
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
  /**
   * The images the run will look up (known once the scan is done): a registry's bearer token is then asked for
   * several of its repositories at once where its realm takes several `scope` parameters, one per repository
   * where it does not.
   */
  expectRepositories(images: readonly ImageLocation[]): void;
}

/**
 * A registry client: the parts below, each doing one job, put together. Stats and kind detection watch every
 * answer; auth learns each registry's challenge; requests go through one transport (a queue per host, timeouts,
 * retries, redirects, circuits).
 */
export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  const cache = createManifestCache({ dir: options.cacheDir });
  const stats = createHostStats();
  const kinds = createKindLearner(options.kinds ?? {});
  const registryOfHost = new Map<string, string>();
  const transport = buildTransport(options, (kind, url, response) => {
    const registry = registryOfHost.get(url.host);
    if (registry === undefined) return;
    stats.observe(registry, kind, response);
    kinds.learn(registry, response.headers, null);
  });
  const tokens = options.tokens ?? createTokenCache();
  const auth = buildAuth(options, transport, tokens);
  const ctx = buildContext(options, { transport, auth, stats, kinds, registryOfHost });
  const listTags = createTagLister(ctx);
  const hubApiUrl = options.hubApiUrl ?? DEFAULT_HUB_API_URL;
  const credentials = options.credentials ?? (() => null);
  const login = createHubLogin(ctx, { hubApiUrl, credentials: () => credentials('docker.io'), tokens, now: options.now ?? Date.now, warn: options.onWarning ?? (() => undefined) });
  const hubTags = createHubTagsReader(ctx, hubApiUrl, login);

  async function getManifest(image: ImageLocation, reference: string): Promise<FetchedManifest> {
    if (reference.startsWith('sha256:') && isDigest(reference)) {
      const hit = await cache.get(reference);
      if (hit !== null) return hit;
    }
    const manifest = await fetchManifest(ctx, image, reference);
    await cache.put(manifest).catch(() => undefined);
    return manifest;
  }

  return {
    getManifest,
    headManifest: (image, reference) => headManifest(ctx, image, reference),
    listTags,
    async resolveManifest(image, tag) {
      const head = await headManifest(ctx, image, tag);
      if (head.digest !== null) {
        const hit = await cache.get(head.digest);
        if (hit !== null) return { ...hit, cached: true };
      }
      return { ...(await getManifest(image, tag)), cached: false };
    },
    getBlob: (image, digest, { maxBytes }) => fetchBlob(ctx, image, digest, maxBytes),
    blobExists: (image, digest) => blobExists(ctx, image, digest),
    requestCounts: () => transport.counts(),
    profile: (registry) => kinds.profileOf(registry),
    hubTags,
    cachedManifest: (digest) => (isDigest(digest) ? cache.get(digest) : Promise.resolve(null)),
    hostStats: () => stats.list((registry) => kinds.profileOf(registry).kind),
    expectRepositories: (images) => auth.expect(images.map((image) => ctx.target(image))),
  };
}

/** The transport with the options' timeouts, retries and concurrency; `onAnswer` sees every answer. */
function buildTransport(options: RegistryClientOptions, onAnswer: (kind: RequestKind, url: URL, response: Response) => void): Transport {
  const firstByteMs = options.firstByteTimeoutMs ?? REGISTRY_TIMEOUTS_MS.firstByte;
  return createTransport({
    fetch: options.fetch ?? timedFetch({ connectMs: options.connectTimeoutMs ?? REGISTRY_TIMEOUTS_MS.connect, firstByteMs }),
    concurrency: options.concurrency ?? 4,
    timeoutMs: options.timeoutMs ?? REGISTRY_TIMEOUTS_MS.request,
    firstByteMs,
    onStart: options.onRequestStart,
    userAgent: options.userAgent ?? 'archpin',
    onRequest: options.onRequest,
    onAnswer,
    retry: {
      attempts: options.attempts ?? 3,
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxRetryAfterMs ?? 30_000,
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
    },
  });
}

/** Auth whose token requests go through the transport (retries, timeouts, no credentials on redirects). */
function buildAuth(options: RegistryClientOptions, transport: Transport, tokens: TokenCache): RegistryAuth {
  return createRegistryAuth({
    credentials: options.credentials ?? (() => null),
    trustedRealmHosts: options.trustedRealmHosts ?? {},
    now: options.now ?? Date.now,
    tokens,
    fetchToken: (url, authorization, form) =>
      transport.send(
        {
          kind: 'token',
          method: form === undefined ? 'GET' : 'POST',
          url,
          target: null,
          authorization,
          ...(form === undefined ? {} : { form }),
          what: `${form === undefined ? 'GET' : 'POST'} token ${url.host}`,
          read: async (response) => parseJson(await readCappedBody(response, tooLargeAs('registry-bad-response', MIB, `token ${url.host}`)), `token ${url.host}`),
        },
        null,
      ),
  });
}

/** Where a repository's requests go, and sending with a stop per registry once it refused with a spent quota. */
function buildContext(options: RegistryClientOptions, parts: { transport: Transport; auth: RegistryAuth; stats: HostStats; kinds: KindLearner; registryOfHost: Map<string, string> }): RegistryContext {
  const { transport, auth, stats, kinds, registryOfHost } = parts;
  return {
    target(image) {
      const baseUrl = registryBaseUrl(image.registry, options);
      const mirrored = options.mirrors?.[image.registry] !== undefined;
      registryOfHost.set(new URL(baseUrl).host, image.registry);
      return { registry: image.registry, baseUrl, credentialKey: mirrored ? new URL(baseUrl).host : image.registry, repository: image.repository };
    },
    async send(registry, request) {
      const stopped = stats.stoppedBy(registry);
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
        if (error instanceof RegistryError && error.quotaExhausted && (error.retryAfterMs === null || kinds.profileOf(registry).kind === 'dockerhub')) stats.stop(registry, error);
        throw error;
      } finally {
        if (request.target !== null) kinds.learn(registry, { get: () => null }, auth.realmOf(request.target.baseUrl));
      }
    },
    sendPlain: (request) => transport.send(request, null),
    hostIs: (host, registry) => registryOfHost.set(host, registry),
    profileOf: (registry) => kinds.profileOf(registry),
    maxManifestBytes: options.maxManifestBytes ?? MAX_MANIFEST_BYTES,
    maxTagPages: options.maxTagPages ?? 100,
    maxTags: options.maxTags ?? 50_000,
  };
}
