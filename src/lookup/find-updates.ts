import type { Dependency, DependencyResult, HeldUpdate, LookupFailure, Proposal, UpdateType } from '../core/dependency.js';
import { baselinePolicy } from '../core/baseline-policy.js';
import { satisfies, versioningFor } from '../core/versioning.js';
import { isArchpinError } from '../core/errors.js';
import { parseManifest, type Manifest } from '../core/manifest.js';
import { platformKey, type Platform } from '../core/platform.js';
import { platformsOf } from '../core/platforms-of.js';
import { selectPlatformEntry } from '../core/select-platform-entry.js';
import type { CurrentImage, GateCandidate, GatePolicy, GateQuestions, UnreadableManifest } from '../core/verdict.js';
import type { FirstSeenStore } from './first-seen-store.js';
import { RegistryError } from './registry-errors.js';
import { fetchChecked, gateTag, GateUnreadable, inspectManifest, type Gated, type GateRun } from './gate-candidate.js';
import type { ImageLocation } from '../core/dependency.js';
import type { FetchedManifest, ManifestSource, TagPreview } from './manifest-source.js';

export interface FindUpdatesDeps {
  readonly source: ManifestSource;
  /** The policy for an image; with its current tag, rules that match on the current version apply too. */
  readonly policyFor: (key: string, currentTag?: string | null) => GatePolicy & VersionPolicy;
  readonly firstSeen: FirstSeenStore;
  readonly now: () => number;
  /** Called after each dependency (progress). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Once aborted (an interrupt, a shutdown), no further dependency is started. */
  readonly signal?: AbortSignal;
  /**
   * Names the images about to be looked up, before their lookups start: the registry client then asks one bearer
   * token for several repositories of a registry (RegistryClient.expectRepositories).
   */
  readonly expectRepositories?: (images: readonly ImageLocation[]) => void;
}

/** How candidates are chosen: the versioning, majors, allowed versions, update types left alone. */
export interface VersionPolicy {
  readonly allowMajor: boolean;
  readonly holdWithoutReleaseTime?: boolean;
  /** `docker`, `semver`, `loose`, `regex:<pattern>` (the config's versioning, or its default). */
  readonly versioning: string;
  readonly allowedVersions?: string | null;
  readonly disabledUpdateTypes?: readonly string[];
  /** false: the update type is left alone (a rule with matchUpdateTypes); absent: true. */
  readonly enabled?: boolean;
  /** false: a reference without a digest gets its new tag only, never a pin; absent: true. */
  readonly pinDigests?: boolean;
  /** The policy of one update type, where rules with matchUpdateTypes make it differ (same versioning). */
  readonly byUpdateType?: Readonly<Partial<Record<UpdateType, GatePolicy & Omit<VersionPolicy, 'byUpdateType'>>>>;
}

type TypedPolicy = GatePolicy & Omit<VersionPolicy, 'byUpdateType'>;

/** The policy that applies to an update of `type`. */
function typedPolicy<P extends TypedPolicy>(policy: P & { readonly byUpdateType?: VersionPolicy['byUpdateType'] }, type: UpdateType): P | TypedPolicy {
  return policy.byUpdateType?.[type] ?? policy;
}

/**
 * The candidates `findUpdate` walks, newest first: compatible newer tags the policy of their update type allows
 * (enabled, majors allowed, allowedVersions). The update type is worked out with the image's versioning.
 */
export function policyCandidates(currentTag: string, tags: readonly string[], policy: VersionPolicy & Partial<GatePolicy>): string[] {
  const versioning = versioningFor(policy.versioning);
  const disabled = policy.disabledUpdateTypes ?? [];
  const allows = (type: UpdateType): boolean => {
    const typed = policy.byUpdateType?.[type] ?? policy;
    return typed.enabled !== false && !disabled.includes(type) && (type !== 'major' || typed.allowMajor);
  };
  return versioning.candidates(currentTag, tags, { allowMajor: allows('major') }).filter((tag) => {
    const type = (versioning.updateType(currentTag, tag) ?? 'patch') as UpdateType;
    const allowed = (policy.byUpdateType?.[type] ?? policy).allowedVersions;
    return allows(type) && (allowed == null || satisfies(tag, allowed, versioning));
  });
}

