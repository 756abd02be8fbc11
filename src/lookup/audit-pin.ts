import type { Dependency, LookupFailure } from '../core/dependency.js';
import { KNOWN_EMPTY_DIGESTS } from '../core/digest.js';
import { parseManifest, type Manifest } from '../core/manifest.js';
import type { Platform } from '../core/platform.js';
import type { BlockReason, GatePolicy } from '../core/verdict.js';
import { findUpdate, indexLists, lookupFailure, readImageConfig, type FindUpdatesDeps } from './find-updates.js';

/** A dependency pinned by digest: the question `audit` asks is about that digest. */
export type PinnedDependency = Dependency & { readonly digest: string };

export interface PinAudit {
  readonly reasons: readonly BlockReason[];
  /** What fixes it (a repin of the same tag, else the newest safe version), or null. */
  readonly fix: { readonly tag: string | null; readonly digest: string } | null;
  readonly error: LookupFailure | null;
}

const EMPTY_REASON: BlockReason = {
  code: 'empty-index',
  message: 'pinned to the known empty index digest: the image has no platforms and cannot be pulled',
};

/**
 * Gates the pinned digest itself, against the policy and against what its tag offers today; an unsafe pin
 * gets the update that fixes it. Age rules do not apply to what is already in use.
 */
export async function auditPin(dependency: PinnedDependency, deps: FindUpdatesDeps, now: number): Promise<PinAudit> {
  const { source } = deps;
  const location = dependency.location;
  const digest = dependency.digest;
  const policy: GatePolicy = { ...deps.policyFor(dependency.key), minimumReleaseAge: null, settleTime: null };
  let reasons: BlockReason[] = [];
  try {
    if (KNOWN_EMPTY_DIGESTS.has(digest)) {
      reasons = [EMPTY_REASON];
    } else {
      const pinned = await source.manifestByDigest(location, digest);
      const parsed = parseManifest(pinned.bytes, pinned.mediaType);
      let offered: Manifest | null = null;
      let onPurpose = false;
      if (dependency.tag) {
        const tagged = await source.manifestByTag(location, dependency.tag).catch(() => null);
        const taggedManifest = tagged ? parseManifest(tagged.bytes, tagged.mediaType) : null;
        if (tagged && taggedManifest?.ok && tagged.digest !== digest) {
          offered = taggedManifest.value;
          onPurpose = parsed.ok && parsed.value.kind === 'image' && indexLists(offered, digest);
        }
      }
      let imagePlatform: Platform | null = null;
      if (parsed.ok && parsed.value.kind === 'image') {
        const config = await readImageConfig(source, location, parsed.value.config.digest);
        imagePlatform = config.ok ? config.value.platform : null;
      }
      const verdict = deps.evaluate({
        candidate: {
          image: dependency.key,
          tag: dependency.tag,
          digest,
          contentDigest: pinned.digest,
          manifest: parsed.ok ? parsed.value : { kind: 'unreadable', code: 'unsupported-media-type', message: parsed.error.message },
          imagePlatform,
          created: null,
          firstSeen: null,
        },
        current: offered && !onPurpose ? { manifest: offered, imagePlatform: null } : null,
        policy,
        now,
      });
      if (!verdict.pass) reasons = [...verdict.reasons];
      if (onPurpose && !policy.platforms) reasons = reasons.filter((reason) => reason.code !== 'single-arch');
    }
  } catch (error) {
    return { reasons: [], fix: null, error: lookupFailure(dependency, error) };
  }
  if (reasons.length === 0) return { reasons, fix: null, error: null };
  const repin = await findUpdate({ ...dependency, digest: null }, deps);
  const fix = repin.update ? { tag: repin.update.tag, digest: repin.update.digest } : null;
  return { reasons, fix, error: null };
}
