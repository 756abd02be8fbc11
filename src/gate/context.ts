import { KNOWN_EMPTY_DIGESTS } from '../core/digest.js';
import type { Manifest } from '../core/manifest.js';
import { canonicalPlatform, comparePlatformKeys, platformSatisfies } from '../core/platform.js';
import { platformsOf } from '../core/platforms-of.js';
import type { HoldReason, GateInput } from '../core/verdict.js';

/** What every rule needs, computed once from the input. */
export interface GateContext {
  readonly input: GateInput;
  /** The candidate's manifest when it could be read and its bytes match the digest; null otherwise. */
  readonly manifest: Manifest | null;
  /** Canonical platforms the candidate offers (empty when unknown or unreadable). */
  readonly offered: readonly string[];
  /** Canonical platforms the policy requires (unparsable ones kept as written: they can never be satisfied); null when none configured. */
  readonly required: readonly string[] | null;
  /** Platforms the current image offers; null without a current image; 'unknown' for a current single image whose platform is unknown. */
  readonly current: readonly string[] | 'unknown' | null;
  /** The candidate digest is one of the well-known empty indexes. */
  readonly knownEmpty: boolean;
}

export type Rule = (context: GateContext) => HoldReason | null;

export function buildContext(input: GateInput): GateContext {
  const { candidate, current, policy } = input;
  const trusted = candidate.manifest.kind !== 'unreadable' && candidate.contentDigest === candidate.digest;
  const manifest = trusted ? candidate.manifest : null;
  const offered = manifest ? platformsOf(manifest, candidate.imagePlatform) : [];
  const required = policy.platforms && policy.platforms.length > 0 ? unique(policy.platforms.map((text) => canonicalPlatform(text) ?? text.trim())) : null;
  const currentPlatforms = current === null ? null : current.manifest.kind === 'image' && current.imagePlatform === null ? 'unknown' : platformsOf(current.manifest, current.imagePlatform);
  return { input, manifest, offered, required, current: currentPlatforms, knownEmpty: KNOWN_EMPTY_DIGESTS.has(candidate.digest) };
}

/** The platforms of `wanted` that nothing in `offered` satisfies. */
export function unsatisfied(wanted: readonly string[], offered: readonly string[]): string[] {
  return wanted.filter((platform) => !offered.some((have) => platformSatisfies(platform, have)));
}

/** How the candidate's platforms read in a message: "index lists only linux/arm64/v8". */
export function describeOffer(context: GateContext): string {
  const { manifest, offered } = context;
  if (manifest?.kind === 'image') {
    return offered.length > 0 ? `image is single-platform ${offered[0]}` : 'image is single-platform with an unknown platform';
  }
  return offered.length > 0 ? `index lists only ${offered.join(', ')}` : 'index lists no runnable platform';
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort(comparePlatformKeys);
}

/** Who asks for the required platforms: the configuration, or a default (and why it applies) when nothing was configured. */
export function requiredBy(context: GateContext): string {
  switch (context.input.policy.platformsSource) {
    case 'default':
      return 'required by default, as no platforms are configured:';
    case 'chain-default':
      return "required by default of an image chain's parent, as neither chain.platforms nor platforms is configured:";
    default:
      return 'policy requires';
  }
}
