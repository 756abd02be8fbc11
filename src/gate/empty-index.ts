import type { GateContext } from './context.js';
import { isNestedIndex, isRunnable, lacksPlatform } from '../core/platforms-of.js';
import type { HoldReason } from '../core/verdict.js';

/**
 * `empty-index`: the candidate is a well-known empty index (blocks whatever the bytes say), or an index
 * with no runnable entry: none at all, or only attestations / entries without a platform.
 */
export function emptyIndex(context: GateContext): HoldReason | null {
  if (context.knownEmpty) {
    return {
      code: 'empty-index',
      message: `${context.input.candidate.digest} is the well-known empty index: no platform has been published yet`,
    };
  }
  const manifest = context.manifest;
  if (manifest?.kind !== 'index' || manifest.entries.some((entry) => isRunnable(entry) || lacksPlatform(entry) || isNestedIndex(entry))) return null;
  if (manifest.entries.length === 0) {
    return { code: 'empty-index', message: 'index has no entries: no platform has been published yet' };
  }
  if (manifest.entries.every((entry) => entry.attestation)) {
    return { code: 'empty-index', message: `index lists only attestation manifests (${manifest.entries.length}), no runnable image` };
  }
  return { code: 'empty-index', message: 'index lists no runnable image (only attestations, artifacts or entries of other media types)' };
}
