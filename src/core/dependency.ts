/** The records the lookup stage hands on: what is looked up (Dependency) and what it found (DependencyResult). */
import type { ErrorCode } from './errors.js';
import { imageKey } from './image-ref.js';
import { isImageReference, type ImageReference, type Reference, type ReferenceContent } from './types.js';
import type { HoldReason } from './verdict.js';

/** Where an image lives: the registry host and the repository on it. */
export interface ImageLocation {
  readonly registry: string;
  readonly repository: string;
}

/** One image at one tag/digest, used by one or more references (deduplicated across files). */
export interface Dependency {
  readonly key: string;
  readonly location: ImageLocation;
  readonly tag: string | null;
  readonly digest: string | null;
  readonly references: readonly ImageReference[];
  /**
   * Tags the lookup may not go past (a newer tag than any of them is no candidate): set when the images
   * through a shared literal went to different tags, to look for a tag all of them have.
   */
  readonly ceilings?: readonly string[];
  /** What its references pull, when not a container image to run (Reference.content): the gate judges it as such. */
  readonly content?: ReferenceContent;
}

export type UpdateType = 'major' | 'minor' | 'patch' | 'digest' | 'pin';

/** The candidate the lookup settled on: a tag and digest that passed the gate. */
export interface Proposal {
  readonly tag: string | null;
  readonly digest: string;
  readonly updateType: UpdateType;
  /** Platforms of the new index verified down to their config (or the kept platform of a single-platform pin). */
  readonly platforms: readonly string[];
  /** Other platforms the new index lists, whose children were not verified (no policy platform required them). */
  readonly unverifiedPlatforms?: readonly string[];
  /** Platforms of the image in use now. */
  readonly fromPlatforms: readonly string[];
  /** pinDigests false on a reference without a digest: write the tag only (the digest above passed the gate). */
  readonly tagOnly?: true;
}

/** A newer version (or digest) the gate held back, with every reason. */
export interface HeldUpdate {
  readonly image: string;
  readonly tag: string | null;
  readonly digest: string;
  readonly reasons: readonly HoldReason[];
}

export interface LookupFailure {
  readonly image: string;
  readonly tag: string | null;
  readonly code: ErrorCode | 'lookup-failed';
  readonly message: string;
  readonly retryable: boolean;
  /** `registry-unreachable`: the host that could not be reached, and why (reports show one line per host). */
  readonly host?: string;
  readonly hostCause?: string;
}

export interface DependencyResult {
  readonly dependency: Dependency;
  readonly update: Proposal | null;
  readonly held: readonly HeldUpdate[];
  readonly error: LookupFailure | null;
}

/** Groups updatable references by image, tag, digest and what they pull (a bundle is judged apart from an image of the same name). */
export function dependenciesOf(references: readonly Reference[]): Dependency[] {
  const byKey = new Map<string, { dependency: Omit<Dependency, 'references'>; references: ImageReference[] }>();
  for (const reference of references) {
    if (!isImageReference(reference)) continue;
    const { registry, repository, tag, digest } = reference.image;
    const content = reference.content;
    const id = `${registry}/${repository}:${tag ?? ''}@${digest ?? ''}${content ? ` ${content}` : ''}`;
    let entry = byKey.get(id);
    if (!entry) {
      entry = { dependency: { key: imageKey({ registry, repository }), location: { registry, repository }, tag, digest, ...(content ? { content } : {}) }, references: [] };
      byKey.set(id, entry);
    }
    entry.references.push(reference);
  }
  return [...byKey.values()].map(({ dependency, references: refs }) => ({ ...dependency, references: refs }));
}
