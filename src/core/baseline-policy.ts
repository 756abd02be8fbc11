import { platformSatisfies } from './platform.js';
import { platformsOf } from './platforms-of.js';
import type { CurrentImage, GatePolicy } from './verdict.js';

/** What the default policy requires when the image in use is no trustworthy baseline. */
export const UNKNOWN_BASELINE_PLATFORMS: readonly string[] = ['linux/amd64'];

/**
 * The unknown-baseline rule. With platforms configured, the policy stands. Without, the default is "no
 * platform regression" from the image in use — but only when that image is a trustworthy baseline: it offers
 * `linux/amd64`. An empty or partial index (arm64-only, 386-only), an unreadable current image, or an
 * unpinned tag whose single image is not linux/amd64 is no baseline: `linux/amd64` is required instead,
 * so a partial `latest` is never frozen by a pin. A single-platform manifest pinned on purpose keeps its
 * platform as baseline.
 */
export function baselinePolicy<P extends GatePolicy>(policy: P, current: CurrentImage | null, options: { pinnedImage: boolean }): P {
  if (policy.platforms && policy.platforms.length > 0) return policy;
  if (current !== null && current.manifest.kind === 'image' && options.pinnedImage) return policy;
  const offered = current === null ? [] : platformsOf(current.manifest, current.imagePlatform);
  if (UNKNOWN_BASELINE_PLATFORMS.every((wanted) => offered.some((have) => platformSatisfies(wanted, have)))) return policy;
  return { ...policy, platforms: UNKNOWN_BASELINE_PLATFORMS, platformsSource: 'default' };
}
