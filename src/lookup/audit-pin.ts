/**
 * `audit` for one pinned dependency: the pinned digest itself through the gate (children verified, the
 * unknown-baseline rule, what its tag offers today), and the fix: the newest version that passes — a newer
 * one, the tag itself, or an older one. A pin the registry no longer has is unsafe (`pin-missing`); a
 * registry that does not answer is an error, never "safe".
 */
import { baselinePolicy } from '../core/baseline-policy.js';
import type { Dependency, ImageLocation, LookupFailure } from '../core/dependency.js';
import { KNOWN_EMPTY_DIGESTS } from '../core/digest.js';
import { compareTags, isCompatible, parseDockerTag } from '../core/docker-versioning.js';
import { ArchpinError, isArchpinError } from '../core/errors.js';
import type { HoldReason, CurrentImage, GateQuestions } from '../core/verdict.js';
import { findUpdate, lookupFailure, type FindUpdatesDeps } from './find-updates.js';
import { IMAGE_MEDIA_TYPES, OCI_INDEX, type IndexEntry, type Manifest } from '../core/manifest.js';
import type { ManifestSource, RecordedIndex } from './manifest-source.js';
import { couldNotAnswer, fetchChecked, gateInspected, gateTag, inspectManifest, type GateRun, type Inspected } from './gate-candidate.js';

/** A dependency pinned by digest: the question `audit` asks is about that digest. */
export type PinnedDependency = Dependency & { readonly digest: string };

export interface PinAudit {
  readonly reasons: readonly HoldReason[];
  readonly fix: { readonly tag: string | null; readonly digest: string } | null;
  readonly error: LookupFailure | null;
}

/** Versions tried for a fix when the tag itself gives none, newest first (bounded: each costs requests). */
const FIX_LIMIT = 10;

const EMPTY_REASON: HoldReason = {
  code: 'empty-index',
  message: 'pinned to the known empty index digest: the image has no platforms and cannot be pulled',
};

/**
 * The cache keeps manifests, config blobs and confirmed children forever, and a registry may delete them:
 * audit asks (HEAD, free of pull limits) that the pin, each child it verifies and each child's config blob are
 * still there before trusting a cached copy.
 */
function confirming(source: ManifestSource): ManifestSource {
  const { exists, blobExists, vouchChild } = source;
  if (exists === undefined) return source;
  const gone = (image: ImageLocation, digest: string, what: string) => new ArchpinError('registry-not-found', `${what} ${image.registry}/${image.repository}@${digest}: 404 not found`);
  return {
    ...source,
    manifestByDigest: async (image, digest) => {
      if (!(await exists.call(source, image, digest))) throw gone(image, digest, 'manifest');
      return source.manifestByDigest(image, digest);
    },
    ...(blobExists
      ? {
          blob: async (image: ImageLocation, digest: string, maxBytes: number) => {
            if (!(await blobExists.call(source, image, digest))) throw gone(image, digest, 'blob');
            return source.blob(image, digest, maxBytes);
          },
        }
      : {}),
    ...(vouchChild
      ? {
          vouchChild: async (image: ImageLocation, indexDigest: string, entry: IndexEntry) => {
            if (!(await exists.call(source, image, entry.digest))) throw gone(image, entry.digest, 'manifest');
            return vouchChild.call(source, image, indexDigest, entry);
          },
        }
      : {}),
  };
}

/** The facts about a pin and its fix, each candidate's yielded to the gate (see GateQuestions). */
export async function* auditPin(dependency: PinnedDependency, lookupDeps: FindUpdatesDeps, now: number): GateQuestions<PinAudit> {
  const deps: FindUpdatesDeps = { ...lookupDeps, source: confirming(lookupDeps.source) };
  let reasons: readonly HoldReason[];
  try {
    reasons = KNOWN_EMPTY_DIGESTS.has(dependency.digest) ? [EMPTY_REASON] : ((yield* recordReasons(dependency, deps, now)) ?? (yield* pinReasons(dependency, deps, now)));
  } catch (error) {
    return { reasons: [], fix: null, error: lookupFailure(dependency, error) };
  }
  if (reasons.length === 0) return { reasons, fix: null, error: null };
  const repin = yield* findUpdate({ ...dependency, digest: null }, lookupDeps);
  if (repin.update) return { reasons, fix: { tag: repin.update.tag, digest: repin.update.digest }, error: null };
  let other: { tag: string; digest: string } | null = null;
  try {
    other = yield* otherVersionFix(dependency, lookupDeps, now);
  } catch {
    // No fix found is said as no fix; the pin's reasons stand.
  }
  return { reasons, fix: other, error: null };
}

const missingPin = (digest: string): HoldReason => ({ code: 'pin-missing', message: `the registry no longer has ${digest} (404): pulls of this reference fail` });

/** The policy audit judges a pin by (no release age: the pin is in use already). */
function auditPolicy(deps: FindUpdatesDeps, dependency: PinnedDependency) {
  return { ...deps.policyFor(dependency.key), minimumReleaseAge: null, settleTime: null };
}

