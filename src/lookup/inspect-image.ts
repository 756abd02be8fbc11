/**
 * `archpin inspect`: one tag or digest through the gate with every child fetched and verified, described
 * entry by entry (platform, digest, size, what the child turned out to be), and the verdict.
 */
import { baselinePolicy } from '../core/baseline-policy.js';
import type { ImageLocation } from '../core/dependency.js';
import { compareTags, parseDockerTag } from '../core/docker-versioning.js';
import { INDEX_MEDIA_TYPES, type Manifest } from '../core/manifest.js';
import { platformKey } from '../core/platform.js';
import type { HoldReason, ChildCheck, GateQuestions, UnreadableManifest } from '../core/verdict.js';
import type { FindUpdatesDeps } from './find-updates.js';
import { gateTag, type GateRun } from './gate-candidate.js';

export type EntryKind = 'image' | 'attestation' | 'artifact' | 'index' | 'no-platform' | 'other';

export interface InspectedEntry {
  readonly platform: string | null;
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
  readonly kind: EntryKind;
  /** For runnable images: whether the child verified down to its config; null when not fetched. */
  readonly verified: boolean | null;
  /** Why the child did not verify. */
  readonly problem: string | null;
}

export interface ImageInspection {
  readonly tag: string | null;
  readonly digest: string | null;
  readonly mediaType: string | null;
  readonly entries: readonly InspectedEntry[];
  /** A pass names the platforms it vouches for and, in `notRequired`, the others the index lists (no policy platform asks for them, so they do not decide the verdict). */
  readonly verdict: { readonly pass: true; readonly platforms: readonly string[]; readonly notRequired: readonly string[] } | { readonly pass: false; readonly reasons: readonly HoldReason[] };
}

/** The gate's policy for inspect: the configured platforms, else linux/amd64 (there is no image in use to compare with). */
function inspectPolicy(deps: FindUpdatesDeps, key: string) {
  return baselinePolicy({ ...deps.policyFor(key), minimumReleaseAge: null, settleTime: null }, null, { pinnedImage: false });
}

/** What inspect looks at: a tag, or a digest (with the tag it was given under, if any). */
export type InspectTarget = { readonly tag: string; readonly digest: null } | { readonly tag: string | null; readonly digest: string };

/** The facts about one tag or digest, yielded to the gate (see GateQuestions), and what inspect shows of them. */
export async function* inspectReference(deps: FindUpdatesDeps, key: string, location: ImageLocation, target: InspectTarget): GateQuestions<ImageInspection> {
  const { tag } = target;
  const run: GateRun = { deps, location, image: key, current: null, policy: inspectPolicy(deps, key), now: deps.now(), alwaysVerify: true, verifyAll: true };
  const outcome = yield* gateTag(run, tag, () => (target.digest !== null ? deps.source.manifestByDigest(location, target.digest) : deps.source.manifestByTag(location, target.tag)));
  const manifest: Manifest | UnreadableManifest | undefined = outcome.manifest;
  const children: ReadonlyMap<string, ChildCheck> = outcome.children ?? new Map();
  const entries =
    manifest?.kind === 'index'
      ? manifest.entries.map((entry): InspectedEntry => {
          const kind: EntryKind = entry.attestation
            ? 'attestation'
            : entry.artifactType
              ? 'artifact'
              : INDEX_MEDIA_TYPES.has(entry.mediaType)
                ? 'index'
                : entry.platform === null
                  ? 'no-platform'
                  : entry.mediaType.includes('manifest')
                    ? 'image'
                    : 'other';
          const check = kind === 'image' ? children.get(entry.digest) : undefined;
          let problem: string | null = null;
          if (check && !check.ok) problem = `${check.code}: ${check.message}`;
          else if (
            check?.ok &&
            entry.platform &&
            (check.platform.os !== entry.platform.os || check.platform.architecture !== entry.platform.architecture || (check.variantGiven && check.platform.variant !== entry.platform.variant))
          ) {
            problem = `platform-mismatch: the child's config says ${platformKey(check.platform)}`;
          }
          return {
            platform: entry.platform ? platformKey(entry.platform) : null,
            digest: entry.digest,
            size: entry.size,
            mediaType: entry.mediaType,
            kind,
            verified: check === undefined ? null : problem === null,
            problem,
          };
        })
      : [];
  const verdict = 'reasons' in outcome ? { pass: false as const, reasons: outcome.reasons } : { pass: true as const, platforms: outcome.platforms, notRequired: outcome.unverified };
  const resolvedDigest = 'reasons' in outcome ? outcome.digest || null : outcome.digest;
  return { tag, digest: resolvedDigest, mediaType: manifest && manifest.kind !== 'unreadable' ? manifest.mediaType : null, entries, verdict };
}

/** The newest `count` tags of the image, newest first: versions by version order, then the other tags. */
export async function newestTags(deps: FindUpdatesDeps, location: ImageLocation, count: number): Promise<string[]> {
  const tags = [...new Set(await deps.source.listTags(location))].filter((tag) => !/^sha256-[0-9a-f]{64}(\.\w+)?$/.test(tag));
  const versions = tags.filter((tag) => parseDockerTag(tag) !== null).sort((a, b) => compareTags(b, a));
  const others = tags.filter((tag) => parseDockerTag(tag) === null).sort();
  return [...versions, ...others].slice(0, count);
}
