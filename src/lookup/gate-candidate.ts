/**
 * The facts the gate needs about one candidate, gathered in the order that spares requests: read the manifest,
 * resolve nested indexes, ask the gate about the descriptors first (a candidate already refused costs no child
 * requests), then fetch and verify every runnable child and its config by digest and ask again. The questions
 * are yielded (GateQuestions): this module never calls the gate. Shared by check/run, audit and inspect. An
 * answer that is wrong holds the candidate; no answer at all fails the image (see couldNotAnswer).
 */
import { isArchpinError } from '../core/errors.js';
import { CONFIG_MAX_BYTES, DOCKER_IMAGE_CONFIG, OCI_IMAGE_CONFIG, parseConfigCreated, parseImageConfig, parseManifest, type IndexManifest, type Manifest } from '../core/manifest.js';
import type { Platform } from '../core/platform.js';
import type { ReferenceContent } from '../core/types.js';
import type { HoldReason, ChildCheck, CurrentImage, GateCandidate, GatePolicy, GateQuestions, UnreadableManifest } from '../core/verdict.js';
import type { FirstSeenStore } from './first-seen-store.js';
import type { ImageLocation } from '../core/dependency.js';
import type { FetchedManifest, ManifestSource } from './manifest-source.js';
import { platformsToVerify } from '../core/verify-scope.js';
import { resolveNested, verifyChildren } from './verify-children.js';

const UNTRUSTED: ReadonlySet<string> = new Set(['digest-mismatch', 'unsupported-media-type', 'manifest-too-large']);
const IMAGE_CONFIG_TYPES: ReadonlySet<string> = new Set([OCI_IMAGE_CONFIG, DOCKER_IMAGE_CONFIG]);

export interface Inspected {
  readonly digest: string;
  /** For an index: nested indexes the lookup could resolve are replaced by their entries. */
  readonly manifest: Manifest | UnreadableManifest;
  readonly imagePlatform: Platform | null;
  readonly created: number | null;
  /** For a single image whose config is not an image config: why. */
  readonly configProblem: string | null;
  /** The registry's Last-Modified for the manifest, epoch ms, when it sent one. */
  readonly lastModified?: number;
  /** The index is a registry's record of it (see ManifestSource.recordedIndex), not its bytes: whose record. */
  readonly recordedBy?: string;
}

/** A candidate that passed, with what the proposal needs. */
export interface Gated {
  readonly digest: string;
  readonly manifest: Manifest;
  /** The platforms verified (what a proposal claims). */
  readonly platforms: readonly string[];
  /** Other platforms the index lists, whose children were not verified (no platform required them). */
  readonly unverified: readonly string[];
  readonly children: ReadonlyMap<string, ChildCheck>;
}

export interface GateHold {
  readonly image: string;
  readonly tag: string | null;
  readonly digest: string;
  readonly reasons: readonly HoldReason[];
  /** Present when the children were fetched (inspect shows them). */
  readonly children?: ReadonlyMap<string, ChildCheck>;
  readonly manifest?: Manifest | UnreadableManifest;
}

export interface GateRun {
  readonly deps: {
    readonly source: ManifestSource;
    readonly firstSeen: FirstSeenStore;
  };
  readonly location: ImageLocation;
  readonly image: string;
  /** What the reference pulls when not a container image to run (Dependency.content): the gate judges it as such. */
  readonly content?: ReferenceContent;
  readonly current: CurrentImage | null;
  readonly policy: GatePolicy;
  readonly now: number;
  /** Fetch the children even when the descriptor-only verdict already refuses (inspect shows them all). */
  readonly alwaysVerify?: boolean;
  /** Fetch every runnable child, not only those of the platforms to verify (inspect shows them all; the verdict still judges the required ones). */
  readonly verifyAll?: boolean;
  /**
   * The release time minimumReleaseAge is measured from, given the configs' newest `created`, the registry's
   * Last-Modified and the first-seen time; without it, the configs' `created`.
   */
  readonly release?: (
    tag: string | null,
    digest: string,
    imageCreated: number | null,
    lastModified: number | undefined,
    firstSeen: number | null,
  ) => Promise<Pick<GateCandidate, 'created' | 'createdFrom'>>;
}