/** The candidates no newer than any of `ceilings` (a tag newer than one of them is left out; all of them without ceilings). */
function belowCeilings(candidates: readonly string[], ceilings: readonly string[] | undefined, tags: readonly string[], policy: VersionPolicy): string[] {
  if (ceilings === undefined || ceilings.length === 0) return [...candidates];
  const versioning = versioningFor(policy.versioning);
  const over = new Set(ceilings.flatMap((ceiling) => versioning.candidates(ceiling, tags, { allowMajor: true })));
  return candidates.filter((tag) => !over.has(tag));
}

/** A lookup error as the report shows it, attributed to the dependency. */
export function lookupFailure(dependency: Dependency, error: unknown, tag: string | null = dependency.tag): LookupFailure {
  if (error instanceof RegistryError && error.host !== null) {
    return { image: dependency.key, tag, code: error.code, message: error.message, retryable: error.retryable, host: error.host, hostCause: error.hostCause ?? '' };
  }
  if (isArchpinError(error)) return { image: dependency.key, tag, code: error.code, message: error.message, retryable: error.retryable };
  return { image: dependency.key, tag, code: 'lookup-failed', message: error instanceof Error ? error.message : String(error), retryable: false };
}

/**
 * The lookup of one dependency: the image in use, then its candidates newest first (compatible newer tags,
 * then its own tag for a digest update or pin), each candidate's facts yielded to the gate (see GateQuestions):
 * first as the registry's API records it, when it does (a refusal there costs no pull), then from the pulled
 * index with every runnable child fetched and verified. The first candidate the gate passes is the update;
 * the ones it refused are held. An error on one candidate holds that candidate (the search goes on); only the
 * image in use failing is an error.
 */
