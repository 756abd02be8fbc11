import { platformKey } from '../core/platform.js';
import type { GateContext } from './context.js';
import { isNestedIndex, isRunnable, lacksPlatform } from '../core/platforms-of.js';
import type { HoldReason } from '../core/verdict.js';

const short = (digest: string): string => digest.slice(0, 19);

/** `no-platform`: an image entry of the index names no platform, so no runtime can be sure what it pulls. */
export function noPlatform(context: GateContext): HoldReason | null {
  if (context.manifest?.kind !== 'index') return null;
  const entries = context.manifest.entries.filter(lacksPlatform);
  if (entries.length === 0) return null;
  return { code: 'no-platform', message: `${entries.length === 1 ? 'an entry' : `${entries.length} entries`} without a platform (${entries.map((entry) => short(entry.digest)).join(', ')})` };
}

/** `nested-index`: an entry is itself an index that the lookup could not resolve (too deep, unreadable or missing). */
export function nestedIndex(context: GateContext): HoldReason | null {
  if (context.manifest?.kind !== 'index') return null;
  const entries = context.manifest.entries.filter(isNestedIndex);
  if (entries.length === 0) return null;
  return {
    code: 'nested-index',
    message: `${entries.length === 1 ? 'an entry is' : `${entries.length} entries are`} itself an index that could not be resolved (${entries.map((entry) => short(entry.digest)).join(', ')})`,
  };
}

/**
 * `duplicate-platform`: the same platform, OS version and OS features listed twice with different digests:
 * which one a host pulls is undefined. Windows indexes list one entry per OS build (`os.version`) and may
 * tell entries apart by `os.features` (`win32k`), so those are different platforms, not duplicates.
 */
export function duplicatePlatform(context: GateContext): HoldReason | null {
  if (context.manifest?.kind !== 'index') return null;
  const digests = new Map<string, Set<string>>();
  for (const entry of context.manifest.entries.filter(isRunnable)) {
    const details = [...(entry.osVersion ? [`os.version ${entry.osVersion}`] : []), ...(entry.osFeatures ? [`os.features ${entry.osFeatures.join(',')}`] : [])];
    const key = `${platformKey(entry.platform)}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
    const set = digests.get(key) ?? new Set<string>();
    set.add(entry.digest);
    digests.set(key, set);
  }
  const twice = [...digests].filter(([, set]) => set.size > 1).map(([key]) => key);
  if (twice.length === 0) return null;
  return { code: 'duplicate-platform', message: `index lists ${twice.join(', ')} more than once with different digests` };
}