/** Thrown by a fetch callback to hand the gate a manifest the client could not trust. */
export class GateUnreadable extends Error {
  constructor(readonly unreadable: UnreadableManifest) {
    super(unreadable.message);
  }
}

/**
 * The registry could not answer (unavailable, timeout, network, rate limit, a body cut short: the retryable
 * errors, after the client's retries). That is never a verdict: the image's lookup fails with it (exit 1), as
 * the search cannot tell whether the candidate is safe and asking older tags would only press on. A registry
 * that answered with something wrong (404, bad JSON, an artifact, a lying child) is a hold instead.
 */
const NO_ANSWER: ReadonlySet<string> = new Set([
  'registry-rate-limited',
  'registry-unavailable',
  'registry-timeout',
  'registry-network',
  'registry-unreachable',
  'registry-unauthorized',
  'registry-forbidden',
]);

export function couldNotAnswer(error: unknown): boolean {
  return isArchpinError(error) && (error.retryable || NO_ANSWER.has(error.code));
}

export async function fetchChecked(fetch: () => Promise<FetchedManifest>): Promise<FetchedManifest | UnreadableManifest> {
  try {
    return await fetch();
  } catch (error) {
    if (isArchpinError(error) && UNTRUSTED.has(error.code)) {
      return { kind: 'unreadable', code: error.code as UnreadableManifest['code'], message: error.message };
    }
    throw error;
  }
}

/** Parses a fetched manifest; a single image's config blob gives its platform; an index's nested indexes are resolved. */
export async function inspectManifest(source: ManifestSource, location: ImageLocation, fetched: FetchedManifest | UnreadableManifest): Promise<Inspected> {
  if ('kind' in fetched) return { digest: '', manifest: fetched, imagePlatform: null, created: null, configProblem: null };
  const inspected = await inspectParsed(source, location, fetched);
  return fetched.lastModified === undefined ? inspected : { ...inspected, lastModified: fetched.lastModified };
}

async function inspectParsed(source: ManifestSource, location: ImageLocation, fetched: FetchedManifest): Promise<Inspected> {
  const parsed = parseManifest(fetched.bytes, fetched.mediaType);
  if (!parsed.ok) {
    const code = parsed.error.code;
    if (UNTRUSTED.has(code)) {
      return {
        digest: fetched.digest,
        manifest: { kind: 'unreadable', code: code as UnreadableManifest['code'], message: parsed.error.message },
        imagePlatform: null,
        created: null,
        configProblem: null,
      };
    }
    throw parsed.error;
  }
  const manifest = parsed.value;
  if (manifest.kind === 'image') {
    if (!IMAGE_CONFIG_TYPES.has(manifest.config.mediaType) || manifest.artifactType || manifest.subject) {
      return { digest: fetched.digest, manifest, imagePlatform: null, created: null, configProblem: null };
    }
    if (manifest.config.size > CONFIG_MAX_BYTES) {
      return {
        digest: fetched.digest,
        manifest,
        imagePlatform: null,
        created: null,
        configProblem: `its config blob declares ${manifest.config.size} bytes, more than the ${CONFIG_MAX_BYTES} archpin reads`,
      };
    }
    const blob = await source.blob(location, manifest.config.digest, CONFIG_MAX_BYTES);
    const config = parseImageConfig(blob);
    if (!config.ok) {
      // Not an image to run; its creation time still counts where such a manifest may be a candidate (a Tekton bundle's config names no platform).
      return {
        digest: fetched.digest,
        manifest,
        imagePlatform: null,
        created: parseConfigCreated(blob)?.getTime() ?? null,
        configProblem: `its config is not an image config (${config.error.message})`,
      };
    }
    return { digest: fetched.digest, manifest, imagePlatform: config.value.platform, created: config.value.created?.getTime() ?? null, configProblem: null };
  }
  const resolved: IndexManifest = manifest.subject || manifest.artifactType ? manifest : await resolveNested(source, location, manifest);
  return { digest: fetched.digest, manifest: resolved, imagePlatform: null, created: null, configProblem: null };
}