export async function* findUpdate(dependency: Dependency, deps: FindUpdatesDeps): GateQuestions<DependencyResult> {
  const { source, location } = { source: deps.source, location: dependency.location };
  const configured = deps.policyFor(dependency.key, dependency.tag);
  const held: HeldUpdate[] = [];
  const now = deps.now();

  // What the registry's own API (Docker Hub's tags API) says about each tag: candidates it shows blocked are
  // held without a pull, and the one about to be proposed is still fetched by digest and verified.
  const preview = tagPreviews(source, location);
  let inUse: ImageInUse;
  try {
    inUse = await imageInUse(source, dependency, preview);
  } catch (error) {
    return { dependency, update: null, held, error: lookupFailure(dependency, error) };
  }
  const { current, keepPlatform } = inUse;
  // The unknown-baseline rule: an empty or partial image in use is no baseline to "not regress" from.
  const policy = baselinePolicy(configured, current, { pinnedImage: dependency.digest !== null });
  const gatePolicies = new Map<UpdateType, TypedPolicy>();
  /** The gate's policy for an update of `type` (rules with matchUpdateTypes may set platforms, ages). */
  const policyOf = (type: UpdateType): TypedPolicy => {
    let known = gatePolicies.get(type);
    if (known === undefined) {
      const typed = typedPolicy(configured, type);
      known = typed === configured ? policy : baselinePolicy(typed, current, { pinnedImage: dependency.digest !== null });
      gatePolicies.set(type, known);
    }
    return known;
  };
  const propose = (tag: string | null, gated: Gated, type: UpdateType): Proposal | HeldUpdate =>
    proposeUpdate(dependency, inUse, tag, gated, type, dependency.digest === null && policyOf(type).pinDigests === false);
  const needCreated = [policy, ...Object.values(configured.byUpdateType ?? {})].some((each) => (each.minimumReleaseAge ?? 0) > 0);
  const releaseFor = releaseTimes(preview, needCreated, now);
  const onRecord = { dependency, preview, current, firstSeen: deps.firstSeen, now };
  const heldOnPreview = (tag: string, type: UpdateType): GateQuestions<HeldUpdate | null> => heldOnApiRecord(onRecord, tag, policyOf(type));
  const content = dependency.content ? { content: dependency.content } : {};
  const context: GateRun = { deps, location, image: dependency.key, ...content, current, policy, now, release: releaseFor(policy) };

  try {
    const tag = dependency.tag;
    if (tag) {
      const tags = await source.listTags(location);
      const candidates = belowCeilings(policyCandidates(dependency.tag, tags, policy), dependency.ceilings, tags, policy);
      for (const tag of candidates) {
        const type = (versioningFor(policy.versioning).updateType(dependency.tag, tag) ?? 'digest') as UpdateType;
        const early = yield* heldOnPreview(tag, type);
        if (early !== null) {
          held.push(early);
          continue;
        }
        const outcome = yield* gateTag({ ...context, policy: policyOf(type), release: releaseFor(policyOf(type)) }, tag, () => source.manifestByTag(location, tag));
        if ('reasons' in outcome) {
          held.push(outcome);
          continue;
        }
        const result = propose(tag, outcome, type);
        if ('reasons' in result) held.push(result);
        else return { dependency, update: result, held, error: null };
      }
      // No newer version passes: follow the tag itself (digest update, or pin an unpinned tag).
      const followType: UpdateType = dependency.digest ? 'digest' : 'pin';
      const follow = policyOf(followType);
      if ((policy.disabledUpdateTypes ?? []).includes(followType) || follow.enabled === false) return { dependency, update: null, held, error: null };
      // pinDigests false: a reference without a digest is never pinned (so the next check proposes nothing either).
      if (followType === 'pin' && follow.pinDigests === false) return { dependency, update: null, held, error: null };
      const described = await preview(dependency.tag);
      if (described !== null && dependency.digest !== null && described.digest === dependency.digest) {
        return { dependency, update: null, held, error: null };
      }
      // A pin that its tag still points at needs no manifest body: a HEAD answers (when the API did not).
      if (described === null && dependency.digest !== null && source.tagDigest) {
        const head = await source.tagDigest(location, dependency.tag).catch(() => null);
        if (head === dependency.digest) return { dependency, update: null, held, error: null };
      }
      const early = yield* heldOnPreview(dependency.tag, followType);
      if (early !== null) {
        held.push(early);
        return { dependency, update: null, held, error: null };
      }
      const fetched = await fetchChecked(() => source.manifestByTag(location, tag));
      if (!('kind' in fetched) && dependency.digest !== null) {
        const upToDate = fetched.digest === dependency.digest || (keepPlatform !== null && indexContains(fetched, dependency.digest));
        if (upToDate) return { dependency, update: null, held, error: null };
      }
      const outcome = yield* gateTag({ ...context, policy: follow, release: releaseFor(follow) }, dependency.tag, async () => {
        if ('kind' in fetched) throw new GateUnreadable(fetched);
        return fetched;
      });
      if ('reasons' in outcome) held.push(outcome);
      else {
        const result = propose(dependency.tag, outcome, followType);
        if ('reasons' in result) held.push(result);
        else if (result.digest !== dependency.digest) return { dependency, update: result, held, error: null };
      }
    }
    return { dependency, update: null, held, error: null };
  } catch (error) {
    return { dependency, update: null, held, error: lookupFailure(dependency, error) };
  }
}

/** What the registry's API records of each tag, asked once per tag (null: no record, or it could not be read). */
function tagPreviews(source: ManifestSource, location: ImageLocation): (tag: string) => Promise<TagPreview | null> {
  const previews = new Map<string, Promise<TagPreview | null>>();
  return (tag) => {
    let known = previews.get(tag);
    if (known === undefined) {
      known = source.describeTag ? source.describeTag(location, tag).catch(() => null) : Promise.resolve(null);
      previews.set(tag, known);
    }
    return known;
  };
}