/**
 * Docker Hub without a pull: the pinned index as the tags API records it (HEAD-confirmed), the tag's index likewise,
 * each required child HEAD-confirmed with its recorded platform. Only a safe verdict is taken from the record: []
 * when the pin passes, a 404 for the pin is `pin-missing`, and null (read the index itself) when there is no
 * complete record or the record shows anything wrong, so that every reported reason rests on the index's bytes.
 */
async function* recordReasons(dependency: PinnedDependency, deps: FindUpdatesDeps, now: number): GateQuestions<readonly HoldReason[] | null> {
  const { source } = deps;
  const { location, digest } = dependency;
  // The record tells an index's platforms; a Tekton bundle is judged on its own manifest.
  if (!source.recordedIndex || dependency.content !== undefined) return null;
  let pinned: Inspected | null;
  try {
    pinned = recordedInspected(await source.recordedIndex(location, digest));
  } catch (error) {
    if (isArchpinError(error) && error.code === 'registry-not-found') return [missingPin(digest)];
    throw error;
  }
  if (pinned === null) return yield* recordedSingleImage(dependency, deps, now);
  let tagged: Inspected | null = null;
  if (dependency.tag) {
    const taggedDigest = source.tagDigest ? await source.tagDigest(location, dependency.tag).catch(() => null) : null;
    if (taggedDigest === null) return null;
    tagged = taggedDigest === digest ? pinned : recordedInspected(await source.recordedIndex(location, taggedDigest).catch(() => null));
    if (tagged === null) return null;
  }
  const current: CurrentImage | null = tagged !== null && tagged.digest !== digest ? { manifest: tagged.manifest as Manifest, imagePlatform: null } : null;
  const baseline: CurrentImage = { manifest: (tagged ?? pinned).manifest as Manifest, imagePlatform: null };
  const policy = baselinePolicy(auditPolicy(deps, dependency), baseline, { pinnedImage: false });
  const outcome = yield* gateInspected({ deps, location, image: dependency.key, current, policy, now }, dependency.tag, pinned);
  return 'reasons' in outcome ? null : [];
}

/**
 * Docker Hub without a pull: a pin to one platform's image of the index its tag points at now (a pin on purpose).
 * The tag's index is the record (HEAD-confirmed), and the pinned image is confirmed as a child is in `check`: a HEAD
 * by digest gives its digest and image media type, the record its platform (Hub reads it from the image's config).
 * It is judged as the one entry it is, under the configured policy (a pin on purpose keeps its platform); only a
 * safe verdict is taken, anything else is read from the bytes.
 */
async function* recordedSingleImage(dependency: PinnedDependency, deps: FindUpdatesDeps, now: number): GateQuestions<readonly HoldReason[] | null> {
  const { source } = deps;
  const { location, digest, tag } = dependency;
  if (!tag || !source.tagDigest || !source.recordedIndex || !source.vouchChild) return null;
  const taggedDigest = await source.tagDigest(location, tag).catch(() => null);
  if (taggedDigest === null || taggedDigest === digest) return null;
  const tagged = await source.recordedIndex(location, taggedDigest).catch(() => null);
  const entry = tagged?.index.entries.find((candidate) => candidate.digest === digest && !candidate.attestation);
  if (tagged === null || entry === undefined) return null;
  const vouched = await source.vouchChild(location, taggedDigest, entry).catch(() => null);
  if (vouched === null || vouched.digest !== digest || !IMAGE_MEDIA_TYPES.has(vouched.mediaType)) return null;
  const single: Inspected = {
    digest,
    manifest: { kind: 'index', mediaType: OCI_INDEX, entries: [{ ...entry, mediaType: vouched.mediaType, size: vouched.size, platform: vouched.platform }] },
    imagePlatform: null,
    created: null,
    configProblem: null,
    recordedBy: vouched.recordedBy,
  };
  const outcome = yield* gateInspected({ deps, location, image: dependency.key, current: null, policy: auditPolicy(deps, dependency), now }, tag, single);
  return 'reasons' in outcome ? null : [];
}

function recordedInspected(recorded: RecordedIndex | null): Inspected | null {
  if (recorded === null) return null;
  return { digest: recorded.digest, manifest: recorded.index, imagePlatform: null, created: null, configProblem: null, recordedBy: recorded.recordedBy };
}

/**
 * The pin judged from its manifest's bytes (fetched by digest, cached forever), its children verified. What its tag
 * holds now comes without a pull where a HEAD answers: the pin itself when the tag still points at it, or (Docker Hub)
 * the tags API's record of the tag's index, from which only a safe verdict is taken; otherwise the tag is read.
 */