/**
 * Gathers the facts about one tag (or digest) end to end and asks the gate about them. Returns the passing
 * candidate, or a hold with reasons. A wrong answer about this candidate is a hold (`unverified` when it cannot
 * be read); no answer throws (couldNotAnswer).
 */
export async function* gateTag(run: GateRun, tag: string | null, fetch: () => Promise<FetchedManifest>): GateQuestions<Gated | GateHold> {
  const { deps, location, image } = run;
  let inspected: Inspected;
  try {
    let fetched: FetchedManifest | UnreadableManifest;
    try {
      fetched = await fetchChecked(fetch);
    } catch (error) {
      if (error instanceof GateUnreadable) fetched = error.unreadable;
      else throw error;
    }
    inspected = await inspectManifest(deps.source, location, fetched);
  } catch (error) {
    if (couldNotAnswer(error)) throw error;
    const code = isArchpinError(error) ? error.code : 'lookup-failed';
    const message = error instanceof Error ? error.message : String(error);
    return { image, tag, digest: '', reasons: [{ code: 'unverified', message: `could not be checked (${code}): ${message}` }] };
  }
  return yield* gateInspected(run, tag, inspected);
}

/**
 * The two questions over an inspected manifest (see gateTag): descriptors only first, then, for an index the
 * gate has not refused already, with every child to verify fetched and verified.
 */
export async function* gateInspected(run: GateRun, tag: string | null, inspected: Inspected): GateQuestions<Gated | GateHold> {
  const { deps, location, image, current, policy, now } = run;
  const content = run.content ? { content: run.content } : {};
  const digest = inspected.digest;
  const releaseOf = async (created: number | null, firstSeen: number | null): Promise<Pick<GateCandidate, 'created' | 'createdFrom'>> =>
    run.release ? run.release(tag, digest, created, inspected.lastModified, firstSeen) : { created };
  const base: GateCandidate = {
    image,
    tag,
    digest,
    contentDigest: digest,
    manifest: inspected.manifest,
    imagePlatform: inspected.imagePlatform,
    created: inspected.created,
    firstSeen: inspected.manifest.kind === 'unreadable' ? null : deps.firstSeen.observe(image, digest, now),
    ...(inspected.configProblem ? { configProblem: inspected.configProblem } : {}),
  };
  // Descriptor-only first, without the release age (the children tell the creation time).
  const first = yield { ...content, candidate: base, current, policy: { ...policy, minimumReleaseAge: null }, now };
  const manifest = inspected.manifest;
  if (manifest.kind !== 'index') {
    if (!first.pass) return { image, tag, digest, reasons: first.reasons, manifest };
    const verdict = yield { ...content, candidate: { ...base, ...(await releaseOf(base.created, base.firstSeen)) }, current, policy, now };
    if (!verdict.pass) return { image, tag, digest, reasons: verdict.reasons, manifest };
    return { digest, manifest: manifest as Manifest, platforms: verdict.platforms, unverified: verdict.unverified ?? [], children: new Map() };
  }
  if (!first.pass && !run.alwaysVerify) return { image, tag, digest, reasons: first.reasons, manifest };
  const children = await verifyChildren(deps.source, location, manifest, {
    scope: run.verifyAll ? 'all' : platformsToVerify(policy, current),
    indexDigest: digest,
    rethrow: couldNotAnswer,
    sizesKnown: inspected.recordedBy === undefined,
  });
  let created: number | null = null;
  for (const check of children.values()) {
    if (check.ok && check.created !== null && (created === null || check.created > created)) created = check.created;
  }
  const verdict = yield { ...content, candidate: { ...base, children, ...(await releaseOf(created, base.firstSeen)) }, current, policy, now };
  if (!verdict.pass) return { image, tag, digest, reasons: verdict.reasons, children, manifest };
  return { digest, manifest, platforms: verdict.platforms, unverified: verdict.unverified ?? [], children };
}