/**
 * The update a passed candidate makes. A single-platform pin taken from an index keeps its platform: the
 * candidate index's entry for it (held when it has none). `tagOnly` (pinDigests false on a reference without a
 * digest): the tag only, the candidate has passed the gate all the same.
 */
function proposeUpdate(dependency: Dependency, inUse: ImageInUse, tag: string | null, gated: Gated, type: UpdateType, tagOnly: boolean): Proposal | HeldUpdate {
  const { digest, manifest, platforms } = gated;
  const { keepPlatform, currentPlatforms } = inUse;
  if (keepPlatform && manifest.kind === 'index') {
    const entry = selectPlatformEntry(manifest, keepPlatform);
    const kept = platformKey(keepPlatform);
    if (!entry) {
      return { image: dependency.key, tag, digest, reasons: [{ code: 'missing-platforms', missing: [kept], message: `the index has no entry for the pinned platform ${kept}` }] };
    }
    return { tag, digest: entry.digest, updateType: type, platforms: [kept], fromPlatforms: currentPlatforms };
  }
  return {
    tag,
    digest,
    updateType: type,
    platforms,
    ...(gated.unverified.length > 0 ? { unverifiedPlatforms: gated.unverified } : {}),
    fromPlatforms: currentPlatforms,
    ...(tagOnly ? { tagOnly: true as const } : {}),
  };
}

/** Asks the gate about a tag as the registry's API records it; a refusal there holds it without a pull (null: no record, or it passes). */
async function* heldOnApiRecord(
  context: {
    readonly dependency: Dependency;
    readonly preview: (tag: string) => Promise<TagPreview | null>;
    readonly current: CurrentImage | null;
    readonly firstSeen: FirstSeenStore;
    readonly now: number;
  },
  tag: string,
  policy: TypedPolicy,
): GateQuestions<HeldUpdate | null> {
  const { dependency, now } = context;
  // The record tells an index's platforms; a Tekton bundle is judged on its own manifest.
  if (dependency.content !== undefined) return null;
  const described = await context.preview(tag);
  if (described === null || described.index === null) return null;
  const firstSeen = context.firstSeen.observe(dependency.key, described.digest, now);
  const candidate: GateCandidate = {
    image: dependency.key,
    tag,
    digest: described.digest,
    contentDigest: described.digest,
    manifest: described.index,
    imagePlatform: null,
    ...(described.pushedAt !== null ? { created: described.pushedAt, createdFrom: 'tag-last-pushed' as const } : { created: null }),
    firstSeen,
  };
  const verdict = yield { candidate, current: context.current, policy: described.pushedAt !== null ? policy : { ...policy, minimumReleaseAge: null }, now };
  if (verdict.pass) return null;
  // The platforms come from the API's record of each image (its config), not from the index's descriptors.
  const reasons = verdict.reasons.map((reason) => (reason.code === 'too-new' ? reason : { ...reason, message: `${reason.message} (as ${described.recordedBy} records it)` }));
  return { image: dependency.key, tag, digest: described.digest, reasons };
}

/**
 * The best release time: Hub's tag_last_pushed, the configs' created, Last-Modified, else first seen (unless the
 * policy of the update's type says to hold: releaseAgeWithoutTimestamp may be set per update type). `needCreated`:
 * some policy of the image has a minimumReleaseAge.
 */
