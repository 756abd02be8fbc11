/**
 * Which children of an index get fetched and verified: the entries for the platforms the policy requires
 * (the configured `platforms`, the unknown-baseline default, or under "no regression" the platforms of the
 * image in use). The report and the MR claim only the platforms verified; the others an index lists are shown
 * as "not verified". With nothing to go by (no policy platforms and no image in use) every runnable entry is
 * verified. Pure: the lookup asks it what to fetch, the gate asks it what must have been verified.
 */
import type { IndexEntry, Manifest } from './manifest.js';
import { canonicalPlatform, platformSatisfies } from './platform.js';
import { isRunnable, platformsOf, type RunnableEntry } from './platforms-of.js';
import type { CurrentImage, GatePolicy } from './verdict.js';

/** The platforms whose children must be verified, canonical; 'all' when neither the policy nor the image in use names any. */
export function platformsToVerify(policy: Pick<GatePolicy, 'platforms'>, current: CurrentImage | null): readonly string[] | 'all' {
  if (policy.platforms && policy.platforms.length > 0) return policy.platforms.map((text) => canonicalPlatform(text) ?? text.trim());
  if (current === null) return 'all';
  const offered = platformsOf(current.manifest, current.imagePlatform);
  return offered.length > 0 ? offered : 'all';
}

/** Whether a runnable entry is one a required platform would be served from (so it must be verified). */
export function inVerifyScope(entry: IndexEntry, scope: readonly string[] | 'all'): entry is RunnableEntry {
  if (!isRunnable(entry)) return false;
  return scope === 'all' || scope.some((wanted) => platformSatisfies(wanted, entry.platform));
}

/** The runnable entries of an index to verify, one per digest. */
export function entriesToVerify(manifest: Manifest, scope: readonly string[] | 'all'): IndexEntry[] {
  if (manifest.kind !== 'index') return [];
  return [...new Map(manifest.entries.filter((entry) => inVerifyScope(entry, scope)).map((entry) => [entry.digest, entry])).values()];
}