async function* pinReasons(dependency: PinnedDependency, deps: FindUpdatesDeps, now: number): GateQuestions<readonly HoldReason[]> {
  const { source } = deps;
  const { location, digest } = dependency;
  let pinnedFetched;
  try {
    pinnedFetched = await fetchChecked(() => source.manifestByDigest(location, digest));
  } catch (error) {
    if (!isArchpinError(error) || error.code !== 'registry-not-found') throw error;
    return [missingPin(digest)];
  }
  const pinned = await inspectManifest(source, location, pinnedFetched);
  if (!dependency.tag) return yield* judgePin(dependency, deps, now, pinned, null);
  const known = await taggedWithoutPull(deps, location, dependency.tag, pinned);
  if (known !== null) {
    const reasons = yield* judgePin(dependency, deps, now, pinned, known.tagged);
    if (!known.recorded || reasons.length === 0) return reasons;
  }
  return yield* judgePin(dependency, deps, now, pinned, await taggedNow(deps, location, dependency.tag));
}

/**
 * What the tag holds now without reading it: a HEAD of the tag, then the pin's own bytes when it points at the pin,
 * or the tags API's record of its index (`recorded`). Null when neither answers: the tag is read.
 */
async function taggedWithoutPull(deps: FindUpdatesDeps, location: ImageLocation, tag: string, pinned: Inspected): Promise<{ tagged: Inspected; recorded: boolean } | null> {
  const { source } = deps;
  if (!source.tagDigest) return null;
  const taggedDigest = await source.tagDigest(location, tag).catch(() => null);
  if (taggedDigest === null) return null;
  if (taggedDigest === pinned.digest) return { tagged: pinned, recorded: false };
  if (!source.recordedIndex) return null;
  const recorded = recordedInspected(await source.recordedIndex(location, taggedDigest).catch(() => null));
  return recorded === null ? null : { tagged: recorded, recorded: true };
}

/** The gate's verdict on the pin, given what its tag holds now (null: the tag is gone or unreadable). */
async function* judgePin(dependency: PinnedDependency, deps: FindUpdatesDeps, now: number, pinned: Inspected, tagged: Inspected | null): GateQuestions<readonly HoldReason[]> {
  const { location, digest } = dependency;
  const configured = auditPolicy(deps, dependency);
  const taggedImage: CurrentImage | null = tagged && tagged.manifest.kind !== 'unreadable' ? { manifest: tagged.manifest, imagePlatform: tagged.imagePlatform } : null;
  const onPurpose = pinned.manifest.kind === 'image' && taggedImage?.manifest.kind === 'index' && taggedImage.manifest.entries.some((entry) => entry.digest === digest);
  const pinnedImage: CurrentImage | null = pinned.manifest.kind === 'unreadable' ? null : { manifest: pinned.manifest, imagePlatform: pinned.imagePlatform };
  const taggedDigest = tagged?.digest ?? null;
  const current = taggedImage && taggedDigest !== digest && !onPurpose ? taggedImage : null;
  const policy = onPurpose
    ? configured
    : baselinePolicy(configured, taggedImage ?? pinnedImage, { pinnedImage: pinned.manifest.kind === 'image' && (taggedImage === null || taggedDigest === digest) });
  const run: GateRun = { deps, location, image: dependency.key, ...(dependency.content ? { content: dependency.content } : {}), current, policy, now, alwaysVerify: true };
  const outcome = yield* gateInspected(run, dependency.tag, pinned);
  const reasons = 'reasons' in outcome ? [...outcome.reasons] : [];
  return onPurpose && !configured.platforms ? reasons.filter((reason) => reason.code !== 'single-arch') : reasons;
}

/** What the pin's tag points at today; null when the tag is gone or holds something unreadable. */
async function taggedNow(deps: FindUpdatesDeps, location: ImageLocation, tag: string) {
  try {
    const fetched = await fetchChecked(() => deps.source.manifestByTag(location, tag));
    return { ...(await inspectManifest(deps.source, location, fetched)), digest: 'kind' in fetched ? '' : fetched.digest };
  } catch (error) {
    if (couldNotAnswer(error)) throw error;
    return null;
  }
}

/**
 * The newest other version of the same format that passes the gate (the policy, or linux/amd64 as there is
 * no baseline): older ones when nothing newer passes, newer ones too when the pin's own tag is gone.
 */
async function* otherVersionFix(dependency: Dependency, deps: FindUpdatesDeps, now: number): GateQuestions<{ tag: string; digest: string } | null> {
  const pinnedTag = dependency.tag;
  if (!pinnedTag) return null;
  const configured = deps.policyFor(dependency.key);
  const major = parseDockerTag(pinnedTag)?.release[0];
  const versions = [...new Set(await deps.source.listTags(dependency.location))]
    .filter((tag) => tag !== pinnedTag && isCompatible(pinnedTag, tag) && (configured.allowMajor || parseDockerTag(tag)?.release[0] === major))
    .sort((a, b) => compareTags(b, a))
    .slice(0, FIX_LIMIT);
  const policy = baselinePolicy({ ...configured, minimumReleaseAge: null }, null, { pinnedImage: false });
  const run: GateRun = { deps, location: dependency.location, image: dependency.key, ...(dependency.content ? { content: dependency.content } : {}), current: null, policy, now };
  for (const tag of versions) {
    const outcome = yield* gateTag(run, tag, () => deps.source.manifestByTag(dependency.location, tag));
    if (!('reasons' in outcome)) return { tag, digest: outcome.digest };
  }
  return null;
}