function releaseTimes(
  preview: (tag: string) => Promise<TagPreview | null>,
  needCreated: boolean,
  now: number,
): (gatePolicy: { readonly holdWithoutReleaseTime?: boolean }) => NonNullable<GateRun['release']> {
  return (gatePolicy) => async (tag, digest, imageCreated, lastModified, firstSeen) => {
    const described = tag === null ? null : await preview(tag);
    if (described !== null && described.digest === digest && described.pushedAt !== null) return { created: described.pushedAt, createdFrom: 'tag-last-pushed' };
    // Reproducible builds (ko, Bazel, Nix, SOURCE_DATE_EPOCH=0) write 1970 into `created`: that says nothing.
    if (imageCreated !== null && imageCreated > 0) return { created: imageCreated, createdFrom: 'image-created' };
    if (lastModified !== undefined) return { created: lastModified, createdFrom: 'last-modified' };
    if (!needCreated || gatePolicy.holdWithoutReleaseTime) return { created: null };
    return { created: firstSeen ?? now, createdFrom: 'first-seen' };
  };
}

/** The image a reference uses now, the baseline of its gate. */
interface ImageInUse {
  readonly current: CurrentImage | null;
  readonly currentPlatforms: string[];
  /** The platform of a single-platform manifest pinned on purpose from an index: updates keep that platform. */
  readonly keepPlatform: Platform | null;
}

/**
 * The image in use: as the registry's API records it when it does (and the pin, if any, is that digest), else
 * fetched (by digest when pinned) and inspected. A single-platform manifest pinned from its tag's index keeps
 * its platform. An error here is the dependency's lookup error.
 */
async function imageInUse(source: ManifestSource, dependency: Dependency, preview: (tag: string) => Promise<TagPreview | null>): Promise<ImageInUse> {
  const location = dependency.location;
  let current: CurrentImage | null = null;
  let currentPlatforms: string[] = [];
  let keepPlatform: Platform | null = null;
  const described = dependency.tag ? await preview(dependency.tag) : null;
  const currentFromApi = described?.index && (dependency.digest === null || dependency.digest === described.digest) ? described.index : null;
  if (currentFromApi !== null) {
    current = { manifest: currentFromApi, imagePlatform: null };
    currentPlatforms = platformsOf(currentFromApi, null);
  }
  const currentFetched = currentFromApi !== null ? null : await fetchCurrent(source, location, dependency);
  if (currentFetched !== null) {
    const inspected = await inspectManifest(source, location, currentFetched);
    if (inspected.manifest.kind !== 'unreadable') {
      current = { manifest: inspected.manifest, imagePlatform: inspected.imagePlatform };
      currentPlatforms = platformsOf(inspected.manifest, inspected.imagePlatform);
      if (inspected.manifest.kind === 'image' && dependency.digest && dependency.tag && inspected.imagePlatform) {
        const tagged = parseManifest((await source.manifestByTag(location, dependency.tag)).bytes, null);
        if (tagged.ok && indexLists(tagged.value, dependency.digest)) {
          keepPlatform = inspected.imagePlatform;
        }
      }
    }
  }
  return { current, currentPlatforms, keepPlatform };
}

/** The manifest in use: by digest when pinned (a digest the registry no longer has is no baseline: null), else by tag. */
async function fetchCurrent(source: ManifestSource, location: ImageLocation, dependency: Dependency): Promise<FetchedManifest | UnreadableManifest | null> {
  const { tag, digest } = dependency;
  // A reference names a tag, a digest or both: without either there is nothing in use to compare with.
  if (!digest) return tag === null ? null : fetchChecked(() => source.manifestByTag(location, tag));
  try {
    return await fetchChecked(() => source.manifestByDigest(location, digest));
  } catch (error) {
    if (isArchpinError(error) && error.code === 'registry-not-found' && dependency.tag) return null;
    throw error;
  }
}

function indexContains(fetched: FetchedManifest, digest: string): boolean {
  const parsed = parseManifest(fetched.bytes, fetched.mediaType);
  return parsed.ok && indexLists(parsed.value, digest);
}

/** Whether a manifest is an index with an entry for `digest` (a single-platform pin taken from it). */
export function indexLists(manifest: Manifest, digest: string): boolean {
  return manifest.kind === 'index' && manifest.entries.some((entry) => entry.digest === digest);
}
