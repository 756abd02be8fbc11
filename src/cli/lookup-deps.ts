import os from 'node:os';
import path from 'node:path';
import { imagePolicy } from '../config/image-policy.js';
import type { Config } from '../config/schema.js';
import type { ImageLocation } from '../core/dependency.js';
import { evaluateCandidate } from '../gate/evaluate.js';
import { createCredentialResolver, type CredentialResolver } from '../lookup/credential-resolver.js';
import type { FindUpdatesDeps } from '../lookup/find-updates.js';
import { openFirstSeenStore, type FirstSeenStore } from '../lookup/first-seen-store.js';
import { imageKey } from '../core/image-ref.js';
import { previewIndex } from '../lookup/hub-tags.js';
import type { FetchedManifest, ManifestSource, TagPreview } from '../lookup/manifest-source.js';
import { createRegistryClient, type RegistryClient } from '../lookup/registry-client.js';
import type { CliIo } from './io.js';

export interface LookupSetup {
  readonly client: RegistryClient;
  readonly deps: FindUpdatesDeps;
  readonly firstSeen: FirstSeenStore;
}

/** `--cache-dir`, else config `cacheDir`, else `$XDG_CACHE_HOME/archpin` or `~/.cache/archpin`. */
export function cacheDirectory(flag: string | undefined, config: Config, io: CliIo): string {
  if (flag) return path.resolve(io.cwd, flag);
  if (config.cacheDir) return path.resolve(io.cwd, config.cacheDir);
  const base = io.env.XDG_CACHE_HOME || path.join(io.env.HOME || os.homedir(), '.cache');
  return path.join(base, 'archpin');
}

function credentialsResolver(config: Config, io: CliIo): Promise<CredentialResolver> {
  return createCredentialResolver({
    registries: config.registries ?? {},
    env: io.env,
    dockerConfigDir: io.env.DOCKER_CONFIG || path.join(io.env.HOME || os.homedir(), '.docker'),
    cwd: io.cwd,
  });
}

/**
 * `ARCHPIN_REGISTRY_TIMEOUT_MS`: per-request registry timeout in milliseconds (default 15 s). Not a flag:
 * it exists for tests and for users behind unusually slow registries.
 */
export function registryTimeoutMs(env: CliIo['env']): number | undefined {
  const text = env['ARCHPIN_REGISTRY_TIMEOUT_MS'];
  return text !== undefined && /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : undefined;
}

/** Images that an earlier run looked up (their index digests are in the first-seen store), as image keys. */
function imagesSeenBefore(firstSeen: FirstSeenStore): ReadonlySet<string> {
  const keys = new Set<string>();
  for (const key of firstSeen.entries().keys()) {
    const at = key.lastIndexOf('@');
    if (at > 0) keys.add(key.slice(0, at));
  }
  return keys;
}

/** One promise per key for the whole run: the same tag list or tag is never asked twice. */
function memoise<T>(): (key: string, load: () => Promise<T>) => Promise<T> {
  const memo = new Map<string, Promise<T>>();
  return (key, load) => {
    let promise = memo.get(key);
    if (promise === undefined) {
      promise = load();
      memo.set(key, promise);
    }
    return promise;
  };
}

/**
 * Until a request to a registry has gone out and come back, lookups for it go one at a time: that first
 * answer (a 401) teaches the client the auth scheme, so the concurrent requests that follow send credentials
 * up front instead of each collecting a 401 of their own. Lookups served from the cache do not open the way.
 */
function oneAtATimeUntilContacted(requestsSent: () => number): <T>(image: ImageLocation, send: () => Promise<T>) => Promise<T> {
  const registries = new Map<string, { contacted: boolean; chain: Promise<unknown> }>();
  return (image, send) => {
    let state = registries.get(image.registry);
    if (state === undefined) {
      state = { contacted: false, chain: Promise.resolve() };
      registries.set(image.registry, state);
    }
    if (state.contacted) return send();
    const entry = state;
    const run = entry.chain.then(async () => {
      if (entry.contacted) return send();
      const before = requestsSent();
      try {
        return await send();
      } finally {
        if (requestsSent() > before) entry.contacted = true;
      }
    });
    entry.chain = run.catch(() => undefined);
    return run;
  };
}

export async function lookupSetup(config: Config, io: CliIo, options: { cacheDir: string; platforms?: readonly string[] | undefined; onProgress?: (done: number, total: number) => void }): Promise<LookupSetup> {
  const registries = config.registries ?? {};
  const timeoutMs = registryTimeoutMs(io.env);
  const hubApiUrl = registries['docker.io']?.hubApiUrl;
  const kinds = Object.fromEntries(Object.entries(registries).flatMap(([host, entry]) => (entry.kind ? [[host, entry.kind]] : [])));
  const client = createRegistryClient({
    credentials: await credentialsResolver(config, io),
    kinds,
    ...(hubApiUrl === undefined ? {} : { hubApiUrl }),
    trustedRealmHosts: Object.fromEntries(Object.entries(registries).map(([host, entry]) => [host, entry.trustedRealmHosts ?? []])),
    mirrors: config.mirrors ?? {},
    insecure: Object.entries(registries).filter(([, entry]) => entry.insecure).map(([host]) => host),
    cacheDir: options.cacheDir,
    now: io.now,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  const firstSeen = await openFirstSeenStore(options.cacheDir);
  // A HEAD before GET by tag only pays off when the manifest cache may already hold the digest, i.e. when an
  // earlier run looked this image up; otherwise GET the tag straight away.
  const seenBefore = imagesSeenBefore(firstSeen);
  const requestsSent = (): number => Object.values(client.requestCounts()).reduce((sum, count) => sum + count, 0);
  const ordered = oneAtATimeUntilContacted(requestsSent);
  const tagLists = memoise<readonly string[]>();
  const tagged = memoise<FetchedManifest>();
  const describeTag = async (image: ImageLocation, tag: string): Promise<TagPreview | null> => {
    const hub = await client.hubTags(image);
    const entry = hub?.get(tag);
    if (entry === undefined || entry.digest === null) return null;
    return { digest: entry.digest, index: previewIndex(entry), pushedAt: entry.pushedAt };
  };
  const byTag = async (image: ImageLocation, tag: string): Promise<FetchedManifest> => {
    const described = await describeTag(image, tag);
    if (described !== null) {
      // Docker Hub: a HEAD (free) confirms where the tag points; the bytes come from the cache or one GET by digest.
      const head = await client.headManifest(image, tag);
      const digest = head.digest ?? described.digest;
      return (await client.cachedManifest(digest)) ?? client.getManifest(image, digest);
    }
    return seenBefore.has(imageKey(image)) ? client.resolveManifest(image, tag) : client.getManifest(image, tag);
  };
  const source: ManifestSource = {
    describeTag: (image, tag) => describeTag(image, tag),
    listTags: (image) =>
      tagLists(imageKey(image), async () => {
        const hub = await client.hubTags(image);
        return hub !== null ? [...hub.keys()] : ordered(image, () => client.listTags(image));
      }),
    manifestByTag: (image, tag) => tagged(`${imageKey(image)}:${tag}`, () => ordered(image, () => byTag(image, tag))),
    manifestByDigest: (image, digest) => ordered(image, () => client.getManifest(image, digest)),
    blob: (image, digest, maxBytes) => ordered(image, () => client.getBlob(image, digest, { maxBytes })),
  };
  const deps: FindUpdatesDeps = {
    source,
    evaluate: evaluateCandidate,
    policyFor: (key) => imagePolicy(config, key, options.platforms),
    firstSeen,
    now: io.now,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  return { client, deps, firstSeen };
}
