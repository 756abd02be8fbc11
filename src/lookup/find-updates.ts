import type { Dependency, DependencyResult, HeldUpdate, ImageLocation, LookupFailure, Proposal, UpdateType } from '../core/dependency.js';
import { pickCandidates, updateType as versionUpdateType } from '../core/docker-versioning.js';
import { isArchpinError } from '../core/errors.js';
import { parseImageConfig, parseManifest, type Manifest } from '../core/manifest.js';
import { platformKey, type Platform } from '../core/platform.js';
import { platformsOf } from '../core/platforms-of.js';
import { selectPlatformEntry } from '../core/select-platform-entry.js';
import type { CurrentImage, GateCandidate, GateInput, GatePolicy, UnreadableManifest, Verdict } from '../core/verdict.js';
import type { FirstSeenStore } from './first-seen-store.js';
import type { FetchedManifest, ManifestSource, TagPreview } from './manifest-source.js';


export interface FindUpdatesDeps {
  readonly source: ManifestSource;
  /** The gate (the lookup asks it about each candidate, newest first). */
  readonly evaluate: (input: GateInput) => Verdict;
  readonly policyFor: (key: string) => GatePolicy & { readonly allowMajor: boolean; readonly holdWithoutReleaseTime?: boolean };
  readonly firstSeen: FirstSeenStore;
  readonly now: () => number;
  /** Called after each dependency (progress). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Required platforms when the image in use offers none and no policy names any. */
export const EMPTY_BASELINE_PLATFORMS: readonly string[] = ['linux/amd64'];
/** The largest image config blob read. */
export const CONFIG_MAX_BYTES = 1024 * 1024;
const UNTRUSTED: ReadonlySet<string> = new Set(['digest-mismatch', 'unsupported-media-type', 'manifest-too-large']);

/** A lookup error as the report shows it, attributed to the dependency. */
export function lookupFailure(dependency: Dependency, error: unknown, tag: string | null = dependency.tag): LookupFailure {
  if (isArchpinError(error)) return { image: dependency.key, tag, code: error.code, message: error.message, retryable: error.retryable };
  return { image: dependency.key, tag, code: 'lookup-failed', message: error instanceof Error ? error.message : String(error), retryable: false };
}

export interface Inspected {
  readonly fetched: FetchedManifest;
  readonly manifest: Manifest | UnreadableManifest;
  readonly imagePlatform: Platform | null;
  readonly created: number | null;
}

/** Parses a fetched manifest and reads what the gate needs from config blobs. */
export async function inspect(source: ManifestSource, location: ImageLocation, fetched: FetchedManifest, needCreated: boolean): Promise<Inspected> {
  const parsed = parseManifest(fetched.bytes, fetched.mediaType);
  if (!parsed.ok) {
    const code = parsed.error.code;
    if (UNTRUSTED.has(code)) {
      return { fetched, manifest: { kind: 'unreadable', code: code as UnreadableManifest['code'], message: parsed.error.message }, imagePlatform: null, created: null };
    }
    throw parsed.error;
  }
  const manifest = parsed.value;
  if (manifest.kind === 'image') {
    const config = await readImageConfig(source, location, manifest.config.digest);
    if (!config.ok) throw config.error;
    return { fetched, manifest, imagePlatform: config.value.platform, created: config.value.created?.getTime() ?? null };
  }
  let created: number | null = null;
  if (needCreated) {
    for (const entry of manifest.entries) {
      if (entry.attestation) continue;
      const child = parseManifest((await source.manifestByDigest(location, entry.digest)).bytes, entry.mediaType);
      if (!child.ok || child.value.kind !== 'image') continue;
      const config = await readImageConfig(source, location, child.value.config.digest);
      const time = config.ok ? (config.value.created?.getTime() ?? null) : null;
      if (time !== null && (created === null || time > created)) created = time;
    }
  }
  return { fetched, manifest, imagePlatform: null, created };
}

/** An image config blob, parsed. */
export async function readImageConfig(source: ManifestSource, location: ImageLocation, digest: string): Promise<ReturnType<typeof parseImageConfig>> {
  return parseImageConfig(await source.blob(location, digest, CONFIG_MAX_BYTES));
}

/** Whether a manifest is an index with an entry for `digest` (a single-platform pin taken from it). */
export function indexLists(manifest: Manifest, digest: string): boolean {
  return manifest.kind === 'index' && manifest.entries.some((entry) => entry.digest === digest);
}

async function fetchChecked(fetch: () => Promise<FetchedManifest>): Promise<FetchedManifest | UnreadableManifest> {
  try {
    return await fetch();
  } catch (error) {
    if (isArchpinError(error) && UNTRUSTED.has(error.code)) {
      return { kind: 'unreadable', code: error.code as UnreadableManifest['code'], message: error.message };
    }
    throw error;
  }
}

/**
 * Finds the update for one dependency: the newest compatible tag whose index passes the gate, falling
 * back to older ones when newer ones are held; else a digest update (or pin) of its own tag, gated too.
 */
export async function findUpdate(dependency: Dependency, deps: FindUpdatesDeps): Promise<DependencyResult> {
  const { source, location } = { source: deps.source, location: dependency.location };
  let policy: GatePolicy & { readonly allowMajor: boolean; readonly holdWithoutReleaseTime?: boolean } = deps.policyFor(dependency.key);
  const needCreated = (policy.minimumReleaseAge ?? 0) > 0;
  const held: HeldUpdate[] = [];
  const now = deps.now();

  let current: CurrentImage | null = null;
  let currentPlatforms: string[] = [];
  let keepPlatform: Platform | null = null;
  // What the registry's own API (Docker Hub's tags API) says about each tag: candidates it shows blocked are
  // held without a pull, and the one about to be proposed is still fetched by digest and verified.
  const previews = new Map<string, Promise<TagPreview | null>>();
  const preview = (tag: string): Promise<TagPreview | null> => {
    let known = previews.get(tag);
    if (known === undefined) {
      known = source.describeTag ? source.describeTag(location, tag).catch(() => null) : Promise.resolve(null);
      previews.set(tag, known);
    }
    return known;
  };
  try {
    const described = dependency.tag ? await preview(dependency.tag) : null;
    const currentFromApi = described?.index && (dependency.digest === null || dependency.digest === described.digest) ? described.index : null;
    if (currentFromApi !== null) {
      current = { manifest: currentFromApi, imagePlatform: null };
      currentPlatforms = platformsOf(currentFromApi, null);
    }
    const currentFetched =
      currentFromApi !== null
        ? null
        : dependency.digest
          ? await source.manifestByDigest(location, dependency.digest)
          : await source.manifestByTag(location, dependency.tag!);
    const inspected = currentFetched === null ? null : await inspect(source, location, currentFetched, false);
    if (inspected !== null && inspected.manifest.kind !== 'unreadable') {
      current = { manifest: inspected.manifest, imagePlatform: inspected.imagePlatform };
      currentPlatforms = platformsOf(inspected.manifest, inspected.imagePlatform);
      if (inspected.manifest.kind === 'image' && dependency.digest && dependency.tag && inspected.imagePlatform) {
        const tagged = parseManifest((await source.manifestByTag(location, dependency.tag)).bytes, null);
        if (tagged.ok && indexLists(tagged.value, dependency.digest)) {
          keepPlatform = inspected.imagePlatform;
        }
      }
    }
  } catch (error) {
    return { dependency, update: null, held, error: lookupFailure(dependency, error) };
  }
  if (currentPlatforms.length === 0 && !policy.platforms?.length) {
    // The image in use offers nothing (pinned to an empty index): "no regression" would accept
    // anything, so fall back to the platform the incident broke.
    policy = { ...policy, platforms: EMPTY_BASELINE_PLATFORMS };
  }

  /** The best release time: Hub's tag_last_pushed, the config's created, Last-Modified, else first seen (unless told to hold). */
  const releaseTime = (pushedAt: number | null, inspected: Inspected | null, firstSeen: number | null): Pick<GateCandidate, 'created' | 'createdFrom'> => {
    if (pushedAt !== null) return { created: pushedAt, createdFrom: 'tag-last-pushed' };
    // Reproducible builds (ko, Bazel, Nix, SOURCE_DATE_EPOCH=0) write 1970 into `created`: that says nothing.
    if (inspected?.created != null && inspected.created > 0) return { created: inspected.created, createdFrom: 'image-created' };
    if (inspected?.fetched.lastModified !== undefined) return { created: inspected.fetched.lastModified, createdFrom: 'last-modified' };
    if (!needCreated || policy.holdWithoutReleaseTime) return { created: null };
    return { created: firstSeen ?? now, createdFrom: 'first-seen' };
  };

  /** Judges a candidate on the API's description alone; a block there holds it without a pull. */
  const gatePreview = (tag: string, described: TagPreview): Verdict | null => {
    if (described.index === null) return null;
    const firstSeen = deps.firstSeen.observe(dependency.key, described.digest, now);
    const candidate: GateCandidate = {
      image: dependency.key,
      tag,
      digest: described.digest,
      contentDigest: described.digest,
      manifest: described.index,
      imagePlatform: null,
      ...releaseTime(described.pushedAt, null, firstSeen),
      firstSeen,
    };
    return deps.evaluate({ candidate, current, policy, now });
  };

  const gate = async (tag: string, fetched: FetchedManifest | UnreadableManifest): Promise<{ verdict: Verdict; digest: string; inspected: Inspected | null }> => {
    const described = await preview(tag);
    const pushedAt = described !== null && !('kind' in fetched) && described.digest === fetched.digest ? described.pushedAt : null;
    const inspected = 'kind' in fetched ? null : await inspect(source, location, fetched, needCreated && pushedAt === null);
    const digest = inspected ? inspected.fetched.digest : '';
    const firstSeen = inspected ? deps.firstSeen.observe(dependency.key, digest, now) : null;
    const candidate: GateCandidate = {
      image: dependency.key,
      tag,
      digest,
      contentDigest: digest,
      manifest: inspected ? inspected.manifest : (fetched as UnreadableManifest),
      imagePlatform: inspected?.imagePlatform ?? null,
      ...(inspected ? releaseTime(pushedAt, inspected, firstSeen) : { created: null }),
      firstSeen,
    };
    return { verdict: deps.evaluate({ candidate, current, policy, now }), digest, inspected };
  };

  const propose = (tag: string | null, digest: string, inspected: Inspected, platforms: readonly string[], type: UpdateType): Proposal | HeldUpdate => {
    if (keepPlatform && inspected.manifest.kind === 'index') {
      const entry = selectPlatformEntry(inspected.manifest, keepPlatform);
      const kept = platformKey(keepPlatform);
      if (!entry) {
        return { image: dependency.key, tag, digest, reasons: [{ code: 'missing-platforms', missing: [kept], message: `the index has no entry for the pinned platform ${kept}` }] };
      }
      return { tag, digest: entry.digest, updateType: type, platforms: [kept], fromPlatforms: currentPlatforms };
    }
    return { tag, digest, updateType: type, platforms, fromPlatforms: currentPlatforms };
  };

  try {
    if (dependency.tag) {
      const tags = await source.listTags(location);
      const candidates = pickCandidates(dependency.tag, tags, { allowMajor: policy.allowMajor });
      for (const tag of candidates) {
        const described = await preview(tag);
        const early = described === null ? null : gatePreview(tag, described);
        if (early !== null && !early.pass) {
          held.push({ image: dependency.key, tag, digest: described!.digest, reasons: early.reasons });
          continue;
        }
        const fetched = await fetchChecked(() => source.manifestByTag(location, tag));
        const { verdict, digest, inspected } = await gate(tag, fetched);
        if (verdict.pass && inspected) {
          const type = (versionUpdateType(dependency.tag, tag) ?? 'digest') as UpdateType;
          const result = propose(tag, digest, inspected, verdict.platforms, type);
          if ('reasons' in result) held.push(result);
          else return { dependency, update: result, held, error: null };
        } else if (!verdict.pass) {
          held.push({ image: dependency.key, tag, digest, reasons: verdict.reasons });
        }
      }
      // No newer version passes: follow the tag itself (digest update, or pin an unpinned tag).
      const described = await preview(dependency.tag);
      if (described !== null && dependency.digest !== null && described.digest === dependency.digest) {
        return { dependency, update: null, held, error: null };
      }
      const early = described === null ? null : gatePreview(dependency.tag, described);
      if (early !== null && !early.pass) {
        held.push({ image: dependency.key, tag: dependency.tag, digest: described!.digest, reasons: early.reasons });
        return { dependency, update: null, held, error: null };
      }
      const fetched = await fetchChecked(() => source.manifestByTag(location, dependency.tag!));
      if (!('kind' in fetched) && dependency.digest !== null) {
        const upToDate = fetched.digest === dependency.digest || (keepPlatform !== null && indexContains(fetched, dependency.digest));
        if (upToDate) return { dependency, update: null, held, error: null };
      }
      const { verdict, digest, inspected } = await gate(dependency.tag, fetched);
      if (verdict.pass && inspected) {
        const result = propose(dependency.tag, digest, inspected, verdict.platforms, dependency.digest ? 'digest' : 'pin');
        if ('reasons' in result) held.push(result);
        else if (result.digest !== dependency.digest) return { dependency, update: result, held, error: null };
      } else if (!verdict.pass) {
        held.push({ image: dependency.key, tag: dependency.tag, digest, reasons: verdict.reasons });
      }
    }
    return { dependency, update: null, held, error: null };
  } catch (error) {
    return { dependency, update: null, held, error: lookupFailure(dependency, error) };
  }
}

function indexContains(fetched: FetchedManifest, digest: string): boolean {
  const parsed = parseManifest(fetched.bytes, fetched.mediaType);
  return parsed.ok && indexLists(parsed.value, digest);
}

/** Runs findUpdate over all dependencies, a few at a time (the registry client queues per host). */
export async function findUpdates(dependencies: readonly Dependency[], deps: FindUpdatesDeps, concurrency = 8): Promise<DependencyResult[]> {
  const results: DependencyResult[] = new Array(dependencies.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < dependencies.length) {
      const index = next++;
      results[index] = await findUpdate(dependencies[index]!, deps);
      deps.onProgress?.(++done, dependencies.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, dependencies.length) }, worker));
  return results;
}
